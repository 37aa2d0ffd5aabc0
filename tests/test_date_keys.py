"""Article dates as integer keys: ordering, spans, and periods (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.date_keys import UNDATED, date_key, key_span, overlaps


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("2024-10-02", 20241002),
        ("2020-11", 20201100),
        (None, UNDATED),
        ("", UNDATED),
        ("2024-02-30", UNDATED),  # no such day
        ("지난해", UNDATED),
    ],
)
def test_keys(value: str | None, key: int) -> None:
    assert date_key(value) == key


def test_keys_sort_as_dates_and_a_month_spans_its_days() -> None:
    assert date_key("2020-11") < date_key("2020-11-01") < date_key("2020-12")
    assert key_span(20201100) == (date(2020, 11, 1), date(2020, 11, 30))
    assert key_span(20240229) == (date(2024, 2, 29), date(2024, 2, 29))
    assert key_span(UNDATED) is None and key_span(20241399) is None  # damaged: no date


def test_overlaps_a_period_and_says_when_it_cannot_know() -> None:
    year = (date(2020, 1, 1), date(2020, 12, 31))
    assert overlaps(20201100, *year) is True
    assert overlaps(20191231, *year) is False
    assert overlaps(20201100, date(2020, 11, 15), date(2020, 11, 15)) is True  # may be that day
    assert overlaps(UNDATED, *year) is None

"""Article dates as integers: sortable, storable in the chunk table, and read back as day spans.

An article's date is "YYYY-MM-DD" or, when the page prints only the month, "YYYY-MM". As a key it
is YYYYMMDD with 00 for an unknown day (20201100 is "2020-11"), and 0 for no date at all: keys
compare the way dates do (a month sorts before its days), and a key says which days it may
mean, so a question's period can be matched without guessing the day a page left out.
"""

from __future__ import annotations

import calendar
from datetime import date

from retrieval.relative_dates import parse_date

UNDATED = 0


def date_key(value: str | None) -> int:
    """The key of an article date as stored ("2024-10-02", "2020-11"); UNDATED for none."""
    day = parse_date(value)
    if day is None or value is None:
        return UNDATED
    return day_key(day, exact=len(value) == len("YYYY-MM-DD"))


def day_key(day: date, exact: bool = True) -> int:
    """The key of `day` (of its month alone, without `exact`)."""
    return day.year * 10_000 + day.month * 100 + (day.day if exact else 0)


def key_span(key: int) -> tuple[date, date] | None:
    """The days a key may mean (a whole month when its day is unknown); None when undated."""
    if key <= UNDATED:
        return None
    year, month, day = key // 10_000, key // 100 % 100, key % 100
    try:
        if day:
            return date(year, month, day), date(year, month, day)
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:  # a damaged key reads as undated, never as some other date
        return None


def overlaps(key: int, first: date, last: date) -> bool | None:
    """Whether an article of `key` may fall in [first, last]; None when it has no date."""
    span = key_span(key)
    if span is None:
        return None
    return span[0] <= last and first <= span[1]

"""A quote's relative dates, grounded with body offsets (pure)."""

from __future__ import annotations

from retrieval.grounding import quote_dates

BODY = "첫 문장이다. 광주시는 지난해 10월 착공했고 오는 5일 개관한다. 끝 문장이다."


def test_offsets_are_in_the_body_like_the_quotes_own() -> None:
    start = BODY.index("광주시는")
    end = BODY.index(" 끝")
    found = quote_dates(BODY, start, end, "2023-03-20")
    assert [(BODY[d.start : d.end], d.resolved) for d in found] == [
        ("지난해 10월", "2022년 10월"),
        ("오는 5일", "2023년 4월 5일"),
    ]
    assert {d.basis for d in found} == {"2023-03-20"}


def test_only_the_quote_is_read_and_nothing_without_a_date() -> None:
    assert quote_dates(BODY, 0, BODY.index("광주시는"), "2023-03-20") == ()
    assert quote_dates(BODY, 0, len(BODY), None) == ()
    assert quote_dates(BODY, 0, len(BODY), "날짜 아님") == ()
    [only] = quote_dates(BODY, 0, len(BODY), "2023-03")  # the month: "오는 5일" needs the day
    assert (only.expression, only.resolved, only.basis) == ("지난해 10월", "2022년 10월", "2023-03")

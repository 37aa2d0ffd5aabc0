"""Relative time expressions grounded on the article's date (pure, table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.relative_dates import ground, ground_on_article, parse_date

ARTICLE = date(2023, 3, 20)  # a Monday

CASES = [
    # (text, expression, resolved, first, last)
    (
        "지난해 10월 문을 열었다",
        "지난해 10월",
        "2022년 10월",
        date(2022, 10, 1),
        date(2022, 10, 31),
    ),
    ("작년 매출은", "작년", "2022년", date(2022, 1, 1), date(2022, 12, 31)),
    ("재작년보다", "재작년", "2021년", date(2021, 1, 1), date(2021, 12, 31)),
    ("올해 상반기 중", "올해 상반기", "2023년 상반기", date(2023, 1, 1), date(2023, 6, 30)),
    ("내년 말까지", "내년 말", "2024년 말", date(2024, 10, 1), date(2024, 12, 31)),
    (
        "지난해 12월 5일에",
        "지난해 12월 5일",
        "2022년 12월 5일",
        date(2022, 12, 5),
        date(2022, 12, 5),
    ),
    ("지난달 말 발표", "지난달 말", "2023년 2월 말", date(2023, 2, 21), date(2023, 2, 28)),
    ("이달 중순", "이달 중순", "2023년 3월 중순", date(2023, 3, 11), date(2023, 3, 20)),
    ("다음 달 1일부터", "다음 달 1일", "2023년 4월 1일", date(2023, 4, 1), date(2023, 4, 1)),
    ("이날 열린", "이날", "2023년 3월 20일", ARTICLE, ARTICLE),
    ("어제 밝혔다", "어제", "2023년 3월 19일", date(2023, 3, 19), date(2023, 3, 19)),
    ("오는 3일 개최", "오는 3일", "2023년 4월 3일", date(2023, 4, 3), date(2023, 4, 3)),
    ("오는 25일 개최", "오는 25일", "2023년 3월 25일", date(2023, 3, 25), date(2023, 3, 25)),
    ("오는 20일 개최", "오는 20일", "2023년 3월 20일", ARTICLE, ARTICLE),
    ("지난 2일 열린", "지난 2일", "2023년 3월 2일", date(2023, 3, 2), date(2023, 3, 2)),
    ("지난 25일 열린", "지난 25일", "2023년 2월 25일", date(2023, 2, 25), date(2023, 2, 25)),
    ("지난 10월 출범", "지난 10월", "2022년 10월", date(2022, 10, 1), date(2022, 10, 31)),
    ("오는 5월 초", "오는 5월 초", "2023년 5월 초", date(2023, 5, 1), date(2023, 5, 10)),
    ("오는 2월 완공", "오는 2월", "2024년 2월", date(2024, 2, 1), date(2024, 2, 29)),
    ("3년 전 설립", "3년 전", "2020년", date(2020, 1, 1), date(2020, 12, 31)),
    ("이틀 전 발표", "이틀 전", "2023년 3월 18일", date(2023, 3, 18), date(2023, 3, 18)),
    ("열흘 뒤", "열흘 뒤", "2023년 3월 30일", date(2023, 3, 30), date(2023, 3, 30)),
    ("6개월 후", "6개월 후", "2023년 9월", date(2023, 9, 1), date(2023, 9, 30)),
    ("지난주 발표", "지난주", "2023년 3월 13일 주", date(2023, 3, 13), date(2023, 3, 19)),
    # A day of the month with no year: the article's month, up to its day.
    ("20일 광주시에 따르면", "20일", "2023년 3월 20일", ARTICLE, ARTICLE),
    ("2일 오후 열린", "2일", "2023년 3월 2일", date(2023, 3, 2), date(2023, 3, 2)),
    ("1월 5일 발표", "1월 5일", "2023년 1월 5일", date(2023, 1, 5), date(2023, 1, 5)),
]


@pytest.mark.parametrize(("text", "expression", "resolved", "first", "last"), CASES)
def test_relative_expressions_are_grounded_on_the_article_date(
    text: str, expression: str, resolved: str, first: date, last: date
) -> None:
    [found] = ground(text, ARTICLE)
    assert (found.expression, found.resolved, found.first, found.last) == (
        expression,
        resolved,
        first,
        last,
    )
    assert text[found.start : found.end] == expression  # offsets into the quote as it is


def test_month_and_year_boundaries() -> None:
    assert ground("지난달", date(2024, 1, 15))[0].resolved == "2023년 12월"
    assert ground("다음 달", date(2023, 12, 31))[0].resolved == "2024년 1월"
    assert ground("오는 31일", date(2023, 4, 5))[0].resolved == "2023년 5월 31일"  # April has none
    assert ground("지난 31일", date(2023, 3, 5))[0].resolved == "2023년 1월 31일"
    assert ground("어제", date(2024, 3, 1))[0].resolved == "2024년 2월 29일"


@pytest.mark.parametrize(
    "text",
    [
        "오늘날 인공지능은",  # nowadays, no date
        "그지난해",  # part of a longer word
        "지난 32일",  # no such day
        "지난해 13월",  # no such month (the year alone is not what was written)
        "3 전",
        "전날 밤",  # the day before some event, not before the article
        "이날 말",
        "28일 개최",  # after the article's day: next month's 28th, or this one's? not guessed
        "12월 28일 발표",  # last December or the coming one
        "2023년 3월 7일 체결",  # written out in full: a date, not relative to the article
        "7일간 열린",  # counts of days
        "3일 동안",
        "1일 평균 이용객",
        "주 5일 근무",
        "3일 만에 매진",  # counts of days, with the particle that ends the word
        "7일간의 일정",
        "10일째인 행사",
        "7일장을 치렀다",
        "1일1식",
        "2023.1.7일",  # the year and month written otherwise
        "1∼7일 열린",  # a span's end, not a day on its own
    ],
)
def test_what_is_no_relative_date_is_left_alone(text: str) -> None:
    assert [g.resolved for g in ground(text, ARTICLE)] == []


def test_several_in_one_text_and_none_without_a_date() -> None:
    text = "지난해 10월 문을 연 센터는 올해 말까지 100곳으로 늘린다고 이날 밝혔다."
    assert [g.expression for g in ground(text, ARTICLE)] == ["지난해 10월", "올해 말", "이날"]
    assert ground(text, None) == []


def test_grounded_on_the_article_and_stored_dates() -> None:
    [found] = ground_on_article("지난해 10월", "2023-03-20")
    assert (found.expression, found.resolved) == ("지난해 10월", "2022년 10월")
    assert ground_on_article("이날", "2023-03") == [] and ground_on_article("이날", None) == []
    assert ground_on_article("7일 오후", "2023-03") == []  # before or after its day: unknown
    assert ground_on_article("1월 5일", "2023-03")[0].resolved == "2023년 1월 5일"
    # Eleven months back is more likely the coming January: not guessed.
    assert ground_on_article("1월 5일 개막 예정", "2024-12-28") == []
    assert ground("7일 오후", ARTICLE, bare=False) == []  # as a question reads it
    assert parse_date("2024-10-02") == date(2024, 10, 2)
    assert parse_date("2024-10") == date(2024, 10, 1)
    assert (
        parse_date("2024-13-01") is None and parse_date(None) is None and parse_date("어제") is None
    )


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("지난해 10월 문을 열었다", "2019년 10월"),
        ("올해 상반기 중", "2020년 상반기"),
        ("지난달 5일 발표", "2020년 10월 5일"),
        ("6개월 후", "2021년 5월"),
        ("오는 12월 완공", "2020년 12월"),
        ("이날 열린", None),  # which day of November: unknown, so not resolved
        ("어제 밝혔다", None),
        ("지난 3일 열린", None),
        ("이틀 전 발표", None),
        ("2주 뒤", None),
        ("지난주 발표", None),
        ("오는 11월 5일", None),  # this November or next: it depends on the day
    ],
)
def test_an_article_dated_by_month_resolves_only_what_needs_no_day(
    text: str, resolved: str | None
) -> None:
    found = ground(text, date(2020, 11, 1), day_known=False)
    assert [g.resolved for g in found] == ([resolved] if resolved else [])

"""Relative time expressions in Korean news text, grounded on the article's date.

News writes "지난해 10월", "이날", "오는 3일": each means a different date in each article. Given
the article's publication date, `ground` finds such expressions in a text and says what they
mean ("지난해 10월" in an article of 2023-03-20 is 2022년 10월). Pure and table-tested; the quote
itself is never changed, the meaning is shown next to it. Without the article's date nothing is
resolved: nothing is guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

NATIVE_DAYS = {  # 하루 … 열흘: counts of days written in native Korean
    "하루": 1,
    "이틀": 2,
    "사흘": 3,
    "나흘": 4,
    "닷새": 5,
    "엿새": 6,
    "이레": 7,
    "여드레": 8,
    "아흐레": 9,
    "열흘": 10,
}
YEAR_WORDS = {"지난해": -1, "작년": -1, "전년": -1, "올해": 0, "금년": 0, "내년": 1, "재작년": -2}
MONTH_WORDS = {"지난달": -1, "전월": -1, "이달": 0, "이번 달": 0, "이번달": 0, "다음 달": 1}
MONTH_WORDS |= {"다음달": 1, "내달": 1}
DAY_WORDS = {"이날": 0, "오늘": 0, "금일": 0, "어제": -1, "그제": -2}
DAY_WORDS |= {"그저께": -2, "내일": 1, "모레": 2}
WEEK_WORDS = {"지난주": -1, "이번 주": 0, "이번주": 0, "다음 주": 1, "다음주": 1}
PARTS = ("상반기", "하반기", "초", "말", "중순", "하순", "상순")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_BEFORE = r"(?<![가-힣0-9])"  # not the end of a longer word ("그지난해" is not "지난해")
_YEAR = rf"(?P<year>{_alternation(YEAR_WORDS)})(?:\s*(?P<ymonth>\d{{1,2}})월(?:\s*(?P<yday>\d{{1,2}})일)?)?"
_MONTH = rf"(?P<month>{_alternation(MONTH_WORDS)})(?:\s*(?P<mday>\d{{1,2}})일)?"
_DAY = rf"(?P<day>{_alternation(DAY_WORDS)})(?!날)"  # "오늘날" is nowadays
_WEEK = rf"(?P<week>{_alternation(WEEK_WORDS)})"
_COMING = r"(?P<dir>오는|지난)\s*(?:(?P<cmonth>\d{1,2})월(?:\s*(?P<cmday>\d{1,2})일)?|(?P<cday>\d{1,2})일)"
_AGO = rf"(?P<count>\d{{1,3}}|{_alternation(NATIVE_DAYS)})\s*(?P<unit>년|개월|달|주|일)?\s*(?P<way>전|후|뒤)"
# A day of the month ("7일 오후", "3월 7일") with no year: the article's month, or its year
# within `BARE_MONTHS` before it, when it is not after the article's date (a later one may be
# next month's, the coming one or last year's: not guessed). Not after a year, a month, a
# digit or a range mark ("2024년 3월 7일" and "2023.1.7일" are written out; "1∼7일" is a span),
# nor a count of days ("7일간", "3일 만에", "1일 평균은", "7일장", "주 5일").
_COUNTS = "간|동안|째|만|씩|당|이내|이상|이하|미만|마다|평균|치|차|장|여|가량|연속|짜리|분"
_WORD_END = r"(?:[의은는도에이인입가을를로과와]|[^가-힣]|$)"
_NO_COUNT = rf"(?!\d)(?!\s*(?:{_COUNTS}){_WORD_END})"
_NOT_AFTER = r"(?<![년월.~∼\-])(?<!년 )(?<!월 )(?<!주 )"
_BARE = rf"{_NOT_AFTER}(?:(?P<bmonth>\d{{1,2}})월\s*)?(?P<bday>\d{{1,2}})일{_NO_COUNT}"
BARE_MONTHS = 6  # a month and day without a year: read in the article's year this far back
# A part ends there or takes a particle ("말까지"), so "초등학교" or "말씀" is no part.
_PART_END = r"(?=[^가-힣]|$|까지|부터|에|께|쯤|경|의|로|엔|이|가|은|는)"
PATTERN = re.compile(
    rf"{_BEFORE}(?:{_YEAR}|{_MONTH}|{_DAY}|{_WEEK}|{_COMING}|{_AGO}|{_BARE})"
    rf"(?:\s*(?P<part>{'|'.join(PARTS)}){_PART_END})?"
)


@dataclass(frozen=True)
class GroundedDate:
    """A relative expression of a text, `text[start:end]`, and what it means."""

    expression: str
    start: int
    end: int
    resolved: str  # in Korean, as shown: "2022년 10월", "2023년 3월 19일", "2023년 3월 둘째 주"
    first: date  # the span of days it means, for filtering and sorting
    last: date


def ground(
    text: str, published: date | None, *, day_known: bool = True, bare: bool = True
) -> list[GroundedDate]:
    """The relative time expressions of `text`, resolved against the article date `published`
    (none when the article has no date). Without `day_known` (the page printed only the month,
    "2020-11"), what depends on the day is left unresolved rather than guessed: "이날", "어제",
    "지난 3일", "2주 전", "7일", and "오는/지난 N월" of the article's own month. Without `bare`,
    a day or month-and-day with no year is not read at all: a question's "3월 7일" names no
    year, and today is not its date."""
    if published is None:
        return []
    found = []
    for match in PATTERN.finditer(text):
        if match.group("bday") and not bare:
            continue
        if not day_known and _needs_day(match, published):
            continue
        meaning = _meaning(match, published)
        if meaning is not None:
            label, first, last = meaning
            expression = match.group(0)
            found.append(GroundedDate(expression, match.start(), match.end(), label, first, last))
    return found


def parse_date(value: str | None) -> date | None:
    """An article's date as stored ("2024-10-02" or "2024-10"; the 1st of the month then)."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


def _needs_day(match: re.Match[str], published: date) -> bool:
    g = match.groupdict()
    if g["day"] or g["week"] or g["cday"]:
        return True
    if g["bday"]:  # "7일" of a month-dated article: before or after its day, unknown
        return g["bmonth"] is None or int(g["bmonth"]) >= published.month
    if g["cmonth"]:
        return int(g["cmonth"]) == published.month
    if g["count"]:
        return g["count"] in NATIVE_DAYS or g["unit"] in (None, "일", "주")
    return False


def _meaning(match: re.Match[str], today: date) -> tuple[str, date, date] | None:
    """(shown, first day, last day) of one match; None when the numbers are no date."""
    g = match.groupdict()
    try:
        if g["year"]:
            year = today.year + YEAR_WORDS[g["year"]]
            return _in_year(year, g["ymonth"], g["yday"], g["part"])
        if g["month"]:
            year, month = _shift_month(today.year, today.month, MONTH_WORDS[g["month"]])
            return _in_year(year, str(month), g["mday"], g["part"])
        if g["dir"] and g["cmonth"]:
            return _coming_or_past(
                today, g["dir"] == "오는", g["cmonth"], g["cmday"], None, g["part"]
            )
        if g["part"]:
            return None  # "이날 말" and the like: a part only follows a year or a month
        if g["day"]:
            return _day(today + timedelta(days=DAY_WORDS[g["day"]]))
        if g["week"]:
            return _week(today + timedelta(weeks=WEEK_WORDS[g["week"]]))
        if g["dir"]:
            return _coming_or_past(today, g["dir"] == "오는", None, None, g["cday"])
        if g["bday"]:
            return _this_year(today, g["bmonth"], g["bday"])
        return _ago(today, g["count"], g["unit"], g["way"])
    except ValueError:  # 2월 30일, 13월: no such date
        return None


def _in_year(
    year: int, month: str | None, day: str | None, part: str | None
) -> tuple[str, date, date]:
    if month is None:
        if part == "상반기":
            return f"{year}년 상반기", date(year, 1, 1), date(year, 6, 30)
        if part == "하반기":
            return f"{year}년 하반기", date(year, 7, 1), date(year, 12, 31)
        if part in ("초", "말"):
            first, last = (
                (date(year, 1, 1), date(year, 3, 31))
                if part == "초"
                else (
                    date(year, 10, 1),
                    date(year, 12, 31),
                )
            )
            return f"{year}년 {part}", first, last
        return f"{year}년", date(year, 1, 1), date(year, 12, 31)
    m = int(month)
    if day is not None:
        return _day(date(year, m, int(day)))
    end = calendar.monthrange(year, m)[1]
    first, last = date(year, m, 1), date(year, m, end)
    if part in ("초", "상순"):
        first, last = first, date(year, m, 10)
    elif part == "중순":
        first, last = date(year, m, 11), date(year, m, 20)
    elif part in ("말", "하순"):
        first, last = date(year, m, 21), last
    elif part in ("상반기", "하반기"):
        part = None  # "3월 상반기" is no usual phrase: the month is what is meant
    label = f"{year}년 {m}월" + (f" {part}" if part else "")
    return label, first, last


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _this_year(today: date, month: str | None, day: str) -> tuple[str, date, date] | None:
    """ "7일" of an article of 2024-03-07 is 2024년 3월 7일, "1월 5일" 2024년 1월 5일; a date
    after the article's is not guessed (next month's "28일", or last December's "12월 28일"),
    nor one more than `BARE_MONTHS` before it (an event coming next year, written without
    "오는")."""
    meant = date(today.year, int(month) if month else today.month, int(day))
    months_before = (today.year - meant.year) * 12 + today.month - meant.month
    return _day(meant) if meant <= today and months_before <= BARE_MONTHS else None


def _day(day: date) -> tuple[str, date, date]:
    return f"{day.year}년 {day.month}월 {day.day}일", day, day


def _week(day: date) -> tuple[str, date, date]:
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return f"{monday.year}년 {monday.month}월 {monday.day}일 주", monday, sunday


def _coming_or_past(
    today: date,
    coming: bool,
    month: str | None,
    month_day: str | None,
    day: str | None,
    part: str | None = None,
) -> tuple[str, date, date]:
    """ "오는 3일" is the next 3rd on or after the article's date, "지난 3일" the last before it;
    "오는 10월", "지난 10월 5일" likewise by month."""
    if day is not None:
        d = int(day)
        year, month_ = today.year, today.month
        for _ in range(13):  # the nearest month that has such a day, in that direction
            last = calendar.monthrange(year, month_)[1]
            if d <= last:
                candidate = date(year, month_, d)
                if (coming and candidate >= today) or (not coming and candidate < today):
                    return _day(candidate)
            year, month_ = _shift_month(year, month_, 1 if coming else -1)
        raise ValueError(day)
    assert month is not None
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(month)
    if coming:
        year = (
            today.year if (m, int(month_day or 32)) >= (today.month, today.day) else today.year + 1
        )
    else:
        year = today.year if (m, int(month_day or 0)) < (today.month, today.day) else today.year - 1
    return _in_year(year, month, month_day, part)


def _ago(today: date, count: str, unit: str | None, way: str) -> tuple[str, date, date] | None:
    """ "3년 전", "이틀 전", "2주 뒤": counts in days need a unit or a native day word."""
    n = NATIVE_DAYS.get(count) or int(count)
    if count in NATIVE_DAYS:
        unit = unit or "일"
    if unit is None:
        return None  # "3 전" is no expression
    sign = -1 if way == "전" else 1
    if unit == "년":
        year = today.year + sign * n
        return f"{year}년", date(year, 1, 1), date(year, 12, 31)
    if unit in ("개월", "달"):
        year, month = _shift_month(today.year, today.month, sign * n)
        return _in_year(year, str(month), None, None)
    if unit == "주":
        return _week(today + timedelta(weeks=sign * n))
    return _day(today + timedelta(days=sign * n))


def ground_on_article(text: str, article_date: str | None) -> list[GroundedDate]:
    """`ground` against an article's stored date ("2024-10-02", or "2020-11" when the page
    printed only the month: then nothing that needs the day); none for an undated article."""
    published = parse_date(article_date)
    if published is None or article_date is None:
        return []
    return ground(text, published, day_known=len(article_date) == len("YYYY-MM-DD"))

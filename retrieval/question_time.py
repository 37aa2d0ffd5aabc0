"""What a question says about time: a period it is about, and whether it wants the newest.

"2024년 …", "2020년 11월 …", "작년 …" name a period: absolute dates are read as Korean writes
them (년·월·일 after numbers) or as `newsqa list --since` takes them ("2024-03"), relative
ones with `retrieval.relative_dates` against *today* (given, so answers are reproducible and
testable). "최근", "요즘", "최신" ask for what is
newest. Pure: the pipeline decides what to do with it (`retrieval.time_filter`, and the order
of quotes and sources in `retrieval.answer`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from retrieval.kiwi_analyser import Morph
from retrieval.relative_dates import ground, ground_on_article

# The words that ask for the newest (a closed class of Korean time adverbs and nouns).
RECENCY = frozenset({"최근", "요즘", "요새", "최신", "근래", "최근래"})
_MONTH = r"1[0-2]|0?[1-9]"
_DAY = r"3[01]|[12]\d|0?[1-9]"
# Korean writes a date with its units: a number is a month only before "월" and a day only
# before "일" ("2024년 3월 10개 기업" is March, with ten companies).
KOREAN_DATE = re.compile(
    rf"(?<!\d)(?P<year>[12]\d{{3}})\s*년도?"
    rf"(?:\s*(?P<month>{_MONTH})\s*월(?:\s*(?P<day>{_DAY})\s*일)?)?"
)
# Numbers joined by one separator, as `newsqa list --since` takes them: "2024-03", "2024.3.7".
NUMERIC_DATE = re.compile(
    rf"(?<!\d)(?P<year>[12]\d{{3}})\s*(?P<sep>[.\-/])\s*(?P<month>{_MONTH})"
    rf"(?:\s*(?P=sep)\s*(?P<day>{_DAY}))?(?!\d)"
)

Period = tuple[date, date]


@dataclass(frozen=True)
class TimeAsked:
    period: Period | None = None  # the days the question is about, first to last
    recent: bool = False  # it asks for the newest ("최근", "요즘", "최신")
    said: tuple[tuple[int, int], ...] = ()  # where the question names the period [start, end)

    def naming(self, morph: Morph) -> bool:
        """Whether `morph` is part of how the question names its period ("2024", "년")."""
        return any(start <= morph.start and morph.end <= end for start, end in self.said)


NOTHING_ASKED = TimeAsked()


def absolute_periods(text: str) -> list[Period]:
    """The dates `text` writes out: "2024년" (the year), "2020년 11월", "2024년 3월 7일",
    "2024-03", "2024.10.02"; impossible ones ("2월 30일") are not dates, nor is a bare
    "2024" (a number)."""
    return [period for period, _ in _absolute(text)]


def _absolute(text: str) -> list[tuple[Period, tuple[int, int]]]:
    found = []
    for pattern in (KOREAN_DATE, NUMERIC_DATE):
        for match in pattern.finditer(text):
            year, month, day = match.group("year", "month", "day")
            try:
                found.append((_span(int(year), month, day), match.span()))
            except ValueError:
                continue
    return sorted(found, key=lambda period_at: period_at[1])


def _span(year: int, month: str | None, day: str | None) -> Period:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    m = int(month)
    if day is None:
        return date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])
    return date(year, m, int(day)), date(year, m, int(day))


def time_asked(question: str, morphs: Iterable[Morph], today: date) -> TimeAsked:
    """The period `question` is about (all the dates it names, first to last; relative ones
    read against `today`), and whether it asks for the newest."""
    found = _absolute(question)
    found += [((g.first, g.last), (g.start, g.end)) for g in ground(question, today, bare=False)]
    spans = [span for span, _ in found]
    period = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
    recent = any(is_recency(m) for m in morphs)
    return TimeAsked(period, recent, tuple(at for _, at in found))


def is_recency(morph: Morph) -> bool:
    return morph.tag.startswith(("NN", "MA")) and morph.form in RECENCY


def text_periods(text: str, article_date: str | None) -> list[Period]:
    """The dates a passage names: written out, or relative and grounded on its article's date
    (an article dated by month alone grounds nothing that needs the day)."""
    return absolute_periods(text) + [
        (g.first, g.last) for g in ground_on_article(text, article_date)
    ]

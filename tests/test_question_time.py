"""What a question says about time (pure, table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.kiwi_analyser import analyze
from retrieval.listing import since_day
from retrieval.question_time import absolute_periods, text_periods, time_asked

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("2024년 광주시 AI 협약은?", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2024년도 예산은?", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2020년 11월에 체결한 협약은?", (date(2020, 11, 1), date(2020, 11, 30))),
        ("2024년 2월 29일 발표는?", (date(2024, 2, 29), date(2024, 2, 29))),
        ("2024.10.02에 열린 간담회는?", (date(2024, 10, 2), date(2024, 10, 2))),
        ("작년에 문을 연 곳은?", (date(2024, 1, 1), date(2024, 12, 31))),
        ("지난달 발표된 계획은?", (date(2025, 5, 1), date(2025, 5, 31))),
        ("2020년부터 2022년까지 늘어난 기업은?", (date(2020, 1, 1), date(2022, 12, 31))),
        ("벤처기업협회는 언제 설립됐나요?", None),
        ("회원사는 1만8200개인가요?", None),
        ("2023년 2월 30일 행사는?", None),  # no such day
        ("11월에 열린 행사는?", None),  # which year's November: not a period
        ("3월 7일에 열린 행사는?", None),  # nor which year's 7 March
        ("7일에 열린 행사는?", None),  # nor which month's 7th: today is not its date
        ("3일 만에 문을 연 곳은?", None),
        # A number after "N월" is a day only when "일" follows it.
        ("2024년 3월 10개 기업과 맺은 협약은?", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024년 3월 2단계 사업은?", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024년 3월 7일 협약은?", (date(2024, 3, 7), date(2024, 3, 7))),
        ("2024년 3개월 동안 늘어난 기업은?", (date(2024, 1, 1), date(2024, 12, 31))),
        # The numeric forms `newsqa list --since` takes; there the day needs no "일".
        ("2024-03 협약은?", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024.03 협약은?", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024/3 협약은?", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024.3.7 간담회는?", (date(2024, 3, 7), date(2024, 3, 7))),
        ("2024-03-07 간담회는?", (date(2024, 3, 7), date(2024, 3, 7))),
        ("2024. 3. 7. 간담회는?", (date(2024, 3, 7), date(2024, 3, 7))),
        ("1995-2024 사이 설립된 곳은?", None),  # a range of years written with a dash
        ("2020/21 시즌 우승팀은?", None),
    ],
)
def test_the_period_a_question_names(question: str, period: tuple[date, date] | None) -> None:
    assert time_asked(question, analyze(question), TODAY).period == period


@pytest.mark.parametrize(
    ("question", "recent"),
    [
        ("최근 광주시 AI 소식은?", True),
        ("요즘 광주 AI 기업은?", True),
        ("최신 기사에서 광주시가 발표한 것은?", True),
        ("광주시의 최근접 이웃 도시는?", False),  # a word that only starts like one
        ("광주시 AI 소식은?", False),
    ],
)
def test_asking_for_the_newest(question: str, recent: bool) -> None:
    assert time_asked(question, analyze(question), TODAY).recent is recent


@pytest.mark.parametrize(
    "written", ["2024-10-02", "2024.10.02", "2024년 10월 2일", "2024-10", "2024.10", "2024년 10월"]
)
def test_a_question_reads_the_dates_newsqa_list_since_takes(written: str) -> None:
    """What `--since` accepts (bare "2024" aside: in a question that is a number) is a date
    in a question too, starting on the same day."""
    [(first, _)] = absolute_periods(f"{written} 협약은?")
    assert first == since_day(written)


def test_a_count_after_the_month_stays_a_search_term() -> None:
    question = "2024년 3월 10개 기업과 맺은 협약은?"
    asked = time_asked(question, morphs := analyze(question), TODAY)
    assert [m.form for m in morphs if asked.naming(m)] == ["2024", "년", "3", "월"]


def test_where_the_question_names_its_period() -> None:
    question = "2024년 광주시가 협약한 곳은?"
    asked = time_asked(question, morphs := analyze(question), TODAY)
    named = [m.form for m in morphs if asked.naming(m)]
    assert named == ["2024", "년"]


def test_a_passage_names_dates_written_out_and_grounded_on_its_article() -> None:
    text = "지난해 10월 개관했고 2026년 6월 증설한다. 이날 밝혔다."
    assert text_periods(text, "2024-03-07") == [
        (date(2026, 6, 1), date(2026, 6, 30)),
        (date(2023, 10, 1), date(2023, 10, 31)),
        (date(2024, 3, 7), date(2024, 3, 7)),
    ]
    assert text_periods(text, "2024-03") == text_periods(text, "2024-03-07")[:2]  # no day
    assert text_periods(text, None) == [(date(2026, 6, 1), date(2026, 6, 30))]
    assert absolute_periods("1만8200개, 2024. 끝") == []

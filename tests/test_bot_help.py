"""Greetings and help requests are told apart from questions (pure, no Discord)."""

from __future__ import annotations

import pytest

from bot import render
from bot.help import is_help_request
from bot.service import CorpusFacts


@pytest.mark.parametrize(
    "text",
    [
        "안녕",
        "ㅎㅇ",
        "ㅎㅇㅎㅇ",
        "안녕하세요!",
        "안녕하세요 ㅎㅎ",
        "안녕 👋",
        "하이",
        "Hello",
        "도움말",
        "HELP",
        "사용법",
        "도와줘",
        "뭐 할 수 있어?",
        "무엇을 할 수 있나요?",
        "너 뭐야?",
        "어떻게 써?",
        "봇아 안녕",
        "안녕! 뭐 할 수 있어?",
        "도움말 보여줘",
        "사용법 알려줘",
        "명령어 알려주세요",
        "뭐 할 줄 알아?",
        "뭘 할 줄 아니",
        "하이요",
        "무슨 봇이야?",
    ],
)
def test_greetings_and_help_requests_are_recognised(text: str) -> None:
    assert is_help_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "지아이랩의 대표는 누구인가요?",
        "벤처기업협회의 회원사는 몇 개인가요?",
        "안녕하세요, 삼성전자 대표는 누구인가요?",
        "안녕하세요 병원은 어디에 있나요",
        "도움을 받은 기업은 어디인가요?",
        "도움말 기능은 언제 추가됐나요?",
        "지원금은 어떻게 신청할 수 있어?",
        "정부는 무엇을 할 수 있나요?",
        "대표가 누구야?",
        "하이브 주가는?",
        "헬로비전 매출은?",
        "어떻게 되나요?",
        "신청 방법 알려줘",
        "사용법 알려줘 지원금 신청",
        "무슨 일이야?",
        "ㅋㅋㅋ",
        "",
        "안녕 " * 30,
    ],
)
def test_real_questions_are_not_taken_for_help(text: str) -> None:
    assert not is_help_request(text)


def test_help_text_says_what_how_much_how_recent_and_how_to_ask() -> None:
    text = render.help_text(CorpusFacts("gen", 12345, "2024-10-02"), "<@1>")
    assert "뉴스 기사 12,345건" in text and "2024년 10월 2일" in text
    assert "/질문" in text and f"<@1> {render.EXAMPLE_QUESTION}" in text
    assert "답장" in text and "스레드" in text  # follow-ups
    assert "/기사" in text
    assert "관련 기사를 찾지 못했습니다" not in text and len(text) < 400
    assert "최근" not in render.help_text(CorpusFacts("gen", 3, None), "<@1>")


def test_dates_read_in_korean() -> None:
    assert render.korean_date("2024-03-07") == "2024년 3월 7일"
    assert render.korean_date("2020-11") == "2020년 11월"
    assert render.korean_date("어제") == "어제"

"""Answers serialize through their own type: what `ask --json` prints and what the bot stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.records import AnswerStore
from retrieval.notices import ModelMissing
from retrieval.types import Answer, Quote, QuoteDate, SameStory, Source

ANSWER = Answer(
    question="지아이랩의 대표는 누구인가요?",
    answered=True,
    quotes=(
        Quote(
            "지아이랩 전창호 대표는 지난해 말했다.",
            "003",
            10,
            30,
            0.91,
            1,
            (QuoteDate("지난해", 23, 26, "2024년", "2025-03-02", "2024-01-01", "2024-12-31"),),
        ),
    ),
    sources=(
        Source(
            1,
            "003",
            "지아이랩, 광주에",
            "뉴스21",
            "2025-03-02",
            "https://x.example/1",
            "박선강",
            (SameStory("009", "지아이랩, 광주에", "연합뉴스", "2025-03-01", None),),
        ),
    ),
    mode="hybrid",
    took_ms=12.5,
    encode_ms=4.25,
    related=(Source(2, "007", "다른 기사", None, None, None),),
    policy="default",
    confidence=0.87,
)

# A row as the bot stored it before answers had `to_dict` (`retrieval.render.answer_json`).
EARLIER_ROW = {
    "question": "q",
    "answered": False,
    "message": "찾지 못했습니다.",
    "quotes": [],
    "sources": [],
    "related": [
        {"number": 1, "article_id": "a", "title": "t", "outlet": None, "date": None, "url": None}
    ],
    "retrieval": {
        "mode": "lexical",
        "took_ms": 3.0,
        "encode_ms": 0.0,
        "policy": "p",
        "confidence": None,
    },
}


def test_an_answer_survives_its_dict_and_json() -> None:
    data = json.loads(json.dumps(ANSWER.to_dict(), ensure_ascii=False))
    assert Answer.from_dict(data) == ANSWER


def test_notices_belong_to_the_run_not_the_stored_answer() -> None:
    with_notice = Answer(question="q", answered=False, notices=(ModelMissing("m"),))
    assert "notices" not in with_notice.to_dict()
    assert Answer.from_dict(with_notice.to_dict()).notices == ()


def test_the_bot_reads_back_what_it_stored_and_rows_of_earlier_versions(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "answers.sqlite3")
    answer_id = store.add(ANSWER)
    assert store.get(answer_id) == ANSWER and store.get("missing") is None
    store.close()
    with sqlite3.connect(tmp_path / "answers.sqlite3") as db:
        db.execute("INSERT INTO answers VALUES ('old', 0, ?)", (json.dumps(EARLIER_ROW),))
    store = AnswerStore(tmp_path / "answers.sqlite3")
    earlier = store.get("old")
    store.close()
    assert earlier is not None and not earlier.answered and earlier.policy == "p"
    assert earlier.related[0].article_id == "a"
    # Fields added since read as unknown, never invented: an earlier source has no author.
    # The stored Korean "message" is dropped: the edges word an answer when they show it.
    added = {"author": None, "same_story": []}
    related = [{**EARLIER_ROW["related"][0], **added}]  # type: ignore[dict-item]
    expected = {k: v for k, v in EARLIER_ROW.items() if k != "message"}
    assert earlier.to_dict() == {**expected, "related": related}


def test_the_bot_finds_the_answer_a_message_holds_and_the_last_one_in_a_thread(
    tmp_path: Path,
) -> None:
    store = AnswerStore(tmp_path / "answers.sqlite3")
    first, second = store.add(ANSWER), store.add(EARLIER_ANSWER)
    store.posted(first, 101, 7)
    store.posted(second, 102, 7)
    store.posted(first, 201, 8)
    assert store.answer_in(101) == ANSWER and store.answer_in(999) is None
    assert store.last_in(7) == EARLIER_ANSWER and store.last_in(8) == ANSWER
    assert store.last_in(9) is None
    assert store.continued(101, 7) == ANSWER  # the reply wins over the thread's latest
    assert store.continued(999, 7) == EARLIER_ANSWER and store.continued(None, 8) == ANSWER
    assert store.continued(None, 101) == ANSWER  # a thread started from answer 101
    assert store.continued(999, None) is None and store.continued(None, 9) is None
    store.close()
    reopened = AnswerStore(tmp_path / "answers.sqlite3")  # it survives a restart
    assert reopened.answer_in(102) == EARLIER_ANSWER
    reopened.close()


EARLIER_ANSWER = Answer.from_dict(EARLIER_ROW)

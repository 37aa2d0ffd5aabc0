"""Every notice the core can report reads as one Korean line at the edges, and as English in
the log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from retrieval.errors import DiskFull
from retrieval.notices import (
    BuildingFirst,
    FileSkipped,
    KeptIndexReleased,
    KeptPrevious,
    ModelMissing,
    Notice,
    OtherPrecision,
    PolicyForOtherModel,
    PolicyUnreadable,
    RetiredSetting,
    UpdateFailed,
    VectorsDropped,
    WaitingForWriter,
)
from retrieval.types import Answer
from retrieval.wording import FOUND, NOT_FOUND, answer_message, notice_text

HANGUL = re.compile(r"[가-힣]")

SAMPLES: list[Notice] = [
    WaitingForWriter(Path("/srv/index")),
    BuildingFirst(Path("index"), Path("seeds")),
    FileSkipped("seeds/bad.txt", "empty"),  # (reasons are errors' messages, Korean: not here)
    KeptPrevious("002"),
    ModelMissing("nobody/no-model"),
    VectorsDropped("nobody/old-model"),
    OtherPrecision("int8", "fp32"),
    KeptIndexReleased(("gen-1",)),
    PolicyUnreadable("bad format"),
    PolicyForOtherModel(Path("index/policy.json"), None),
    RetiredSetting("NEWSQA_MIN_COVERAGE"),
    UpdateFailed(OSError(28, "No space left on device")),
]


def test_every_kind_of_notice_has_a_sample_here() -> None:
    assert {type(s) for s in SAMPLES} == set(get_args(Notice))


def test_each_notice_is_one_korean_line_for_users_and_english_for_the_log() -> None:
    for notice in SAMPLES:
        text = notice_text(notice)
        assert HANGUL.search(text) and "\n" not in text, notice
        assert not HANGUL.search(str(notice)), notice


def test_a_notice_names_what_it_is_about() -> None:
    assert "'002'" in notice_text(KeptPrevious("002"))
    assert "nobody/no-model" in notice_text(ModelMissing("nobody/no-model"))
    assert "int8" in notice_text(OtherPrecision("int8", "fp32"))
    assert "nobody/old-model" in notice_text(VectorsDropped("nobody/old-model"))
    assert "없음" in notice_text(PolicyForOtherModel(Path("p.json"), None))
    assert "디스크 공간이 부족해" in notice_text(UpdateFailed(DiskFull(Path("index"))))


def test_an_unexpected_failure_in_a_watch_is_still_one_line() -> None:
    assert notice_text(UpdateFailed(RuntimeError("boom"))) == "색인을 갱신하지 못했습니다(boom)."


def test_an_answer_is_led_by_what_was_found_or_that_nothing_was() -> None:
    assert answer_message(Answer(question="q", answered=True)) == FOUND
    assert answer_message(Answer(question="q", answered=False)) == NOT_FOUND

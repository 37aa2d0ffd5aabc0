"""Settings from the environment are typed and range-checked, with Korean messages."""

from __future__ import annotations

import re

import pytest

from retrieval.config import load_settings, retired_settings
from retrieval.embed import prefixes_for
from retrieval.errors import SettingsError
from retrieval.notices import RetiredSetting
from retrieval.wording import notice_text


@pytest.mark.parametrize(
    "name, value",
    [
        ("NEWSQA_TOP_K", "0"),
        ("NEWSQA_TOP_K", "10"),
        ("NEWSQA_CANDIDATES", "-5"),
        ("NEWSQA_CHUNK_OVERLAP", "-2"),
        ("NEWSQA_LEXICAL_WEIGHT", "-1"),
        ("NEWSQA_MAX_QUESTION_CHARS", "-1"),
        ("NEWSQA_TOP_K", "three"),
    ],
)
def test_out_of_range_or_malformed_settings_are_refused(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_retired_settings_are_named_not_silently_ignored(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_MIN_COVERAGE", "0.55")
    settings = load_settings()
    assert not hasattr(settings, "min_coverage")
    assert retired_settings() == [RetiredSetting("NEWSQA_MIN_COVERAGE")]
    assert "calibrate" in notice_text(RetiredSetting("NEWSQA_MIN_COVERAGE"))


def test_empty_variables_mean_defaults(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", "")
    monkeypatch.setenv("NEWSQA_TOP_K", " ")
    settings = load_settings()
    assert settings.model is None and settings.top_k == 3


def test_e5_prefixes_follow_the_model_name_not_the_path() -> None:
    assert prefixes_for("intfloat/multilingual-e5-small").query == "query: "
    assert prefixes_for("/cache/snapshots/3e5a9f/bge-m3").query == ""
    assert prefixes_for("/models/e5-small-ko/").passage == "passage: "


SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@pytest.mark.parametrize(
    "name, value, allowed, argv",
    [
        ("NEWSQA_TOP_K", "10", "1~3 사이의 정수", ["ask", "질문"]),
        ("NEWSQA_TOP_K", "three", "1~3 사이의 정수", ["ask", "질문"]),
        ("NEWSQA_CANDIDATES", "0", "1~1000 사이의 정수", ["index"]),
        ("NEWSQA_LEXICAL_WEIGHT", "nan", "0 이상의 숫자", ["ask", "질문"]),
        ("NEWSQA_EMBED_PRECISION", "int4", "fp32, int8 중 하나", ["index"]),
        ("NEWSQA_BOT_CONCURRENCY", "0", "1 이상의 정수", ["bot"]),
        ("NEWSQA_BOT_CHANNELS", "123,abc", "쉼표로 구분한 숫자 ID 목록", ["bot"]),
        ("NEWSQA_BOT_WATCH", "maybe", "1(켜기)이나 0(끄기)", ["bot"]),
    ],
)
def test_an_invalid_value_is_one_sentence_naming_the_setting_and_its_range(
    monkeypatch, capsys, name: str, value: str, allowed: str, argv: list[str]
) -> None:
    from retrieval.cli import main

    monkeypatch.setenv("DISCORD_TOKEN", "never-used")
    monkeypatch.setenv(name, value)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (1, 2) and out == "" and err.count("\n") == 1
    assert name in err and allowed in err, err
    assert len(SENTENCE_END.findall(err)) == 1, err


def test_the_bot_entry_point_says_an_invalid_value_the_same_way(monkeypatch, capsys) -> None:
    from bot.__main__ import main

    monkeypatch.setenv("DISCORD_TOKEN", "never-used")
    monkeypatch.setenv("NEWSQA_BOT_TIMEOUT", "0")
    assert main([]) == 2
    err = capsys.readouterr().err.strip()
    assert "NEWSQA_BOT_TIMEOUT" in err and "1 이상의 숫자" in err
    assert len(SENTENCE_END.findall(err)) == 1, err


@pytest.mark.parametrize(("raw", "on"), [("1", True), ("true", True), ("ON", True), ("0", False)])
def test_switches_read_as_people_write_them(raw: str, on: bool) -> None:
    from bot.config import load_bot_settings

    assert load_bot_settings({"NEWSQA_BOT_WATCH": raw}).watch is on
    assert load_bot_settings({}).watch is False

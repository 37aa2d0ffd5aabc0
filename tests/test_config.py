"""Settings from the environment are typed and range-checked, with Korean messages."""

from __future__ import annotations

import pytest

from retrieval.config import SettingsError, load_settings, retired_settings
from retrieval.embed import prefixes_for


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
        load_settings(env_file=None)


def test_retired_settings_are_named_not_silently_ignored(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_MIN_COVERAGE", "0.55")
    settings = load_settings(env_file=None)
    assert not hasattr(settings, "min_coverage")
    (notice,) = retired_settings()
    assert notice.startswith("NEWSQA_MIN_COVERAGE") and "calibrate" in notice


def test_empty_variables_mean_defaults(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", "")
    monkeypatch.setenv("NEWSQA_TOP_K", " ")
    settings = load_settings(env_file=None)
    assert settings.model is None and settings.top_k == 3


def test_e5_prefixes_follow_the_model_name_not_the_path() -> None:
    assert prefixes_for("intfloat/multilingual-e5-small").query == "query: "
    assert prefixes_for("/cache/snapshots/3e5a9f/bge-m3").query == ""
    assert prefixes_for("/models/e5-small-ko/").passage == "passage: "

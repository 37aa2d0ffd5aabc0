"""The answer policy file: one readable JSON object, refused whole when broken, kept per model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import errors, policy
from retrieval.notices import PolicyForOtherModel, PolicyUnreadable
from retrieval.wording import notice_text


def test_the_default_policy_reads_and_writes_back_the_same(tmp_path: Path) -> None:
    default = policy.default()
    assert set(default.modes) >= {"lexical", "hybrid"} and default.fitted["cross_validated"]
    policy.write(default, tmp_path / "p.json")
    assert policy.read(tmp_path / "p.json") == default
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file


@pytest.mark.parametrize("content", ["{", "[]", '{"name": "x"}', '{"name": "x", "modes": {}}'])
def test_a_broken_policy_file_is_refused_with_a_sentence(tmp_path: Path, content: str) -> None:
    (tmp_path / "p.json").write_text(content, encoding="utf-8")
    with pytest.raises(errors.PolicyError, match="답변 정책"):
        policy.read(tmp_path / "p.json")


def test_an_index_uses_its_calibrated_policy_only_for_its_model(tmp_path: Path) -> None:
    calibrated = policy.AnswerPolicy(
        "calibrated:mine", policy.default().modes, model="my-model", fitted={"x": 1}
    )
    policy.write(calibrated, tmp_path / policy.INDEX_FILE)
    chosen, notice = policy.for_index(tmp_path, "my-model")
    assert chosen.name == "calibrated:mine" and notice is None
    chosen, notice = policy.for_index(tmp_path, "other-model")
    assert chosen.name == "default"
    assert notice == PolicyForOtherModel(tmp_path / policy.INDEX_FILE, "my-model")
    assert "calibrate" in notice_text(notice)
    (tmp_path / policy.INDEX_FILE).write_text("{", encoding="utf-8")
    chosen, notice = policy.for_index(tmp_path, "my-model")
    assert chosen.name == "default" and isinstance(notice, PolicyUnreadable)
    assert notice_text(notice).endswith("기본 답변 정책을 씁니다.")
    assert "pip install" not in notice_text(notice)  # the index's own file: reinstalling is no fix


def test_a_policy_fitted_on_signals_no_longer_computed_is_set_aside(tmp_path: Path) -> None:
    """Calibrated by an older version ("focus" is gone): its weights would read as 0 and its
    threshold decide off the scale, so the default answers and the user is told to refit."""
    data = policy.to_json(
        policy.AnswerPolicy("calibrated:old", policy.default().modes, model="my-model")
    )
    data["modes"]["hybrid"]["answer"]["weights"]["focus_anywhere"] = 0.5
    (tmp_path / policy.INDEX_FILE).write_text(json.dumps(data), encoding="utf-8")
    chosen, notice = policy.for_index(tmp_path, "my-model")
    assert chosen.name == "default" and isinstance(notice, PolicyUnreadable)
    text = notice_text(notice)
    assert "focus_anywhere" in text and "newsqa calibrate" in text and "형식" not in text


def test_without_a_calibrated_policy_the_default_answers(tmp_path: Path) -> None:
    assert policy.for_index(tmp_path, None) == (policy.default(), None)


def test_the_policy_file_names_how_it_was_fitted() -> None:
    data = json.loads(policy.DEFAULT_FILE.read_text(encoding="utf-8"))
    assert "fit_policy.py" in data["fitted"]["command"]
    assert data["fitted"]["folds"].endswith("by topic")

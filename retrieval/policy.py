"""Every knob of answer selection and abstention, in one object read from a small JSON file.

The weights are not picked by hand: `newsqa calibrate` (retrieval.calibrate) fits them on
question sets with cross-validation that keeps topics apart, and writes them with the figures it
measured. The package carries a default (`retrieval/policy.json`, fitted on the dev sets); a
policy fitted for one index (its model and corpus) lives in that index's folder and wins there.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from retrieval.errors import PolicyError
from retrieval.notices import PolicyForOtherModel, PolicyUnreadable

DEFAULT_FILE = Path(__file__).with_name("policy.json")
INDEX_FILE = "policy.json"  # a calibrated policy, in the index folder beside manifest.json


@dataclass(frozen=True)
class LinearModel:
    """bias + Σ weight·signal, over named signals (`retrieval.signals`)."""

    bias: float
    weights: dict[str, float]

    def score(self, signals: dict[str, float]) -> float:
        return self.bias + sum(w * signals.get(name, 0.0) for name, w in self.weights.items())


@dataclass(frozen=True)
class ModePolicy:
    """How one retrieval mode ranks passages and decides to answer."""

    rank: LinearModel  # scores a passage; the best-scored passages are quoted, best first
    answer: LinearModel  # the log-odds that the best passage answers the question
    threshold: float  # answer when `answer` scores at least this


@dataclass(frozen=True)
class AnswerPolicy:
    name: str
    modes: dict[str, ModePolicy]  # "lexical", "hybrid" ("dense" uses "hybrid")
    candidate_chunks: int = 8  # retrieved chunks whose sentences compete for quotes
    join_gain: float = 0.15  # a neighbour adding this share of the question joins the quote
    quote_margin: float = 2.0  # further quotes score within this of the best one
    max_quotes: int = 3
    # A question naming something in a foreign script (GPU, Samsung) that no article writes,
    # nor spells or sounds near, is not answered, whatever else matches. Such a name reads the
    # same wherever it is written; a Hangul name may be split or spaced otherwise by the
    # analyser (다이세이건설 / 다이세이 건설), so for those the answer model weighs it instead.
    known_names: bool = True
    model: str | None = None  # the embedding model the hybrid part was fitted with
    fitted: dict[str, Any] = field(default_factory=dict, compare=False)  # how, on what, figures

    def mode(self, mode: str) -> ModePolicy:
        return self.modes["lexical" if mode == "lexical" else "hybrid"]

    def with_quotes(self, max_quotes: int) -> AnswerPolicy:
        return replace(self, max_quotes=max_quotes)


def _linear(data: dict[str, Any]) -> LinearModel:
    return LinearModel(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()})


def from_json(data: dict[str, Any]) -> AnswerPolicy:
    try:
        modes = {
            name: ModePolicy(_linear(m["rank"]), _linear(m["answer"]), float(m["threshold"]))
            for name, m in data["modes"].items()
        }
        if not {"lexical", "hybrid"} <= set(modes):
            raise KeyError("modes")
        numbers = [data["join_gain"], data["quote_margin"]] + [m.threshold for m in modes.values()]
        numbers += [w for m in modes.values() for w in (*m.rank.weights.values(), m.rank.bias)]
        numbers += [w for m in modes.values() for w in (*m.answer.weights.values(), m.answer.bias)]
        if not all(math.isfinite(float(n)) for n in numbers):
            raise ValueError("a weight, threshold or knob is not a finite number")
        if int(data["candidate_chunks"]) < 1 or int(data.get("max_quotes", 3)) < 1:
            raise ValueError("candidate_chunks and max_quotes must be at least 1")
        policy = AnswerPolicy(
            name=str(data["name"]),
            modes=modes,
            candidate_chunks=int(data["candidate_chunks"]),
            join_gain=float(data["join_gain"]),
            quote_margin=float(data["quote_margin"]),
            max_quotes=int(data.get("max_quotes", 3)),
            known_names=bool(data.get("known_names", True)),
            model=data.get("model"),
            fitted=dict(data.get("fitted", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PolicyError(f"답변 정책 파일의 형식이 잘못되었습니다({exc})") from exc
    _check_signals(policy.modes)
    return policy


def _check_signals(modes: dict[str, ModePolicy]) -> None:
    """A policy fitted on signals this version no longer computes would score them as 0 and
    answer off its threshold: refused (the default answers, and `newsqa calibrate` refits)."""
    from retrieval.signals import PASSAGE_SIGNALS, QUESTION_SIGNALS  # (signals → evidence → policy)

    unknown = {n for m in modes.values() for n in m.rank.weights if n not in PASSAGE_SIGNALS}
    unknown |= {n for m in modes.values() for n in m.answer.weights if n not in QUESTION_SIGNALS}
    if unknown:
        raise PolicyError(
            f"답변 정책이 이 버전에 없는 신호({', '.join(sorted(unknown))})로 맞춰져 있어 "
            "`newsqa calibrate`로 다시 맞춰야 합니다"
        )


def to_json(policy: AnswerPolicy) -> dict[str, Any]:
    return asdict(policy)


def read(path: Path) -> AnswerPolicy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"답변 정책 파일 {path.name}을(를) 읽을 수 없습니다") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"답변 정책 파일 {path.name}이(가) JSON 객체가 아닙니다")
    return from_json(data)


def write(policy: AnswerPolicy, path: Path) -> None:
    """Atomically: a reader sees the old policy or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(to_json(policy), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def default() -> AnswerPolicy:
    return read(DEFAULT_FILE)


def for_index(
    index_dir: Path, model: str | None
) -> tuple[AnswerPolicy, PolicyUnreadable | PolicyForOtherModel | None]:
    """The policy calibrated for this index when there is one that fits its model, else the
    default; with a notice when a calibrated policy was set aside."""
    path = index_dir / INDEX_FILE
    if not path.is_file():
        return default(), None
    try:
        policy = read(path)
    except PolicyError as exc:
        return default(), PolicyUnreadable(exc.message)
    if policy.model != model:
        return default(), PolicyForOtherModel(path, policy.model)
    return policy, None

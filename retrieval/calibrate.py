"""Fit the answer policy on question sets, and measure it by cross-validation that keeps topics apart.

Retrieval runs once per question (`retrieval.calibration_set`); everything here is pure and
fast, so folds and knobs cost no search. For each retrieval mode two linear models are fitted with scikit-learn:

* the rank model, on pairs of passages of one question (one that holds an expected answer in a
  cited article, one that does not): a pairwise logistic regression, so its score orders
  passages; every question weighs the same however many pairs it has;
* the answer model, a logistic regression on the question signals of the best-ranked passage,
  labelled by whether the set says the corpus answers the question. Its threshold is the
  highest that keeps the false "not found" rate of the training questions at the target.

Two knobs are chosen by cross-validation too: when a neighbouring sentence joins a quote
(`join_gain`, best hit@1 and answer-in-quotes), and how far below the best passage further
quotes may score (`quote_margin`, the tightest that keeps answer-in-quotes).
Folds keep topics apart (`calibration_set.group_of`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from retrieval.answer import compose_answer, decide
from retrieval.calibration_set import FOLDS, Example, answers_in, balanced, folds
from retrieval.errors import CalibrationError
from retrieval.evaluate import Outcome, summarize
from retrieval.policy import AnswerPolicy, LinearModel, ModePolicy
from retrieval.signals import PASSAGE_SIGNALS, QUESTION_SIGNALS, passages

if TYPE_CHECKING:
    import numpy as np


TARGET_FALSE_NOT_FOUND = 0.03  # in the fit; held-out sets land near it (README: calibration)
MAX_NEGATIVES = 200  # passages of a question paired with each answering one
REGULARIZATION = 0.3  # scikit-learn's C, on standardized signals (CV: 0.1-3 within noise)
JOIN_GAINS = (0.1, 0.15, 0.25)
QUOTE_MARGINS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
QUOTE_LOSS = 0.005  # a tighter margin may lose at most this share of answer-in-quotes
MODES = ("lexical", "hybrid")
DENSE_ONLY = frozenset({"dense_rr", "dense_z", "article_dense_z", "agreement"})
# Dense similarities in background standard deviations: comparable across models in scale, but
# not in how well they separate (all-MiniLM-L6-v2 on Korean spread them otherwise). A policy
# that will serve models it was not fitted with leaves them out and keeps the rank-based ones.
MODEL_BOUND = frozenset({"dense_z", "article_dense_z"})
REPORTED = (
    "questions",
    "answerable",
    "unanswerable",
    "article_hit@1",
    "article_hit@3",
    "answer_in_quotes",
    "abstained_unanswerable",
    "false_abstention",
)


class Prepared:
    """Examples with their passages computed once per `join_gain` (the costly pure step), and
    the signals the models may not use (`left_out`)."""

    def __init__(
        self, examples: Sequence[Example], join_gain: float, left_out: frozenset[str] = frozenset()
    ) -> None:
        self.examples = list(examples)
        self.join_gain = join_gain
        self.left_out = left_out
        self.passages = [passages(e.evidence, join_gain) for e in self.examples]

    def subset(self, indexes: Sequence[int]) -> Prepared:
        part = Prepared.__new__(Prepared)
        part.examples = [self.examples[i] for i in indexes]
        part.join_gain = self.join_gain
        part.left_out = self.left_out
        part.passages = [self.passages[i] for i in indexes]
        return part

    def names(self, signals: Sequence[str], mode: str) -> list[str]:
        """The signals a model of `mode` is fitted on (lexical mode has no dense ones)."""
        return [
            n
            for n in signals
            if n not in self.left_out and not (mode == "lexical" and n in DENSE_ONLY)
        ]


def _standardized_fit(
    rows: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    intercept: bool,
    weights: np.ndarray | None = None,
) -> LinearModel:
    """A logistic regression on standardized columns, returned in the original units."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0) if intercept else np.zeros(rows.shape[1])
    scale = rows.std(axis=0) if intercept else np.sqrt((rows**2).mean(axis=0))
    keep = scale > 1e-9
    model = LogisticRegression(C=REGULARIZATION, fit_intercept=intercept, max_iter=5000)
    model.fit((rows[:, keep] - mean[keep]) / scale[keep], labels, sample_weight=weights)
    coef = np.zeros(rows.shape[1])
    coef[keep] = model.coef_[0] / scale[keep]
    bias = float(model.intercept_[0]) - float(coef @ mean) if intercept else 0.0
    weights_by_name = {n: round(float(w), 6) for n, w in zip(names, coef, strict=True) if w}
    return LinearModel(round(bias, 6), weights_by_name)


def fit_rank(data: Prepared, mode: str) -> LinearModel:
    """Pairwise: an answering passage minus any other passage of its question scores positive."""
    import numpy as np

    names = data.names(PASSAGE_SIGNALS, mode)
    rows: list[list[float]] = []
    weights: list[float] = []
    for example, found in zip(data.examples, data.passages, strict=True):
        if not example.case.answerable:
            continue
        good = [p for p in found if answers_in(example.case, example.evidence, p)]
        bad = [p for p in found if not answers_in(example.case, example.evidence, p)]
        bad = bad[:MAX_NEGATIVES]
        for p in good:
            for q in bad:
                rows.append([p.signals[n] - q.signals[n] for n in names])
                weights.append(example.weight / (len(good) * len(bad)))  # per question
    if not rows:
        raise CalibrationError(
            "답이 든 문장을 찾은 질문이 하나도 없어 정책을 맞출 수 없습니다. "
            "질문 세트의 answers와 articles가 이 색인의 기사와 맞는지 확인하세요."
        )
    diffs = np.asarray(rows)
    both = np.vstack([diffs, -diffs])
    labels = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    weight = np.tile(np.asarray(weights), 2)
    return _standardized_fit(both, labels, names, False, weight * len(both) / weight.sum())


def threshold_for(scores: Sequence[float], answerable: Sequence[bool], target: float) -> float:
    """The highest threshold that leaves at most `target` of the answerable questions below."""
    kept = sorted(s for s, a in zip(scores, answerable, strict=True) if a)
    finite = [s for s in kept if math.isfinite(s)]
    if not finite:
        return 0.0
    # The rules may already refuse more than the target (scores of -inf): then answer all the
    # rest. Just below the score to keep, rounded down so the stored value keeps it too.
    score = max(kept[int(target * len(kept))], finite[0])
    return math.floor((score - 1e-6) * 1e6) / 1e6


def fit_mode(
    data: Prepared, policy: AnswerPolicy, mode: str, target: float = TARGET_FALSE_NOT_FOUND
) -> ModePolicy:
    import numpy as np

    rank = fit_rank(data, mode)
    names = data.names(QUESTION_SIGNALS, mode)
    placeholder = ModePolicy(rank, LinearModel(0.0, {}), float("-inf"))
    probe = replace(policy, modes={"lexical": placeholder, "hybrid": placeholder})
    decisions = [
        decide(e.evidence, probe, found)
        for e, found in zip(data.examples, data.passages, strict=True)
    ]
    rows = np.asarray([[d.signals[n] for n in names] for d in decisions], dtype=float)
    labels = np.asarray([e.case.answerable for e in data.examples], dtype=int)
    # The answer model learns from the questions the policy's rules leave to it ...
    open_ = np.asarray([d.answered for d in decisions])
    if not open_.any() or labels[open_].min() == labels[open_].max():
        raise CalibrationError(
            "답이 있는 질문과 없는 질문(articles가 빈 질문)이 모두 있어야 정책을 맞출 수 "
            "있습니다. 질문 세트에 둘 다 넣어 주세요."
        )
    weight = np.asarray([e.weight for e in data.examples])[open_]
    answer = _standardized_fit(
        rows[open_], labels[open_], names, True, weight * len(weight) / weight.sum()
    )
    # ... and the threshold counts the answerable ones the rules refused as false "not found".
    scores = [
        answer.score(dict(zip(names, row, strict=True))) if d.answered else float("-inf")
        for row, d in zip(rows, decisions, strict=True)
    ]
    return ModePolicy(rank, answer, threshold_for(scores, labels.astype(bool).tolist(), target))


def cross_validate(
    data: Prepared,
    policy: AnswerPolicy,
    mode: str,
    target: float = TARGET_FALSE_NOT_FOUND,
    margins: Sequence[float] = (),
) -> dict[float, list[Outcome]]:
    """Answers given by policies fitted without the question's topic, in example order, for
    each quote margin (only which further passages are quoted depends on it)."""
    policy = replace(policy, join_gain=data.join_gain)
    margins = tuple(margins) or (policy.quote_margin,)
    outcomes: dict[float, list[Outcome | None]] = {m: [None] * len(data.examples) for m in margins}
    everything = range(len(data.examples))
    for test in folds(data.examples):
        held = set(test)
        train = data.subset([i for i in everything if i not in held])
        fold = replace(policy, modes={**policy.modes, mode: fit_mode(train, policy, mode, target)})
        for i in test:
            example = data.examples[i]
            for margin in margins:
                answer = compose_answer(
                    example.evidence, replace(fold, quote_margin=margin), data.passages[i]
                )
                outcomes[margin][i] = Outcome(example.case, answer)
    return {m: [o for o in found if o is not None] for m, found in outcomes.items()}


def _quoted(outcomes: list[Outcome]) -> float:
    return float(summarize(outcomes)["answer_in_quotes"] or 0.0)  # type: ignore[arg-type]


def fit_all(
    examples: dict[str, list[Example]],
    base: AnswerPolicy,
    target: float = TARGET_FALSE_NOT_FOUND,
    progress: Callable[[str], None] = lambda _: None,
    left_out: frozenset[str] = frozenset(),
) -> tuple[AnswerPolicy, dict[str, dict[str, Any]]]:
    """Fit each mode on its examples (`examples`: mode -> examples), with `join_gain` (best
    hit@1 + answer-in-quotes over the modes) and `quote_margin` (the tightest that keeps
    answer-in-quotes within QUOTE_LOSS of the widest in every mode) chosen by cross-validation.
    Returns the policy and the cross-validated figures by question set and mode."""
    modes = [m for m in MODES if examples.get(m)]
    if not modes:
        raise CalibrationError("맞출 질문이 없습니다. 질문 세트를 확인하세요.")
    examples = {m: balanced(examples[m]) for m in modes}
    best: tuple[float, float, dict[str, Prepared], dict[str, dict[float, list[Outcome]]]] | None
    best = None
    for gain in JOIN_GAINS:
        data = {m: Prepared(examples[m], gain, left_out) for m in modes}
        runs = {m: cross_validate(data[m], base, m, target, QUOTE_MARGINS) for m in modes}
        widest = max(QUOTE_MARGINS)
        score = 0.0
        for m in modes:
            report = summarize(runs[m][widest])
            score += float(report["article_hit@1"] or 0.0) + _quoted(runs[m][widest])  # type: ignore[arg-type]
        progress(f"join_gain {gain}: hit@1 + answer-in-quotes summed over modes {score:.4f}")
        if best is None or score > best[0]:
            best = (score, gain, data, runs)
    assert best is not None
    _, join_gain, data, runs = best
    quote_margin = min(
        m
        for m in QUOTE_MARGINS
        if all(
            _quoted(runs[mode][m]) >= _quoted(runs[mode][max(QUOTE_MARGINS)]) - QUOTE_LOSS
            for mode in modes
        )
    )
    tuned = replace(base, join_gain=join_gain, quote_margin=quote_margin)
    fitted = dict(base.modes)
    figures: dict[str, dict[str, Any]] = {}
    for mode in modes:
        progress(f"{mode}: fitting on all {len(examples[mode])} questions")
        fitted[mode] = fit_mode(data[mode], tuned, mode, target)
        outcomes = runs[mode][quote_margin]
        for source in sorted({e.source for e in examples[mode]}):
            held = [o for o, e in zip(outcomes, examples[mode], strict=True) if e.source == source]
            report = summarize(held)
            figures.setdefault(source, {})[mode] = {k: report[k] for k in REPORTED}
    return replace(tuned, modes=fitted), figures


def fitted_policy(
    base: AnswerPolicy,
    examples: dict[str, list[Example]],
    name: str,
    model: str | None,
    command: str,
    target: float = TARGET_FALSE_NOT_FOUND,
    progress: Callable[[str], None] = lambda _: None,
    left_out: frozenset[str] = frozenset(),
) -> AnswerPolicy:
    """`fit_all`, with what was fitted on and the cross-validated figures kept in the policy."""
    policy, figures = fit_all(examples, base, target, progress, left_out)
    sources: dict[str, int] = {}
    for e in examples.get("lexical") or examples.get("hybrid") or []:
        sources[e.source] = sources.get(e.source, 0) + 1
    return replace(
        policy,
        name=name,
        model=model,
        fitted={
            "modes": [m for m in MODES if examples.get(m)],
            "command": command,
            "date": time.strftime("%Y-%m-%d"),
            "questions": sources,
            "target_false_not_found": target,
            "signals_left_out": sorted(left_out),
            "folds": f"{FOLDS}, by topic",
            "cross_validated": figures,
        },
    )


def figures_of(policy: AnswerPolicy, examples: dict[str, list[Example]]) -> dict[str, Any]:
    """How `policy` answers the examples' questions, by mode: what a calibrated policy must
    beat (the default was fitted on other questions, so for a user's own these are held out)."""
    figures = {}
    for mode, found in examples.items():
        if found:
            report = summarize([Outcome(e.case, compose_answer(e.evidence, policy)) for e in found])
            figures[mode] = {k: report[k] for k in REPORTED}
    return figures


def handled(report: dict[str, Any]) -> int:
    """Questions handled right: answerable ones answered from their article first, the others
    refused."""
    hits = float(report.get("article_hit@1") or 0.0) * int(report["answerable"])
    refused = float(report.get("abstained_unanswerable") or 0.0) * int(report["unanswerable"])
    return round(hits + refused)


def compared(
    figures: dict[str, dict[str, Any]], baseline: dict[str, Any]
) -> dict[str, tuple[int, int]]:
    """Questions handled right in each mode of `baseline` (`figures_of`): by the fitted policy
    (its cross-validated `figures`, {set: {mode: report}}, summed over the sets) and by the
    baseline."""
    fitted: dict[str, int] = {}
    for by_mode in figures.values():
        for mode, report in by_mode.items():
            fitted[mode] = fitted.get(mode, 0) + handled(report)
    return {mode: (fitted.get(mode, 0), handled(report)) for mode, report in baseline.items()}


def improves(fitted: AnswerPolicy, baseline: dict[str, Any]) -> bool:
    """Whether `fitted`'s cross-validated figures handle at least as many questions right as
    `baseline` (`figures_of`) in every mode: a policy fitted on too few questions, or on ones
    unlike what is asked, can do worse than the default, and must not replace it unasked."""
    right = compared((fitted.fitted or {}).get("cross_validated", {}), baseline)
    return all(mine >= theirs for mine, theirs in right.values())

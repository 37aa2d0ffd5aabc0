"""What a signal is worth: the default policy's fit with some signals left out, measured the
honest way (cross-validated by topic on the dev sets, and on the two check sets of questions
over the seeds, which the fit never sees).

    .venv/bin/python benchmarks/signal_ablation.py --model "$M" [--leave-out held,terms]
        [--use dense_z] [--target 0.03]

Prints, per mode, hit@1 / answer in quotes / unanswerable refused / answerable refused for
each set, and the ROC AUC of the answer model's confidence (answerable against not), which
compares decisions apart from where the threshold falls (for the dev sets, the confidences of
the five fold models pooled, as rounded in answers). `--use` takes a signal back that the
default policy leaves out (`calibrate.MODEL_BOUND`). Retrieval runs once per question and run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from fit_policy import SETS, collect_examples  # noqa: E402

from retrieval import calibrate  # noqa: E402
from retrieval.answer import compose_answer  # noqa: E402
from retrieval.calibration_set import Example, balanced  # noqa: E402
from retrieval.config import load_settings  # noqa: E402
from retrieval.evaluate import Outcome, summarize  # noqa: E402
from retrieval.policy import AnswerPolicy, default  # noqa: E402
from retrieval.signals import PASSAGE_SIGNALS, QUESTION_SIGNALS  # noqa: E402

CHECKS = {  # question sets over the seeds that no fit uses
    "seed_paraphrases": (ROOT / "benchmarks" / "data" / "seed_paraphrases.jsonl", ROOT / "seeds"),
    "seed_formal": (ROOT / "benchmarks" / "data" / "seed_formal.jsonl", ROOT / "seeds"),
}
KEYS = ("article_hit@1", "answer_in_quotes", "abstained_unanswerable", "false_abstention")


def auc(outcomes: list[Outcome]) -> float:
    """The chance that an answerable question gets more confidence than an unanswerable one."""
    from sklearn.metrics import roc_auc_score

    labels = [o.case.answerable for o in outcomes]
    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, [o.answer.confidence for o in outcomes]))


def _names(text: str) -> frozenset[str]:
    return frozenset(n for n in text.split(",") if n)


def line(name: str, mode: str, outcomes: list[Outcome]) -> str:
    report = summarize(outcomes)
    figures = " / ".join(f"{report[k]}" for k in KEYS)
    return f"{name:18} {mode:8} {figures}   AUC {auc(outcomes):.4f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="sentence-transformers folder or name")
    parser.add_argument("--work", type=Path, default=ROOT / ".newsqa" / "calibration")
    parser.add_argument("--leave-out", default="", help="signals to leave out, comma-separated")
    parser.add_argument("--use", default="", help="left-out signals to take back")
    parser.add_argument("--target", type=float, default=calibrate.TARGET_FALSE_NOT_FOUND)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    unknown = (_names(args.leave_out) | _names(args.use)) - {*PASSAGE_SIGNALS, *QUESTION_SIGNALS}
    if unknown:
        parser.error(f"no such signal: {', '.join(sorted(unknown))}")
    left_out = (calibrate.MODEL_BOUND | _names(args.leave_out)) - _names(args.use)
    precision = load_settings().embed_precision
    examples = collect_examples(args.model, args.work, precision, {**SETS, **CHECKS})
    if examples is None:
        print(f"the model {args.model!r} did not load", file=sys.stderr)
        return 1
    base: AnswerPolicy = default()
    print(f"left out: {', '.join(sorted(left_out)) or 'nothing'}; target {args.target}")
    dev = {m: [e for e in examples[m] if e.source in SETS] for m in calibrate.MODES}
    policy, _ = calibrate.fit_all(dev, base, args.target, left_out=left_out)
    tuned = replace(base, join_gain=policy.join_gain, quote_margin=policy.quote_margin)
    for mode in calibrate.MODES:
        weighed = balanced(dev[mode])  # as `fit_all` weighs them
        data = calibrate.Prepared(weighed, policy.join_gain, left_out)
        crossed = calibrate.cross_validate(data, tuned, mode, args.target)[policy.quote_margin]
        check: list[Example] = [e for e in examples[mode] if e.source in CHECKS]
        for name in SETS:
            held = [o for o, e in zip(crossed, weighed, strict=True) if e.source == name]
            print(line(f"{name} (CV)", mode, held))
        for name in CHECKS:
            outcomes = [
                Outcome(e.case, compose_answer(e.evidence, policy))
                for e in check
                if e.source == name
            ]
            print(line(name, mode, outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())

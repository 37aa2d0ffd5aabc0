"""Refit the default answer policy (`retrieval/policy.json`) on the dev sets, and print its
cross-validated figures.

    .venv/bin/python scripts/fit_policy.py --model "$(PYTHON=.venv/bin/python ../shared/tools/real-e5-small)"

Each dev set is indexed with the real model in `--work` (incremental: a rerun reuses it), every
question is retrieved once in lexical and once in hybrid mode, and `retrieval.calibrate` fits both
modes on all sets together with folds that keep topics apart. The figures are those of questions
whose topic the fit did not see. `newsqa calibrate` does the same for one user's index and set.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval import calibrate, calibration_set, policy  # noqa: E402
from retrieval.config import Settings, load_env_file, load_settings  # noqa: E402
from retrieval.evaluate import read_cases  # noqa: E402
from retrieval.pipeline import Pipeline, build_index  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
SETS = {  # name: (questions, articles)
    "seed_qa_dev": (SHARED / "seed_qa_dev.jsonl", ROOT / "seeds"),
    "korquad_dev": (
        SHARED / "korquad_dev" / "questions.jsonl",
        SHARED / "korquad_dev" / "articles.jsonl",
    ),
}
COLUMNS = (
    ("article_hit@1", "hit@1"),
    ("answer_in_quotes", "answer in quotes"),
    ("abstained_unanswerable", "unanswerable rejected"),
    ("false_abstention", "answerable wrongly rejected"),
)


def collect_examples(
    model: str, work: Path, precision: str, sets: dict[str, tuple[Path, Path]]
) -> dict[str, list[calibration_set.Example]] | None:
    """Every question of `sets` (name: (questions, articles)) retrieved once in each mode, on an
    index of its articles in `work` (one per articles source, built or updated); None when the
    model does not load."""
    examples: dict[str, list[calibration_set.Example]] = {"lexical": [], "hybrid": []}
    pipelines: dict[Path, Pipeline] = {}
    for name, (questions, articles) in sets.items():
        if articles not in pipelines:
            settings = Settings(
                articles=articles,
                index_dir=work / name,
                model=model,
                embed_precision=precision,
            )
            build_index(settings)
            pipelines[articles] = Pipeline.open(settings)
        pipeline = pipelines[articles]
        if pipeline.embedder is None:
            return None
        cases = read_cases(questions)
        examples["lexical"] += calibration_set.collect(pipeline, cases, False, name)
        examples["hybrid"] += calibration_set.collect(pipeline, cases, True, name)
        print(f"{name}: {len(cases)} questions retrieved", file=sys.stderr)
    return examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="sentence-transformers folder or name")
    parser.add_argument(
        "--model-name",
        default="intfloat/multilingual-e5-small",
        help="what to record as the model the policy was fitted with",
    )
    parser.add_argument("--work", type=Path, default=ROOT / ".newsqa" / "calibration")
    parser.add_argument("--out", type=Path, default=policy.DEFAULT_FILE)
    parser.add_argument("--target", type=float, default=calibrate.TARGET_FALSE_NOT_FOUND)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    load_env_file()
    precision = load_settings().embed_precision  # NEWSQA_EMBED_PRECISION, like the CLI's
    examples = collect_examples(args.model, args.work, precision, SETS)
    if examples is None:
        print(f"the model {args.model!r} did not load", file=sys.stderr)
        return 1

    fitted = calibrate.fitted_policy(
        policy.default(),
        examples,
        name="default",
        model=None,  # the default serves every model; `fitted` says which it was fitted with
        command="python scripts/fit_policy.py --model <real multilingual-e5-small>",
        target=args.target,
        progress=lambda line: print(line, file=sys.stderr),
        # The default serves models it was not fitted with (users set NEWSQA_MODEL; the default
        # model is a fine-tune of the one fitted with): only scale-free dense signals.
        left_out=calibrate.MODEL_BOUND,
    )
    fitted.fitted["fitted_with_model"] = f"{args.model_name} ({precision})"
    policy.write(fitted, args.out)
    print(f"wrote {args.out}\n")
    print("| set | mode | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for source, by_mode in fitted.fitted["cross_validated"].items():
        for mode, report in by_mode.items():
            cells = " | ".join(str(report[key]) for key, _ in COLUMNS)
            print(f"| {source} | {mode} | {cells} |")
    print("\n" + json.dumps({"join_gain": fitted.join_gain, "quote_margin": fitted.quote_margin}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

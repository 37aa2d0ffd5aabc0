"""One story told by several outlets in their own words: does the decision still answer?

News is reported by many outlets at once. Copies of one text are grouped as one story
(`retrieval/duplicates.py`), but rewrites are separate articles, so the facts they share give
the best passage a small margin over other stories (`answer.runner_up`), the signal that says
"several alike: the topic without the fact". The dev sets have no such rewrites, so this probe
adds four (`data/other_outlets/`: two rewrites each of seeds 000 and 004, written for this
probe from the seeds' facts) to the seeds and asks the seed questions of `seed_qa_dev.jsonl`,
`data/seed_formal.jsonl` and `data/seed_paraphrases.jsonl` about those two articles (any of the
story's articles counts) and every unanswerable one.

    .venv/bin/python benchmarks/other_outlets.py --model "$(PYTHON=.venv/bin/python ../shared/tools/real-e5-small)" [--policy OTHER.json]

`--policy` also measures another policy file, e.g. one from before a change
(`git show REV:retrieval/policy.json > /tmp/old.json`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval import policy as policies  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.evaluate import Case, evaluate, read_cases  # noqa: E402
from retrieval.pipeline import Pipeline, build_index  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
REWRITES = {
    "000_8944c63ec2984883": ("012_news_clab", "013_local_clab"),
    "004_ecd383afc86f028b": ("010_yonhap_venture", "011_daily_venture"),
}
SETS = (
    ROOT.parent / "shared" / "eval" / "seed_qa_dev.jsonl",
    DATA / "seed_formal.jsonl",
    DATA / "seed_paraphrases.jsonl",
)
REPORTED = ("article_hit@1", "answer_in_quotes", "abstained_unanswerable", "false_abstention")


def cases() -> list[Case]:
    """The sets' unanswerable questions, and those about the rewritten articles with every
    article of the story expected."""
    chosen = []
    for path in SETS:
        for case in read_cases(path):
            if not case.answerable:
                chosen.append(case)
            elif len(case.articles) == 1 and case.articles[0] in REWRITES:
                chosen.append(replace(case, articles=case.articles + REWRITES[case.articles[0]]))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="the embedding model (a local path)")
    parser.add_argument("--policy", type=Path, help="another policy file to measure as well")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsqa-outlets-"))
    articles = work / "articles"
    shutil.copytree(ROOT / "seeds", articles)
    for path in (DATA / "other_outlets").glob("*.txt"):
        shutil.copy(path, articles / path.name)
    settings = Settings(articles=articles, index_dir=work / "index", model=args.model)
    build_index(settings)
    questions = cases()
    print(f"{len(questions)} questions ({sum(c.answerable for c in questions)} answerable)")
    compared = {"shipped": policies.default()}
    if args.policy:
        compared[args.policy.name] = policies.read(args.policy)
    for name, policy in compared.items():
        for mode, model in (("lexical", "none"), ("hybrid", args.model)):
            pipeline = Pipeline.open(Settings(index_dir=settings.index_dir, model=model))
            pipeline.policy = policy
            summary, _ = evaluate(pipeline, questions)
            print(name, mode, json.dumps({k: summary[k] for k in REPORTED}))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

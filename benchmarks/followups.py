"""Follow-up questions: how often the follow-up is answered from the right article, asked alone
and asked after its first question (the previous question's terms and cited articles carried,
`retrieval.carry`), in lexical and hybrid mode.

    .venv/bin/python benchmarks/followups.py --model "$(PYTHON=.venv/bin/python ../shared/tools/real-e5-small)"

The set is `tests/data/followups.jsonl`: a first question, a follow-up, the article that answers
the follow-up and the words of the answer; `kind` "elliptic" (the follow-up leaves its subject
out), "switch" (it names a new one, and the carried context must not pull it back) or
"unanswerable" (it asks about the first answer's subject for a fact no article states: the
carried context must not make the bot answer it). It builds
the seeds' index in --work (with the model, so both modes read one index). "right" is: answered,
quoting first from that article; "quoted": and the answer's words are in the quotes;
"refused": an unanswerable follow-up is not answered.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.carry import follow_up_after  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.pipeline import Pipeline, build_index  # noqa: E402
from retrieval.types import Answer  # noqa: E402

SET = ROOT / "tests" / "data" / "followups.jsonl"


def read_pairs(path: Path = SET) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def right(answer: Answer, pair: dict[str, str]) -> tuple[bool, bool]:
    """(answered from the pair's article, and quoting its answer)."""
    hit = answer.answered and answer.quotes[0].article_id == pair["article"]
    quoted = hit and any(pair["answer"] in q.text for q in answer.quotes)
    return hit, quoted


def measure(pipeline: Pipeline, pairs: list[dict[str, str]]) -> dict[str, object]:
    """Per kind and over the answerable pairs ("all"): the shares right and quoted, alone and
    with the context; for the unanswerable ones, the shares refused."""
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        context = follow_up_after(pipeline.ask(pair["first"]))  # what the bot carries
        alone = pipeline.ask(pair["follow_up"])
        carried = pipeline.ask(pair["follow_up"], context)
        outcome: dict[str, tuple[bool, ...]]
        if pair["kind"] == "unanswerable":
            outcome = {"alone": (not alone.answered,), "carried": (not carried.answered,)}
        else:
            outcome = {"alone": right(alone, pair), "carried": right(carried, pair)}
        rows.append({"id": pair["id"], "kind": pair["kind"], **outcome})
    report: dict[str, object] = {}
    for kind, what in (
        ("elliptic", ("right", "quoted")),
        ("switch", ("right", "quoted")),
        ("all", ("right", "quoted")),
        ("unanswerable", ("refused",)),
    ):
        chosen = [
            r for r in rows if r["kind"] == kind or (kind == "all" and r["kind"] != "unanswerable")
        ]
        report[kind] = {
            "pairs": len(chosen),
            **{
                f"{way}_{name}": round(sum(r[way][i] for r in chosen) / len(chosen), 3)
                for way in ("alone", "carried")
                for i, name in enumerate(what)
            },
        }
    report["pairs"] = rows
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="the embedding model (a local path)")
    parser.add_argument("--work", type=Path, help="where the index is built (default: a temp dir)")
    parser.add_argument("--details", action="store_true", help="print every pair's outcome")
    parser.add_argument("--out", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsqa-followups-"))
    settings = Settings(articles=ROOT / "seeds", index_dir=work / "seeds", model=args.model)
    build_index(settings)
    pairs = read_pairs()
    results = {}
    for mode, model in (("lexical", "none"), ("hybrid", args.model)):
        pipeline = Pipeline.open(Settings(index_dir=settings.index_dir, model=model))
        results[mode] = measure(pipeline, pairs)
        if not args.details:
            results[mode].pop("pairs")
    text = json.dumps(results, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

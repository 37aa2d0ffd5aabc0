"""int8 or fp32 for the embedding model, decided on real weights: vector agreement, retrieval
quality on the dev sets, and throughput, both precisions measured in one run.

    .venv/bin/python benchmarks/precision.py --model "$(PYTHON=.venv/bin/python ../shared/tools/real-e5-small)"

For each precision it builds the korquad_dev and seed indexes (in --work), runs the dense
search alone (article hit@1/@10 of the answerable questions) and the whole `newsqa eval` in
hybrid mode with the default policy; then it encodes the same passages with both, taking
turns, and reports the median throughput ratio. Results go to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval import kiwi_analyser  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.embed import load_embedder  # noqa: E402
from retrieval.evaluate import evaluate, read_cases  # noqa: E402
from retrieval.pipeline import Pipeline, build_index  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
SETS = {
    "korquad_dev": (
        SHARED / "korquad_dev" / "questions.jsonl",
        SHARED / "korquad_dev" / "articles.jsonl",
    ),
    "seed_qa_dev": (SHARED / "seed_qa_dev.jsonl", ROOT / "seeds"),
}
QUALITY = ("article_hit@1", "answer_in_quotes", "abstained_unanswerable", "false_abstention")


def dense_recall(pipeline: Pipeline, questions: Path) -> dict[str, float]:
    """Article hit@1 and @10 of the dense search alone, over the answerable questions."""
    cases = [c for c in read_cases(questions) if c.answerable]
    index, embedder = pipeline.index, pipeline.embedder
    assert index.dense is not None and embedder is not None
    at1 = at10 = 0
    for case in cases:
        vector = embedder.embed_queries([kiwi_analyser.nfc(case.question)])[0]
        found = [index.article_of(c).article.id for c, _ in index.dense.search(vector, 10)]
        at1 += bool(found) and found[0] in case.articles
        at10 += any(a in case.articles for a in found)
    return {"dense_hit@1": round(at1 / len(cases), 4), "dense_hit@10": round(at10 / len(cases), 4)}


def quality(model: str, precision: str, work: Path) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, (questions, articles) in SETS.items():
        index_dir = work / f"{name}-{precision}"
        settings = Settings(
            articles=articles, index_dir=index_dir, model=model, embed_precision=precision
        )
        build_index(settings)
        pipeline = Pipeline.open(settings)
        assert pipeline.embedder is not None and pipeline.embedder.precision == precision
        report, _ = evaluate(pipeline, read_cases(questions))
        results[name] = {
            **{k: report[k] for k in QUALITY},
            **dense_recall(pipeline, questions),
            "encode_ms_p50": report["encode_ms_p50"],
        }
        print(name, precision, results[name], file=sys.stderr)
    return results


def agreement_and_speed(model: str, rounds: int) -> dict[str, object]:
    """Cosine of int8 to fp32 vectors for the same texts, and throughput taking turns."""
    import numpy as np

    texts = [json.loads(line)["body"][:400] for line in SETS["korquad_dev"][1].open()][:256]
    questions = [c.question for c in read_cases(SETS["korquad_dev"][0])][:256]
    loaded = {}
    for precision in ("fp32", "int8"):
        loaded[precision] = load_embedder(model, precision=precision)
    passages = {p: e.embed_passages(texts) for p, e in loaded.items()}
    queries = {p: e.embed_queries(questions) for p, e in loaded.items()}
    cosine = np.concatenate(
        [
            (passages["fp32"] * passages["int8"]).sum(axis=1),
            (queries["fp32"] * queries["int8"]).sum(axis=1),
        ]
    )
    seconds: dict[str, list[float]] = {"fp32": [], "int8": []}
    for _ in range(rounds):
        for precision, embedder in loaded.items():
            started = time.perf_counter()
            embedder.embed_passages(texts)
            seconds[precision].append(time.perf_counter() - started)
    fp32, int8 = statistics.median(seconds["fp32"]), statistics.median(seconds["int8"])
    return {
        "cosine_int8_to_fp32": {
            "mean": round(float(cosine.mean()), 4),
            "p5": round(float(np.percentile(cosine, 5)), 4),
            "min": round(float(cosine.min()), 4),
        },
        "passages_per_s": {
            "fp32": round(len(texts) / fp32, 1),
            "int8": round(len(texts) / int8, 1),
        },
        "int8_speedup": round(fp32 / int8, 2),
        "rounds": rounds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--work", type=Path, default=ROOT / ".newsqa" / "precision")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / f"{time.strftime('%Y-%m-%d')}-precision.json",
    )
    args = parser.parse_args()
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "model": "intfloat/multilingual-e5-small (real weights, ../shared/tools/real-e5-small)",
        "quality": {p: quality(args.model, p, args.work) for p in ("fp32", "int8")},
        **agreement_and_speed(args.model, args.rounds),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

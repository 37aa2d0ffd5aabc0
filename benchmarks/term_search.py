"""How long looking up a question's unknown name takes in a large vocabulary: the whole-list
scans `LexicalIndex` used before `retrieval.term_search` against `TermSearch`, in one run, as
ratios, with their results checked equal.

The vocabulary is synthetic but shaped like a corpus's: the terms of an index (default: the
korquad_dev one built by `fit_policy.py`, or the seeds) and their pairwise compounds, to
`--size` terms (830k is about what 100k news articles give). Looked up: unknown words of the
kinds a question brings (a name inside longer ones, a typo, an acronym's letters).

    .venv/bin/python benchmarks/term_search.py [--index .newsqa/index] [--size 830000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from retrieval import spelling
from retrieval.config import Settings
from retrieval.pipeline import Pipeline
from retrieval.term_search import TermSearch

LIMIT = 8


def vocabulary(index: Path, size: int) -> list[str]:
    pipeline = Pipeline.open(Settings(index_dir=index, model="none"))
    base = [t for t in pipeline.index.lexical.vocabulary() if len(t) >= 2]
    rng = random.Random(7)
    terms = set(base)
    while len(terms) < size:
        terms.add(rng.choice(base) + rng.choice(base))
    return sorted(terms)


def scan_containing(terms: list[str], fragment: str) -> list[str]:
    return [t for t in terms if fragment in t]


def scan_near(terms: list[str], jamo: list[str], word: str) -> list[str]:
    near = process.extract(
        spelling.letters(word), jamo, scorer=Levenshtein.distance, score_cutoff=1, limit=LIMIT
    )
    return [terms[i] for _, _, i in near]


def median_ms(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path(".newsqa/index"))
    parser.add_argument("--size", type=int, default=830_000)
    args = parser.parse_args()
    terms = vocabulary(args.index, args.size)
    print(f"{len(terms)} terms")
    start = time.perf_counter()
    search = TermSearch(terms)
    search.one_letter_off("준비", LIMIT)  # builds the length groups
    built = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    jamo = [spelling.letters(t) for t in terms]
    scanned = (time.perf_counter() - start) * 1000
    print(f"set-up: TermSearch {built:.0f} ms, jamo list of the scan {scanned:.0f} ms")
    sample = random.Random(11).sample(terms, 3)
    fragments = ["삼성", "에이아이", *(t[:2] for t in sample)]
    words = ["천왕", "벤쿠버", "대통렁", *(t[:-1] + "갉" for t in sample)]
    for fragment in fragments:
        assert list(search.containing(fragment)) == scan_containing(terms, fragment), fragment
    for word in words:
        assert search.one_letter_off(word, LIMIT) == scan_near(terms, jamo, word), word
    rows = [
        (
            "inside a longer term",
            lambda: [scan_containing(terms, f) for f in fragments],
            lambda: [list(search.containing(f)) for f in fragments],
            len(fragments),
        ),
        (
            "one letter off",
            lambda: [scan_near(terms, jamo, w) for w in words],
            lambda: [search.one_letter_off(w, LIMIT) for w in words],
            len(words),
        ),
    ]
    for name, before, after, n in rows:
        old, new = median_ms(before) / n, median_ms(after) / n
        print(f"{name}: scan {old:.1f} ms, TermSearch {new:.2f} ms per word ({old / new:.0f}x)")
    print("results identical:", ", ".join(itertools.chain(fragments, words)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

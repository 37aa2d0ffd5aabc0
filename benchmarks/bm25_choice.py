"""Why newsqa's BM25 is tantivy's, not bm25s's: full rebuilds against in-place updates.

newsqa first used bm25s, which cannot add or delete documents: any corpus change rebuilt the
whole bm25s index from the stored Kiwi tokens of every chunk. tantivy (tantivy-py) adds and
deletes documents with commits instead; this script's figures led to the switch (2026-11-21,
see benchmarks/README.md) and are kept to check the choice again. It measures both on the same
synthetic corpus of pre-tokenized "chunks" (about 40 tokens each, drawn Zipf-like from 50k Hangul
strings, many of them one syllable long) and prints build, one-document update, query, save and
load times.

tantivy gets our tokens joined with spaces in a field analysed by its built-in "whitespace"
tokenizer, so each token is one term, unchanged; the script checks this against bm25s's
document frequencies. Queries are 4 tokens taken from a random chunk, scored as a disjunction
of term queries (tantivy's BM25: k1=1.2, b=0.75). "Agreement" compares tantivy's top 10 with
bm25s's top 10 when bm25s uses the same k1 (newsqa's bm25s used the default k1=1.5; k1 does not
change the cost of anything timed here).

Run from the repository root, with the bench extras (`pip install -e '.[bench]'`; 35-70 s on 2
cores):

    .venv/bin/python benchmarks/bm25_choice.py [--sizes 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import bm25s
import numpy as np
import tantivy

SEED = 0
VOCAB_SIZE = 50_000
ONE_SYLLABLE = 8_000  # of the 11,172 Hangul syllables; Korean has many 1-syllable morphemes
MEAN_TOKENS = 40
QUERY_TOKENS = 4
TOP_K = 10
REBUILD_REPEATS = 3  # bm25s rebuilds of N+1 documents
UPDATE_REPEATS = 10  # tantivy single-document add/delete commits
SMALL_REPEATS = 3  # save, load, open
COLD_REPEATS = 3  # tantivy: open index + writer + add + commit, as a fresh CLI run would
ARTICLE_CHUNKS = 10  # tantivy: replace one article's chunks in one commit
ARTICLE_REPEATS = 3
WRITER_HEAP = 256_000_000

T = TypeVar("T")
Docs = list[list[str]]
Queries = list[tuple[int, list[str]]]  # (source chunk, its tokens)
Row = dict[str, float]


# --- corpus ---------------------------------------------------------------------------------


def make_vocab(rng: np.random.Generator) -> list[str]:
    """`VOCAB_SIZE` distinct Hangul strings, `ONE_SYLLABLE` of them one syllable, in random order."""
    first, count = 0xAC00, 0xD7A3 - 0xAC00 + 1
    singles = rng.choice(count, ONE_SYLLABLE, replace=False)
    words: dict[str, None] = dict.fromkeys(chr(first + int(c)) for c in singles)
    while len(words) < VOCAB_SIZE:
        lengths = rng.choice([2, 3, 4], VOCAB_SIZE, p=[0.5, 0.3, 0.2])
        syllables = rng.integers(first, first + count, (VOCAB_SIZE, 4))
        for length, row in zip(lengths, syllables.tolist(), strict=True):
            words.setdefault("".join(map(chr, row[:length])))
            if len(words) == VOCAB_SIZE:
                break
    vocab = list(words)
    rng.shuffle(vocab)  # the Zipf rank of a word does not depend on its length
    return vocab


def make_docs(rng: np.random.Generator, vocab: list[str], n: int) -> Docs:
    """`n` chunks of about `MEAN_TOKENS` tokens, ranks drawn from a Zipf-Mandelbrot law."""
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    p = 1.0 / (ranks + 2.7)
    p /= p.sum()
    lengths = np.clip(rng.poisson(MEAN_TOKENS, n), 5, None)
    ids = rng.choice(len(vocab), int(lengths.sum()), p=p)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [[vocab[i] for i in ids[bounds[d] : bounds[d + 1]]] for d in range(n)]


def make_queries(rng: np.random.Generator, docs: Docs, count: int) -> Queries:
    """(source chunk, `QUERY_TOKENS` distinct tokens of it) pairs."""
    queries = []
    for d in rng.choice(len(docs), count, replace=False):
        unique = list(dict.fromkeys(docs[d]))
        picked = rng.choice(len(unique), min(QUERY_TOKENS, len(unique)), replace=False)
        queries.append((int(d), [unique[i] for i in picked]))
    return queries


# --- helpers --------------------------------------------------------------------------------


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def median_ms(fn: Callable[[int], object], repeats: int) -> float:
    """Median time of `fn(i)` for i in range(repeats), in ms."""
    return statistics.median(timed(lambda i=i: fn(i))[1] for i in range(repeats))


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="bm25_choice_"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- bm25s ----------------------------------------------------------------------------------


def bm25s_build(docs: Docs, k1: float = 1.5) -> Any:
    """As `retrieval.lexical.LexicalIndex.build` does it."""
    bm25 = bm25s.BM25(k1=k1)
    bm25.index([d or [""] for d in docs], show_progress=False)
    return bm25


def bm25s_top(bm25: Any, tokens: list[str]) -> list[int]:
    """As `retrieval.lexical.LexicalIndex.search` does it."""
    scores = np.asarray(bm25.get_scores(tokens))
    top = np.argpartition(-scores, TOP_K - 1)[:TOP_K]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(i) for i in top if scores[i] > 0]


def bm25s_df(bm25: Any, token: str) -> int:
    token_id = bm25.vocab_dict.get(token)
    if token_id is None:
        return 0
    indptr = bm25.scores["indptr"]
    return int(indptr[token_id + 1] - indptr[token_id])


def bench_bm25s(docs: Docs, extra: Docs, queries: Queries, row: Row) -> tuple[Any, list[list[int]]]:
    bm25s_build(docs[:100])  # warm-up: the first build pays for lazy imports
    bm25, row["bm25s build N"] = timed(lambda: bm25s_build(docs))
    # Adding, deleting or replacing any number of chunks is this same full rebuild.
    row["bm25s rebuild N+1 (= any update)"] = median_ms(
        lambda i: bm25s_build(docs + [extra[i]]), REBUILD_REPEATS
    )
    for _, tokens in queries[:10]:  # warm-up
        bm25s_top(bm25, tokens)
    tops, total = timed(lambda: [bm25s_top(bm25, tokens) for _, tokens in queries])
    row["bm25s query top-10 (mean)"] = total / len(queries)
    with scratch() as folder:
        row["bm25s save"] = median_ms(
            lambda _: bm25.save(str(folder), allow_pickle=False), SMALL_REPEATS
        )
        row["bm25s size on disk (MB)"] = folder_mb(folder)
        gc.collect()
        row["bm25s load"] = median_ms(
            lambda _: bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False), SMALL_REPEATS
        )
    row["bm25s rebuild N+1 + save"] = row["bm25s rebuild N+1 (= any update)"] + row["bm25s save"]
    return bm25, tops


# --- tantivy --------------------------------------------------------------------------------


def tantivy_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # "whitespace" is registered by default: splits on ASCII whitespace only, no lowercasing and
    # no length limit ("default" lowercases, splits "3.5" and drops tokens over 40 bytes).
    # Positions are not needed for BM25, so only frequencies are indexed.
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    # The id to delete by and to read hits with. Not an unsigned field: tantivy-py 0.27 turns a
    # Python int into an i64 term, so delete_documents_by_term on a u64 field deletes nothing.
    builder.add_integer_field("id", indexed=True, fast=True)
    return builder.build()


def tantivy_doc(schema: tantivy.Schema, doc_id: int, tokens: list[str]) -> tantivy.Document:
    return tantivy.Document.from_dict({"id": doc_id, "body": " ".join(tokens)}, schema)


def tantivy_top(searcher: tantivy.Searcher, schema: tantivy.Schema, tokens: list[str]) -> list[int]:
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t, index_option="freq"))
            for t in tokens
        ]
    )
    hits = searcher.search(query, limit=TOP_K, count=False).hits
    return searcher.fast_field_values("id", [address for _, address in hits])


def tantivy_build(folder: Path, schema: tantivy.Schema, docs: Docs) -> tuple[Any, Any]:
    index = tantivy.Index(schema, path=str(folder), reuse=False)
    writer = index.writer(heap_size=WRITER_HEAP)
    for i, tokens in enumerate(docs):
        writer.add_document(tantivy_doc(schema, i, tokens))
    writer.commit()
    return index, writer


def bench_tantivy(
    docs: Docs, extra: Docs, queries: Queries, bm25: Any, row: Row
) -> list[list[int]]:
    schema = tantivy_schema()
    n = len(docs)
    fresh = iter(extra)  # chunks to add, with ids after the corpus's
    new_ids = itertools.count(n)
    old_ids = itertools.count(0)  # chunks to delete
    with scratch() as folder:
        (index, writer), row["tantivy build N (add all + commit)"] = timed(
            lambda: tantivy_build(folder, schema, docs)
        )
        index.reload()
        searcher = index.searcher()
        row["tantivy segments after build"] = searcher.num_segments
        row["tantivy size on disk (MB)"] = folder_mb(folder)

        sample = list(dict.fromkeys(t for d in docs[:300] for t in d))
        agree = sum(searcher.doc_freq("body", t) == bm25s_df(bm25, t) for t in sample)
        row["tokens with the same df in both"] = 100 * agree / len(sample)

        for _, tokens in queries[:10]:  # warm-up
            tantivy_top(searcher, schema, tokens)
        tops, total = timed(
            lambda: [tantivy_top(searcher, schema, tokens) for _, tokens in queries]
        )
        row["tantivy query top-10 (mean)"] = total / len(queries)

        def add(chunks: int) -> None:
            for _ in range(chunks):
                writer.add_document(tantivy_doc(schema, next(new_ids), next(fresh)))

        def delete(chunks: int) -> None:
            for _ in range(chunks):
                writer.delete_documents_by_term("id", next(old_ids))

        def add_one(_: int) -> None:
            add(1)
            writer.commit()

        def delete_one(_: int) -> None:
            delete(1)
            writer.commit()

        def add_one_visible(_: int) -> int:
            add_one(0)
            index.reload()
            return index.searcher().num_docs

        def replace_article(_: int) -> None:
            delete(ARTICLE_CHUNKS)
            add(ARTICLE_CHUNKS)
            writer.commit()

        row["tantivy add 1 + commit"] = median_ms(add_one, UPDATE_REPEATS)
        row["tantivy add 1 + commit + reload searcher"] = median_ms(add_one_visible, UPDATE_REPEATS)
        # As many deletes as adds, so that the index ends with the N chunks it started with.
        row["tantivy delete 1 + commit"] = median_ms(delete_one, 2 * UPDATE_REPEATS)
        row[f"tantivy delete {ARTICLE_CHUNKS} + add {ARTICLE_CHUNKS} + commit"] = median_ms(
            replace_article, ARTICLE_REPEATS
        )

        index.reload()
        num_docs = index.searcher().num_docs
        assert num_docs == n, f"tantivy sees {num_docs} documents, expected {n}"
        searcher = index.searcher()
        row["tantivy segments after updates"] = searcher.num_segments
        _, total = timed(lambda: [tantivy_top(searcher, schema, tokens) for _, tokens in queries])
        row["tantivy query top-10 after updates (mean)"] = total / len(queries)
        writer.wait_merging_threads()  # releases the writer lock

        def cold_add() -> Any:
            index = tantivy.Index.open(str(folder))
            writer = index.writer(heap_size=WRITER_HEAP)
            writer.add_document(tantivy_doc(schema, next(new_ids), next(fresh)))
            writer.commit()
            return writer

        cold: list[float] = []
        for _ in range(COLD_REPEATS):
            cold_writer, ms = timed(cold_add)
            cold.append(ms)
            cold_writer.wait_merging_threads()
        row["tantivy open + writer + add 1 + commit"] = statistics.median(cold)

        gc.collect()
        row["tantivy open index + searcher"] = median_ms(
            lambda _: tantivy.Index.open(str(folder)).searcher(), SMALL_REPEATS
        )
    return tops


# --- report ---------------------------------------------------------------------------------


def overlap(a: list[list[int]], b: list[list[int]]) -> float:
    return 100 * statistics.mean(len(set(x) & set(y)) / TOP_K for x, y in zip(a, b, strict=True))


def hit_rate(queries: Queries, tops: list[list[int]]) -> float:
    return 100 * statistics.mean(src in top for (src, _), top in zip(queries, tops, strict=True))


def bench(docs: Docs, extra: Docs, queries: Queries) -> Row:
    row: Row = {}
    bm25, bm25s_tops = bench_bm25s(docs, extra, queries, row)
    tantivy_tops = bench_tantivy(docs, extra, queries, bm25, row)
    del bm25
    same_k1 = bm25s_build(docs, k1=1.2)
    same_k1_tops = [bm25s_top(same_k1, tokens) for _, tokens in queries]
    row["top-10 overlap, bm25s k1=1.2 vs tantivy"] = overlap(same_k1_tops, tantivy_tops)
    row["top-10 overlap, bm25s k1=1.5 vs tantivy"] = overlap(bm25s_tops, tantivy_tops)
    row["source chunk in top 10, bm25s"] = hit_rate(queries, bm25s_tops)
    row["source chunk in top 10, tantivy"] = hit_rate(queries, tantivy_tops)

    row["build: bm25s / tantivy"] = row["bm25s build N"] / row["tantivy build N (add all + commit)"]
    row["1-doc update: bm25s rebuild / tantivy add+commit"] = (
        row["bm25s rebuild N+1 (= any update)"] / row["tantivy add 1 + commit"]
    )
    row["on disk and visible: bm25s rebuild+save / tantivy add+commit+reload"] = (
        row["bm25s rebuild N+1 + save"] / row["tantivy add 1 + commit + reload searcher"]
    )
    row["query: bm25s / tantivy"] = (
        row["bm25s query top-10 (mean)"] / row["tantivy query top-10 (mean)"]
    )
    row["load: bm25s load / tantivy open + searcher"] = (
        row["bm25s load"] / row["tantivy open index + searcher"]
    )
    return row


LAYOUT: list[tuple[str, list[str]]] = [
    (
        "bm25s, ms",
        [
            "bm25s build N",
            "bm25s rebuild N+1 (= any update)",
            "bm25s save",
            "bm25s rebuild N+1 + save",
            "bm25s load",
            "bm25s query top-10 (mean)",
        ],
    ),
    (
        "tantivy, ms",
        [
            "tantivy build N (add all + commit)",
            "tantivy add 1 + commit",
            "tantivy add 1 + commit + reload searcher",
            "tantivy delete 1 + commit",
            f"tantivy delete {ARTICLE_CHUNKS} + add {ARTICLE_CHUNKS} + commit",
            "tantivy open + writer + add 1 + commit",
            "tantivy open index + searcher",
            "tantivy query top-10 (mean)",
            "tantivy query top-10 after updates (mean)",
        ],
    ),
    (
        "sizes",
        [
            "bm25s size on disk (MB)",
            "tantivy size on disk (MB)",
            "tantivy segments after build",
            "tantivy segments after updates",
        ],
    ),
    (
        "agreement, % (over the same queries)",
        [
            "tokens with the same df in both",
            "top-10 overlap, bm25s k1=1.2 vs tantivy",
            "top-10 overlap, bm25s k1=1.5 vs tantivy",
            "source chunk in top 10, bm25s",
            "source chunk in top 10, tantivy",
        ],
    ),
    (
        "ratios (how many times slower the first is)",
        [
            "build: bm25s / tantivy",
            "1-doc update: bm25s rebuild / tantivy add+commit",
            "on disk and visible: bm25s rebuild+save / tantivy add+commit+reload",
            "query: bm25s / tantivy",
            "load: bm25s load / tantivy open + searcher",
        ],
    ),
]


def print_table(rows: dict[int, Row]) -> None:
    sizes = list(rows)
    keys = [key for _, keys in LAYOUT for key in keys]
    assert set(keys) == set(rows[sizes[0]]), set(keys) ^ set(rows[sizes[0]])
    width = max(map(len, keys)) + 2
    header = "".ljust(width) + "".join(f"N={n:,}".rjust(12) for n in sizes)
    print(header)
    for title, keys in LAYOUT:
        print(f"-- {title} ".ljust(len(header), "-"))
        for key in keys:
            cells = (f"{rows[n][key]:,.{0 if 'segments' in key else 2}f}" for n in sizes)
            print(key.ljust(width) + "".join(c.rjust(12) for c in cells))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    vocab = make_vocab(rng)
    # Chunks to add that no corpus has: enough for every add the benchmarks make.
    extra_count = 2 * UPDATE_REPEATS + COLD_REPEATS + ARTICLE_CHUNKS * ARTICLE_REPEATS
    corpus = make_docs(rng, vocab, max(args.sizes) + extra_count)
    extra, corpus = corpus[:extra_count], corpus[extra_count:]
    # The same queries for every size: drawn from the chunks every corpus has.
    queries = make_queries(rng, corpus[: min(args.sizes)], args.queries)
    tokens = [t for d in corpus for t in d]
    print(
        f"corpus: {len(corpus):,} chunks, {len(tokens) / len(corpus):.1f} tokens each on average, "
        f"{len(set(tokens)):,} distinct tokens, "
        f"{100 * sum(len(t) == 1 for t in tokens) / len(tokens):.0f}% of occurrences one syllable; "
        f"{len(queries)} queries of {QUERY_TOKENS} tokens "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    print(f"bm25s {bm25s.__version__}, {tantivy.__version__}\n")
    del tokens

    rows: dict[int, Row] = {}
    for n in args.sizes:
        size_started = time.perf_counter()
        rows[n] = bench(corpus[:n], extra, queries)
        print(f"N={n:,} measured in {time.perf_counter() - size_started:.1f} s")
    print()
    print_table(rows)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

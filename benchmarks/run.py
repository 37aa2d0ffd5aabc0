"""newsqa benchmarks: build, incremental update, query latency, cold start, size; peers side by side.

Corpora are synthetic: N articles made by recombining real sentences of seeds/ (nothing is
downloaded). Dense numbers use a model with the default model's architecture (BERT, 384 hidden,
12 layers, 12 heads, 1536 intermediate) with random weights and a tokenizer trained locally:
speed does not depend on weight values. Every figure that is a claim is a ratio measured in the
same run. Run from the repository root (hours at these sizes; see benchmarks/README.md):

    .venv/bin/python benchmarks/run.py --sizes 1000 10000 100000 --dense-sizes 300
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

QUERIES = [
    "벤처기업협회의 회원사는 몇 개인가요?",
    "지아이랩의 대표는 누구인가요?",
    "파인데이터센터는 언제 들어설 예정인가요?",
    "광주시가 추진하는 창업펀드의 규모는 얼마인가요?",
    "체인브리지의 대표이사는 누구인가요?",
    "C랩 아웃사이드 광주에 선정된 스타트업은 몇 곳인가요?",
    "2단계 실증밸리 조성 사업의 규모는 얼마인가요?",
    "인공지능 집적단지 준공은 언제인가요?",
    "광주형 인공지능 1호 합작회사의 이름은 무엇인가요?",
    "간담회에 참석한 블루캡슐의 대표는 누구인가요?",
]


def seed_sentences() -> list[str]:
    from retrieval.ingest import read_articles
    from retrieval.sentences import split_sentences

    articles, _ = read_articles(ROOT / "seeds")
    return [a.body[s.start : s.end] for a in articles for s in split_sentences(a.body)]


def write_corpus(folder: Path, n: int, seed: int = 0, prefix: str = "syn") -> Path:
    """n articles of 6-14 seed sentences in random order, as one .jsonl file."""
    rng = np.random.default_rng(seed)
    sentences = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            picked = rng.choice(len(sentences), size=int(rng.integers(6, 15)), replace=False)
            body = "\n".join(sentences[j] for j in picked)
            record = {
                "id": f"{prefix}{i:06d}",
                "title": sentences[picked[0]][:40],
                "body": body,
                "outlet": "합성일보",
                "date": "2024-01-01",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def e5_architecture_model(folder: Path) -> Path:
    from tiny_model import build_model

    model = folder / "model"
    if not model.exists():
        texts = seed_sentences()
        build_model(
            folder,
            texts,
            hidden_size=384,
            layers=12,
            heads=12,
            intermediate_size=1536,
            vocab_size=8000,
        )
    return model


def child_build(
    articles: Path, index: Path, model: str, full: bool, warm: bool = False
) -> dict[str, object]:
    """One `newsqa index` in this (child) process: phases, totals, peak memory. `warm`: Kiwi is
    loaded before the clock starts, as in the bot's /reindex (a process that already answers)."""
    from retrieval import kiwi_analyser
    from retrieval.config import Settings
    from retrieval.pipeline import build_index

    if warm:
        kiwi_analyser.warm_up()
    started = time.perf_counter()
    report = build_index(Settings(articles=articles, index_dir=index, model=model), full=full)
    return {
        "total_s": time.perf_counter() - started,
        "phases": dict(report.summary.phases),
        "summary": report.summary.as_json(),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM). Not getrusage's ru_maxrss: Linux carries that across
    fork and exec, so a child spawned by this benchmark's parent, which holds a model and the
    previous sizes' data, would report the parent's size when larger than its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def time_queries(fn, queries, repeat: int = 3) -> list[float]:
    for q in queries[:3]:
        fn(q)
    samples = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t) * 1000)
    return samples


def all_chunks(index) -> tuple[list[int], list[list[str]]]:  # noqa: ANN001
    """Every chunk's id and tokens, read from the article records (what peers are built from)."""
    from retrieval.article_store import chunk_tokens

    ids: list[int] = []
    tokens: list[list[str]] = []
    for article_id in index.articles:
        stored = index.articles[article_id]
        for chunk in index.chunks_of(article_id):
            ids.append(chunk.id)
            tokens.append(chunk_tokens(stored, chunk.first, chunk.last))
    return ids, tokens


def chunk_vectors(index, chunk_ids: list[int], model: Path) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Vectors with the structure of real embeddings, without embedding every chunk (hours at
    100k articles): each distinct sentence is embedded once by the e5-architecture model, a
    chunk's vector is the normalized mean of its sentences' (chunks that share sentences are
    close, as chunks on one topic are). Queries: the real questions, encoded, and chunk vectors
    moved by noise. Uniform random vectors would be the wrong test: they have no clusters, so
    IVF declines them (tests/test_index.py) and every size would fall back to exact search."""
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model), device="cpu")
    spans: list[list[str]] = []
    for chunk_id in chunk_ids:
        chunk = index.chunk(chunk_id)
        stored = index.articles[chunk.article_id]
        body = stored.article.body
        spans.append(
            [
                body[s.start : s.end]
                for s in stored.sentences[chunk.first_sentence : chunk.last_sentence + 1]
            ]
        )
    distinct = sorted({s for sentences in spans for s in sentences})
    encoded = st.encode(["passage: " + s for s in distinct], batch_size=32)
    row = {s: i for i, s in enumerate(distinct)}
    vectors = np.stack([encoded[[row[s] for s in sentences]].mean(axis=0) for sentences in spans])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    asked = st.encode(["query: " + q for q in QUERIES], normalize_embeddings=True)
    rng = np.random.default_rng(1)
    moved = vectors[rng.integers(0, len(vectors), 20)]
    moved = moved + 0.05 * rng.standard_normal(moved.shape).astype(np.float32)
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return vectors.astype(np.float32), np.vstack([asked, moved]).astype(np.float32)


def bench_queries(index_dir: Path, model: Path, out: dict[str, object]) -> None:
    """Lexical on the real index; dense and hybrid over `chunk_vectors`; rank_bm25, bm25s and
    a LangChain FAISS + BM25Retriever ensemble on the same tokens and vectors."""
    from rank_bm25 import BM25Okapi

    from retrieval import terms
    from retrieval.config import Settings
    from retrieval.dense import DenseIndex, serve_single_queries
    from retrieval.fusion import reciprocal_rank_fusion
    from retrieval.index import NewsIndex
    from retrieval.pipeline import Pipeline

    index = NewsIndex.open(index_dir)
    chunk_ids, chunk_tokens = all_chunks(index)
    query_tokens = [terms.tokenize(q) for q in QUERIES]
    samples = time_queries(lambda t: index.lexical.search(t, 20), query_tokens)
    out["bm25_ours_ms_p50"], out["bm25_ours_ms_p95"] = percentiles(samples)
    out["bm25_ours_qps"] = 1000 / statistics.fmean(samples)
    peer = BM25Okapi(chunk_tokens)
    peer_samples = time_queries(lambda t: np.argsort(-peer.get_scores(t))[:20], query_tokens, 1)
    out["rank_bm25_ms_p50"], _ = percentiles(peer_samples)
    out["bm25_speedup_vs_rank_bm25"] = out["rank_bm25_ms_p50"] / out["bm25_ours_ms_p50"]
    try:
        import bm25s

        started = time.perf_counter()
        other = bm25s.BM25()
        other.index([t or [""] for t in chunk_tokens], show_progress=False)
        out["bm25s_rebuild_s"] = time.perf_counter() - started
        vocab = other.vocab_dict
        known = [[t for t in q if t in vocab] for q in query_tokens]
        samples = time_queries(lambda t: other.get_scores(t).argsort()[-20:], known)
        out["bm25s_ms_p50"], _ = percentiles(samples)
    except ImportError:
        pass

    started = time.perf_counter()
    vectors, queries = chunk_vectors(index, chunk_ids, model)
    out["vectors_s"] = time.perf_counter() - started
    exact = DenseIndex.empty(vectors.shape[1])
    exact.add(chunk_ids, vectors)
    started = time.perf_counter()
    dense = exact.fit()  # IVF past the threshold if it reaches the recall, as `newsqa index`
    out["dense_fit_s"] = time.perf_counter() - started
    serve_single_queries()  # as Pipeline.open does
    out["dense_kind"] = dense.describe()
    samples = time_queries(lambda v: dense.search(v, 20), list(queries))
    out["dense_ms_p50"], out["dense_ms_p95"] = percentiles(samples)
    if dense is not exact:
        # As the calibration counts: a result scoring at least the exact 10th is found. Chunks
        # that share all their sentences have equal vectors, and which of the tied ids an index
        # returns is arbitrary; the id-set overlap is reported too.
        found_ids, tie_aware = [], []
        for v in queries:
            truth, got = exact.search(v, 10), dense.search(v, 10)
            found_ids.append(len({i for i, _ in truth} & {i for i, _ in got}) / 10)
            tie_aware.append(sum(s >= truth[-1][1] - 1e-5 for _, s in got) / 10)
        out["approx_recall@10"] = statistics.fmean(tie_aware)
        out["approx_recall@10_ids"] = statistics.fmean(found_ids)

    pairs = list(zip(query_tokens * 3, queries, strict=False))

    def hybrid(pair) -> None:
        tokens, vector = pair
        lexical = [i for i, _ in index.lexical.search(tokens, 20)]
        reciprocal_rank_fusion(lexical, [i for i, _ in dense.search(vector, 20)])

    samples = time_queries(hybrid, pairs)
    out["hybrid_ms_p50"], out["hybrid_ms_p95"] = percentiles(samples)
    out["hybrid_qps"] = 1000 / statistics.fmean(samples)
    langchain_ensemble(chunk_tokens, vectors, query_tokens, queries, out)
    pipeline = Pipeline.open(Settings(index_dir=index_dir, model="none"))
    samples = time_queries(pipeline.ask, QUERIES)
    out["answer_lexical_ms_p50"], out["answer_lexical_ms_p95"] = percentiles(samples)


def langchain_ensemble(
    chunk_tokens: list[list[str]],
    vectors: np.ndarray,
    query_tokens: list[list[str]],
    query_vectors: np.ndarray,
    out: dict[str, object],
) -> None:
    """The peer a LangChain app would use: EnsembleRetriever over a FAISS vector store and a
    BM25Retriever (rank_bm25), same chunks, same tokens (joined by spaces, split back by the
    retriever), same vectors; query encoding excluded on both sides, as for ours."""
    try:
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever
        from langchain_community.vectorstores import FAISS
        from langchain_core.embeddings import Embeddings
    except ImportError as exc:
        out["langchain"] = f"not installed: {exc.name}"
        return

    texts = [" ".join(t) for t in chunk_tokens]
    queries = [" ".join(t) for t in query_tokens]
    by_query = {q: v.tolist() for q, v in zip(queries, query_vectors, strict=False)}

    class Precomputed(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            raise NotImplementedError

        def embed_query(self, text: str) -> list[float]:
            return by_query[text]

    started = time.perf_counter()
    bm25 = BM25Retriever.from_texts(texts, preprocess_func=str.split, k=20)
    store = FAISS.from_embeddings(
        list(zip(texts, vectors.tolist(), strict=True)),
        Precomputed(),
        distance_strategy="MAX_INNER_PRODUCT",
    )
    ensemble = EnsembleRetriever(
        retrievers=[bm25, store.as_retriever(search_kwargs={"k": 20})], weights=[0.5, 0.5]
    )
    out["langchain_build_s"] = time.perf_counter() - started
    samples = time_queries(ensemble.invoke, queries, 1)
    out["langchain_ensemble_ms_p50"], _ = percentiles(samples)
    out["hybrid_speedup_vs_langchain"] = out["langchain_ensemble_ms_p50"] / out["hybrid_ms_p50"]


def kiwi_start() -> float:
    """Process start to Kiwi's first analysis, the floor under any cold `newsqa ask`."""
    from retrieval.kiwi_analyser import KIWI_OPTIONS

    code = f"from kiwipiepy import Kiwi; Kiwi(**{KIWI_OPTIONS!r}).tokenize('준비')"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def cold_ask(index_dir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "retrieval", "ask", QUERIES[0], "--index", str(index_dir)],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started


def bench_size(n: int, work: Path, model: Path | None, vector_model: Path) -> dict[str, object]:
    out: dict[str, object] = {"articles": n}
    corpus = work / f"corpus-{n}"
    write_corpus(corpus, n)
    mode = str(model) if model else "none"
    index = work / f"index-{n}"
    full = run_child("build", str(corpus), str(index), mode, "full")
    out.update(build=full, chunks=full["summary"]["chunks_total"], index_mb=dir_mb(index))

    def added(extra: int, kind: str) -> dict[str, object]:
        write_corpus(corpus, extra, seed=extra, prefix=f"new{extra}-")
        inc = run_child("build", str(corpus), str(index), mode, kind)
        return {
            "total_s": inc["total_s"],
            "phases": inc["phases"],
            "ratio_to_full": inc["total_s"] / full["total_s"],
            "chunks_embedded": inc["summary"]["chunks_embedded"],
        }

    for extra in (1, 100):
        out[f"add_{extra}"] = added(extra, "incremental")
        # The same change again, in a process where Kiwi is already loaded (bot /reindex).
        (corpus / f"new{extra}-.jsonl").unlink()
        run_child("build", str(corpus), str(index), mode, "incremental")
        out[f"add_{extra}_warm"] = added(extra, "warm")
    out["cold_ask_s"] = statistics.median(cold_ask(index) for _ in range(3))
    out["kiwi_start_s"] = statistics.median(kiwi_start() for _ in range(3))
    if not model:
        bench_queries(index, vector_model, out)
    return out


def bench_embedding(model: Path, n_texts: int = 96, rounds: int = 5) -> dict[str, object]:
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model), device="cpu")
    rng = np.random.default_rng(0)
    sentences = seed_sentences()
    texts = ["passage: " + " ".join(rng.choice(sentences, 3)) for _ in range(n_texts)]

    def fp32(t: list[str]) -> np.ndarray:
        return st.encode(t, batch_size=32, normalize_embeddings=True)

    def bf16(t: list[str]) -> np.ndarray:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return st.encode(t, batch_size=32, normalize_embeddings=True)

    from retrieval.embed import quantize_int8

    int8_model = quantize_int8(SentenceTransformer(str(model), device="cpu"))

    def int8(t: list[str]) -> np.ndarray:
        return int8_model.encode(t, batch_size=32, normalize_embeddings=True)

    variants = [("fp32", fp32), ("bf16_autocast", bf16), ("int8_dynamic", int8)]
    try:
        onnx_model = SentenceTransformer(str(model), device="cpu", backend="onnx")

        def onnx(t: list[str]) -> np.ndarray:
            return onnx_model.encode(t, batch_size=32, normalize_embeddings=True)

        variants.append(("onnx", onnx))
    except Exception as exc:  # noqa: BLE001 - optional extra; report why it is absent
        print(f"onnx backend unavailable: {exc}", file=sys.stderr)

    result: dict[str, object] = {"torch_threads": torch.get_num_threads(), "rounds": rounds}
    vectors = {}
    rates: dict[str, list[float]] = {name: [] for name, _ in variants}
    for _name, fn in variants:
        fn(texts[:8])
    # Variants take turns, round after round, and each reports its median: load from other
    # processes on this shared machine then falls on all of them alike.
    for _ in range(rounds):
        for name, fn in variants:
            started = time.perf_counter()
            vectors[name] = fn(texts)
            rates[name].append(n_texts / (time.perf_counter() - started))
    for name, _ in variants:
        result[f"{name}_texts_per_s"] = statistics.median(rates[name])
    for name, _ in variants[1:]:
        result[f"{name}_speedup"] = result[f"{name}_texts_per_s"] / result["fp32_texts_per_s"]
        result[f"{name}_min_cosine_to_fp32"] = float((vectors["fp32"] * vectors[name]).sum(1).min())
    query = st.encode(["query: " + QUERIES[0]], normalize_embeddings=True)
    started = time.perf_counter()
    for q in QUERIES:
        st.encode(["query: " + q], normalize_embeddings=True)
    result["query_encode_ms"] = (time.perf_counter() - started) * 1000 / len(QUERIES)
    del query
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--skip-embedding", action="store_true", help="no embedding throughput run")
    parser.add_argument(
        "--dense-sizes",
        type=int,
        nargs="*",
        default=[1000],
        help="sizes also built with the e5-architecture model (slow: ~20 chunks/s)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "results.json")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _, articles, index, model, kind = args.child
        result = child_build(Path(articles), Path(index), model, kind == "full", kind == "warm")
        print(json.dumps(result))
        return
    work = Path(tempfile.mkdtemp(prefix="newsqa-bench-"))
    results: dict[str, object] = {"sizes": {}, "dense": {}}
    try:
        model = e5_architecture_model(work / "e5-arch")
        if not args.skip_embedding:
            results["embedding"] = bench_embedding(model)
            print(json.dumps(results["embedding"], indent=1), flush=True)
        save(args.out, results)
        for n in args.sizes:
            results["sizes"][n] = bench_size(n, work / "lexical", None, model)
            print(json.dumps({n: results["sizes"][n]}, indent=1, default=float), flush=True)
            save(args.out, results)
        for n in args.dense_sizes:
            results["dense"][n] = bench_size(n, work / "dense", model, model)
            print(
                json.dumps({f"dense-{n}": results["dense"][n]}, indent=1, default=float), flush=True
            )
            save(args.out, results)
    finally:
        save(args.out, results)
        shutil.rmtree(work, ignore_errors=True)


def save(path: Path, results: dict[str, object]) -> None:
    """After every size: a long run that is stopped still leaves what it measured."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()

"""The searchable index: articles, their sentences and chunks, BM25 and (optionally) FAISS.

`update_index` is incremental: articles whose content hash is unchanged keep their chunks,
tokens and vectors; only new or changed articles are analysed and embedded, and deleted ones
are removed from both the lexical and the dense side.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from retrieval import korean, store
from retrieval.chunk import ChunkerSettings, chunk_sentences
from retrieval.dense import DenseIndex
from retrieval.embed import Embedder
from retrieval.lexical import LexicalIndex
from retrieval.types import Article, Chunk, Span

ARTICLES_FILE = "articles.jsonl"
DENSE_FILE = "dense.faiss"
BM25_DIR = "bm25"


@dataclass(frozen=True)
class StoredArticle:
    """An article with what was derived from it, so unchanged articles are never re-analysed."""

    article: Article
    content_hash: str
    sentences: tuple[Span, ...]
    sentence_tokens: tuple[tuple[str, ...], ...]
    chunks: tuple[tuple[int, int, int], ...]  # (chunk id, first sentence, last sentence)


@dataclass(frozen=True)
class UpdateSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    took_s: float = 0.0
    # Seconds per stage (analyse = Kiwi sentences + tokens, chunk, lexical, embed; the caller adds
    # read = decode + clean, and write), for
    # benchmarks and -v logs; not part of the JSON summary.
    phases: dict[str, float] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("phases")
        data["took_s"] = round(self.took_s, 3)
        return data


def content_hash(article: Article, chunker: ChunkerSettings) -> str:
    payload = json.dumps(
        [asdict(article), chunker.as_dict(), korean.TOKENIZER_SETTINGS],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def embedding_text(article: Article, chunk_text: str) -> str:
    """The title gives a chunk the context its sentences often leave implicit."""
    return f"{article.title}\n{chunk_text}"


class NewsIndex:
    def __init__(
        self,
        articles: dict[str, StoredArticle],
        chunker: ChunkerSettings,
        model: str | None,
        dense: DenseIndex | None,
        next_chunk_id: int,
        lexical: LexicalIndex | None = None,
        manifest: dict[str, Any] | None = None,
    ) -> None:
        self.articles = articles
        self.chunker = chunker
        self.model = model  # the model whose vectors `dense` holds; None for lexical-only
        self.dense = dense
        self.next_chunk_id = next_chunk_id
        self.manifest = manifest or {}
        self.chunks: list[Chunk] = []
        self.chunk_tokens: list[list[str]] = []
        for stored in articles.values():
            body = stored.article.body
            for chunk_id, first, last in stored.chunks:
                start, end = stored.sentences[first].start, stored.sentences[last].end
                self.chunks.append(
                    Chunk(chunk_id, stored.article.id, start, end, first, last, body[start:end])
                )
                self.chunk_tokens.append(
                    [t for tokens in stored.sentence_tokens[first : last + 1] for t in tokens]
                )
        self.row_of = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        self.lexical = lexical if lexical is not None else LexicalIndex.build(self.chunk_tokens)

    def chunk(self, chunk_id: int) -> Chunk:
        return self.chunks[self.row_of[chunk_id]]

    @property
    def has_vectors(self) -> bool:
        return self.dense is not None and self.model is not None


def update_index(
    old: NewsIndex | None,
    articles: list[Article],
    embedder: Embedder | None,
    chunker: ChunkerSettings,
    unreadable: frozenset[str] = frozenset(),
) -> tuple[NewsIndex, UpdateSummary]:
    """Bring `old` (None: start empty) in line with `articles`, embedding only what changed.

    Articles in `unreadable` (their file exists but could not be read this time) keep their
    indexed copy instead of being treated as deleted.
    """
    started = time.perf_counter()
    old_articles = old.articles if old else {}
    reuse_vectors = old is not None and old.has_vectors and embedder is not None
    next_id = old.next_chunk_id if old else 0

    incoming = {a.id: a for a in articles}
    carried = [i for i in old_articles if i not in incoming and i in unreadable]
    removed = [i for i in old_articles if i not in incoming and i not in unreadable]
    stale_ids = [c[0] for i in removed for c in old_articles[i].chunks]

    kept: dict[str, StoredArticle] = {i: old_articles[i] for i in carried}
    fresh: list[tuple[Article, str]] = []
    added = updated = 0
    for article in articles:
        digest = content_hash(article, chunker)
        previous = old_articles.get(article.id)
        if previous is not None and previous.content_hash == digest:
            kept[article.id] = previous
            continue
        if previous is not None:
            updated += 1
            stale_ids.extend(c[0] for c in previous.chunks)
        else:
            added += 1
        fresh.append((article, digest))

    phases: dict[str, float] = {}
    mark = time.perf_counter()
    analysed = korean.analyse_bodies([a.body for a, _ in fresh])
    phases["analyse"], mark = time.perf_counter() - mark, time.perf_counter()
    new_ids: list[int] = []
    for (article, digest), pairs in zip(fresh, analysed, strict=True):
        sentences = tuple(span for span, _ in pairs)
        tokens = tuple(tuple(t) for _, t in pairs)
        spans = chunk_sentences(list(sentences), chunker)
        chunks = tuple((next_id + n, first, last) for n, (first, last) in enumerate(spans))
        new_ids.extend(c[0] for c in chunks)
        next_id += len(chunks)
        kept[article.id] = StoredArticle(article, digest, sentences, tokens, chunks)

    ordered = {a.id: kept[a.id] for a in articles} | {i: kept[i] for i in carried}
    dense: DenseIndex | None = None
    if embedder is not None:
        dense = old.dense if reuse_vectors and old is not None else DenseIndex.empty(embedder.dim)
    phases["chunk"], mark = time.perf_counter() - mark, time.perf_counter()
    index = NewsIndex(ordered, chunker, embedder.name if embedder else None, dense, next_id)
    phases["lexical"], mark = time.perf_counter() - mark, time.perf_counter()

    # Vectors: keep the unchanged ones, drop the stale ones, embed the new ones. When the old
    # index had no vectors, every chunk is embedded now.
    embedded = 0
    if dense is not None and embedder is not None:
        if reuse_vectors:
            if dense.remove(stale_ids) != len(stale_ids):
                raise store.IndexCorrupt("지울 벡터 일부가 색인에 없음")
            to_embed = new_ids
        else:
            to_embed = [c.id for c in index.chunks]
        texts = [
            embedding_text(index.articles[c.article_id].article, c.text)
            for c in map(index.chunk, to_embed)
        ]
        dense.add(to_embed, embedder.embed_passages(texts))
        embedded = len(to_embed)
        index.dense = dense.fit()  # exact below APPROXIMATE_FROM vectors, IVF above

    phases["embed"] = time.perf_counter() - mark
    summary = UpdateSummary(
        added=added,
        updated=updated,
        removed=len(removed),
        unchanged=len(articles) - added - updated,
        chunks_embedded=embedded,
        chunks_total=len(index.chunks),
        took_s=time.perf_counter() - started,
        phases=phases,
    )
    return index, summary


# ---------------------------------------------------------------- persistence


def _article_record(stored: StoredArticle) -> dict[str, Any]:
    return {
        **asdict(stored.article),
        "hash": stored.content_hash,
        "sentences": [[s.start, s.end] for s in stored.sentences],
        "tokens": [list(t) for t in stored.sentence_tokens],
        "chunks": [list(c) for c in stored.chunks],
    }


def _stored_article(record: dict[str, Any]) -> StoredArticle:
    article = Article(
        **{k: record.get(k) for k in ("id", "title", "body", "outlet", "date", "url")}
    )
    return StoredArticle(
        article=article,
        content_hash=record["hash"],
        sentences=tuple(Span(s, e) for s, e in record["sentences"]),
        sentence_tokens=tuple(tuple(t) for t in record["tokens"]),
        chunks=tuple((int(c), int(f), int(la)) for c, f, la in record["chunks"]),
    )


def save_index(
    index: NewsIndex, folder: Path, model_requested: str | None = None
) -> dict[str, Any]:
    """Commit `index` as a new generation of `folder` (see `retrieval.store`)."""

    def write(gen: Path) -> None:
        with (gen / ARTICLES_FILE).open("w", encoding="utf-8") as handle:
            for stored in index.articles.values():
                handle.write(json.dumps(_article_record(stored), ensure_ascii=False) + "\n")
        index.lexical.save(gen / BM25_DIR)
        if index.dense is not None:
            index.dense.save(gen / DENSE_FILE)

    manifest = {
        "model": index.model,
        "model_requested": model_requested,
        "dim": index.dense.dim if index.dense is not None else None,
        "dense": index.dense is not None,
        "dense_index": index.dense.describe() if index.dense is not None else None,
        "chunker": index.chunker.as_dict(),
        "tokenizer": korean.TOKENIZER_SETTINGS,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "articles": len(index.articles),
        "chunks": len(index.chunks),
        "next_chunk_id": index.next_chunk_id,
    }
    index.manifest = store.commit(folder, write, manifest)
    return index.manifest


def check_compatible(manifest: dict[str, Any], chunker: ChunkerSettings) -> None:
    if manifest.get("tokenizer") != korean.TOKENIZER_SETTINGS:
        raise store.IndexIncompatible("형태소 분석 설정이 다른 색인")
    if manifest.get("chunker") != chunker.as_dict():
        raise store.IndexIncompatible(
            f"청크 설정이 다름: 색인 {manifest.get('chunker')}, 현재 {chunker.as_dict()}"
        )


def load_index(
    folder: Path, chunker: ChunkerSettings | None = None, verify: bool = True
) -> NewsIndex:
    """Load the current generation; refuse damaged or incompatible indexes with `store` errors."""
    manifest = store.read_manifest(folder)
    if chunker is None:
        try:
            chunker = ChunkerSettings(**manifest.get("chunker", {}))
        except TypeError as exc:
            raise store.IndexCorrupt("manifest의 청크 설정을 읽을 수 없음") from exc
    check_compatible(manifest, chunker)
    gen = store.generation_dir(folder, manifest, verify=verify)
    if ARTICLES_FILE not in manifest["files"]:
        raise store.IndexCorrupt(f"manifest에 {ARTICLES_FILE}이(가) 없음")
    try:
        articles: dict[str, StoredArticle] = {}
        with (gen / ARTICLES_FILE).open(encoding="utf-8") as handle:
            for line in handle:
                stored = _stored_article(json.loads(line))
                articles[stored.article.id] = stored
        n_chunks = sum(len(s.chunks) for s in articles.values())
        lexical = LexicalIndex.load(gen / BM25_DIR, n_chunks)
        dense = DenseIndex.load(gen / DENSE_FILE) if manifest.get("dense") else None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise store.IndexCorrupt(f"{gen.name}의 데이터 파일을 읽을 수 없음") from exc
    chunk_ids = {c[0] for s in articles.values() for c in s.chunks}
    if dense is not None and dense.ids() != chunk_ids:
        raise store.IndexCorrupt(f"벡터 {len(dense)}개가 청크 {len(chunk_ids)}개와 맞지 않음")
    recorded = manifest.get("next_chunk_id")
    next_id = max(recorded if isinstance(recorded, int) else 0, max(chunk_ids, default=-1) + 1)
    return NewsIndex(articles, chunker, manifest.get("model"), dense, next_id, lexical, manifest)

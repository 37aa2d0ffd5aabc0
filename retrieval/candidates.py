"""The candidate sentences of a search: the sentences of the chunks it found (and the one on
each side), each with where its best chunk ranked; and the articles found, by their best hit."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.article_store import StoredArticle
from retrieval.clean import SEAM
from retrieval.index import NewsIndex
from retrieval.search import SearchResult
from retrieval.types import Article, Span


@dataclass(frozen=True)
class CandidateSentence:
    """A sentence of a retrieved chunk (or next to one), with where its chunk ranked."""

    article_id: str
    number: int  # sentence number in the article
    span: Span
    seam_before: bool  # the page had something between it and the sentence before (no joining)
    tokens: frozenset[str]
    tagged: tuple[tuple[str, str], ...]  # (token, Kiwi tag) of its content morphemes, in order
    fused_rank: int  # 0-based rank of the best-ranked retrieved chunk holding it
    lexical_rank: int | None  # best BM25 rank of a chunk holding it (None: not retrieved there)
    dense_rank: int | None
    lexical_score: float  # best BM25 score of a chunk holding it, over the best chunk's (0-1)
    dense_z: float | None  # best chunk cosine, in background standard deviations (hybrid only)


def read_candidates(
    index: NewsIndex,
    result: SearchResult,
    orders: tuple[list[int], list[int]],
    chosen: set[int],
    z_of: dict[int, float],
) -> tuple[tuple[CandidateSentence, ...], dict[str, StoredArticle], dict[int, str]]:
    """The sentences of the `chosen` chunks and their neighbours, by article and in article
    order; the records they were read from; and the article of each chunk read. `orders`:
    each side's chunks, best first (`search.ordered`)."""
    lexical_rank = {c: r for r, c in enumerate(orders[0])}
    dense_rank = {c: r for r, c in enumerate(orders[1])}
    best_bm25 = max(result.lexical_scores.values(), default=0.0)
    found: dict[tuple[str, int], CandidateSentence] = {}
    records: dict[str, StoredArticle] = {}
    article_of: dict[int, str] = {}
    for rank, hit in enumerate(result.hits):
        if hit.chunk_id not in chosen:
            continue
        stored, first, last = index.chunk_location(hit.chunk_id)
        article_id = stored.article.id
        records[article_id] = stored
        article_of[hit.chunk_id] = article_id
        bm25 = result.lexical_scores.get(hit.chunk_id, 0.0)
        # The sentence on each side joins the candidates: an answer may sit just past a
        # chunk's edge, and a quote may take its neighbour along.
        for number in range(max(0, first - 1), min(len(stored.sentences), last + 2)):
            edge = number < first or number > last
            candidate = CandidateSentence(
                article_id,
                number,
                stored.sentences[number],
                _seam_before(stored, number),
                frozenset(stored.sentence_tokens[number]),
                _tagged(stored, number),
                rank + (1 if edge else 0),
                lexical_rank.get(hit.chunk_id),
                dense_rank.get(hit.chunk_id),
                bm25 / best_bm25 if best_bm25 > 0 else 0.0,
                z_of.get(hit.chunk_id),
            )
            key = (article_id, number)
            found[key] = _better(found.get(key), candidate)
    return tuple(found[k] for k in sorted(found)), records, article_of


def ranked_articles(
    index: NewsIndex,
    result: SearchResult,
    records: dict[str, StoredArticle],
    article_of: dict[int, str],
    more: int,
) -> tuple[dict[str, Article], tuple[str, ...]]:
    """The articles of the candidates and up to `more` further ones the search found (read
    from the index), and all of them by their best hit."""
    articles = {i: s.article for i, s in records.items()}
    ranked: list[str] = []
    for hit in result.hits:
        if len(ranked) == len(records) + more:
            break
        article_id = article_of.get(hit.chunk_id)
        if article_id is None:
            article = index.article_of(hit.chunk_id).article
            article_id, articles[article.id] = article.id, article
        if article_id not in ranked:
            ranked.append(article_id)
    return articles, tuple(ranked)


def _better(old: CandidateSentence | None, new: CandidateSentence) -> CandidateSentence:
    """A sentence in several retrieved chunks keeps the best rank and score of each kind."""
    if old is None:
        return new

    def low(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else min(a, b)

    def high(a: float | None, b: float | None) -> float | None:
        return b if a is None else a if b is None else max(a, b)

    return CandidateSentence(
        old.article_id,
        old.number,
        old.span,
        old.seam_before,
        old.tokens,
        old.tagged,
        min(old.fused_rank, new.fused_rank),
        low(old.lexical_rank, new.lexical_rank),
        low(old.dense_rank, new.dense_rank),
        max(old.lexical_score, new.lexical_score),
        high(old.dense_z, new.dense_z),
    )


def _seam_before(stored: StoredArticle, number: int) -> bool:
    if number == 0:
        return True
    body = stored.article.body
    return SEAM in body[stored.sentences[number - 1].end : stored.sentences[number].start]


def _tagged(stored: StoredArticle, number: int) -> tuple[tuple[str, str], ...]:
    tags = stored.sentence_tags[number].split()
    return tuple(zip(stored.sentence_tokens[number][: len(tags)], tags, strict=True))

"""Hybrid retrieval: BM25 and FAISS each over-fetch candidates, reciprocal rank fusion merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.fusion import boost, reciprocal_rank_fusion
from retrieval.index import NewsIndex
from retrieval.types import Hit

if TYPE_CHECKING:  # numpy is imported where used: the lexical path never needs it
    import numpy as np


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    mode: str  # "hybrid" | "lexical" | "dense"
    dense_scores: dict[int, float]  # cosine similarity by chunk id, for the dense candidates
    lexical_scores: dict[int, float]  # BM25 score by chunk id, for the lexical candidates


@dataclass(frozen=True)
class Context:
    """What a follow-up carries into the search (see `retrieval.carry`)."""

    weights: dict[str, float]  # carried tokens, each counting less than a question token
    chunks: frozenset[int]  # the chunks of the articles the previous answer cited
    boost: float = 1.0  # their extra weight in fusion, as one more ranked list


def search(
    index: NewsIndex,
    query_tokens: list[str],
    query_vector: np.ndarray | None,
    candidates: int,
    lexical_weight: float = 1.0,
    dense_weight: float = 1.0,
    context: Context | None = None,
) -> SearchResult:
    """With a follow-up's `context`, the chunks of the cited articles are scored too (BM25
    within them, the cosine of each), so they always compete with their true scores, and
    fusion ranks them higher."""
    weights = context.weights if context else {}
    tokens = query_tokens + list(weights)
    lexical_scores = dict(index.lexical.search(tokens, candidates, weights))
    cited = context.chunks if context else frozenset()
    if cited:
        within = index.lexical.search(tokens, candidates, weights, within=cited)
        lexical_scores.update(within)
    lexical = ordered(lexical_scores)
    if query_vector is None or index.dense is None:
        return SearchResult(fuse(lexical, [], 1.0, 0.0, context), "lexical", {}, lexical_scores)
    dense_scores = dict(index.dense.search(query_vector, candidates))
    if cited:
        ids = sorted(cited)
        cosines = (index.dense.vectors_of(ids) @ query_vector).tolist()
        dense_scores.update(zip(ids, cosines, strict=True))
    dense = ordered(dense_scores)
    mode = (
        "hybrid"
        if lexical_weight > 0 and dense_weight > 0
        else "dense"
        if dense_weight > 0
        else "lexical"
    )
    return SearchResult(
        fuse(lexical, dense, lexical_weight, dense_weight, context),
        mode,
        dense_scores if dense_weight > 0 else {},
        lexical_scores if lexical_weight > 0 else {},
    )


def ordered(scores: dict[int, float]) -> list[int]:
    """Chunk ids, best score first; ties keep the order each search returned them in."""
    return sorted(scores, key=lambda c: -scores[c])


def fuse(
    lexical: list[int],
    dense: list[int],
    lexical_weight: float,
    dense_weight: float,
    context: Context | None,
) -> list[Hit]:
    """The two sides' rankings fused (a side weighted 0 left out), a follow-up's cited chunks
    ranked higher: one rule for a search and for its cut to a period (`time_filter`)."""
    hits = reciprocal_rank_fusion(
        lexical if lexical_weight > 0 else [],
        dense if dense_weight > 0 else [],
        lexical_weight,
        dense_weight,
    )
    if context is None or not context.chunks:
        return hits
    return boost(hits, context.chunks, context.boost)

"""Hybrid retrieval: BM25 and FAISS each over-fetch candidates, reciprocal rank fusion merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.fusion import reciprocal_rank_fusion
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


def search(
    index: NewsIndex,
    query_tokens: list[str],
    query_vector: np.ndarray | None,
    candidates: int,
    lexical_weight: float = 1.0,
    dense_weight: float = 1.0,
) -> SearchResult:
    lexical_hits = index.lexical.search(query_tokens, candidates)
    lexical = [chunk_id for chunk_id, _ in lexical_hits]
    if query_vector is None or index.dense is None:
        return SearchResult(reciprocal_rank_fusion(lexical, []), "lexical", {}, dict(lexical_hits))
    dense_hits = index.dense.search(query_vector, candidates)
    dense = [chunk_id for chunk_id, _ in dense_hits]
    weights = (lexical_weight, dense_weight)
    mode = (
        "hybrid"
        if lexical_weight > 0 and dense_weight > 0
        else "dense"
        if dense_weight > 0
        else "lexical"
    )
    hits = reciprocal_rank_fusion(
        lexical if weights[0] > 0 else [], dense if weights[1] > 0 else [], *weights
    )
    return SearchResult(
        hits,
        mode,
        dict(dense_hits) if dense_weight > 0 else {},
        dict(lexical_hits) if lexical_weight > 0 else {},
    )

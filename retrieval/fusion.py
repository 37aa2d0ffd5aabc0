"""Reciprocal rank fusion: combine ranked lists without comparing their incomparable scores."""

from __future__ import annotations

from retrieval.types import Hit

RRF_K = 60  # the constant of Cormack et al. (2009); damps the head of each list


def reciprocal_rank_fusion(
    lexical: list[int],
    dense: list[int],
    lexical_weight: float = 1.0,
    dense_weight: float = 1.0,
    k: int = RRF_K,
) -> list[Hit]:
    """Fuse two rankings of chunk ids (best first) into hits sorted by weighted RRF score."""
    scores: dict[int, float] = {}
    lexical_rank: dict[int, int] = {}
    dense_rank: dict[int, int] = {}
    for rank, chunk_id in enumerate(lexical, start=1):
        lexical_rank.setdefault(chunk_id, rank)
    for rank, chunk_id in enumerate(dense, start=1):
        dense_rank.setdefault(chunk_id, rank)
    for chunk_id, rank in lexical_rank.items():
        scores[chunk_id] = scores.get(chunk_id, 0.0) + lexical_weight / (k + rank)
    for chunk_id, rank in dense_rank.items():
        scores[chunk_id] = scores.get(chunk_id, 0.0) + dense_weight / (k + rank)
    ordered = sorted(scores, key=lambda c: (-scores[c], c))
    return [Hit(c, scores[c], lexical_rank.get(c), dense_rank.get(c)) for c in ordered]


def boost(hits: list[Hit], chunks: frozenset[int], weight: float, k: int = RRF_K) -> list[Hit]:
    """`chunks` as one more ranked list (in their fused order) fused into `hits`: a follow-up's
    cited articles rank higher, by as much as a retriever that found them would lift them."""
    extra = {
        h.chunk_id: weight / (k + rank)
        for rank, h in enumerate((h for h in hits if h.chunk_id in chunks), start=1)
    }
    scored = [
        Hit(h.chunk_id, h.score + extra.get(h.chunk_id, 0.0), h.lexical_rank, h.dense_rank)
        for h in hits
    ]
    return sorted(scored, key=lambda h: (-h.score, h.chunk_id))

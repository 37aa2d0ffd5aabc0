"""A question about a period searches the chunks about that period.

News reports what happened around its date, and a passage may also name another date ("지난해
10월", "오는 2026년 6월"). So a chunk is *in* the period when its article is dated in it (read
from the chunk table, no record) or its own text names a date in it (written out, or relative
and grounded on its article's date); it is *outside* when its article is dated otherwise and
its text names no date in the period; an undated article's chunk that names none cannot be
told. The search over-fetches, and when some chunks are known to be in the period only they
are kept (an undated article is not quoted as 2024's news) before each side is cut back to its
usual number; otherwise (nothing dated, or nothing in the period) the period says nothing here
and the search is what it would have been. "1995년에 설립된 …" asked of 2024's news finds the
passage that names 1995.
"""

from __future__ import annotations

from retrieval.date_keys import UNDATED, overlaps
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.index import NewsIndex
from retrieval.question_time import Period, text_periods
from retrieval.search import SearchResult

OVERFETCH = 3  # a period's search fetches this many times the candidates, then narrows


def in_period(index: NewsIndex, chunk_id: int, period: Period) -> bool | None:
    """Whether the chunk is about `period`: True, False, or None when it cannot be told."""
    first, last = period
    key = index.table.date_of(chunk_id)
    if overlaps(key, first, last):
        return True
    chunk, stored = index.chunk_in_article(chunk_id)
    named = text_periods(chunk.text, stored.article.date)
    if any(a <= last and first <= b for a, b in named):
        return True
    return None if key == UNDATED else False


def narrowed(
    index: NewsIndex,
    wide: SearchResult,
    period: Period,
    candidates: int,
    lexical_weight: float = 1.0,
    dense_weight: float = 1.0,
) -> SearchResult | None:
    """`wide` (an over-fetched search) without the chunks outside `period`, each side cut to
    `candidates` and fused again; None when the period tells nothing apart here."""
    found = {*wide.lexical_scores, *wide.dense_scores}
    if all(index.table.date_of(c) == UNDATED for c in found):
        return None  # a corpus without dates: the period cannot tell chunks apart
    verdicts = {c: in_period(index, c, period) for c in found}
    if True not in verdicts.values():
        return None
    lexical = _best(wide.lexical_scores, verdicts, candidates)
    dense = _best(wide.dense_scores, verdicts, candidates)
    if wide.mode == "lexical":
        hits = reciprocal_rank_fusion(lexical, [])
    else:
        hits = reciprocal_rank_fusion(lexical, dense, lexical_weight, dense_weight)
    return SearchResult(
        hits,
        wide.mode,
        {c: wide.dense_scores[c] for c in dense},
        {c: wide.lexical_scores[c] for c in lexical},
    )


def _best(scores: dict[int, float], verdicts: dict[int, bool | None], k: int) -> list[int]:
    """The `k` best-scored chunks known to be in the period, best first."""
    kept = [c for c in scores if verdicts[c]]
    return sorted(kept, key=lambda c: -scores[c])[:k]

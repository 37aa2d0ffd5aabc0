"""A question about a period searches the chunks about that period.

News reports what happened around its date, and a passage may also name another date ("지난해
10월", "오는 2026년 6월"). So a chunk is *in* the period when its article is dated in it (read
from the chunk table) or its own text names a date in it (written out, or relative and grounded
on its article's date); it is *outside* when its article is dated otherwise and its text names
no date in the period. An undated article's chunk is never outside: its date is unknown, not
another one. The search over-fetches, drops the chunks known to be outside, and cuts each side
back to its usual number; "1995년에 설립된 …" asked of 2024's news finds the passage that names
1995. Records are read only for chunks dated outside the period that could still become
candidates (to read their text); chunks dated in it and undated ones cost no read.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.date_keys import UNDATED, overlaps
from retrieval.index import NewsIndex
from retrieval.question_time import Period, text_periods
from retrieval.search import Context, SearchResult, fuse, ordered

OVERFETCH = 3  # a period's search fetches this many times the candidates, then narrows


@dataclass(frozen=True)
class Narrowed:
    """A search cut to a period, and whether an article date places any chunk kept in it.
    A chunk kept for naming a date in the period writes that date itself; one kept for its
    article's date need not, and one kept undated is only not ruled out."""

    result: SearchResult
    confirmed: bool


def in_period(index: NewsIndex, chunk_id: int, period: Period) -> bool | None:
    """Whether the chunk is about `period`: True, False, or None for an undated article's
    chunk, which no date excludes (its text is not read). Only a chunk dated outside the
    period has its record read, to see whether its text names a date in it."""
    key = index.table.date_of(chunk_id)
    if key == UNDATED:
        return None
    first, last = period
    if overlaps(key, first, last):
        return True
    chunk, stored = index.chunk_in_article(chunk_id)
    named = text_periods(chunk.text, stored.article.date)
    return any(a <= last and first <= b for a, b in named)


def narrowed(
    index: NewsIndex,
    wide: SearchResult,
    period: Period,
    candidates: int,
    lexical_weight: float = 1.0,
    dense_weight: float = 1.0,
    context: Context | None = None,
) -> Narrowed | None:
    """`wide` (an over-fetched search) without the chunks known to be outside `period`, each
    side cut to `candidates` and fused again; None when no chunk that could be a candidate is
    known to be in the period or outside it (the period tells nothing apart here). A
    follow-up's `context` (the one `wide` was searched with): its cited chunks in the period
    compete beyond the cut and rank higher, as in `retrieval.search.search`."""
    if all(index.table.date_of(c) == UNDATED for c in {*wide.lexical_scores, *wide.dense_scores}):
        return None  # a corpus without dates: the period cannot tell chunks apart
    verdicts: dict[int, bool | None] = {}
    cited = context.chunks if context is not None else frozenset()
    lexical = _best(index, wide.lexical_scores, period, verdicts, candidates, cited)
    dense = _best(index, wide.dense_scores, period, verdicts, candidates, cited)
    if all(v is None for v in verdicts.values()):
        return None
    weights = (1.0, 0.0) if wide.mode == "lexical" else (lexical_weight, dense_weight)
    hits = fuse(lexical, dense, *weights, context)
    result = SearchResult(
        hits,
        wide.mode,
        {c: wide.dense_scores[c] for c in dense},
        {c: wide.lexical_scores[c] for c in lexical},
    )
    first, last = period
    dated_in = any(overlaps(index.table.date_of(h.chunk_id), first, last) for h in hits)
    return Narrowed(result, dated_in)


def _best(
    index: NewsIndex,
    scores: dict[int, float],
    period: Period,
    verdicts: dict[int, bool | None],
    k: int,
    cited: frozenset[int] = frozenset(),
) -> list[int]:
    """The `k` best-scored chunks not known to be outside the period, best first, and any
    `cited` chunk not outside it. Chunks are judged in score order and only while they could
    be kept, so no record is read for a chunk that could not become a candidate; `verdicts`
    is shared by both sides, so none is read twice."""
    kept: list[int] = []
    for chunk_id in ordered(scores):
        if len(kept) >= k and chunk_id not in cited:
            continue
        if chunk_id not in verdicts:
            verdicts[chunk_id] = in_period(index, chunk_id, period)
        if verdicts[chunk_id] is not False:
            kept.append(chunk_id)
    return kept

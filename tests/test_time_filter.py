"""The period filter of a search: what it keeps, and which records it reads to decide."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.date_keys import UNDATED, overlaps
from retrieval.index import NewsIndex
from retrieval.kiwi_analyser import analyze
from retrieval.search import search
from retrieval.terms import index_tokens
from retrieval.time_filter import OVERFETCH, narrowed

YEAR_2023 = (date(2023, 1, 1), date(2023, 12, 31))


@pytest.fixture
def index(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[NewsIndex, list[int]]:
    """The seeds' index, counting the chunks whose record is read."""
    opened = NewsIndex.open(seed_index)
    read: list[int] = []
    located = NewsIndex.chunk_in_article

    def counting(self: NewsIndex, chunk_id: int) -> object:
        read.append(chunk_id)
        return located(self, chunk_id)

    monkeypatch.setattr(NewsIndex, "chunk_in_article", counting)
    return opened, read


def test_only_chunks_dated_outside_that_could_be_candidates_are_read(index) -> None:
    index, read = index
    k = 3
    wide = search(index, index_tokens(analyze("광주 인공지능 기업 지원")), None, k * OVERFETCH)
    cut = narrowed(index, wide, YEAR_2023, k)
    assert cut is not None and read
    result = cut.result
    for chunk_id in read:  # dated outside 2023: in-period and undated chunks cost no read
        key = index.table.date_of(chunk_id)
        assert key != UNDATED and not overlaps(key, *YEAR_2023)
    kept = list(result.lexical_scores)
    assert len(kept) == k
    ranked = sorted(wide.lexical_scores, key=lambda c: -wide.lexical_scores[c])
    last = ranked.index(kept[-1])
    assert all(ranked.index(c) < last for c in read)  # none ranked below the last candidate
    undated = [c for c in ranked[: last + 1] if index.table.date_of(c) == UNDATED]
    assert set(undated) <= set(kept)  # unknown is not "outside": undated chunks stay

"""Sentences and chunks carry exact offsets into the cleaned body."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from retrieval.chunk import ChunkerSettings, chunk_sentences
from retrieval.ingest import read_articles
from retrieval.sentences import split_sentences
from retrieval.types import Span


@pytest.fixture(scope="module")
def articles():
    return read_articles(SEEDS)[0]


def test_sentences_are_exact_non_overlapping_spans(articles) -> None:
    for article in articles:
        spans = split_sentences(article.body)
        assert spans
        for previous, span in zip(spans, spans[1:], strict=False):
            assert previous.end <= span.start
        for span in spans:
            text = article.body[span.start : span.end]
            assert text == text.strip() and "\n" not in text
        # Every non-space character of the body is in some sentence.
        covered = sum(s.end - s.start for s in spans)
        assert covered >= len(article.body.replace("\n", "")) - 5 * len(spans)


def test_kiwi_splits_korean_sentences_inside_a_line() -> None:
    body = "광주시는 협약을 체결했다. 기업들은 협력하기로 했다.\n새 문단이다."
    texts = [body[s.start : s.end] for s in split_sentences(body)]
    assert texts == ["광주시는 협약을 체결했다.", "기업들은 협력하기로 했다.", "새 문단이다."]


def test_chunks_cover_all_sentences_with_overlap_and_size_limit(articles) -> None:
    settings = ChunkerSettings(max_chars=300, overlap_sentences=1)
    for article in articles:
        spans = split_sentences(article.body)
        chunks = chunk_sentences(spans, settings)
        assert chunks[0][0] == 0 and chunks[-1][1] == len(spans) - 1
        for (f1, l1), (f2, _) in zip(chunks, chunks[1:], strict=False):
            assert f2 > f1 and f2 <= l1 + 1  # moves forward, never skips a sentence
            if l1 > f1:
                assert f2 == l1  # one sentence of overlap
        for first, last in chunks:
            size = spans[last].end - spans[first].start
            assert size <= settings.max_chars or first == last


def test_long_single_sentence_is_its_own_chunk() -> None:
    spans = [Span(0, 10), Span(11, 900), Span(901, 920)]
    assert chunk_sentences(spans, ChunkerSettings(max_chars=100, overlap_sentences=1)) == [
        (0, 0),
        (1, 1),
        (2, 2),
    ]

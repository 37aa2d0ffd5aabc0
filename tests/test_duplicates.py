"""Near-duplicate articles are one story (MinHash signatures, pure)."""

from __future__ import annotations

from conftest import SEEDS
from retrieval.duplicates import copies_of, signature, similarity, stories
from retrieval.ingest import read_articles


def test_a_seed_copied_with_another_byline_is_one_story_and_the_seeds_are_not() -> None:
    articles, _ = read_articles(SEEDS)
    signatures = {a.id: signature(a.body) for a in articles}
    first = articles[0]
    lines = first.body.split("\n")
    copy = "[다른통신=홍길동 기자] " + "\n".join(lines[:-1])  # a byline added, a line dropped
    signatures["copy"] = signature(copy)
    story = stories(signatures)
    both = tuple(sorted(("copy", first.id)))
    assert story == {first.id: both, "copy": both}
    assert copies_of(first.id, story) == ["copy"] and copies_of(articles[1].id, story) == []


def test_two_reports_of_one_event_are_not_copies() -> None:
    articles, _ = read_articles(SEEDS)
    pairs = [
        similarity(signature(a.body), signature(b.body))
        for i, a in enumerate(articles)
        for b in articles[i + 1 :]
    ]
    assert max(pairs) < 0.4  # five outlets on Gwangju's AI industry, none a copy


def test_signatures_are_stable_and_sized() -> None:
    assert signature("광주시는 인공지능 계획을 밝혔다.") == signature(
        "광주시는  인공지능 계획을\n밝혔다."
    )
    assert len(signature("짧은 글")) == 64 and similarity((), ()) == 0.0

"""Near-duplicate articles are one story (MinHash signatures, pure)."""

from __future__ import annotations

import random

from conftest import SEEDS
from retrieval.duplicates import (
    NUM_PERM,
    THRESHOLD,
    regroup,
    signature,
    similarity,
    stories,
)
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
    assert story == {first.id: both, "copy": both}  # the other seeds are in no story


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


def near_copies(pairs: int, seed: int = 13) -> dict[str, tuple[int, ...]]:
    """`pairs` random signatures, each with a copy just at the threshold (the fewest equal
    positions that still count), the differing positions drawn at random."""
    rng = random.Random(seed)
    equal = next(k for k in range(NUM_PERM + 1) if k / NUM_PERM >= THRESHOLD)
    signatures = {}
    for n in range(pairs):
        values = [rng.getrandbits(32) for _ in range(NUM_PERM)]
        copy = list(values)
        for i in rng.sample(range(NUM_PERM), NUM_PERM - equal):
            copy[i] = rng.getrandbits(32)
        signatures[f"{n:02d}a"], signatures[f"{n:02d}b"] = tuple(values), tuple(copy)
    return signatures


def test_every_pair_at_the_threshold_is_one_story_in_a_full_build() -> None:
    signatures = near_copies(40)
    story = stories(signatures)
    assert all(
        similarity(signatures[f"{n:02d}a"], signatures[f"{n:02d}b"]) >= THRESHOLD for n in range(40)
    )
    assert {story.get(f"{n:02d}a") for n in range(40)} == {
        (f"{n:02d}a", f"{n:02d}b") for n in range(40)
    }


def test_a_full_build_and_an_update_make_the_same_stories() -> None:
    signatures = near_copies(40, seed=7)
    full = sorted(set(stories(signatures).values()))
    firsts = {a: v for a, v in signatures.items() if a.endswith("a")}
    before = sorted(set(stories(firsts).values()))
    seconds = [a for a in signatures if a.endswith("b")]
    assert regroup(before, signatures, seconds) == full  # the copies indexed later
    assert regroup([], signatures, list(signatures)) == full  # everything fresh at once

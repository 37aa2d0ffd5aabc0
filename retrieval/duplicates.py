"""Near-duplicate articles: the same wire story in several outlets, or a page scraped twice.

Each article's body gets a MinHash signature (datasketch) of its character shingles once, at
index time; signatures are small (NUM_PERM numbers) and kept with the index, so finding the
copies of a new article needs no other body. Articles whose estimated Jaccard similarity is at
least THRESHOLD are one story: an answer quotes one of them and names the others.

A full build groups everything with datasketch's LSH (`stories`); an update keeps the groups it
had and only compares what changed (`regroup`): each new article against every signature (one
vectorised comparison, linear in the corpus), and a group that lost a member is split again
where the rest no longer hold together. Both must find every pair at or above THRESHOLD, or a
story would depend on the order its copies were indexed in: the LSH bands are chosen so that
no such pair can miss them all (`_bands`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 64  # signature length: Jaccard estimates within about ±0.06 (1/sqrt(64) * 0.5)
SHINGLE = 5  # characters: long enough that two unrelated Korean texts share few
# Copies of one story differ by a byline, a caption or an edited sentence (Jaccard of shingles
# 0.9 and up); the five seeds, five outlets on one subject, share at most 0.11.
THRESHOLD = 0.7
SCHEME = "affine32"  # datasketch's hashing scheme, named so stored signatures stay comparable
_SPACE = re.compile(r"\s+")


@cache
def _permutations() -> Any:
    """The permutations of the default seed, drawn once (datasketch draws them per MinHash)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def _frozen(values: Sequence[int]) -> MinHash:
    """A stored signature as datasketch's read-only MinHash (no permutations drawn)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=1, hashvalues=list(values), scheme=SCHEME)


def signature(body: str) -> tuple[int, ...]:
    """The MinHash of `body`'s character shingles, whitespace collapsed."""
    from datasketch import MinHash

    text = _SPACE.sub(" ", body).strip()
    shingles = {text[i : i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return tuple(int(v) for v in minhash.hashvalues)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal positions."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def _bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """LSH bands and rows per band that make every pair with `similarity >= threshold` a
    candidate. Such a pair differs in at most `num_perm - need` positions; with more bands than
    that, one band is equal in full. (datasketch's own choice for 0.7 is 8 bands of 8 rows,
    which misses many pairs just above the threshold.)"""
    need = math.ceil(threshold * num_perm)
    while need > 0 and (need - 1) / num_perm >= threshold:  # rounding: as `similarity` counts
        need -= 1
    rows = max(1, num_perm // (num_perm - need + 1))
    return num_perm // rows, rows


def stories(
    signatures: Mapping[str, Sequence[int]], threshold: float = THRESHOLD
) -> dict[str, tuple[str, ...]]:
    """For each article that has copies, all the articles of its story (itself included), in id
    order. Candidates come from datasketch's LSH (banded to miss no pair at the threshold), and
    each pair is confirmed on its signatures (LSH also admits pairs below it)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(num_perm=NUM_PERM, params=_bands(threshold))
    hashes = {}
    for article_id, values in signatures.items():
        hashes[article_id] = _frozen(values)
        lsh.insert(article_id, hashes[article_id])
    parent = {article_id: article_id for article_id in signatures}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for article_id, minhash in hashes.items():
        for other in lsh.query(minhash):
            if (
                other != article_id
                and similarity(signatures[article_id], signatures[other]) >= threshold
            ):
                a, b = root(article_id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for article_id in sorted(signatures):
        groups.setdefault(root(article_id), []).append(article_id)
    return {a: tuple(members) for members in groups.values() if len(members) > 1 for a in members}


def copies_of(article_id: str, story: Mapping[str, Iterable[str]]) -> list[str]:
    """The other articles of `article_id`'s story (none when it has no copies)."""
    return [a for a in story.get(article_id, ()) if a != article_id]


def regroup(
    before: Iterable[Sequence[str]],
    signatures: Mapping[str, Sequence[int]],
    fresh: Iterable[str],
    threshold: float = THRESHOLD,
) -> list[tuple[str, ...]]:
    """The stories after an update, each in id order (only those of two or more). `before`:
    the previous stories; `signatures`: every article now, kept and `fresh` (new or changed).
    A previous story keeps its unchanged members; where one left, the rest are grouped again
    on their own signatures. Fresh articles are grouped among themselves (LSH), and each is
    compared with every kept one."""
    import numpy as np

    fresh = [a for a in fresh if a in signatures]
    new = set(fresh)
    parent = {article_id: article_id for article_id in signatures}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for story in before:
        members = [a for a in story if a in signatures and a not in new]
        if len(members) == len(story):
            groups: Iterable[Sequence[str]] = [members]
        else:  # a member left: do the others still hold together?
            groups = stories({a: signatures[a] for a in members}, threshold).values()
        for group in groups:
            for other in group[1:]:
                join(group[0], other)
    for group in stories({a: signatures[a] for a in fresh}, threshold).values():
        for other in group[1:]:
            join(group[0], other)
    kept = [a for a in signatures if a not in new]
    if fresh and kept:
        table = np.array([signatures[a] for a in kept], dtype=np.uint32)
        for article_id in fresh:
            row = np.array(signatures[article_id], dtype=np.uint32)
            shares = (table == row).mean(axis=1)
            for i in np.flatnonzero(shares >= threshold):
                join(article_id, kept[int(i)])
    grouped: dict[str, list[str]] = {}
    for article_id in sorted(signatures):
        grouped.setdefault(root(article_id), []).append(article_id)
    return sorted(tuple(g) for g in grouped.values() if len(g) > 1)

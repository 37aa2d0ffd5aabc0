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


class _Joined:
    """Articles joined into stories, pair by pair (union-find; each story's root is its
    smallest id), shared by a full grouping and an update's."""

    def __init__(self, article_ids: Iterable[str]) -> None:
        self._parent = {a: a for a in article_ids}

    def _root(self, x: str) -> str:
        while self._parent[x] != x:
            self._parent[x] = self._parent[self._parent[x]]
            x = self._parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[tuple[str, ...]]:
        """The stories of two or more articles, each in id order, sorted."""
        grouped: dict[str, list[str]] = {}
        for article_id in sorted(self._parent):
            grouped.setdefault(self._root(article_id), []).append(article_id)
        return sorted(tuple(g) for g in grouped.values() if len(g) > 1)


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
    joined = _Joined(signatures)
    for article_id, minhash in hashes.items():
        for other in lsh.query(minhash):
            if (
                other != article_id
                and similarity(signatures[article_id], signatures[other]) >= threshold
            ):
                joined.join(article_id, other)
    return {a: members for members in joined.groups() for a in members}


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
    joined = _Joined(signatures)
    for story in before:
        members = [a for a in story if a in signatures and a not in new]
        if len(members) == len(story):
            groups: Iterable[Sequence[str]] = [members]
        else:  # a member left: do the others still hold together?
            groups = stories({a: signatures[a] for a in members}, threshold).values()
        for group in groups:
            for other in group[1:]:
                joined.join(group[0], other)
    for group in stories({a: signatures[a] for a in fresh}, threshold).values():
        for other in group[1:]:
            joined.join(group[0], other)
    kept = [a for a in signatures if a not in new]
    if fresh and kept:
        table = np.array([signatures[a] for a in kept], dtype=np.uint32)
        for article_id in fresh:
            row = np.array(signatures[article_id], dtype=np.uint32)
            shares = (table == row).mean(axis=1)
            for i in np.flatnonzero(shares >= threshold):
                joined.join(article_id, kept[int(i)])
    return joined.groups()

"""Near-duplicate articles: the same wire story in several outlets, or a page scraped twice.

Each article's body gets a MinHash signature (datasketch) of its character shingles once, at
index time; signatures are small (NUM_PERM numbers) and kept with the article, so finding the
copies of a new article needs no other body. Articles whose estimated Jaccard similarity is at
least THRESHOLD are one story: an answer quotes one of them and names the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

NUM_PERM = 64  # signature length: Jaccard estimates within about ±0.06 (1/sqrt(64) * 0.5)
SHINGLE = 5  # characters: long enough that two unrelated Korean texts share few
# Copies of one story differ by a byline, a caption or an edited sentence (Jaccard of shingles
# 0.9 and up); the five seeds, five outlets on one subject, share at most 0.11.
THRESHOLD = 0.7
SCHEME = "affine32"  # datasketch's hashing scheme, named so stored signatures stay comparable
_SPACE = re.compile(r"\s+")


def signature(body: str) -> tuple[int, ...]:
    """The MinHash of `body`'s character shingles, whitespace collapsed."""
    from datasketch import MinHash

    text = _SPACE.sub(" ", body).strip()
    shingles = {text[i : i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return tuple(int(v) for v in minhash.hashvalues)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal positions."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def stories(
    signatures: Mapping[str, Sequence[int]], threshold: float = THRESHOLD
) -> dict[str, tuple[str, ...]]:
    """For each article that has copies, all the articles of its story (itself included), in id
    order. Candidates come from datasketch's LSH, and each pair is confirmed on its signatures
    (LSH alone admits some pairs below the threshold)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes = {}
    for article_id, values in signatures.items():
        hashes[article_id] = MinHash(num_perm=NUM_PERM, hashvalues=list(values), scheme=SCHEME)
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

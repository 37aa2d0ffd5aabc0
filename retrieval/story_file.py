"""The index's near-duplicate stories on disk: every article's signature, and the groups.

`signatures.bin` holds each article's MinHash (`retrieval.duplicates`), NUM_PERM little-endian
uint32 a row, in catalog order: what an update compares new articles with, so no old body is
read again. `stories.json` lists the groups of two or more articles, each member with what an
answer names it by (title, outlet, date, link), so answering reads neither the catalog nor
another record to say "같은 기사: 연합뉴스 · 2024-03-07". Both are written by every update.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from retrieval.catalog import Entry
from retrieval.duplicates import NUM_PERM
from retrieval.types import SameStory

SIGNATURES = "signatures.bin"
STORIES = "stories.json"
ROW = NUM_PERM * 4  # bytes per article


def write_signatures(
    folder: Path, order: Sequence[str], signatures: Mapping[str, Sequence[int]]
) -> None:
    import numpy as np

    table = np.array([signatures[i] for i in order], dtype="<u4").reshape(-1, NUM_PERM)
    (folder / SIGNATURES).write_bytes(table.tobytes())


def read_signatures(path: Path, order: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """The signatures of the articles `order` names (catalog order); ValueError when the file
    does not hold one row each."""
    import numpy as np

    data = path.read_bytes()
    if len(data) != ROW * len(order):
        raise ValueError(f"{SIGNATURES} holds {len(data)} bytes for {len(order)} articles")
    table = np.frombuffer(data, dtype="<u4").reshape(-1, NUM_PERM)
    return {
        article_id: tuple(int(v) for v in row) for article_id, row in zip(order, table, strict=True)
    }


def write_stories(
    folder: Path, groups: Iterable[Sequence[str]], entries: Mapping[str, Entry]
) -> None:
    stories = [[_member(entries[i]).to_dict() for i in group] for group in groups]
    text = json.dumps({"stories": stories}, ensure_ascii=False, separators=(",", ":"))
    (folder / STORIES).write_text(text, encoding="utf-8")


def read_stories(path: Path) -> dict[str, tuple[SameStory, ...]]:
    """Each grouped article's story, itself included; ValueError, KeyError or TypeError when
    the file is damaged."""
    data = json.loads(path.read_text(encoding="utf-8"))
    story_of: dict[str, tuple[SameStory, ...]] = {}
    for group in data["stories"]:
        members = tuple(SameStory.from_dict(m) for m in group)
        for member in members:
            story_of[member.article_id] = members
    return story_of


def groups_of(story_of: Mapping[str, tuple[SameStory, ...]]) -> list[tuple[str, ...]]:
    """The stories as groups of ids (what `duplicates.regroup` starts from)."""
    return list(dict.fromkeys(tuple(m.article_id for m in s) for s in story_of.values()))


def _member(entry: Entry) -> SameStory:
    return SameStory(entry.id, entry.title, entry.outlet, entry.date, entry.url)

"""The catalog: where each article's record is, which files were read, and segment merging.

`catalog.json` is rewritten in full by every update: per article its content hash (an unchanged
article is not analysed again), segment and byte range, what a listing of the articles shows
(title, outlet, date, author, link: `newsqa list` reads no record), and per source file what it
held when last read (an unchanged file is not read again). Segments are merged smallest-first when there
are too many of them, or when most of a segment's records have been replaced, so their number
stays bounded and the merging cost per article stays logarithmic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from retrieval.types import SourceFile

CATALOG = "catalog.json"
MAX_SEGMENTS = 8
MERGE_FACTOR = 4  # segments merged at once when there are too many
MAX_DEAD_SHARE = 0.5  # a segment mostly made of replaced records is rewritten


class Entry(NamedTuple):
    """What an update, a search and a listing need to know about an article without reading
    it (a named tuple: a catalog holds one per article and is read on every update)."""

    id: str
    content_hash: str
    segment: str
    offset: int
    length: int
    title: str = ""
    outlet: str | None = None
    date: str | None = None  # as the article's: "YYYY-MM-DD" or "YYYY-MM"
    author: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Catalog:
    """An index's articles (where each record is) and the source files they were read from."""

    entries: dict[str, Entry]  # in corpus order
    segments: dict[str, int]  # segment name -> records written to it (live or not)
    sources: dict[str, SourceFile] = field(default_factory=dict)  # files read, by name

    def live(self) -> dict[str, int]:
        counts = dict.fromkeys(self.segments, 0)
        for entry in self.entries.values():
            counts[entry.segment] += 1
        return counts


def to_merge(catalog: Catalog) -> set[str]:
    """Segments to rewrite now: mostly-dead ones, and the smallest ones while there are too many."""
    live = catalog.live()
    chosen = {
        name
        for name, written in catalog.segments.items()
        if live[name] < written * (1 - MAX_DEAD_SHARE)
    }
    remaining = sorted((n for n in live if n not in chosen), key=lambda n: live[n])
    if len(remaining) + (1 if chosen else 0) > MAX_SEGMENTS:
        chosen.update(remaining[:MERGE_FACTOR])
    return chosen


def plan_segments(
    kept: dict[str, Entry], segments: dict[str, int]
) -> tuple[dict[str, int], set[str]]:
    """What an update does with the previous generation's segments, keeping the records
    `kept`: those carried over as they are (name -> records written), and those to merge
    (their kept records rewritten into the new segment). Segments with no kept record go."""
    catalog = Catalog(kept, segments)
    merge = to_merge(catalog)
    live = catalog.live()
    carried = {n: written for n, written in segments.items() if n not in merge and live[n]}
    return carried, {n for n in merge if live[n]}


COLUMNS = ("ids", "hashes", "segment_of", "offsets", "lengths")
LISTED = ("titles", "outlets", "dates", "authors", "urls")  # Entry's fields after `length`


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Articles as columns (one list per Entry field): rewritten on every update, so it is
    kept to what json encodes and decodes fastest."""
    entries = list(catalog.entries.values())
    segment_number = {name: i for i, name in enumerate(catalog.segments)}
    data = {
        "segments": list(catalog.segments.items()),
        "sources": {
            name: [s.fingerprint, s.article_ids, s.skipped, s.stat, s.context]
            for name, s in catalog.sources.items()
        },
        **dict(
            zip(
                COLUMNS,
                (
                    [e.id for e in entries],
                    [e.content_hash for e in entries],
                    [segment_number[e.segment] for e in entries],
                    [e.offset for e in entries],
                    [e.length for e in entries],
                ),
                strict=True,
            )
        ),
        **{name: [e[len(COLUMNS) + i] for e in entries] for i, name in enumerate(LISTED)},
    }
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_catalog(path: Path) -> Catalog:
    """The catalog at `path`; ValueError, KeyError or TypeError when it is damaged."""
    data = json.loads(path.read_text(encoding="utf-8"))
    segments = {str(name): int(written) for name, written in data["segments"]}
    names = list(segments)
    if any(not 0 <= i < len(names) for i in data["segment_of"]):
        raise ValueError("catalog names a segment it does not list")
    ids, hashes, segment_of, offsets, lengths = (data[c] for c in COLUMNS)
    listed = (data[c] for c in LISTED)
    segment = [names[i] for i in segment_of]
    rows = zip(ids, hashes, segment, offsets, lengths, *listed, strict=True)
    entries = {row[0]: row for row in map(Entry._make, rows)}
    sources = {
        str(name): SourceFile(
            fingerprint=str(fingerprint),
            article_ids=tuple(article_ids),
            skipped=tuple((str(w), str(r)) for w, r in bad),
            stat=tuple(stat) if stat else None,
            context=str(context),
        )
        for name, (fingerprint, article_ids, bad, stat, context) in data["sources"].items()
    }
    return Catalog(entries, segments, sources)

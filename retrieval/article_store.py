"""Analysed articles on disk: append-only segment files and a catalog that points into them.

An update writes only its new and changed articles, as one new segment (a record a line: its
checksum, a tab, its JSON); the segments of earlier generations are carried over as hard
links, never rewritten, and the small catalog (`catalog.json`: per article its content hash,
segment, byte range and chunk ids) is rewritten in full, with the chunk table derived from it
(`retrieval.chunk_table`). Answering a question reads just the few articles it quotes, by byte
range, and checks each record against its own checksum first: a quote is never taken from a
damaged record. Segments are merged smallest-first when there are too many of them, or when
most of a segment's records have been replaced, so their number stays bounded and the
merging cost per article stays logarithmic.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from retrieval.types import Article, SourceFile, Span

SEGMENTS_DIR = "articles"
CATALOG = "catalog.json"
MAX_SEGMENTS = 8
MERGE_FACTOR = 4  # segments merged at once when there are too many
MAX_DEAD_SHARE = 0.5  # a segment mostly made of replaced records is rewritten


@dataclass(frozen=True)
class StoredArticle:
    """An article with what was derived from it, so unchanged articles are never re-analysed."""

    article: Article
    content_hash: str
    sentences: tuple[Span, ...]
    sentence_tokens: tuple[tuple[str, ...], ...]
    # Per sentence, the Kiwi tags of its leading content tokens, space-separated ("NNP NNG SN"):
    # whether a sentence holds the kind of thing a question asks for (a name, a number).
    sentence_tags: tuple[str, ...]
    title_tokens: tuple[str, ...]  # the headline names the topic its sentences often leave implicit
    chunks: tuple[tuple[int, int, int], ...]  # (chunk id, first sentence, last sentence)


def chunk_tokens(stored: StoredArticle, first: int, last: int) -> list[str]:
    """What BM25 indexes for a chunk: the title's tokens, then those of sentences `first`..`last`
    (a paragraph about "그" is found by the name in its headline)."""
    return [
        *stored.title_tokens,
        *(t for tokens in stored.sentence_tokens[first : last + 1] for t in tokens),
    ]


class Entry(NamedTuple):
    """What an update and a search need to know about an article without reading it (a named
    tuple: a catalog holds one per article and is read on every update)."""

    id: str
    content_hash: str
    segment: str
    offset: int
    length: int
    chunks: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Catalog:
    entries: dict[str, Entry]  # in corpus order
    segments: dict[str, int]  # segment name -> records written to it (live or not)
    sources: dict[str, SourceFile] = field(default_factory=dict)  # files read, by name

    def live(self) -> dict[str, int]:
        counts = dict.fromkeys(self.segments, 0)
        for entry in self.entries.values():
            counts[entry.segment] += 1
        return counts


RECORD_SUM = 16  # hex digits of the BLAKE2b digest that starts each record
SEPARATOR = b"\t"


class DamagedRecord(ValueError):
    """A record whose bytes are not those written: it must not be quoted."""


def _record_sum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=RECORD_SUM // 2).hexdigest().encode("ascii")


def encode(stored: StoredArticle) -> bytes:
    """One line: the checksum of the record's JSON, a tab, the JSON (written once, verified
    on every read, so a flipped bit shows before a quote carries it)."""
    record = {
        **asdict(stored.article),
        "hash": stored.content_hash,
        "sentences": [[s.start, s.end] for s in stored.sentences],
        "tokens": [list(t) for t in stored.sentence_tokens],
        "tags": list(stored.sentence_tags),
        "title_tokens": list(stored.title_tokens),
        "chunks": [list(c) for c in stored.chunks],
    }
    payload = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return _record_sum(payload) + SEPARATOR + payload + b"\n"


def verified(data: bytes) -> bytes:
    """The JSON of the record `data`; DamagedRecord when it does not match its checksum."""
    digest, payload = data[:RECORD_SUM], data[RECORD_SUM + 1 : -1]
    framed = data[RECORD_SUM : RECORD_SUM + 1] == SEPARATOR and data.endswith(b"\n")
    if not framed or _record_sum(payload) != digest:
        raise DamagedRecord("record does not match its checksum")
    return payload


def decode(data: bytes) -> StoredArticle:
    """The record `data` (as `encode` wrote it); DamagedRecord when its bytes changed,
    ValueError, KeyError or TypeError when it cannot be read."""
    record: dict[str, Any] = json.loads(verified(data))
    article = Article(
        **{k: record.get(k) for k in ("id", "title", "body", "outlet", "date", "url")}
    )
    return StoredArticle(
        article=article,
        content_hash=record["hash"],
        sentences=tuple(Span(s, e) for s, e in record["sentences"]),
        sentence_tokens=tuple(tuple(t) for t in record["tokens"]),
        sentence_tags=tuple(str(t) for t in record["tags"]),
        title_tokens=tuple(str(t) for t in record["title_tokens"]),
        chunks=tuple((int(c), int(f), int(la)) for c, f, la in record["chunks"]),
    )


def new_segment_name() -> str:
    return f"seg-{uuid.uuid4().hex[:12]}.jsonl"


def write_segment(folder: Path, name: str, articles: Iterable[StoredArticle]) -> list[Entry]:
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    offset = 0
    with (folder / name).open("wb") as handle:
        for stored in articles:
            data = encode(stored)
            handle.write(data)
            entries.append(
                Entry(
                    stored.article.id, stored.content_hash, name, offset, len(data), stored.chunks
                )
            )
            offset += len(data)
    return entries


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


COLUMNS = ("ids", "hashes", "segment_of", "offsets", "lengths", "chunks")


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
                    [e.chunks for e in entries],
                ),
                strict=True,
            )
        ),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_catalog(path: Path) -> Catalog:
    """The catalog at `path`; ValueError, KeyError or TypeError when it is damaged."""
    data = json.loads(path.read_text(encoding="utf-8"))
    segments = {str(name): int(written) for name, written in data["segments"]}
    names = list(segments)
    if any(not 0 <= i < len(names) for i in data["segment_of"]):
        raise ValueError("catalog names a segment it does not list")
    ids, hashes, segment_of, offsets, lengths, chunks = (data[c] for c in COLUMNS)
    entries = {
        row[0]: row
        for row in map(
            Entry._make,
            zip(
                ids,
                hashes,
                [names[i] for i in segment_of],
                offsets,
                lengths,
                [tuple(map(tuple, c)) for c in chunks],
                strict=True,
            ),
        )
    }
    sources = {
        str(name): SourceFile(
            str(fingerprint),
            tuple(article_ids),
            tuple((str(w), str(r)) for w, r in bad),
            tuple(stat) if stat else None,
            str(context),
        )
        for name, (fingerprint, article_ids, bad, stat, context) in data["sources"].items()
    }
    return Catalog(entries, segments, sources)


class ArticleReader:
    """Reads single records by byte range. The segment files are opened once, up front: a
    generation collected while a long-running reader still uses it stays readable."""

    def __init__(self, folder: Path, segments: Iterable[str]) -> None:
        self._fds: dict[str, int] = {}
        try:
            for name in segments:
                self._fds[name] = os.open(folder / name, os.O_RDONLY)
        except OSError:
            self.close()
            raise

    def read(self, entry: Entry) -> StoredArticle:
        return self.read_at(entry.segment, entry.offset, entry.length)

    def read_at(self, segment: str, offset: int, length: int) -> StoredArticle:
        data = os.pread(self._fds[segment], length, offset)
        if len(data) != length:
            raise ValueError(f"segment {segment} is shorter than its catalog says")
        return decode(data)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def __del__(self) -> None:
        self.close()

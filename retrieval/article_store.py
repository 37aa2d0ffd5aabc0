"""Analysed articles on disk: append-only segment files of checksummed records, read by range.

An update writes only its new and changed articles, as one new segment (a record a line: its
checksum, a tab, its JSON); the segments of earlier generations are carried over as hard
links, never rewritten (`retrieval.catalog` says where each article's record is, and when
segments are merged). Which chunks a record holds is said by the chunk table alone
(`retrieval.chunk_table`). Answering a question reads just the few articles it quotes, by byte
range, and checks each record against its own checksum first: a quote is never taken from a
damaged record.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from retrieval.catalog import Entry
from retrieval.chunk_table import ChunkRef
from retrieval.errors import DamagedRecord, IndexCorrupt
from retrieval.types import Article, Chunk, Span

SEGMENTS_DIR = "articles"
READ_CACHE = 512  # parsed article records kept per open index


@dataclass(frozen=True, kw_only=True)
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


def chunk_of(stored: StoredArticle, ref: ChunkRef) -> Chunk:
    """The chunk `ref` of `stored`: its sentences' stretch of the body."""
    start, end = stored.sentences[ref.first].start, stored.sentences[ref.last].end
    return Chunk(
        id=ref.id,
        article_id=stored.article.id,
        start=start,
        end=end,
        first_sentence=ref.first,
        last_sentence=ref.last,
        text=stored.article.body[start:end],
    )


def chunk_tokens(stored: StoredArticle, first: int, last: int) -> list[str]:
    """What BM25 indexes for a chunk: the title's tokens, then those of sentences `first`..`last`
    (a paragraph about "그" is found by the name in its headline)."""
    return [
        *stored.title_tokens,
        *(t for tokens in stored.sentence_tokens[first : last + 1] for t in tokens),
    ]


class Record(NamedTuple):
    """A record as read: the article, and the checksum it starts with (which seals the chunk
    table's rows to it, `chunk_table.seal`)."""

    stored: StoredArticle
    checksum: bytes


class Written(NamedTuple):
    entry: Entry
    checksum: bytes


RECORD_SUM = 16  # hex digits of the BLAKE2b digest that starts each record
SEPARATOR = b"\t"


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
    }
    payload = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return _record_sum(payload) + SEPARATOR + payload + b"\n"


def checksum_of(data: bytes) -> bytes:
    return data[:RECORD_SUM]


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
        id=str(record["id"]),
        title=str(record["title"]),
        body=str(record["body"]),
        outlet=record.get("outlet"),
        date=record.get("date"),
        url=record.get("url"),
        author=record.get("author"),
    )
    return StoredArticle(
        article=article,
        content_hash=record["hash"],
        sentences=tuple(Span(s, e) for s, e in record["sentences"]),
        sentence_tokens=tuple(tuple(t) for t in record["tokens"]),
        sentence_tags=tuple(str(t) for t in record["tags"]),
        title_tokens=tuple(str(t) for t in record["title_tokens"]),
    )


def new_segment_name() -> str:
    return f"seg-{uuid.uuid4().hex[:12]}.jsonl"


def write_segment(folder: Path, name: str, articles: Iterable[StoredArticle]) -> list[Written]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    offset = 0
    with (folder / name).open("wb") as handle:
        for stored in articles:
            data = encode(stored)
            handle.write(data)
            article = stored.article
            entry = Entry(
                article.id,
                stored.content_hash,
                name,
                offset,
                len(data),
                article.title,
                article.outlet,
                article.date,
                article.author,
                article.url,
            )
            written.append(Written(entry, checksum_of(data)))
            offset += len(data)
    return written


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

    def read_at(self, segment: str, offset: int, length: int) -> Record:
        """The record at `offset`; DamagedRecord, ValueError, KeyError or TypeError when it
        cannot be read as written."""
        data = os.pread(self._fds[segment], length, offset)
        if len(data) != length:
            raise ValueError(f"segment {segment} is shorter than its catalog says")
        return Record(decode(data), checksum_of(data))

    def checksum_at(self, segment: str, offset: int) -> bytes:
        """The checksum the record at `offset` starts with, without reading the record (a full
        check, whose checksums already vouch for the segment files)."""
        return os.pread(self._fds[segment], RECORD_SUM, offset)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def __del__(self) -> None:
        self.close()


class Records:
    """Article records read by location, the most recently used kept decoded (questions repeat);
    damage is an `IndexCorrupt` naming the record."""

    def __init__(self, reader: ArticleReader) -> None:
        self._reader = reader
        self.read = lru_cache(maxsize=READ_CACHE)(self._read)

    def _read(self, segment: str, offset: int, length: int) -> Record:
        where = f"{SEGMENTS_DIR}/{segment}의 {offset}바이트 위치에 있는 기록"
        try:
            return self._reader.read_at(segment, offset, length)
        except DamagedRecord as exc:
            raise IndexCorrupt(f"{where}이 체크섬과 맞지 않음") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorrupt(f"{where}을 읽을 수 없음") from exc

    def checksum_at(self, segment: str, offset: int) -> bytes:
        return self._reader.checksum_at(segment, offset)


class Articles(Mapping[str, StoredArticle]):
    """An index's articles by id, in corpus order, each read from its segment when first used."""

    def __init__(self, entries: Mapping[str, Entry], records: Records) -> None:
        self._entries = entries
        self._records = records

    def preload(self) -> int:
        """Read records ahead (as many as the cache holds), so a long-running server answers
        from memory; returns how many were read."""
        ids = list(self._entries)[:READ_CACHE]
        for article_id in ids:
            self[article_id]
        return len(ids)

    def __getitem__(self, article_id: str) -> StoredArticle:
        entry = self._entries[article_id]
        return self._records.read(entry.segment, entry.offset, entry.length).stored

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

"""Where each chunk lives: the one record of it, a flat binary table read without the catalog.

A question needs, for a few chunk ids, the article record that holds each (segment, byte range)
and the chunk's sentence span. This table is the only place that says so: the catalog knows
articles (hashes, records, source files), a record knows its sentences, and every chunk's row
is here, written on every commit. Opening it is one read, and a lookup is a binary search,
however large the corpus (parsing a JSON catalog is linear in it: 1.6 s of a cold `ask` at 100k
articles here).

`chunks.bin` is the columns one after another, little-endian int64: chunk id, segment number,
record offset, record length, first sentence, last sentence, check, and the article's date (a
`date_keys` key). `chunk_segments.json` names the segments in the order the segment numbers
count them. The check seals a row to the record it points at (`seal`): `ask` trusts the table's
size, not its checksum, so a damaged row must be caught by what it leads to, never quote other
sentences.

The date is here, with every chunk, because a question about a period ("2024년에 …") filters
the chunks the search found before any record is read, and this table is all a question opens
(the catalog, which has the dates too for listing, is parsed only by updates and listings).
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

from retrieval.date_keys import day_key

TABLE = "chunks.bin"
SEGMENT_NAMES = "chunk_segments.json"
COLUMNS = 8
DATE_COLUMN = 7
ITEM = 8  # bytes per int64


class ChunkRef(NamedTuple):
    """A chunk of an article: its id and its first and last sentence (inclusive)."""

    id: int
    first: int
    last: int


class Row(NamedTuple):
    """One chunk: the record that holds it (segment, byte range), its sentences, its seal, and
    its article's date key (`date_keys`; 0: undated)."""

    id: int
    segment: str
    offset: int
    length: int
    first: int
    last: int
    check: int
    date: int = 0

    @property
    def ref(self) -> ChunkRef:
        return ChunkRef(self.id, self.first, self.last)

    @property
    def record(self) -> tuple[str, int]:
        """The record's place, which names it within a generation."""
        return self.segment, self.offset


def seal(ref: ChunkRef, record_sum: bytes) -> int:
    """A row's check: the chunk's id and sentences bound to the checksum its record starts
    with. A row whose offset or segment moved reads another record (another checksum); one
    whose id or sentences changed no longer matches its own check."""
    digest = hashlib.blake2b(struct.pack("<3q", *ref) + record_sum, digest_size=ITEM).digest()
    return int.from_bytes(digest, "little", signed=True)


def sealed_row(
    ref: ChunkRef, segment: str, offset: int, length: int, record_sum: bytes, date: int = 0
) -> Row:
    """The row of chunk `ref` of the record at `offset` in `segment`, sealed to that record."""
    return Row(ref.id, segment, offset, length, ref.first, ref.last, seal(ref, record_sum), date)


class ChunkTable:
    def __init__(self, values: array[int], segments: list[str]) -> None:
        if values.typecode != "q" or len(values) % COLUMNS:
            raise ValueError("chunk table is not whole rows of int64")
        self._values = values
        self._n = len(values) // COLUMNS
        self._ids = memoryview(values)[: self._n]
        self.segments = segments

    @classmethod
    def build(cls, rows: Iterable[Row], segments: list[str]) -> ChunkTable:
        """The table of `rows` (in any order), their segments numbered as `segments` lists them."""
        return cls._of(_numbered(rows, segments), segments)

    @classmethod
    def _of(cls, flat: list[tuple[int, ...]], segments: list[str]) -> ChunkTable:
        flat.sort()
        values = array("q")
        for c in range(COLUMNS):
            values.extend(row[c] for row in flat)
        return cls(values, segments)

    def merged(self, keep: Iterable[range], rows: Iterable[Row], segments: list[str]) -> ChunkTable:
        """A new table: this one's rows in `keep` (row ranges, see `runs`) and `rows`, over
        `segments` (which must name the kept rows' segments); this one stays as it is. Kept
        rows are copied column by column: an update keeps most of a large table."""
        columns = [array("q") for _ in range(COLUMNS)]
        for span in _coalesced(keep):
            for c, column in enumerate(columns):
                column.frombytes(self._column(c)[span.start : span.stop].tobytes())
        number = {name: i for i, name in enumerate(segments)}
        renumber = [number.get(name, -1) for name in self.segments]
        columns[1] = array("q", [renumber[s] for s in columns[1]])
        if any(s < 0 for s in columns[1]):
            raise KeyError("a kept row's segment is not among the new table's")
        for row in _numbered(rows, segments):
            for c, column in enumerate(columns):
                column.append(row[c])
        ids = columns[0]
        if any(ids[i] >= ids[i + 1] for i in range(len(ids) - 1)):  # rewritten rows' old ids
            order = sorted(range(len(ids)), key=ids.__getitem__)
            columns = [array("q", map(column.__getitem__, order)) for column in columns]
        values = array("q")
        for column in columns:
            values.extend(column)
        return ChunkTable(values, segments)

    def validate(self) -> None:
        """Linear in size, so done where the whole index is verified (`newsqa check`, the bot's
        start), not by every one-shot `ask`; ValueError when the table is inconsistent."""
        if any(self._ids[i] >= self._ids[i + 1] for i in range(self._n - 1)):
            raise ValueError("chunk table ids are not strictly increasing")
        if any(not 0 <= s < len(self.segments) for s in self._column(1)):
            raise ValueError("chunk table names a segment it does not list")

    def _column(self, c: int) -> memoryview:
        return memoryview(self._values)[c * self._n : (c + 1) * self._n]

    def write(self, folder: Path) -> None:
        values = array("q", self._values)
        if sys.byteorder == "big":  # pragma: no cover - the file is little-endian everywhere
            values.byteswap()
        (folder / TABLE).write_bytes(values.tobytes())
        (folder / SEGMENT_NAMES).write_text(json.dumps(self.segments), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> ChunkTable:
        """The table in `folder`; ValueError or OSError when it is damaged or missing."""
        data = (folder / TABLE).read_bytes()
        if len(data) % (COLUMNS * ITEM):
            raise ValueError(f"{TABLE} is not whole rows")
        values = array("q")
        values.frombytes(data)
        if sys.byteorder == "big":  # pragma: no cover
            values.byteswap()
        segments = json.loads((folder / SEGMENT_NAMES).read_text(encoding="utf-8"))
        if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
            raise ValueError(f"{SEGMENT_NAMES} is not a list of names")
        return cls(values, segments)

    def __len__(self) -> int:
        return self._n

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ChunkTable)
            and self._values == other._values
            and self.segments == other.segments
        )

    def ids(self) -> set[int]:
        return set(self._ids)

    def spread(self, size: int) -> list[int]:
        """`size` ids (or all) evenly spread over the table, which is sorted by id."""
        if self._n <= size:
            return list(self._ids)
        return [self._ids[i * (self._n - 1) // (size - 1)] for i in range(size)]

    def highest_id(self) -> int:
        return self._ids[self._n - 1] if self._n else -1

    def locate(self, chunk_id: int) -> Row:
        """KeyError for an id the table does not hold; ValueError for a row naming no segment
        (a damaged table that `validate` was not asked to catch)."""
        i = bisect_left(self._ids, chunk_id)
        if i == self._n or self._ids[i] != chunk_id:
            raise KeyError(chunk_id)
        return self.row(i)

    def row(self, i: int) -> Row:
        """The `i`th row (in id order); ValueError when it names no segment."""
        _, segment, offset, length, first, last, check, date = (
            self._values[c * self._n + i] for c in range(COLUMNS)
        )
        if not 0 <= segment < len(self.segments):
            raise ValueError(f"row {i} names segment {segment}, which does not exist")
        return Row(self._ids[i], self.segments[segment], offset, length, first, last, check, date)

    def date_of(self, chunk_id: int) -> int:
        """The date key of the article holding `chunk_id` (0: undated or not in the table):
        one binary search, no record read."""
        i = bisect_left(self._ids, chunk_id)
        if i == self._n or self._ids[i] != chunk_id:
            return 0
        return self._values[DATE_COLUMN * self._n + i]

    def dated_within(self, first: date, last: date) -> int:
        """How many chunks belong to articles dated in [first, last] (a date of a month only,
        when that month overlaps it): what a question's period is, as a word, held by."""
        import numpy as np  # here: a question without a period never pays for the import

        keys = np.frombuffer(self._column(DATE_COLUMN), dtype=np.int64)
        exact = keys % 100 != 0
        day_first, day_last = day_key(first), day_key(last)
        month_first, month_last = day_key(first, exact=False), day_key(last, exact=False)
        by_day = exact & (keys >= day_first) & (keys <= day_last)
        by_month = ~exact & (keys > 0) & (keys >= month_first) & (keys <= month_last)
        return int(np.count_nonzero(by_day | by_month))

    def runs(self) -> dict[tuple[str, int], range]:
        """The rows of each record, by (segment, offset): an article's chunk ids are given in
        one run, so its rows are adjacent. ValueError when they are not, or name no segment."""
        found: dict[tuple[int, int], range] = {}
        start, key = 0, (-1, -1)
        for i, here in enumerate(zip(self._column(1), self._column(2), strict=True)):
            if here != key:
                if i and found.setdefault(key, range(start, i)).start != start:
                    raise ValueError(f"rows of the record at {key} are not adjacent")
                start, key = i, here
        if self._n and found.setdefault(key, range(start, self._n)).start != start:
            raise ValueError(f"rows of the record at {key} are not adjacent")
        if any(not 0 <= s < len(self.segments) for s, _ in found):
            raise ValueError("chunk table names a segment it does not list")
        return {(self.segments[s], offset): span for (s, offset), span in found.items()}

    def matches(
        self,
        lengths: Mapping[tuple[str, int], int],
        checksum_at: Callable[[str, int], bytes],
    ) -> bool:
        """Whether every row points at a record of `lengths` ((segment, offset) -> length) and
        is sealed to it (its checksum read once per record by `checksum_at`). Only for a table
        that `validate` accepted."""
        sums: dict[tuple[str, int], bytes] = {}
        columns = (self._column(c) for c in range(COLUMNS))
        for chunk_id, number, offset, length, first, last, check, _ in zip(*columns, strict=True):
            record = (self.segments[number], offset)
            if lengths.get(record) != length:
                return False
            if record not in sums:
                sums[record] = checksum_at(*record)
            if check != seal(ChunkRef(chunk_id, first, last), sums[record]):
                return False
        return True


def _numbered(rows: Iterable[Row], segments: list[str]) -> list[tuple[int, ...]]:
    """Rows as the table's int64 columns hold them: the segment by its number in `segments`."""
    number = {name: i for i, name in enumerate(segments)}
    return [
        (r.id, number[r.segment], r.offset, r.length, r.first, r.last, r.check, r.date)
        for r in rows
    ]


def _coalesced(spans: Iterable[range]) -> list[range]:
    """`spans` in order, adjacent ones joined (kept rows come in long stretches)."""
    joined: list[range] = []
    for span in sorted(spans, key=lambda r: r.start):
        if joined and joined[-1].stop == span.start:
            joined[-1] = range(joined[-1].start, span.stop)
        elif len(span):
            joined.append(span)
    return joined

"""Where each chunk lives, as a flat binary table a question can use without the catalog.

A question needs, for a few chunk ids, the article record that holds each (segment, byte range)
and the chunk's sentence span. The catalog knows that, but it is JSON with one entry per
article: parsing it is linear in the corpus (1.6 s of a cold `ask` at 100k articles here). This
table holds the same facts as six int64 columns sorted by chunk id, written next to the catalog
on every commit; opening it is one read, and a lookup is a binary search.

`chunks.bin` is the columns one after another, little-endian: chunk id, segment number,
record offset, record length, first sentence, last sentence. `chunk_segments.json` names the
segments in the order the segment numbers count them.
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

TABLE = "chunks.bin"
SEGMENT_NAMES = "chunk_segments.json"
COLUMNS = 6
ITEM = 8  # bytes per int64


class Location(NamedTuple):
    segment: str
    offset: int
    length: int
    first: int  # first sentence of the chunk
    last: int  # last sentence of the chunk


class ChunkTable:
    def __init__(self, values: array, segments: list[str]) -> None:
        if values.typecode != "q" or len(values) % COLUMNS:
            raise ValueError("chunk table is not whole rows of int64")
        self._values = values
        self._n = len(values) // COLUMNS
        self._ids = memoryview(values)[: self._n]
        self.segments = segments

    def validate(self) -> None:
        """Linear in size, so done where the whole index is verified (`newsqa check`, the bot's
        start), not by every one-shot `ask`; ValueError when the table is inconsistent."""
        if any(self._ids[i] >= self._ids[i + 1] for i in range(self._n - 1)):
            raise ValueError("chunk table ids are not strictly increasing")
        if any(not 0 <= s < len(self.segments) for s in self._column(1)):
            raise ValueError("chunk table names a segment it does not list")

    def _column(self, c: int) -> memoryview:
        return memoryview(self._values)[c * self._n : (c + 1) * self._n]

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[str, int, int, tuple[tuple[int, int, int], ...]]],
        segments: list[str],
    ) -> ChunkTable:
        """From (segment, offset, length, chunks) per article record, chunks being (chunk id,
        first sentence, last sentence)."""
        number = {name: i for i, name in enumerate(segments)}
        flat = sorted(
            (chunk_id, number[segment], offset, length, first, last)
            for segment, offset, length, chunks in rows
            for chunk_id, first, last in chunks
        )
        values = array("q")
        for c in range(COLUMNS):
            values.extend(row[c] for row in flat)
        return cls(values, segments)

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

    def locate(self, chunk_id: int) -> Location:
        """KeyError for an id the table does not hold; ValueError for a row naming no segment
        (a damaged table that `validate` was not asked to catch)."""
        i = bisect_left(self._ids, chunk_id)
        if i == self._n or self._ids[i] != chunk_id:
            raise KeyError(chunk_id)
        segment, offset, length, first, last = (
            self._values[c * self._n + i] for c in range(1, COLUMNS)
        )
        if not 0 <= segment < len(self.segments):
            raise ValueError(f"chunk {chunk_id} names segment {segment}, which does not exist")
        return Location(self.segments[segment], offset, length, first, last)

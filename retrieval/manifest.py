"""The manifest: what one committed generation holds and how it was made, as a typed record.

`manifest.json` is the commit point of an index folder (`retrieval.generations` writes it
atomically): settings the index was built with, counts, and the checksum and size of every
data file. This module only says what it holds and how it reads and writes as JSON; a
manifest that does not parse is a ValueError, KeyError or TypeError here, turned into an
index error where the file is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from retrieval.chunk import ChunkerSettings

FORMAT_VERSION = 7  # 2: article segments + catalog, tantivy; 3: catalog in columns;
# 4: sentence tags in article records, paragraph seams in bodies; 5: a checksum per record;
# 6: chunk locations in the chunk table only, each row sealed to its record; 7: authors in
# records, article dates in the chunk table, listing columns in the catalog, story groups
MANIFEST = "manifest.json"
LEXICAL = "tantivy"

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """One generation's description. `generation`, `files` and `sizes` are set by the commit
    (`generations.commit`); everything else by whoever wrote the data files."""

    model: str | None  # the model whose vectors the dense index holds; None: lexical only
    model_requested: str | None  # as the user named it (a path, a name): the next update's
    dim: int | None
    dense_index: Mapping[str, Any] | None  # `DenseIndex.describe()`; None: no vectors
    embedding_precision: str | None
    chunker: ChunkerSettings
    tokenizer: Mapping[str, Any]  # `terms.TOKENIZER_SETTINGS` when the index was built
    built_at: str
    articles: int
    chunks: int
    next_chunk_id: int  # the first chunk id never used: ids are never reused
    generation: str = ""
    files: Mapping[str, str] = field(default_factory=dict)  # path in the generation -> SHA-256
    sizes: Mapping[str, int] = field(default_factory=dict)  # path in the generation -> bytes

    @property
    def has_vectors(self) -> bool:
        return self.dense_index is not None

    def to_json(self) -> dict[str, Any]:
        """The on-disk layout (unchanged by the move to a typed record)."""
        return {
            "model": self.model,
            "model_requested": self.model_requested,
            "dim": self.dim,
            "dense": self.has_vectors,
            "dense_index": None if self.dense_index is None else dict(self.dense_index),
            "embedding_precision": self.embedding_precision,
            "lexical": LEXICAL,
            "chunker": self.chunker.as_dict(),
            "tokenizer": dict(self.tokenizer),
            "built_at": self.built_at,
            "articles": self.articles,
            "chunks": self.chunks,
            "next_chunk_id": self.next_chunk_id,
            "format_version": FORMAT_VERSION,
            "generation": self.generation,
            "files": dict(self.files),
            "sizes": dict(self.sizes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """ValueError, KeyError or TypeError when `data` is not a manifest of this format."""
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format version {data.get('format_version')!r}")
        dense = _optional(data, "dense_index", dict)
        if bool(data.get("dense")) != (dense is not None):
            raise ValueError("dense and dense_index disagree")
        chunker = _required(data, "chunker", dict)
        if ChunkerSettings(**chunker).as_dict() != chunker:  # every setting, as written
            raise ValueError(f"chunker {chunker}")
        return cls(
            model=_optional(data, "model", str),
            model_requested=_optional(data, "model_requested", str),
            dim=_optional(data, "dim", int),
            dense_index=dense,
            embedding_precision=_optional(data, "embedding_precision", str),
            chunker=ChunkerSettings(**chunker),
            tokenizer=_required(data, "tokenizer", dict),
            built_at=_required(data, "built_at", str),
            articles=_required(data, "articles", int),
            chunks=_required(data, "chunks", int),
            next_chunk_id=_required(data, "next_chunk_id", int),
            generation=_required(data, "generation", str),
            files=_table(data, "files", str),
            sizes=_table(data, "sizes", int),
        )


def _optional(data: Mapping[str, Any], key: str, kind: type[T]) -> T | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise TypeError(f"{key} is not {kind.__name__}")
    return value


def _required(data: Mapping[str, Any], key: str, kind: type[T]) -> T:
    value = _optional(data, key, kind)
    if value is None:
        raise KeyError(key)
    return value


def _table(data: Mapping[str, Any], key: str, kind: type[T]) -> dict[str, T]:
    """A JSON object of `kind` values by file name."""
    table: dict[str, Any] = _required(data, key, dict)
    if not all(isinstance(v, kind) and not isinstance(v, bool) for v in table.values()):
        raise TypeError(f"{key} holds a value that is not {kind.__name__}")
    return table

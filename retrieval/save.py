"""Writing an update as the next generation: articles, catalog, chunk table, tantivy, FAISS.

`save_index` writes what changed and carries everything else over from the generation the
update was built on, as hard links: one new article segment (new, changed and merged records),
one new tantivy segment, the chunks of changed and removed articles deleted from both the
lexical and the dense side. `retrieval.generations` commits it atomically. What it needs of the
previous generation is in the update (`Base`): it reads nothing through an open index.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import catalog, generations, lexical, terms
from retrieval.article_store import (
    SEGMENTS_DIR,
    StoredArticle,
    chunk_tokens,
    new_segment_name,
    write_segment,
)
from retrieval.catalog import CATALOG, Catalog, Entry
from retrieval.chunk import ChunkerSettings
from retrieval.chunk_table import ChunkRef, ChunkTable, Row, sealed_row
from retrieval.date_keys import date_key
from retrieval.index import DENSE_FILE, LEXICAL_DIR
from retrieval.manifest import Manifest
from retrieval.notices import Say
from retrieval.story_file import write_signatures, write_stories
from retrieval.types import SourceFile

if TYPE_CHECKING:  # numpy and faiss load only for indexes with vectors
    from retrieval.dense import DenseIndex


@dataclass(frozen=True)
class Analysed:
    """An article's record and its chunks, ready to be written."""

    stored: StoredArticle
    chunks: tuple[ChunkRef, ...]


@dataclass(frozen=True, kw_only=True)
class Base:
    """The generation an update builds on, as far as writing the next one needs it."""

    gen_dir: Path
    manifest: Manifest
    segments: Mapping[str, int]  # its article segments carried over as they are (-> written)
    table: ChunkTable  # its chunk table, which the next one keeps rows of


@dataclass(frozen=True, kw_only=True)
class IndexUpdate:
    """An update ready to be committed: what stays, what is written anew, what goes."""

    base: Base | None
    order: tuple[str, ...]  # article ids in corpus order
    linked: Mapping[str, Entry]  # kept records that stay where they are
    linked_rows: tuple[range, ...]  # their chunks' rows in the base's table, kept as they are
    rewritten: tuple[Analysed, ...]  # kept records whose segment is merged away
    fresh: tuple[Analysed, ...]  # new and changed articles
    stale_chunk_ids: tuple[int, ...]
    sources: Mapping[str, SourceFile]
    signatures: Mapping[str, tuple[int, ...]]  # every article's MinHash (`duplicates`)
    stories: tuple[tuple[str, ...], ...]  # near-duplicate groups of two or more
    chunker: ChunkerSettings
    model: str | None
    precision: str | None
    dense: DenseIndex | None
    next_chunk_id: int

    @property
    def chunk_count(self) -> int:
        written = sum(len(a.chunks) for a in (*self.rewritten, *self.fresh))
        return sum(len(r) for r in self.linked_rows) + written


def save_index(
    update: IndexUpdate,
    folder: Path,
    *,
    model_requested: str | None = None,
    notify: Say | None = None,
) -> tuple[Manifest, float]:
    """Commit `update` as a new generation of `folder`; returns the manifest and the seconds
    spent on the lexical side (the rest is writing). `notify` hears when the disk was too full
    and the kept previous generation was released (`generations.commit`)."""
    lexical_s = 0.0

    def write(gen: Path) -> None:
        nonlocal lexical_s
        mark = time.perf_counter()
        _write_lexical(update, gen)
        lexical_s = time.perf_counter() - mark
        written, rows = _write_articles(update, gen)
        catalog.write_catalog(gen / CATALOG, written)
        write_signatures(gen, update.order, update.signatures)
        write_stories(gen, update.stories, written.entries)
        _table(update, rows, list(written.segments)).write(gen)
        if update.dense is not None:
            update.dense.save(gen / DENSE_FILE)

    committed = generations.commit(folder, write, _manifest(update, model_requested), notify)
    return committed, lexical_s


def _manifest(update: IndexUpdate, model_requested: str | None) -> Manifest:
    dense = update.dense
    return Manifest(
        model=update.model,
        model_requested=model_requested,
        dim=dense.dim if dense is not None else None,
        dense_index=dense.describe() if dense is not None else None,
        embedding_precision=update.precision,
        chunker=update.chunker,
        tokenizer=terms.TOKENIZER_SETTINGS,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        articles=len(update.order),
        chunks=update.chunk_count,
        next_chunk_id=update.next_chunk_id,
    )


def _table(update: IndexUpdate, written: list[Row], segments: list[str]) -> ChunkTable:
    """The rows kept from the base's table and those of the records just written."""
    if update.base is None:
        return ChunkTable.build(written, segments)
    return update.base.table.merged(update.linked_rows, written, segments)


def _write_articles(update: IndexUpdate, gen: Path) -> tuple[Catalog, list[Row]]:
    """Carried segments linked; rewritten and fresh records as one new segment. Returns the
    new catalog and the rows of the records written."""
    folder = gen / SEGMENTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    segments: dict[str, int] = {}
    if update.base is not None:
        for name, written in update.base.segments.items():
            (folder / name).hardlink_to(update.base.gen_dir / SEGMENTS_DIR / name)
            segments[name] = written
    entries: dict[str, Entry] = dict(update.linked)
    rows: list[Row] = []
    pending = [*update.rewritten, *update.fresh]
    if pending:
        name = new_segment_name()
        records = write_segment(folder, name, [a.stored for a in pending])
        for (entry, checksum), analysed in zip(records, pending, strict=True):
            entries[entry.id] = entry
            date = date_key(analysed.stored.article.date)
            rows.extend(
                sealed_row(ref, name, entry.offset, entry.length, checksum, date)
                for ref in analysed.chunks
            )
        segments[name] = len(pending)
    order = {i: entries[i] for i in update.order}
    return Catalog(order, segments, dict(update.sources)), rows


def _write_lexical(update: IndexUpdate, gen: Path) -> None:
    """The base's tantivy index linked, the fresh chunks added and the stale ones deleted."""
    base = update.base
    if base is not None:
        lexical.link_tree(base.gen_dir / LEXICAL_DIR, gen / LEXICAL_DIR)
    added = (
        (ref.id, chunk_tokens(a.stored, ref.first, ref.last))
        for a in update.fresh
        for ref in a.chunks
    )
    lexical.write_changes(
        gen / LEXICAL_DIR, added, update.stale_chunk_ids, threads=1 if base is not None else 2
    )
    if base is not None:  # what tantivy rewrote must have been sound when it read it
        generations.verify_files(base.gen_dir, base.manifest, _rewritten_lexical_files(base, gen))


def _rewritten_lexical_files(base: Base, gen: Path) -> list[str]:
    """The base's tantivy files this update did not carry over as they were: merged into new
    segments, or copied and replaced (meta.json). tantivy read them to write their successors."""
    names = [n for n in base.manifest.files if n.startswith(f"{LEXICAL_DIR}/")]
    rewritten = []
    for name in (n for n in names if not n.endswith(".lock")):  # empty, and never linked
        try:
            linked = (gen / name).stat().st_ino == (base.gen_dir / name).stat().st_ino
        except FileNotFoundError:
            linked = False
        if not linked:
            rewritten.append(name)
    return rewritten

"""The read side of an index: one committed generation, opened for questions and lookups.

`NewsIndex.open` reads the manifest, the chunk table (`retrieval.chunk_table`), tantivy and
FAISS; the catalog is parsed only when an update, a full check or a listing of the articles
needs it, and article records are read only when a question quotes them. Changing an index is
`retrieval.update` (what changes) and `retrieval.save` (writing it as a new generation).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import article_store, generations, terms
from retrieval import catalog as catalog_file
from retrieval.article_store import (
    SEGMENTS_DIR,
    ArticleReader,
    Articles,
    Records,
    StoredArticle,
    chunk_of,
)
from retrieval.catalog import CATALOG, Catalog
from retrieval.chunk import ChunkerSettings
from retrieval.chunk_table import SEGMENT_NAMES, TABLE, ChunkRef, ChunkTable, Row, seal
from retrieval.errors import IndexCorrupt, IndexIncompatible
from retrieval.lexical import LexicalIndex
from retrieval.manifest import Manifest
from retrieval.story_file import SIGNATURES, STORIES, read_stories
from retrieval.types import Chunk, SameStory

if TYPE_CHECKING:  # numpy and faiss load only for indexes with vectors
    from retrieval.dense import DenseIndex

DENSE_FILE = "dense.faiss"
LEXICAL_DIR = "lexical"
__all__ = ["DENSE_FILE", "LEXICAL_DIR", "NewsIndex"]


class NewsIndex:
    """One committed generation, opened read-only.

    A question needs only the chunk table; the catalog (one entry per article) is parsed when
    something first asks for it: an update, `newsqa check`, a listing of the articles."""

    def __init__(
        self,
        *,
        index_dir: Path,
        manifest: Manifest,
        table: ChunkTable,
        lexical: LexicalIndex,
        dense: DenseIndex | None,
        reader: ArticleReader,
        verified: bool,
    ) -> None:
        self.index_dir = index_dir
        self.gen_dir = index_dir / manifest.generation
        self.manifest = manifest
        self.table = table
        self.lexical = lexical
        self.dense = dense
        self._records = Records(reader)
        self._verified = verified  # every file checked against its checksum when opened

    @classmethod
    def open(
        cls, index_dir: Path, *, chunker: ChunkerSettings | None = None, verify: bool = True
    ) -> NewsIndex:
        """The current generation of `index_dir`; `generations` errors when it is missing,
        damaged or was built with other settings than `chunker` (default: its own).

        `verify` checks every file's SHA-256, which reads the whole index; without it sizes and
        structure are checked, and the tantivy files' checksums (see `_check_lexical`)."""
        manifest = generations.read_manifest(index_dir)
        _check_compatible(manifest, chunker or manifest.chunker)
        gen = generations.generation_dir(index_dir, manifest, verify=verify)
        for name in (CATALOG, TABLE, SEGMENT_NAMES, SIGNATURES, STORIES):
            if name not in manifest.files:
                raise IndexCorrupt(f"manifest에 {name}이(가) 없음")
        if not verify:
            _check_lexical(gen, manifest)
        try:
            table = ChunkTable.read(gen)
            reader = ArticleReader(gen / SEGMENTS_DIR, table.segments)
            lexical = LexicalIndex(gen / LEXICAL_DIR)
            dense = _load_dense(gen, manifest)
        except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as exc:
            raise IndexCorrupt(f"{gen.name}의 데이터 파일을 읽을 수 없음") from exc
        index = cls(
            index_dir=index_dir,
            manifest=manifest,
            table=table,
            lexical=lexical,
            dense=dense,
            reader=reader,
            verified=verify,
        )
        index._check_counts()
        if verify:
            index._check_table()
        return index

    @property
    def chunker(self) -> ChunkerSettings:
        return self.manifest.chunker

    @property
    def model(self) -> str | None:
        """The model whose vectors `dense` holds; None for a lexical-only index."""
        return self.manifest.model

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @property
    def next_chunk_id(self) -> int:
        return self.manifest.next_chunk_id

    @property
    def chunk_count(self) -> int:
        return len(self.table)

    @property
    def has_vectors(self) -> bool:
        return self.dense is not None and self.model is not None

    def newer_generation(self) -> str | None:
        """The generation committed to this index's folder since this one, if any (None also
        when the manifest cannot be read now): the cue for a long-running reader to reopen."""
        current = generations.current_generation(self.index_dir)
        return current if current is not None and current != self.generation else None

    @cached_property
    def catalog(self) -> Catalog:
        if not self._verified:  # an update carries the catalog into its new generation
            self.verify_files(CATALOG)
        try:
            return catalog_file.read_catalog(self.gen_dir / CATALOG)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorrupt(f"{self.generation}의 {CATALOG}을(를) 읽을 수 없음") from exc

    @cached_property
    def stories(self) -> dict[str, tuple[SameStory, ...]]:
        """Each near-duplicate article's story, itself included (`retrieval.story_file`)."""
        if not self._verified:
            self.verify_files(STORIES)  # small, and what an answer names as the same article
        try:
            return read_stories(self.gen_dir / STORIES)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorrupt(f"{self.generation}의 {STORIES}을(를) 읽을 수 없음") from exc

    @cached_property
    def articles(self) -> Articles:
        return Articles(self.catalog.entries, self._records)

    @cached_property
    def _runs(self) -> dict[tuple[str, int], range]:
        try:
            return self.table.runs()
        except ValueError as exc:
            raise IndexCorrupt(f"{TABLE}의 청크 순서가 기사 기록과 맞지 않음") from exc

    def run_of(self, article_id: str) -> range:
        """Where the chunk table holds an article's chunks (row numbers, in chunk order)."""
        entry = self.catalog.entries[article_id]
        return self._runs.get((entry.segment, entry.offset), range(0))

    def rows_of(self, article_id: str) -> tuple[Row, ...]:
        return tuple(self.table.row(i) for i in self.run_of(article_id))

    def chunks_of(self, article_id: str) -> tuple[ChunkRef, ...]:
        return tuple(row.ref for row in self.rows_of(article_id))

    def preload(self) -> None:
        """Records read ahead, for long-running servers."""
        self.articles.preload()

    def chunk_ids(self) -> set[int]:
        return self.table.ids()

    def verify_files(self, *names: str) -> None:
        """Check files of this generation against their checksums (`generations.verify_files`)."""
        generations.verify_files(self.gen_dir, self.manifest, names)

    def _locate(self, chunk_id: int) -> tuple[StoredArticle, Row]:
        """The record holding `chunk_id`, checked against the row's seal: `ask` trusts the
        table's size, not its checksum, so a damaged table must not quote the wrong sentences."""
        try:
            row = self.table.locate(chunk_id)
        except (KeyError, ValueError) as exc:  # an id from tantivy or FAISS the table lacks
            raise IndexCorrupt(f"{TABLE}에서 청크 {chunk_id}을(를) 찾을 수 없음") from exc
        mismatch = f"{TABLE}의 청크 {chunk_id} 위치가 기사 기록과 맞지 않음"
        if not self._within_segment(row):  # read as asked, a damaged length asks for terabytes
            raise IndexCorrupt(mismatch)
        record = self._records.read(row.segment, row.offset, row.length)
        if row.check != seal(row.ref, record.checksum):
            raise IndexCorrupt(mismatch)
        return record.stored, row

    def _within_segment(self, row: Row) -> bool:
        """Whether the byte range lies inside its segment file (its size sealed in the manifest)."""
        size = self.manifest.sizes.get(f"{SEGMENTS_DIR}/{row.segment}")
        return size is not None and 0 <= row.offset and 0 < row.length <= size - row.offset

    def chunk_location(self, chunk_id: int) -> tuple[StoredArticle, int, int]:
        """The record holding `chunk_id`, with the chunk's first and last sentence."""
        stored, row = self._locate(chunk_id)
        return stored, row.first, row.last

    def article_of(self, chunk_id: int) -> StoredArticle:
        return self._locate(chunk_id)[0]

    def chunk_in_article(self, chunk_id: int) -> tuple[Chunk, StoredArticle]:
        """The chunk and the record it was cut from, located once."""
        stored, row = self._locate(chunk_id)
        return chunk_of(stored, row.ref), stored

    def chunk(self, chunk_id: int) -> Chunk:
        return self.chunk_in_article(chunk_id)[0]

    def chunk_tokens(self, chunk_id: int) -> list[str]:
        stored, row = self._locate(chunk_id)
        return article_store.chunk_tokens(stored, row.first, row.last)

    def _check_counts(self) -> None:
        """tantivy's documents and FAISS's vectors are the table's chunks, no more, no fewer."""
        if self.lexical.n_docs != self.chunk_count:
            raise IndexCorrupt(
                f"어휘 색인 문서 {self.lexical.n_docs}개가 청크 {self.chunk_count}개와 맞지 않음"
            )
        if self.dense is None:
            return
        try:
            vectors = self.dense.ids()
        except (ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"{self.generation}의 {DENSE_FILE}을(를) 읽을 수 없음") from exc
        if vectors != self.chunk_ids():
            raise IndexCorrupt(f"벡터 {len(vectors)}개가 청크 {self.chunk_count}개와 맞지 않음")

    def _check_table(self) -> None:
        """Every row points at a record of the catalog and is sealed to it (a full check: the
        checksums already vouch for the files, so a record's own checksum is read, not it)."""
        mismatch = IndexCorrupt(f"{TABLE}이(가) {CATALOG}과(와) 맞지 않음")
        try:
            self.table.validate()
        except ValueError as exc:
            raise mismatch from exc
        lengths = {(e.segment, e.offset): e.length for e in self.catalog.entries.values()}
        if self.table.segments != list(self.catalog.segments):
            raise mismatch
        if not self.table.matches(lengths, self._records.checksum_at):
            raise mismatch


def _check_compatible(manifest: Manifest, chunker: ChunkerSettings) -> None:
    if manifest.tokenizer != terms.TOKENIZER_SETTINGS:
        raise IndexIncompatible("형태소 분석 설정이 다른 색인")
    if manifest.chunker != chunker:
        raise IndexIncompatible(
            f"청크 설정이 다름: 색인은 {manifest.chunker.described()}, 지금은 {chunker.described()}"
        )


def _check_lexical(gen: Path, manifest: Manifest) -> None:
    """tantivy is native code: on damaged bytes it panics (printing Rust's panic text), returns
    garbage or crashes rather than raising, so its files are checked against their checksums
    before it opens them even where the rest of the index is checked by size only. They are a
    small share of an index (6% at 4.5k chunks), hashed while Kiwi loads in the background."""
    names = [n for n in manifest.files if n.startswith(f"{LEXICAL_DIR}/")]
    generations.verify_files(gen, manifest, names)


def _load_dense(gen: Path, manifest: Manifest) -> DenseIndex | None:
    if manifest.dense_index is None:
        return None
    from retrieval.dense import DenseIndex

    return DenseIndex.load(gen / DENSE_FILE, manifest.dense_index)

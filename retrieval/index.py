"""The searchable index: a catalog of articles, their analysed records, BM25 and (optionally) FAISS.

An update costs what changed. `update_index` compares content hashes with the catalog: only new
or changed articles are analysed and embedded; `save_index` writes them as one new article
segment and one new tantivy segment, deletes the chunks of changed and removed articles from
both the lexical and the dense side, and carries everything else over from the previous
generation as hard links (see `retrieval.generations`).

Opening an index for questions reads the chunk table (`retrieval.chunk_table`), opens tantivy
and loads FAISS; the catalog is parsed only when an update or a full check needs it, and
article records are read only when a question quotes them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval import article_store, generations, korean, lexical
from retrieval.article_store import (
    CATALOG,
    SEGMENTS_DIR,
    ArticleReader,
    Catalog,
    Entry,
    StoredArticle,
)
from retrieval.chunk import ChunkerSettings, chunk_sentences
from retrieval.chunk_table import TABLE, ChunkTable, Location
from retrieval.lexical import LexicalIndex
from retrieval.manifest import Manifest
from retrieval.types import Article, Chunk, SourceFile

if TYPE_CHECKING:  # numpy and faiss load only for indexes with vectors
    from retrieval.dense import DenseIndex
    from retrieval.embed import Embedder

DENSE_FILE = "dense.faiss"
LEXICAL_DIR = "lexical"
READ_CACHE = 512  # parsed article records kept per open index

__all__ = ["NewsIndex", "StoredArticle", "UpdateSummary", "load_index", "save_index"]


@dataclass(frozen=True)
class UpdateSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    took_s: float = 0.0
    # Seconds per stage, for benchmarks and -v logs; not part of the JSON summary: read (decode
    # and clean), load (the previous generation), analyse (Kiwi sentences and tokens), chunk,
    # embed, lexical (tantivy), write (segments, catalog, FAISS, checksums, commit).
    phases: dict[str, float] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("phases")
        data["took_s"] = round(self.took_s, 3)
        return data


def content_hash(article: Article, chunker: ChunkerSettings) -> str:
    payload = json.dumps(
        [asdict(article), chunker.as_dict(), korean.TOKENIZER_SETTINGS],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def embedding_text(article: Article, chunk_text: str) -> str:
    """The title gives a chunk the context its sentences often leave implicit."""
    return f"{article.title}\n{chunk_text}"


def chunk_of(stored: StoredArticle, chunk_id: int, first: int, last: int) -> Chunk:
    start, end = stored.sentences[first].start, stored.sentences[last].end
    body = stored.article.body
    return Chunk(chunk_id, stored.article.id, start, end, first, last, body[start:end])


class Records:
    """Article records read by location, the most recently used kept decoded (questions repeat)."""

    def __init__(self, reader: ArticleReader) -> None:
        self._reader = reader
        self.read = lru_cache(maxsize=READ_CACHE)(self._read)

    def _read(self, segment: str, offset: int, length: int) -> StoredArticle:
        where = f"{SEGMENTS_DIR}/{segment}의 {offset}바이트 위치에 있는 기록"
        try:
            return self._reader.read_at(segment, offset, length)
        except article_store.DamagedRecord as exc:
            raise generations.IndexCorrupt(f"{where}이 체크섬과 맞지 않음") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise generations.IndexCorrupt(f"{where}을 읽을 수 없음") from exc


class Articles(Mapping[str, StoredArticle]):
    """The index's articles by id, in corpus order, each read from its segment when first used."""

    def __init__(self, entries: dict[str, Entry], records: Records) -> None:
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
        return self._records.read(entry.segment, entry.offset, entry.length)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries


def table_of(catalog: Catalog) -> ChunkTable:
    return ChunkTable.build(
        ((e.segment, e.offset, e.length, e.chunks) for e in catalog.entries.values()),
        list(catalog.segments),
    )


class NewsIndex:
    """One committed generation, opened read-only for questions.

    A question needs only the chunk table; the catalog (one entry per article) is parsed when
    something first asks for it: an update, `newsqa check`, a listing of the articles."""

    def __init__(
        self,
        table: ChunkTable,
        load_catalog: Callable[[], Catalog],
        chunker: ChunkerSettings,
        model: str | None,
        dense: DenseIndex | None,
        next_chunk_id: int,
        lexical: LexicalIndex,
        manifest: Manifest,
        folder: Path,
        reader: ArticleReader,
    ) -> None:
        self.table = table
        self._load_catalog = load_catalog
        self.chunker = chunker
        self.model = model  # the model whose vectors `dense` holds; None for lexical-only
        self.dense = dense
        self.next_chunk_id = next_chunk_id
        self.lexical = lexical
        self.manifest = manifest
        self.folder = folder  # the generation directory
        self._records = Records(reader)
        self.chunk_count = len(table)

    @property
    def catalog(self) -> Catalog:
        return self._load_catalog()  # parsed on first use, then remembered by `load_index`

    @cached_property
    def articles(self) -> Articles:
        return Articles(self.catalog.entries, self._records)

    def preload(self) -> None:
        """Records read ahead, for long-running servers."""
        self.articles.preload()

    def chunk_ids(self) -> set[int]:
        return self.table.ids()

    def verify_files(self, *names: str) -> None:
        """Check files of this generation against their checksums (`generations.verify_files`)."""
        generations.verify_files(self.folder, self.manifest, names)

    def _locate(self, chunk_id: int) -> tuple[StoredArticle, Location]:
        """The record holding `chunk_id`, checked against the record's own chunk list: `ask`
        trusts the table's size, not its checksum, so a damaged table must not quote the wrong
        sentences."""
        try:
            where = self.table.locate(chunk_id)
        except (KeyError, ValueError) as exc:  # an id from tantivy or FAISS the table lacks
            raise generations.IndexCorrupt(
                f"{TABLE}에서 청크 {chunk_id}을(를) 찾을 수 없음"
            ) from exc
        if not self._within_segment(where):  # read as asked, a damaged length asks for terabytes
            raise generations.IndexCorrupt(
                f"{TABLE}의 청크 {chunk_id} 위치가 기사 기록과 맞지 않음"
            )
        stored = self._records.read(where.segment, where.offset, where.length)
        if (chunk_id, where.first, where.last) not in stored.chunks:
            raise generations.IndexCorrupt(
                f"{TABLE}의 청크 {chunk_id} 위치가 기사 기록과 맞지 않음"
            )
        return stored, where

    def _within_segment(self, where: Location) -> bool:
        """Whether the byte range lies inside its segment file (its size sealed in the manifest)."""
        size = self.manifest.sizes.get(f"{SEGMENTS_DIR}/{where.segment}")
        return size is not None and 0 <= where.offset and 0 < where.length <= size - where.offset

    def chunk_location(self, chunk_id: int) -> tuple[StoredArticle, int, int]:
        """The record holding `chunk_id`, with the chunk's first and last sentence."""
        stored, where = self._locate(chunk_id)
        return stored, where.first, where.last

    def article_of(self, chunk_id: int) -> StoredArticle:
        return self._locate(chunk_id)[0]

    def chunk_in_article(self, chunk_id: int) -> tuple[Chunk, StoredArticle]:
        """The chunk and the record it was cut from, located once."""
        stored, where = self._locate(chunk_id)
        return chunk_of(stored, chunk_id, where.first, where.last), stored

    def chunk(self, chunk_id: int) -> Chunk:
        return self.chunk_in_article(chunk_id)[0]

    def chunk_tokens(self, chunk_id: int) -> list[str]:
        stored, where = self._locate(chunk_id)
        return article_store.chunk_tokens(stored, where.first, where.last)

    @property
    def has_vectors(self) -> bool:
        return self.dense is not None and self.model is not None


@dataclass
class IndexUpdate:
    """An update ready to be committed: what stays, what is new, what goes."""

    base: NewsIndex | None
    order: list[str]  # article ids in corpus order
    kept: dict[str, Entry]
    fresh: dict[str, StoredArticle]
    stale_chunk_ids: list[int]
    sources: dict[str, SourceFile]
    chunker: ChunkerSettings
    model: str | None
    dense: DenseIndex | None
    next_chunk_id: int
    precision: str | None = None

    @property
    def chunk_count(self) -> int:
        return sum(len(e.chunks) for e in self.kept.values()) + sum(
            len(s.chunks) for s in self.fresh.values()
        )


def update_index(
    old: NewsIndex | None,
    articles: list[Article],
    embedder: Embedder | None,
    chunker: ChunkerSettings,
    unreadable: frozenset[str] = frozenset(),
    unchanged: list[str] | None = None,
    sources: dict[str, SourceFile] | None = None,
) -> tuple[IndexUpdate, UpdateSummary]:
    """Bring `old` (None: start empty) in line with `articles`, analysing and embedding only
    what changed. Articles in `unreadable` (their file exists but could not be read this time)
    keep their indexed copy instead of being treated as deleted; those in `unchanged` (their
    file was not read again, being the same) are kept as they are."""
    started = time.perf_counter()
    old_entries = old.catalog.entries if old else {}
    reuse_vectors = old is not None and old.has_vectors and embedder is not None
    next_id = old.next_chunk_id if old else 0

    same = [i for i in unchanged or [] if i in old_entries]
    incoming = {a.id for a in articles} | set(same)
    carried = [i for i in old_entries if i not in incoming and i in unreadable]
    removed = [i for i in old_entries if i not in incoming and i not in unreadable]
    stale_ids = [c[0] for i in removed for c in old_entries[i].chunks]

    kept: dict[str, Entry] = {i: old_entries[i] for i in [*same, *carried]}
    fresh_input: list[tuple[Article, str]] = []
    added = updated = 0
    for article in articles:
        digest = content_hash(article, chunker)
        previous = old_entries.get(article.id)
        if previous is not None and previous.content_hash == digest:
            kept[article.id] = previous
            continue
        if previous is not None:
            updated += 1
            stale_ids.extend(c[0] for c in previous.chunks)
        else:
            added += 1
        fresh_input.append((article, digest))

    if fresh_input and old is not None:  # new ids must not reuse live ones
        if next_id <= old.table.highest_id():
            raise generations.IndexCorrupt("manifest의 다음 청크 번호가 이미 쓰인 번호와 겹침")

    phases: dict[str, float] = {}
    mark = time.perf_counter()
    # Titles ride in the same batched Kiwi call as the bodies.
    parsed_all = korean.analyse_bodies(
        [a.body for a, _ in fresh_input] + [a.title for a, _ in fresh_input]
    )
    analysed, titles = parsed_all[: len(fresh_input)], parsed_all[len(fresh_input) :]
    phases["analyse"], mark = time.perf_counter() - mark, time.perf_counter()
    fresh: dict[str, StoredArticle] = {}
    for (article, digest), parsed, title in zip(fresh_input, analysed, titles, strict=True):
        sentences = tuple(s.span for s in parsed)
        spans = chunk_sentences(list(sentences), chunker)
        chunks = tuple((next_id + n, first, last) for n, (first, last) in enumerate(spans))
        next_id += len(chunks)
        tokens = tuple(tuple(s.tokens) for s in parsed)
        tags = tuple(" ".join(s.tags) for s in parsed)
        title_tokens = tuple(t for s in title for t in s.tokens)
        fresh[article.id] = StoredArticle(
            article, digest, sentences, tokens, tags, title_tokens, chunks
        )
    phases["chunk"], mark = time.perf_counter() - mark, time.perf_counter()

    # Vectors: keep the unchanged ones, drop the stale ones, embed the new ones. When the old
    # index had no vectors, every chunk is embedded now.
    dense: DenseIndex | None = None
    embedded = 0
    if embedder is not None:
        from retrieval.dense import DenseIndex

        if reuse_vectors and old is not None and old.dense is not None:
            old.verify_files(DENSE_FILE)  # carried into the new generation: must be as sealed
            dense = old.dense
            if dense.remove(stale_ids) != len(stale_ids):
                raise generations.IndexCorrupt("지울 벡터 일부가 색인에 없음")
            to_embed: list[StoredArticle] = list(fresh.values())
        else:
            dense = DenseIndex.empty(embedder.dim)
            to_embed = [fresh[i] if i in fresh else old.articles[i] for i in kept | fresh]  # type: ignore[union-attr]
        ids: list[int] = []
        texts: list[str] = []
        for stored in to_embed:
            for chunk_id, first, last in stored.chunks:
                ids.append(chunk_id)
                texts.append(
                    embedding_text(stored.article, chunk_of(stored, chunk_id, first, last).text)
                )
        dense.add(ids, embedder.embed_passages(texts))
        embedded = len(ids)
        dense = dense.fit()  # exact below APPROXIMATE_FROM vectors, IVF above
    phases["embed"] = time.perf_counter() - mark

    order = [*same, *(a.id for a in articles), *carried]
    update = IndexUpdate(
        old,
        order,
        kept,
        fresh,
        stale_ids,
        sources or {},
        chunker,
        embedder.name if embedder else None,
        dense,
        next_id,
        getattr(embedder, "precision", "fp32") if embedder else None,
    )
    summary = UpdateSummary(
        added=added,
        updated=updated,
        removed=len(removed),
        unchanged=len(same) + len(articles) - added - updated,
        chunks_embedded=embedded,
        chunks_total=update.chunk_count,
        took_s=time.perf_counter() - started,
        phases=phases,
    )
    return update, summary


# ---------------------------------------------------------------- persistence


def _write_articles(update: IndexUpdate, gen: Path) -> Catalog:
    """New articles as one new segment; unchanged segments linked; too many or mostly-dead
    segments merged. Returns the new catalog."""
    base = update.base
    folder = gen / SEGMENTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    segments: dict[str, int] = {}
    entries: dict[str, Entry] = dict(update.kept)
    if base is not None:
        live_catalog = Catalog(update.kept, base.catalog.segments)
        merge = article_store.to_merge(live_catalog)
        live = live_catalog.live()
        for name, written in base.catalog.segments.items():
            if name in merge or live[name] == 0:
                continue
            (folder / name).hardlink_to(base.folder / SEGMENTS_DIR / name)
            segments[name] = written
        rewritten = [base.articles[i] for i, e in update.kept.items() if e.segment in merge]
    else:
        rewritten = []
    pending = [*rewritten, *update.fresh.values()]
    if pending:
        name = article_store.new_segment_name()
        for entry in article_store.write_segment(folder, name, pending):
            entries[entry.id] = entry
        segments[name] = len(pending)
    return Catalog({i: entries[i] for i in update.order}, segments, update.sources)


def _rewritten_lexical_files(base: NewsIndex, gen: Path) -> list[str]:
    """The base's tantivy files this update did not carry over as they were: merged into new
    segments, or copied and replaced (meta.json). tantivy read them to write their successors."""
    names = [n for n in base.manifest.files if n.startswith(f"{LEXICAL_DIR}/")]
    rewritten = []
    for name in (n for n in names if not n.endswith(".lock")):  # empty, and never linked
        try:
            linked = (gen / name).stat().st_ino == (base.folder / name).stat().st_ino
        except FileNotFoundError:
            linked = False
        if not linked:
            rewritten.append(name)
    return rewritten


def save_index(
    update: IndexUpdate,
    folder: Path,
    model_requested: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> tuple[Manifest, float]:
    """Commit `update` as a new generation of `folder`; returns the manifest and the seconds
    spent on the lexical side (the rest is writing). `notify` hears, in a Korean line, when
    the disk was too full and the kept previous generation was released (`generations.commit`)."""
    lexical_s = 0.0

    def write(gen: Path) -> None:
        nonlocal lexical_s
        mark = time.perf_counter()
        base = update.base
        if base is not None:
            lexical.link_tree(base.folder / LEXICAL_DIR, gen / LEXICAL_DIR)
        added = (
            (chunk_id, article_store.chunk_tokens(stored, first, last))
            for stored in update.fresh.values()
            for chunk_id, first, last in stored.chunks
        )
        lexical.write_changes(
            gen / LEXICAL_DIR,
            added,
            update.stale_chunk_ids,
            threads=1 if base is not None else 2,
        )
        if base is not None:  # what tantivy rewrote must have been sound when it read it
            base.verify_files(*_rewritten_lexical_files(base, gen))
        lexical_s = time.perf_counter() - mark
        catalog = _write_articles(update, gen)
        article_store.write_catalog(gen / CATALOG, catalog)
        table_of(catalog).write(gen)
        if update.dense is not None:
            update.dense.save(gen / DENSE_FILE)

    manifest = Manifest(
        model=update.model,
        model_requested=model_requested,
        dim=update.dense.dim if update.dense is not None else None,
        dense_index=update.dense.describe() if update.dense is not None else None,
        embedding_precision=update.precision,
        chunker=update.chunker,
        tokenizer=korean.TOKENIZER_SETTINGS,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        articles=len(update.order),
        chunks=update.chunk_count,
        next_chunk_id=update.next_chunk_id,
    )
    committed = generations.commit(folder, write, manifest, notify)
    return committed, lexical_s


def check_compatible(manifest: Manifest, chunker: ChunkerSettings) -> None:
    if manifest.tokenizer != korean.TOKENIZER_SETTINGS:
        raise generations.IndexIncompatible("형태소 분석 설정이 다른 색인")
    if manifest.chunker != chunker:
        raise generations.IndexIncompatible(
            f"청크 설정이 다름: 색인 {manifest.chunker.as_dict()}, 현재 {chunker.as_dict()}"
        )


def _check_lexical(gen: Path, manifest: Manifest) -> None:
    """tantivy is native code: on damaged bytes it panics (printing Rust's panic text), returns
    garbage or crashes rather than raising, so its files are checked against their checksums
    before it opens them even where the rest of the index is checked by size only. They are a
    small share of an index (6% at 4.5k chunks), hashed while Kiwi loads in the background."""
    generations.verify_files(
        gen, manifest, [n for n in manifest.files if n.startswith(f"{LEXICAL_DIR}/")]
    )


def load_index(
    folder: Path, chunker: ChunkerSettings | None = None, verify: bool = True
) -> NewsIndex:
    """Open the current generation; refuse damaged or incompatible indexes with `generations`
    errors."""
    manifest = generations.read_manifest(folder)
    chunker = chunker or manifest.chunker
    check_compatible(manifest, chunker)
    gen = generations.generation_dir(folder, manifest, verify=verify)
    if not verify:
        _check_lexical(gen, manifest)
    if CATALOG not in manifest.files:
        raise generations.IndexCorrupt(f"manifest에 {CATALOG}이(가) 없음")

    @cache  # parsed once, whether for an index without a table or for an update
    def load_catalog() -> Catalog:
        if not verify:  # an update carries the catalog into its new generation
            generations.verify_files(gen, manifest, [CATALOG])
        try:
            return article_store.read_catalog(gen / CATALOG)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise generations.IndexCorrupt(f"{gen.name}의 {CATALOG}을(를) 읽을 수 없음") from exc

    try:
        # Indexes committed before the chunk table existed get one made from their catalog.
        table = ChunkTable.read(gen) if TABLE in manifest.files else table_of(load_catalog())
        if verify:
            table.validate()
        reader = ArticleReader(gen / SEGMENTS_DIR, table.segments)
        lexical_index = LexicalIndex(gen / LEXICAL_DIR)
        dense = None
        if manifest.dense_index is not None:
            from retrieval.dense import DenseIndex

            dense = DenseIndex.load(gen / DENSE_FILE, manifest.dense_index)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as exc:
        raise generations.IndexCorrupt(f"{gen.name}의 데이터 파일을 읽을 수 없음") from exc
    index = NewsIndex(
        table,
        load_catalog,
        chunker,
        manifest.model,
        dense,
        manifest.next_chunk_id,  # committed with the catalog, atomically
        lexical_index,
        manifest,
        gen,
        reader,
    )
    if lexical_index.n_docs != index.chunk_count:
        raise generations.IndexCorrupt(
            f"어휘 색인 문서 {lexical_index.n_docs}개가 청크 {index.chunk_count}개와 맞지 않음"
        )
    if dense is not None and dense.ids() != index.chunk_ids():
        raise generations.IndexCorrupt(
            f"벡터 {len(dense)}개가 청크 {index.chunk_count}개와 맞지 않음"
        )
    if verify and table_of(index.catalog) != table:
        raise generations.IndexCorrupt(f"{TABLE}이(가) {CATALOG}과(와) 맞지 않음")
    return index

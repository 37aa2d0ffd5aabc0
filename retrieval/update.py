"""What an update changes: a plan by content hash, the analysis of new articles, their vectors.

An update costs what changed. `update_index` compares content hashes with the catalog: only
new or changed articles are analysed and embedded. It reads the generation it builds on but
changes nothing it was given (the open index, its vectors): it returns an `IndexUpdate`, new
objects that `retrieval.save` writes as the next generation.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from retrieval import terms
from retrieval.article_store import StoredArticle, chunk_of
from retrieval.catalog import Entry, plan_segments
from retrieval.chunk import ChunkerSettings, chunk_sentences
from retrieval.chunk_table import SEGMENT_NAMES, TABLE, ChunkRef
from retrieval.duplicates import regroup, signature
from retrieval.errors import IndexCorrupt
from retrieval.index import DENSE_FILE, NewsIndex
from retrieval.save import Analysed, Base, IndexUpdate
from retrieval.sentences import analyse_bodies
from retrieval.story_file import SIGNATURES, groups_of, read_signatures
from retrieval.types import Article, SourceFile

if TYPE_CHECKING:  # numpy and faiss load only for indexes with vectors
    from retrieval.dense import DenseIndex
    from retrieval.embed import Embedder


@dataclass(frozen=True, kw_only=True)
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
    # stories (near-duplicate signatures and groups), embed, lexical (tantivy), write (segments,
    # catalog, FAISS, checksums, commit).
    phases: Mapping[str, float] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:  # read-only, as the rest: stages are added by `with_phases`
        object.__setattr__(self, "phases", MappingProxyType(dict(self.phases)))

    def with_phases(self, **seconds: float) -> UpdateSummary:
        return replace(self, phases={**self.phases, **seconds})

    def as_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "phases"}
        data["took_s"] = round(self.took_s, 3)
        return data


def content_hash(article: Article, chunker: ChunkerSettings) -> str:
    payload = json.dumps(
        [asdict(article), chunker.as_dict(), terms.TOKENIZER_SETTINGS],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def embedding_text(article: Article, chunk_text: str) -> str:
    """The title gives a chunk the context its sentences often leave implicit."""
    return f"{article.title}\n{chunk_text}"


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What an update does with each article, decided by ids and content hashes alone."""

    order: tuple[str, ...]  # article ids in the new corpus order
    kept: tuple[str, ...]  # indexed articles whose records carry over as they are
    fresh: tuple[tuple[Article, str], ...]  # to analyse, each with its content hash
    dropped: tuple[str, ...]  # indexed articles whose chunks go (removed or changed)
    added: int
    updated: int
    removed: int
    unchanged: int  # articles read again (or not, being the same) and found unchanged


def plan_update(
    indexed: Mapping[str, Entry],
    articles: Sequence[Article],
    chunker: ChunkerSettings,
    *,
    unreadable: frozenset[str] = frozenset(),
    unchanged: Sequence[str] = (),
) -> Plan:
    """Bring `indexed` in line with `articles`. Articles in `unreadable` (their file exists
    but could not be read this time) keep their indexed copy instead of being treated as
    deleted; those in `unchanged` (their file was not read again, being the same) are kept."""
    same = [i for i in unchanged if i in indexed]
    incoming = {a.id for a in articles} | set(same)
    carried = [i for i in indexed if i not in incoming and i in unreadable]
    removed = [i for i in indexed if i not in incoming and i not in unreadable]
    kept, fresh, changed = [*same, *carried], [], []
    for article in articles:
        digest = content_hash(article, chunker)
        previous = indexed.get(article.id)
        if previous is not None and previous.content_hash == digest:
            kept.append(article.id)
            continue
        if previous is not None:
            changed.append(article.id)
        fresh.append((article, digest))
    return Plan(
        order=(*same, *(a.id for a in articles), *carried),
        kept=tuple(kept),
        fresh=tuple(fresh),
        dropped=(*removed, *changed),
        added=len(fresh) - len(changed),
        updated=len(changed),
        removed=len(removed),
        unchanged=len(same) + len(articles) - len(fresh),
    )


def analyse(
    fresh: Sequence[tuple[Article, str]], chunker: ChunkerSettings, first_id: int
) -> tuple[list[Analysed], dict[str, float]]:
    """Sentences, tokens and chunks of `fresh`, chunk ids counted from `first_id`; with the
    seconds spent analysing (Kiwi) and chunking."""
    mark = time.perf_counter()
    # Titles ride in the same batched Kiwi call as the bodies.
    parsed = analyse_bodies([a.body for a, _ in fresh] + [a.title for a, _ in fresh])
    analysed_s = time.perf_counter() - mark
    done: list[Analysed] = []
    next_id = first_id
    bodies, titles = parsed[: len(fresh)], parsed[len(fresh) :]
    for (article, digest), body, title in zip(fresh, bodies, titles, strict=True):
        sentences = tuple(s.span for s in body)
        spans = chunk_sentences(list(sentences), chunker)
        stored = StoredArticle(
            article=article,
            content_hash=digest,
            sentences=sentences,
            sentence_tokens=tuple(tuple(s.tokens) for s in body),
            sentence_tags=tuple(" ".join(s.tags) for s in body),
            title_tokens=tuple(t for s in title for t in s.tokens),
        )
        chunks = tuple(ChunkRef(next_id + n, first, last) for n, (first, last) in enumerate(spans))
        next_id += len(chunks)
        done.append(Analysed(stored, chunks))
    chunked_s = time.perf_counter() - mark - analysed_s
    return done, {"analyse": analysed_s, "chunk": chunked_s}


@dataclass(frozen=True, kw_only=True)
class _Carried:
    base: Base | None
    linked: dict[str, Entry]
    rows: tuple[range, ...]
    rewritten: tuple[Analysed, ...]


def _carry(old: NewsIndex | None, kept: Sequence[str]) -> _Carried:
    """How the kept records reach the next generation: in their segment, linked with their
    rows as they are, or read to be rewritten where their segment is merged away."""
    if old is None:
        return _Carried(base=None, linked={}, rows=(), rewritten=())
    entries = {i: old.catalog.entries[i] for i in kept}
    segments, merge = plan_segments(entries, old.catalog.segments)
    linked = {i: e for i, e in entries.items() if e.segment not in merge}
    rewritten = tuple(
        Analysed(old.articles[i], old.chunks_of(i))
        for i, e in entries.items()
        if e.segment in merge
    )
    base = Base(gen_dir=old.gen_dir, manifest=old.manifest, segments=segments, table=old.table)
    rows = tuple(old.run_of(i) for i in linked)
    return _Carried(base=base, linked=linked, rows=rows, rewritten=rewritten)


def _vectors(
    old: NewsIndex | None,
    embedder: Embedder,
    carried: _Carried,
    fresh: Sequence[Analysed],
    stale: Sequence[int],
) -> tuple[DenseIndex, int]:
    """The next generation's vectors, and how many chunks were embedded: a copy of the old
    ones without the stale and with the fresh, or, when the old index had none, all."""
    from retrieval.dense import DenseIndex

    to_embed: Sequence[Analysed] = fresh
    if old is not None and old.has_vectors and old.dense is not None:
        old.verify_files(DENSE_FILE)  # carried into the new generation: must be as sealed
        dense = old.dense.copy()
        if dense.remove(list(stale)) != len(stale):
            raise IndexCorrupt("지울 벡터 일부가 색인에 없음")
    else:
        dense = DenseIndex.empty(embedder.dim)
        if old is not None:
            linked = [Analysed(old.articles[i], old.chunks_of(i)) for i in carried.linked]
            to_embed = [*linked, *carried.rewritten, *fresh]
    ids = [ref.id for a in to_embed for ref in a.chunks]
    texts = [
        embedding_text(a.stored.article, chunk_of(a.stored, ref).text)
        for a in to_embed
        for ref in a.chunks
    ]
    dense.add(ids, embedder.embed_passages(texts))
    return dense.fit(), len(ids)  # exact below APPROXIMATE_FROM vectors, IVF above


def _stories(
    old: NewsIndex | None, plan: Plan
) -> tuple[dict[str, tuple[int, ...]], list[tuple[str, ...]]]:
    """Every article's signature (the kept ones' carried over, read and verified, the fresh
    ones' computed) and the stories after this update (`duplicates.regroup`)."""
    previous: dict[str, tuple[int, ...]] = {}
    before: list[tuple[str, ...]] = []
    if old is not None:
        old.verify_files(SIGNATURES)  # carried into the new generation: as sealed (and
        # the stories, verified as `old.stories` reads them)
        try:
            previous = read_signatures(old.gen_dir / SIGNATURES, list(old.catalog.entries))
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"{old.generation}의 {SIGNATURES}을(를) 읽을 수 없음") from exc
        before = groups_of(old.stories)
    computed = {article.id: signature(article.body) for article, _ in plan.fresh}
    signatures = {i: computed[i] if i in computed else previous[i] for i in plan.order}
    return signatures, regroup(before, signatures, list(computed))


def update_index(
    old: NewsIndex | None,
    articles: Sequence[Article],
    embedder: Embedder | None,
    chunker: ChunkerSettings,
    *,
    unreadable: frozenset[str] = frozenset(),
    unchanged: Sequence[str] = (),
    sources: Mapping[str, SourceFile] | None = None,
) -> tuple[IndexUpdate, UpdateSummary]:
    """Bring `old` (None: start empty) in line with `articles`, analysing and embedding only
    what changed (see `plan_update` for `unreadable` and `unchanged`)."""
    started = time.perf_counter()
    if old is not None:  # its rows decide which chunks go and are carried into the next one
        old.verify_files(TABLE, SEGMENT_NAMES)
    indexed = old.catalog.entries if old else {}
    plan = plan_update(indexed, articles, chunker, unreadable=unreadable, unchanged=unchanged)
    first_id = old.next_chunk_id if old else 0
    if plan.fresh and old is not None and first_id <= old.table.highest_id():
        raise IndexCorrupt("manifest의 다음 청크 번호가 이미 쓰인 번호와 겹침")
    stale = tuple(row.id for i in plan.dropped for row in old.rows_of(i)) if old else ()
    fresh, phases = analyse(plan.fresh, chunker, first_id)
    mark = time.perf_counter()
    signatures, stories = _stories(old, plan)
    phases["stories"] = time.perf_counter() - mark
    carried = _carry(old, plan.kept)
    mark = time.perf_counter()
    dense, embedded = _vectors(old, embedder, carried, fresh, stale) if embedder else (None, 0)
    phases["embed"] = time.perf_counter() - mark
    update = IndexUpdate(
        base=carried.base,
        order=plan.order,
        linked=carried.linked,
        linked_rows=carried.rows,
        rewritten=carried.rewritten,
        fresh=tuple(fresh),
        stale_chunk_ids=stale,
        sources=dict(sources or {}),
        signatures=signatures,
        stories=tuple(stories),
        chunker=chunker,
        model=embedder.name if embedder else None,
        precision=getattr(embedder, "precision", "fp32") if embedder else None,
        dense=dense,
        next_chunk_id=first_id + sum(len(a.chunks) for a in fresh),
    )
    summary = UpdateSummary(
        added=plan.added,
        updated=plan.updated,
        removed=plan.removed,
        unchanged=plan.unchanged,
        chunks_embedded=embedded,
        chunks_total=update.chunk_count,
        took_s=time.perf_counter() - started,
        phases=phases,
    )
    return update, summary

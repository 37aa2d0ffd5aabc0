"""Building and opening an index: a first build, incremental updates, and waiting for another
writer, with what the user is told on the way."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import generations, locks
from retrieval.chunk import ChunkerSettings
from retrieval.config import Settings, is_default_index
from retrieval.embed import wants_model
from retrieval.errors import (
    ArticlesMissing,
    DiskFull,
    IndexMissing,
    ModelMismatch,
    NoIndex,
    StoreError,
    disk_full,
)
from retrieval.index import NewsIndex
from retrieval.manifest import MANIFEST
from retrieval.model_choice import ModelLoader, resolve_model
from retrieval.notices import (
    BuildingFirst,
    FileSkipped,
    KeptPrevious,
    Notice,
    Say,
    VectorsDropped,
    WaitingForWriter,
)
from retrieval.save import save_index
from retrieval.update import UpdateSummary, update_index

if TYPE_CHECKING:
    from retrieval.article_files import Skipped
    from retrieval.ingest import Corpus

log = logging.getLogger(__name__)


def to_log(notice: Notice) -> None:
    """Where a notice goes when the caller has no terminal (the bot: its log)."""
    log.warning("%s", notice)


@dataclass
class IndexReport:
    summary: UpdateSummary
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # for the user; the edges word them

    def told(self) -> list[Notice]:
        """Everything the user is told of this build: each file left out, then the notices."""
        return [*(FileSkipped(s.path, s.reason) for s in self.skipped), *self.notices]


def chunker_of(settings: Settings) -> ChunkerSettings:
    return ChunkerSettings(settings.chunk_chars, settings.chunk_overlap)


def build_index(
    settings: Settings,
    full: bool = False,
    load_model: ModelLoader | None = None,
    say: Say = to_log,
) -> IndexReport:
    """Read `settings.articles` and bring the index at `settings.index_dir` up to date."""
    report = _build(settings, full, load_model, say, if_missing=False)
    if report is None:  # pragma: no cover - only an `if_missing` build is skipped
        raise RuntimeError("build skipped")
    return report


def build_missing_index(
    settings: Settings, load_model: ModelLoader | None = None, say: Say = to_log
) -> IndexReport | None:
    """Build the first index at `settings.index_dir`, unless another run committed one while
    this waited for the writer lock: then that one is used as it is (None), never updated
    with these articles, which would delete everything else it holds."""
    return _build(settings, True, load_model, say, if_missing=True)


@contextmanager
def _disk_full_named(folder: Path) -> Iterator[None]:
    """A full disk is said as such, naming the index folder: the error's own file name is often
    one of the current generation's, which the failed write only linked or copied, and tantivy
    and FAISS say it in a ValueError's or RuntimeError's text."""
    try:
        yield
    except Exception as exc:
        if disk_full(exc):
            raise DiskFull(folder) from exc
        raise


def _has_index(folder: Path) -> bool:
    try:
        generations.read_manifest(folder)
    except IndexMissing:
        return False
    except StoreError:  # there, if damaged: loading it says so; never built over
        return True
    return True


def _build(
    settings: Settings, full: bool, load_model: ModelLoader | None, say: Say, if_missing: bool
) -> IndexReport | None:
    started = time.perf_counter()
    if not settings.articles.exists():
        raise ArticlesMissing.no_path(settings.articles)
    from retrieval.ingest import read_corpus  # YAML and the cleaners: not needed to answer

    chunker = chunker_of(settings)
    notices: list[Notice] = []
    folder = settings.index_dir
    with _disk_full_named(folder), locks.writer_lock(folder, lambda: say(WaitingForWriter(folder))):
        if if_missing:
            if _has_index(folder):  # made by the run this one waited for
                return None
            say(BuildingFirst(folder, settings.articles))
        mark = time.perf_counter()
        old: NewsIndex | None = None
        replaced = _replaced(folder) if full else None
        if not full:
            try:
                # Sizes here: the update verifies the checksums of what it reads and carries
                # forward (`retrieval.update`), not the whole index, so it costs what it reads.
                old = NewsIndex.open(settings.index_dir, chunker=chunker, verify=False)
            except IndexMissing:
                old = None
        load_s = time.perf_counter() - mark
        mark = time.perf_counter()
        corpus = read_corpus(settings.articles, old.catalog.sources if old else None)
        read_s = time.perf_counter() - mark
        if not corpus.order:
            raise ArticlesMissing(
                f"'{settings.articles}'에서 읽을 수 있는 기사가 하나도 없어 색인을 바꾸지 않았습니다",
                hint="기사 경로를 확인하세요.",
            )
        summary = _update_and_save(settings, old, corpus, load_model, notices, replaced)
        summary = summary.with_phases(read=read_s, load=load_s + summary.phases["load"])
        log.info("index phases (s): %s", {k: round(v, 3) for k, v in summary.phases.items()})
    skipped = corpus.skipped
    for item in skipped:
        if item.article_id and old is not None and item.article_id in old.articles:
            notices.append(KeptPrevious(item.article_id))
    # The whole run, not only the analysis: an unchanged corpus still reads, loads and writes.
    return IndexReport(replace(summary, took_s=time.perf_counter() - started), skipped, notices)


@dataclass(frozen=True)
class Replaced:
    """What an index a full rebuild replaces held, as far as its manifest can be read."""

    model: str | None  # whose vectors it held
    model_requested: str | None  # as the user named it
    has_vectors: bool


def _replaced(folder: Path) -> Replaced | None:
    """What the index in `folder` holds, read leniently from its manifest's JSON: a damaged or
    older manifest is what the rebuild repairs, and it must still know whether vectors are at
    stake (None: there is no index, or nothing of its manifest can be read)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    model, requested = data.get("model"), data.get("model_requested")
    model = model if isinstance(model, str) else None
    requested = requested if isinstance(requested, str) else None
    return Replaced(model, requested, bool(data.get("dense")) or model is not None)


def _update_and_save(
    settings: Settings,
    old: NewsIndex | None,
    corpus: Corpus,
    load_model: ModelLoader | None,
    notices: list[Notice],
    replaced: Replaced | None = None,
) -> UpdateSummary:
    """Embed what changed with the run's model and commit the new generation (under the
    caller's writer lock); the summary's phases hold the model load, lexical and write times.
    `replaced`: what the index a full rebuild replaces held. The rebuild keeps its model
    unless another is named, and never drops its vectors unless no model is asked for (a
    mistyped model path would otherwise turn a hybrid index lexical with one notice); dropped
    vectors are said."""
    unreadable = frozenset(s.article_id for s in corpus.skipped if s.article_id)
    mark = time.perf_counter()
    if replaced is not None and not settings.model and replaced.model_requested:
        settings = settings.with_overrides(model=replaced.model_requested)
    choice = resolve_model(settings, old, load_model, updating=True)
    notices.extend(choice.notices)
    before = replaced
    if old is not None:
        before = Replaced(old.model, old.manifest.model_requested, old.has_vectors)
    if choice.embedder is None and before is not None and before.has_vectors:
        if wants_model(choice.requested):
            raise ModelMismatch.rebuild_without_model(before.model, choice.requested)
        notices.append(VectorsDropped(before.model))
    load_s = time.perf_counter() - mark
    update, summary = update_index(
        old,
        corpus.articles,
        choice.embedder,
        chunker_of(settings),
        unreadable=unreadable,
        unchanged=corpus.unchanged,
        sources=corpus.sources,
    )
    mark = time.perf_counter()
    _, lexical_s = save_index(
        update, settings.index_dir, model_requested=choice.requested, notify=notices.append
    )
    write_s = time.perf_counter() - mark - lexical_s
    return summary.with_phases(load=load_s, lexical=lexical_s, write=write_s)


def open_index(
    settings: Settings,
    verify: bool = True,
    auto_build: bool = False,
    load_model: ModelLoader | None = None,
    say: Say = to_log,
) -> tuple[NewsIndex, list[Notice]]:
    """The index at `settings.index_dir`, with notices for the user. When there is none yet but
    another run is writing one, that run is waited for. With `auto_build`, a missing index at
    the default location is first built from `settings.articles`; anywhere else, or without
    articles, the user is told where none is and how to build one (nothing is created)."""
    folder, chunker = settings.index_dir, chunker_of(settings)
    try:
        return NewsIndex.open(folder, chunker=chunker, verify=verify), []
    except IndexMissing:
        pass
    notices: list[Notice] = []
    if auto_build and is_default_index(folder) and settings.articles.exists():
        report = build_missing_index(settings, load_model, say)
        if report is not None:
            notices.extend(report.told())
    else:
        locks.wait_for_writer(folder, lambda: say(WaitingForWriter(folder)))
    try:
        return NewsIndex.open(folder, chunker=chunker, verify=verify), notices
    except IndexMissing:
        raise NoIndex(folder, settings.articles if auto_build else None) from None

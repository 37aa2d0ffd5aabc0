"""The one pipeline the CLI and the Discord bot both call: build/update an index, ask questions."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import generations, kiwi_analyser, locks
from retrieval import policy as policies
from retrieval.answer import compose_answer
from retrieval.chunk import ChunkerSettings
from retrieval.config import Settings, is_default_index
from retrieval.embed import Embedder
from retrieval.errors import (
    ArticlesMissing,
    DiskFull,
    IndexMissing,
    NoIndex,
    QuestionError,
    StoreError,
    disk_full,
)
from retrieval.evidence import Evidence, EvidenceReader
from retrieval.index import NewsIndex
from retrieval.manifest import MANIFEST
from retrieval.model_choice import ModelLoader, resolve_model
from retrieval.policy import AnswerPolicy
from retrieval.save import save_index
from retrieval.types import Answer
from retrieval.update import UpdateSummary, update_index

if TYPE_CHECKING:
    from retrieval.ingest import Skipped

log = logging.getLogger(__name__)

Say = Callable[[str], None]  # tells the user something now, in one Korean line


def _logged(line: str) -> None:
    """Where a line for the user goes when the caller has no terminal (the bot: its log)."""
    log.warning("%s", line)


def waiting_notice(folder: Path) -> str:
    return f"다른 색인 작업이 '{folder}'에 쓰는 중이라 끝날 때까지 기다립니다."


def building_notice(settings: Settings) -> str:
    return (
        f"'{settings.index_dir}'에 색인이 없어 '{settings.articles}'의 기사로 먼저 만듭니다"
        "(처음 한 번만 기사 수에 따라 시간이 걸립니다)."
    )


@dataclass
class IndexReport:
    summary: UpdateSummary
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # one Korean line each, for the user


def chunker_of(settings: Settings) -> ChunkerSettings:
    return ChunkerSettings(settings.chunk_chars, settings.chunk_overlap)


def build_index(
    settings: Settings,
    full: bool = False,
    load_model: ModelLoader | None = None,
    say: Say = _logged,
) -> IndexReport:
    """Read `settings.articles` and bring the index at `settings.index_dir` up to date."""
    report = _build(settings, full, load_model, say, if_missing=False)
    if report is None:  # pragma: no cover - only an `if_missing` build is skipped
        raise RuntimeError("build skipped")
    return report


def build_missing_index(
    settings: Settings, load_model: ModelLoader | None = None, say: Say = _logged
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
        raise ArticlesMissing(
            f"기사 경로 '{settings.articles}'이(가) 없습니다",
            hint="--articles로 기사 폴더를 지정하세요.",
        )
    from retrieval.ingest import read_corpus  # YAML and the cleaners: not needed to answer

    chunker = chunker_of(settings)
    notices: list[str] = []
    folder = settings.index_dir
    with _disk_full_named(folder), locks.writer_lock(folder, lambda: say(waiting_notice(folder))):
        if if_missing:
            if _has_index(folder):  # made by the run this one waited for
                return None
            say(building_notice(settings))
        mark = time.perf_counter()
        old: NewsIndex | None = None
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
        skipped = corpus.skipped
        unreadable = frozenset(s.article_id for s in skipped if s.article_id)
        mark = time.perf_counter()
        choice = resolve_model(settings, old, load_model, updating=True)
        embedder = choice.embedder
        notices.extend(choice.notices)
        load_s += time.perf_counter() - mark
        update, summary = update_index(
            old,
            corpus.articles,
            embedder,
            chunker,
            unreadable=unreadable,
            unchanged=corpus.unchanged,
            sources=corpus.sources,
        )
        mark = time.perf_counter()
        _, lexical_s = save_index(
            update, settings.index_dir, model_requested=choice.requested, notify=notices.append
        )
        write_s = time.perf_counter() - mark - lexical_s
        summary = summary.with_phases(read=read_s, load=load_s, lexical=lexical_s, write=write_s)
        log.info("index phases (s): %s", {k: round(v, 3) for k, v in summary.phases.items()})
    for item in skipped:
        if item.article_id and old is not None and item.article_id in old.articles:
            notices.append(
                f"'{item.article_id}'은(는) 읽지 못해 이전에 색인한 내용을 그대로 둡니다."
            )
    # The whole run, not only the analysis: an unchanged corpus still reads, loads and writes.
    return IndexReport(replace(summary, took_s=time.perf_counter() - started), skipped, notices)


def open_index(
    settings: Settings,
    verify: bool = True,
    auto_build: bool = False,
    load_model: ModelLoader | None = None,
    say: Say = _logged,
) -> tuple[NewsIndex, list[str]]:
    """The index at `settings.index_dir`, with notices for the user. When there is none yet but
    another run is writing one, that run is waited for. With `auto_build`, a missing index at
    the default location is first built from `settings.articles`; anywhere else, or without
    articles, the user is told where none is and how to build one (nothing is created)."""
    folder, chunker = settings.index_dir, chunker_of(settings)
    try:
        return NewsIndex.open(folder, chunker=chunker, verify=verify), []
    except IndexMissing:
        pass
    notices: list[str] = []
    if auto_build and is_default_index(folder) and settings.articles.exists():
        report = build_missing_index(settings, load_model, say)
        if report is not None:
            notices.extend(report.notices)
            notices.extend(f"건너뜀: {s.path} — {s.reason}" for s in report.skipped)
    else:
        locks.wait_for_writer(folder, lambda: say(waiting_notice(folder)))
    try:
        return NewsIndex.open(folder, chunker=chunker, verify=verify), notices
    except IndexMissing:
        raise NoIndex(folder, settings.articles if auto_build else None) from None


class Pipeline:
    """A loaded index (and model, when the index has vectors) ready to answer questions."""

    def __init__(
        self,
        index: NewsIndex,
        embedder: Embedder | None,
        settings: Settings,
        notices: list[str] | None = None,
        index_dir: Path | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.notices = notices or []
        self.index_dir = index_dir or settings.index_dir
        policy, notice = policies.for_index(self.index_dir, index.model)
        if notice:
            self.notices.append(notice)
        self.policy: AnswerPolicy = policy.with_quotes(settings.top_k)
        self.reader = EvidenceReader(index)
        if embedder is not None and index.dense is not None:
            self.reader.background()  # now, not inside the first question

    @property
    def generation(self) -> str | None:
        return self.index.generation

    @classmethod
    def open(
        cls,
        settings: Settings,
        load_model: ModelLoader | None = None,
        auto_build: bool = False,
        verify: bool = True,
        say: Say = _logged,
    ) -> Pipeline:
        """`verify`: check every file's SHA-256, which reads the whole index; a one-shot `ask`
        checks sizes and structure only, so its start does not grow with the index.
        `auto_build`: see `open_index`."""
        if (settings.index_dir / MANIFEST).exists():  # else it fails or builds first
            kiwi_analyser.warm_up_in_background()  # Kiwi loads while the index opens
        index, notices = open_index(settings, verify, auto_build, load_model, say)
        warming = kiwi_analyser.warm_up_in_background()  # the same thread when already started
        choice = resolve_model(settings, index, load_model, updating=False)
        notices.extend(choice.notices)
        if index.dense is not None:
            from retrieval.dense import serve_single_queries

            serve_single_queries()
        warming.join()
        kiwi_analyser.warm_up()  # loaded now, not inside the first question's latency (or raises)
        return cls(index, choice.embedder, settings, notices)

    def check_question(self, question: str) -> str:
        text = kiwi_analyser.nfc(" ".join(question.split()))
        if not text:
            raise QuestionError("질문이 비어 있습니다", hint="궁금한 내용을 입력해 주세요.")
        if len(text) > self.settings.max_question_chars:
            raise QuestionError(
                f"질문이 너무 깁니다({len(text)}자)",
                hint=f"{self.settings.max_question_chars}자 이내로 줄여 주세요.",
            )
        return text

    def evidence(self, question: str, use_model: bool = True) -> Evidence:
        """What decides `question` (see `retrieval.evidence`); without `use_model`, what
        lexical mode would see."""
        return self._evidence(question, use_model)[0]

    def _evidence(self, question: str, use_model: bool) -> tuple[Evidence, float]:
        """The evidence, and the milliseconds spent encoding the question."""
        text = self.check_question(question)
        morphs = kiwi_analyser.analyze(text)
        vector, encode_ms = None, 0.0
        if use_model and self.embedder is not None:
            started = time.perf_counter()
            vector = self.embedder.embed_queries([text])[0]
            encode_ms = (time.perf_counter() - started) * 1000
        evidence = self.reader.gather(
            text,
            morphs,
            vector,
            self.policy,
            self.settings.candidates,
            self.settings.lexical_weight,
            self.settings.dense_weight,
        )
        return evidence, encode_ms

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        evidence, encode_ms = self._evidence(question, use_model=True)
        answer = compose_answer(evidence, self.policy)
        took = (time.perf_counter() - started) * 1000
        log.debug("question answered=%s mode=%s took_ms=%.1f", answer.answered, answer.mode, took)
        return replace(
            answer,
            took_ms=round(took, 2),
            encode_ms=round(encode_ms, 2),
            notices=tuple(self.notices),
        )

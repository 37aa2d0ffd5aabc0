"""The bot's engine room: answers questions off the event loop and keeps the index fresh.

No Discord here. Questions run on a small thread pool (bounded concurrency, a timeout, a bounded
queue); the index directory is polled for a new generation, which is loaded in a thread and
swapped in with one assignment, so a question in flight finishes on the index it started with.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.article_watch import ArticleWatch
from bot.config import BotSettings
from retrieval.config import Settings
from retrieval.date_keys import date_key
from retrieval.embed import Embedder
from retrieval.errors import QuestionError
from retrieval.index import NewsIndex
from retrieval.listing import Listed, list_articles
from retrieval.model_choice import ModelLoader, loader_for
from retrieval.pipeline import IndexReport, Pipeline, build_index
from retrieval.render import summary_text
from retrieval.types import Answer, FollowUp

log = logging.getLogger("newsqa.bot")
LISTINGS_KEPT = 16  # `/기사` listings (by query) kept for their generation's page buttons


class Busy(RuntimeError):
    """Too many questions are waiting; the user should retry later."""


@dataclass(frozen=True)
class CorpusFacts:
    """What the help message says about the open index."""

    generation: str | None
    articles: int
    newest_date: str | None  # "YYYY-MM-DD" or "YYYY-MM"; None when no article has a date


def corpus_facts(index: NewsIndex) -> CorpusFacts:
    """Count the articles and find the newest date, from the catalog (which lists every
    article's date; no record is read): parsing it takes a second at 100k articles, so call
    it off the event loop."""
    entries = index.catalog.entries.values()
    newest = max((e.date for e in entries if e.date), key=date_key, default=None)
    return CorpusFacts(index.manifest.generation, len(entries), newest)


class QAService:
    def __init__(
        self,
        settings: Settings,
        limits: BotSettings,
        load_model: ModelLoader | None = None,
    ) -> None:
        self.settings = settings
        self.limits = limits
        self._load_model = load_model or loader_for(settings)
        self._models: dict[str, Embedder] = {}
        self._models_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(limits.concurrency, thread_name_prefix="newsqa-ask")
        self._busy = 0
        self._reloading = asyncio.Lock()
        self._failed_generation: str | None = None
        self._reindexing = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None
        self._articles: ArticleWatch | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._facts: CorpusFacts | None = None
        self._facts_lock = asyncio.Lock()
        self._facts_task: asyncio.Task[CorpusFacts | None] | None = None
        self._listings: dict[tuple[str | None, str | None], list[Listed]] = {}
        self.pipeline: Pipeline | None = None

    def _cached_model(self, name: str) -> Embedder:
        """Reloading the index must not reload the model: it is kept while its name is the same."""
        with self._models_lock:
            if name not in self._models:
                self._models[name] = self._load_model(name)
            return self._models[name]

    def _open(self, auto_build: bool = False) -> Pipeline:
        pipeline = Pipeline.open(
            self.settings, load_model=self._cached_model, auto_build=auto_build
        )
        # Off the event loop, before the pipeline is swapped in: questions then read no files.
        pipeline.index.preload()
        return pipeline

    async def start(self) -> None:
        """Load (or first build) the index off the loop, then watch it for updates (and, with
        NEWSQA_BOT_WATCH, the articles folder)."""
        self._loop = asyncio.get_running_loop()
        self.pipeline = await asyncio.to_thread(self._open, True)
        for notice in self.pipeline.notices:
            log.warning("%s", notice)
        self._count_in_background()
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(), name="newsqa-index-watcher")
        if self.limits.watch and self._articles is None:
            self._articles = ArticleWatch(self.settings, self._cached_model, self._committed)
            self._articles.start()

    def _committed(self, report: IndexReport) -> None:
        """The article watch committed (on its thread): switch to it now, not at the next poll."""
        log.info("article watch: %s", summary_text(report.summary))
        for item in report.skipped:
            log.warning("article watch skipped %s: %s", item.path, item.reason)
        if self._loop is not None and not self._loop.is_closed():
            switching = asyncio.run_coroutine_threadsafe(self.reload_if_changed(), self._loop)
            switching.add_done_callback(_log_switch_failure)

    @property
    def busy(self) -> int:
        """Questions submitted and not yet finished by a worker (running or queued)."""
        return self._busy

    def _release(self) -> None:
        self._busy -= 1

    async def ask(self, question: str, follow_up: FollowUp | None = None) -> Answer:
        """Answer in a worker thread (after `follow_up`: see `Pipeline.ask`); raise Busy,
        TimeoutError or QuestionError.

        One log line per question, whatever the outcome, with its latency.
        """
        pipeline = self.pipeline
        if pipeline is None:
            raise RuntimeError("service not started")
        started = time.perf_counter()
        outcome = "error"
        try:
            if self._busy >= self.limits.concurrency + self.limits.max_waiting:
                outcome = "busy"
                raise Busy()
            loop = asyncio.get_running_loop()
            job = self._pool.submit(pipeline.ask, question, follow_up)
            self._busy += 1

            def finished(_: object) -> None:
                try:
                    loop.call_soon_threadsafe(self._release)
                except RuntimeError:  # the loop is already closed at shutdown
                    pass

            job.add_done_callback(finished)
            try:
                answer = await asyncio.wait_for(asyncio.wrap_future(job), self.limits.timeout_s)
            except TimeoutError:
                job.cancel()  # a queued job is dropped; a running one finishes and is ignored
                outcome = "timeout"
                raise
            outcome = "answered" if answer.answered else "abstained"
            return answer
        except QuestionError:
            outcome = "rejected"
            raise
        finally:
            log.info(
                "question outcome=%s latency_ms=%.1f",
                outcome,
                (time.perf_counter() - started) * 1000,
            )

    async def facts(self) -> CorpusFacts | None:
        """Article count and newest date of the index now answering (None before it is open);
        computed once per generation, in a thread."""
        async with self._facts_lock:
            pipeline = self.pipeline
            if pipeline is None:
                return None
            if self._facts is None or self._facts.generation != pipeline.generation:
                self._facts = await asyncio.to_thread(corpus_facts, pipeline.index)
            return self._facts

    async def listing(self, query: str | None) -> list[Listed]:
        """The articles of the index answering now, newest first (`/기사`), read in a thread.
        Kept for the index's generation: each page button of a listing asks again, and the
        catalog's 100k entries take a while to sort."""
        pipeline = self.pipeline
        if pipeline is None:
            raise RuntimeError("service not started")
        key = (pipeline.generation, query)
        found = self._listings.pop(key, None)
        if found is None:
            found = await asyncio.to_thread(list_articles, pipeline.index, None, query)
            for stale in [k for k in self._listings if k[0] != key[0]]:
                del self._listings[stale]  # an older index's: never shown again
            if len(self._listings) >= LISTINGS_KEPT:
                del self._listings[next(iter(self._listings))]  # the least recently shown
        self._listings[key] = found  # last: the most recently shown
        return found

    def _count_in_background(self) -> None:
        """Start counting now, so the first help message need not wait for it."""
        if self._facts_task is None or self._facts_task.done():
            self._facts_task = asyncio.create_task(self.facts(), name="newsqa-corpus-facts")
            self._facts_task.add_done_callback(_log_failure)

    async def reindex(self) -> IndexReport:
        """Run the incremental `newsqa index` in a thread, then switch to the new index."""
        async with self._reindexing:
            report = await asyncio.to_thread(build_index, self.settings, False, self._cached_model)
            for item in report.skipped:  # the Discord reply counts them; names go to the log
                log.warning("reindex skipped %s: %s", item.path, item.reason)
            for notice in report.notices:
                log.warning("%s", notice)
            await self.reload_if_changed()
            return report

    def _current_generation(self) -> str | None:
        """A generation committed since the one answering now, if any."""
        return self.pipeline.index.newer_generation() if self.pipeline else None

    async def reload_if_changed(self) -> bool:
        async with self._reloading:  # the watcher and /reindex never load at the same time
            generation = await asyncio.to_thread(self._current_generation)
            if (
                generation is None
                or self.pipeline is None
                or generation in (self.pipeline.generation, self._failed_generation)
            ):
                return False
            try:
                fresh = await asyncio.to_thread(self._open)
            except Exception:  # noqa: BLE001 - a bad new index must not take the bot down
                self._failed_generation = generation  # logged once, not every poll
                log.exception(
                    "new index generation %s could not be loaded; keeping the old one", generation
                )
                return False
            self.pipeline = fresh  # one assignment: questions in flight keep their pipeline
            self._count_in_background()
            log.info(
                "switched to index generation %s (%d chunks)",
                fresh.generation,
                fresh.index.chunk_count,
            )
            return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.limits.reload_s)
            try:
                await self.reload_if_changed()
            except Exception:  # noqa: BLE001 - keep watching
                log.exception("index watch failed")

    async def close(self) -> None:
        for task in (self._watcher, self._facts_task):
            if task is not None:
                task.cancel()
        self._watcher = self._facts_task = None
        if self._articles is not None:  # a commit in progress finishes first (it is atomic)
            await asyncio.to_thread(self._articles.stop)
            self._articles = None
        self._pool.shutdown(wait=False, cancel_futures=True)


def _log_failure(task: asyncio.Task[CorpusFacts | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("counting the index's articles failed", exc_info=task.exception())


def _log_switch_failure(future: concurrent.futures.Future[bool]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("switching to the watch's new index failed", exc_info=future.exception())

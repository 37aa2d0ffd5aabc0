"""The bot's engine room: answers questions off the event loop and keeps the index fresh.

No Discord here. Questions run on a small thread pool (bounded concurrency, a timeout, a bounded
queue); the index directory is polled for a new generation, which is loaded in a thread and
swapped in with one assignment, so a question in flight finishes on the index it started with.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.config import BotSettings
from retrieval import store
from retrieval.config import Settings
from retrieval.embed import Embedder, load_embedder
from retrieval.pipeline import IndexReport, Pipeline, build_index
from retrieval.types import Answer

log = logging.getLogger("newsqa.bot")


class Busy(RuntimeError):
    """Too many questions are waiting; the user should retry later."""


class QAService:
    def __init__(
        self,
        settings: Settings,
        limits: BotSettings,
        load_model: Callable[[str], Embedder] = load_embedder,
    ) -> None:
        self.settings = settings
        self.limits = limits
        self._load_model = load_model
        self._models: dict[str, Embedder] = {}
        self._models_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(limits.concurrency, thread_name_prefix="newsqa-ask")
        self._waiting = 0
        self._reindexing = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None
        self.pipeline: Pipeline | None = None

    def _cached_model(self, name: str) -> Embedder:
        """Reloading the index must not reload the model: it is kept while its name is the same."""
        with self._models_lock:
            if name not in self._models:
                self._models[name] = self._load_model(name)
            return self._models[name]

    def _open(self, auto_build: bool = False) -> Pipeline:
        return Pipeline.open(self.settings, load_model=self._cached_model, auto_build=auto_build)

    async def start(self) -> None:
        """Load (or first build) the index off the loop, then watch it for updates."""
        self.pipeline = await asyncio.to_thread(self._open, True)
        for notice in self.pipeline.notices:
            log.warning("%s", notice)
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(), name="newsqa-index-watcher")

    async def ask(self, question: str) -> Answer:
        """Answer in a worker thread; raise Busy, TimeoutError or QuestionError."""
        pipeline = self.pipeline
        if pipeline is None:
            raise RuntimeError("service not started")
        if self._waiting >= self.limits.concurrency + self.limits.max_waiting:
            raise Busy()
        self._waiting += 1
        started = time.perf_counter()
        try:
            future = asyncio.get_running_loop().run_in_executor(self._pool, pipeline.ask, question)
            answer = await asyncio.wait_for(asyncio.shield(future), self.limits.timeout_s)
        finally:
            self._waiting -= 1
        log.info(
            "question answered=%s abstained=%s mode=%s latency_ms=%.1f",
            answer.answered,
            not answer.answered,
            answer.mode,
            (time.perf_counter() - started) * 1000,
        )
        return answer

    async def reindex(self) -> IndexReport:
        """Run the incremental `newsqa index` in a thread, then switch to the new index."""
        async with self._reindexing:
            report = await asyncio.to_thread(build_index, self.settings, False, self._cached_model)
            await self.reload_if_changed()
            return report

    def _current_generation(self) -> str | None:
        try:
            return store.read_manifest(self.settings.index_dir).get("generation")
        except store.StoreError:
            return None

    async def reload_if_changed(self) -> bool:
        generation = await asyncio.to_thread(self._current_generation)
        if generation is None or self.pipeline is None or generation == self.pipeline.generation:
            return False
        try:
            fresh = await asyncio.to_thread(self._open)
        except Exception:  # noqa: BLE001 - a bad new index must not take the bot down
            log.exception(
                "new index generation %s could not be loaded; keeping the old one", generation
            )
            return False
        self.pipeline = fresh  # one assignment: questions in flight keep the pipeline they took
        log.info(
            "switched to index generation %s (%d chunks)", fresh.generation, len(fresh.index.chunks)
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
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        self._pool.shutdown(wait=False, cancel_futures=True)

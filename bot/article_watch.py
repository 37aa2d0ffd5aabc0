"""NEWSQA_BOT_WATCH: the bot runs `newsqa index --watch` itself, so a file dropped into the
articles folder is all it takes for it to be answered from.

The watch (`retrieval.watch`) runs on its own thread and commits an incremental update per
settled batch of files; the service then switches to the new generation as it does for any
`newsqa index`. Commits are atomic, so stopping the bot mid-commit loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from retrieval.watch import SETTLE_S, watch

if TYPE_CHECKING:
    from retrieval.config import Settings
    from retrieval.model_choice import ModelLoader
    from retrieval.pipeline import IndexReport

log = logging.getLogger("newsqa.bot")
STOP_WAIT_S = 60.0  # a commit under way is let finish, within reason


class ArticleWatch:
    """The articles folder's watch, on a daemon thread, until `stop`."""

    def __init__(
        self,
        settings: Settings,
        load_model: ModelLoader,
        on_commit: Callable[[IndexReport], None],
        settle_s: float = SETTLE_S,
    ) -> None:
        self.settings = settings
        self._load_model = load_model
        self._on_commit = on_commit
        self._settle_s = settle_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsqa-article-watch", daemon=True)

    def start(self) -> None:
        log.info("watching %s for new, changed and removed articles", self.settings.articles)
        self._thread.start()

    def stop(self) -> None:
        """Blocking: call it off the event loop."""
        self._stop.set()
        self._thread.join(STOP_WAIT_S)

    def _run(self) -> None:
        try:
            watch(
                self.settings,
                self._on_commit,
                lambda notice: log.warning("article watch: %s", notice),
                self._stop,
                self._settle_s,
                self._load_model,
            )
        except Exception:  # noqa: BLE001 - the bot keeps answering from the index it has
            log.exception("the article watch stopped; new articles need /reindex or a restart")

"""`newsqa index --watch`: new, changed and removed articles reach the index by themselves.

watchfiles (Rust `notify`) reports changes to the articles folder in batches. A batch is
committed as one incremental update once every file in it has settled (no write for
`settle_s`), so a file still being copied is not indexed half-written. Each commit is atomic
(see `retrieval.generations`): killing the watcher at any moment leaves the last good index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.ingest import METADATA_FILE, PAGE_SUFFIXES
from retrieval.notices import Say, UpdateFailed

if TYPE_CHECKING:
    import threading

    from retrieval.config import Settings
    from retrieval.model_choice import ModelLoader
    from retrieval.pipeline import IndexReport

log = logging.getLogger(__name__)
SETTLE_S = 2.0  # a file untouched this long is taken as fully written
WATCHED_SUFFIXES = PAGE_SUFFIXES | {".jsonl"}
FIRST_YIELD_MS = 300  # how soon an idle watcher reports in (and `stop` is looked at)


def is_article_path(path: Path, index_dir: Path) -> bool:
    """Whether a change to `path` can change the corpus (never the index's own files)."""
    if path.name.startswith(".") or path.is_relative_to(index_dir):
        return False
    return path.suffix.lower() in WATCHED_SUFFIXES or path.name == METADATA_FILE


def unsettled(paths: Iterable[Path], settle_s: float, now: float | None = None) -> list[Path]:
    """The paths written to within the last `settle_s` seconds (removed ones are settled)."""
    now = time.time() if now is None else now
    recent = []
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if now - info.st_mtime < settle_s:  # writes move mtime; a finished file moved in doesn't
            recent.append(path)
    return recent


def wait_until_settled(
    paths: Iterable[Path], settle_s: float, sleep: Callable[[float], None] = time.sleep
) -> None:
    pending = list(paths)
    while pending := unsettled(pending, settle_s):
        sleep(min(settle_s, 0.5))


def watch(
    settings: Settings,
    on_commit: Callable[[IndexReport], None],
    say: Say,
    stop: threading.Event | None = None,
    settle_s: float = SETTLE_S,
    load_model: ModelLoader | None = None,
) -> None:
    """Bring the index up to date, then again after every settled batch of changes, until
    `stop` is set (or Ctrl+C). `load_model`: how the embedding model is loaded (the bot passes
    the one it already holds)."""
    import watchfiles

    articles = settings.articles.resolve()
    index_dir = settings.index_dir.resolve()
    synced = False
    for changes in watchfiles.watch(
        articles,
        watch_filter=lambda _change, name: is_article_path(Path(name), index_dir),
        stop_event=stop,
        recursive=articles.is_dir(),
        debounce=int(max(settle_s, 0.1) * 1000),
        step=200,
        rust_timeout=FIRST_YIELD_MS,
        yield_on_timeout=True,  # the first (empty) batch says the watcher is running
        raise_interrupt=False,
    ):
        if synced and not changes:
            continue
        # The first sync runs once the watcher is on, so a file dropped during it is seen.
        changed = sorted({Path(name) for _, name in changes})
        log.info("%d changed file(s) under %s", len(changed), articles)
        wait_until_settled(changed, settle_s)
        if stop is not None and stop.is_set():
            return
        _commit(settings, on_commit, say, load_model)
        synced = True


def _commit(
    settings: Settings,
    on_commit: Callable[[IndexReport], None],
    say: Say,
    load_model: ModelLoader | None = None,
) -> None:
    """One incremental update. A failure the user can act on (a folder emptied, a full disk)
    is said and the watch goes on: the next change may mend it."""
    from retrieval.errors import user_error
    from retrieval.pipeline import build_index

    try:
        report = build_index(settings, load_model=load_model, say=say)
    except Exception as exc:
        if not user_error(exc):
            raise
        say(UpdateFailed(exc))
        return
    on_commit(report)

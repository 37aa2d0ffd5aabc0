"""One writer at a time per index folder, and only into a folder that is an index.

The CLI and the bot may both update the same index: a writer holds `DIR/.lock` for the whole
update, and a reader that finds no index yet waits for a writer that may be creating one.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.errors import StoreError
from retrieval.manifest import MANIFEST

LOCK = ".lock"
OWN_NAMES = re.compile(r"^(manifest\.json|\.lock|gen-.*|\..*\.tmp)$")


def check_index_folder(folder: Path) -> None:
    """Refuse to write into (and garbage-collect) a folder that holds other things."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"색인 경로 '{folder}'이(가) 폴더가 아니라 파일입니다")
    if folder.is_dir() and not (folder / MANIFEST).exists():
        foreign = [p.name for p in folder.iterdir() if not OWN_NAMES.match(p.name)]
        if foreign:
            raise StoreError(
                f"'{folder}'은(는) 색인 폴더가 아닌데 다른 파일({foreign[0]} 등)이 있어 쓰지 않습니다"
            )


@contextmanager
def writer_lock(folder: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One writer at a time per index directory (CLI and bot may both reindex); `on_wait` is
    called first when another writer holds it, so a wait is never silent."""
    check_index_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("w") as handle:
        _flock(handle.fileno(), fcntl.LOCK_EX, on_wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for_writer(folder: Path, on_wait: Callable[[], None] | None = None) -> None:
    """Return once no writer holds `folder`'s lock (at once when none does). Creates nothing:
    the lock file is opened read-only, and a folder without one has never had a writer."""
    try:
        fd = os.open(folder / LOCK, os.O_RDONLY)
    except OSError:
        return
    try:
        _flock(fd, fcntl.LOCK_SH, on_wait)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _flock(fd: int, kind: int, on_wait: Callable[[], None] | None) -> None:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait is not None:
            on_wait()
        fcntl.flock(fd, kind)

"""`newsqa index --watch`: changes reach the index once settled; the index's files are ignored."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import SEEDS
from retrieval.config import Settings
from retrieval.pipeline import IndexReport, Pipeline
from retrieval.watch import is_article_path, unsettled, wait_until_settled, watch


def test_only_article_files_outside_the_index_are_watched(tmp_path: Path) -> None:
    index = tmp_path / "idx"
    assert is_article_path(tmp_path / "a.txt", index)
    assert is_article_path(tmp_path / "b.HTML", index)
    assert is_article_path(tmp_path / "metadata.json", index)
    assert not is_article_path(index / "gen-1" / "catalog.json", index)
    assert not is_article_path(index / "x.txt", index)
    assert not is_article_path(tmp_path / ".a.txt.swp", index)
    assert not is_article_path(tmp_path / "notes.pdf", index)


def test_a_file_written_a_moment_ago_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("쓰는 중", encoding="utf-8")
    now = path.stat().st_mtime
    assert unsettled([path], 2.0, now=now + 1) == [path]
    assert unsettled([path], 2.0, now=now + 3) == []
    assert unsettled([tmp_path / "removed.txt"], 2.0) == []  # gone: nothing to wait for

    slept: list[float] = []

    def sleep(seconds: float) -> None:  # time passes only when waited for
        slept.append(seconds)
        old = time.time() - 10
        os.utime(path, (old, old))

    wait_until_settled([path], 2.0, sleep=sleep)
    assert slept == [0.5]


@pytest.mark.slow  # real filesystem events, each batch waits for its files to settle
def test_added_changed_and_removed_articles_are_committed(settings: Settings) -> None:
    reports: queue.Queue[IndexReport] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(settings, reports.put, lambda _line: None, stop, 0.2), daemon=True
    )
    thread.start()
    try:
        assert reports.get(timeout=60).summary.added == 5  # the first sync
        new = settings.articles / "new.txt"
        new.write_text("광주시는 양자컴퓨팅 연구소를 연다고 밝혔다.", encoding="utf-8")
        assert reports.get(timeout=30).summary.added == 1
        assert Pipeline.open(settings).ask("양자컴퓨팅 연구소는 어디서 열어?").answered
        new.write_text("광주시는 반도체 연구소를 연다고 밝혔다.", encoding="utf-8")
        assert reports.get(timeout=30).summary.updated == 1
        new.unlink()
        assert reports.get(timeout=30).summary.removed == 1
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.slow
def test_the_cli_watch_prints_a_line_per_commit_and_survives_a_kill(tmp_path: Path) -> None:
    """A file dropped in is answerable after one commit; `kill -9` right after the next drop
    (mid-commit or not) leaves an index that opens and passes `check`."""
    articles, index = tmp_path / "news", tmp_path / "idx"
    shutil.copytree(SEEDS, articles)
    command = [sys.executable, "-m", "retrieval", "index", "--watch"]
    command += ["--articles", str(articles), "--index", str(index), "--model", "none"]
    watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout is not None
        assert "5" in watcher.stdout.readline()  # the first sync: the five seeds
        (articles / "new.txt").write_text("광주시는 양자컴퓨팅 연구소를 연다.", encoding="utf-8")
        assert "1" in watcher.stdout.readline()
        for n in range(20):
            (articles / f"more{n}.txt").write_text(f"광주시는 연구소 {n}곳을 연다.", "utf-8")
        time.sleep(2.5)  # a moment inside the next batch's settling or commit
    finally:
        watcher.kill()
        watcher.wait(timeout=30)
    check = subprocess.run(
        [sys.executable, "-m", "retrieval", "check", "--index", str(index)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    settings = Settings(articles=articles, index_dir=index, model="none")
    assert Pipeline.open(settings).ask("양자컴퓨팅 연구소는 어디서 열어?").answered

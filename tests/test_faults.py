"""What the CLI says, and leaves on disk, when the index is being built by another run, missing,
read-only, damaged, or the disk is full: one sentence, nothing rewritten, nothing created."""

from __future__ import annotations

import errno
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from retrieval import generations, locks
from retrieval.cli import main
from retrieval.config import Settings
from retrieval.manifest import MANIFEST
from retrieval.pipeline import build_index

QUESTION = "지아이랩의 대표는 누구인가요?"
WAITING = "끝날 때까지 기다립니다"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def newsqa(*argv: str, prefix: tuple[str, ...] = (), **options) -> subprocess.CompletedProcess:
    """`newsqa …` in a fresh process: what Rust or C++ write to stderr, and crashes, are seen."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "retrieval", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )


def started(*argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "retrieval", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_line(stream: IO[str], timeout: float = 60) -> str:
    """The next line of `stream`, or "" when none comes in time (the process may be blocked)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in [folder, *folder.rglob("*")]
    }


def flip(path: Path, at: float) -> None:
    """Damage one byte in place, as the disk would (a loaded index may have the file mapped)."""
    with path.open("r+b") as handle:
        handle.seek(min(int(path.stat().st_size * at), path.stat().st_size - 1))
        byte = handle.read(1)[0]
        handle.seek(-1, 1)
        handle.write(bytes([byte ^ 0xFF]))


def generation(index_dir: Path) -> Path:
    return index_dir / generations.read_manifest(index_dir).generation


def write_news(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"news-{i:02d}.txt").write_text(
            f"광주시는 {i}번째 인공지능 기업을 유치했다고 밝혔다. 이 기업은 연구소를 열 계획이다.",
            encoding="utf-8",
        )
    return folder


# ---------------------------------------------------------------- a build in progress


@pytest.mark.slow
@pytest.mark.parametrize("where", ["default", "--index"])
def test_a_question_waits_for_a_running_build_and_keeps_what_it_made(
    env, tmp_path, monkeypatch, where
) -> None:
    """`ask` during a first build waits for it and answers from it: it does not apply its own
    articles to the new index, which would delete the build's other articles."""
    from retrieval import ingest

    news = write_news(tmp_path / "news", 12)
    reading, go = threading.Event(), threading.Event()
    real_read = ingest.read_corpus

    def held(*args, **kwargs):  # the build holds the writer lock while it reads the articles
        reading.set()
        go.wait(120)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(ingest, "read_corpus", held)
    builder = threading.Thread(
        target=build_index, args=(Settings(articles=news, index_dir=env, model="none"),)
    )
    builder.start()
    asking, said = None, ""
    try:
        assert reading.wait(60)
        chosen = ["--index", str(env)] if where == "--index" else []
        asking = started("ask", *chosen, "광주시가 유치한 기업은 무엇을 열 계획인가요?")
        said = first_line(asking.stderr)
    finally:
        go.set()
        builder.join(120)
        if asking is not None and not said:
            asking.kill()
    out, err = asking.communicate(timeout=120)
    assert WAITING in said and asking.returncode == 0 and "연구소" in out
    assert generations.read_manifest(env).articles == 12


@pytest.mark.slow
def test_a_second_index_run_says_it_is_waiting(env) -> None:
    with locks.writer_lock(env):
        indexing = started("index")
        said = first_line(indexing.stderr)
    out, _ = indexing.communicate(timeout=120)
    assert WAITING in said and indexing.returncode == 0 and "색인 완료" in out


# ---------------------------------------------------------------- missing and read-only


def test_ask_at_a_missing_index_says_so_and_creates_nothing(env, capsys, tmp_path) -> None:
    missing = tmp_path / "no" / "such" / "idx"
    code, out, err = run(capsys, "ask", "--index", str(missing), QUESTION)
    assert code == 1 and out == ""
    assert (
        err == f"'{missing}'에 색인이 없습니다. `newsqa index --index {missing}`로 먼저 만드세요.\n"
    )
    assert not (tmp_path / "no").exists() and not env.exists()  # nor seeds/ indexed instead


def test_a_missing_index_without_articles_says_how_to_build_one(
    capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", "none")  # and no seeds/ in the working directory
    code, out, err = run(capsys, "ask", QUESTION)
    assert code == 1 and out == "" and "기사 경로" not in err
    assert (
        err
        == "'.newsqa/index'에 색인이 없습니다. `newsqa index --articles 기사_폴더`로 먼저 만드세요.\n"
    )
    assert list(tmp_path.iterdir()) == []


@contextmanager
def read_only(folder: Path) -> Iterator[tuple[str, ...]]:
    """A command prefix under which `folder` is read-only: a read-only bind mount in a private
    mount namespace as root (whose writes no permission bit stops), the write bits removed
    otherwise."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield ()
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = ("unshare", "-m", "sh", "-c", script, str(folder))
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"]).returncode:
        pytest.skip("no way to make a folder read-only for root here")
    yield prefix


@pytest.mark.slow
def test_a_read_only_index_opens_for_ask_check_and_the_bot(env, capsys) -> None:
    run(capsys, "index")
    before = listing(env)
    bot_open = "from retrieval.config import load_settings as s; from retrieval.pipeline import Pipeline as P; P.open(s(), auto_build=True).ask('지아이랩?')"
    with read_only(env) as prefix:
        asked = newsqa("ask", QUESTION, "--json", prefix=prefix)
        checked = newsqa("check", prefix=prefix)
        opened = subprocess.run(
            [*prefix, sys.executable, "-c", bot_open], capture_output=True, text=True, timeout=120
        )
    assert asked.returncode == 0 and '"answered": true' in asked.stdout, asked.stderr
    assert checked.returncode == 0 and "온전합니다" in checked.stdout, checked.stderr
    assert opened.returncode == 0, opened.stderr
    assert listing(env) == before


# ---------------------------------------------------------------- damage


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".term", ".fast"])
def test_damaged_tantivy_files_are_one_sentence_naming_the_file(env, capsys, suffix) -> None:
    """Damaged term dictionaries made tantivy raise "Fst data is corrupted"; damaged fast
    fields a Rust panic (its text and backtrace printed first) or a None where an id belongs."""
    run(capsys, "index")
    damaged = sorted((generation(env) / "lexical").glob(f"*{suffix}"))
    for path in damaged:
        flip(path, 0.0 if suffix == ".term" else 0.1)
    result = newsqa("ask", QUESTION, env={**os.environ, "RUST_BACKTRACE": "1"})
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("색인이 손상되었습니다(색인 파일 lexical/")
    assert any(path.name in result.stderr for path in damaged) and "--full" in result.stderr


@pytest.mark.slow
def test_damage_sealed_under_fresh_checksums_is_still_one_sentence(env, capsys) -> None:
    """Damage the checksums do not catch (sealed with it) reaches tantivy's search, whose
    "Fst data is corrupted" ValueError is then the damaged-index sentence, not "unexpected"."""
    import json

    run(capsys, "index")
    gen = generation(env)
    manifest = json.loads((env / MANIFEST).read_text(encoding="utf-8"))
    for path in (gen / "lexical").glob("*.term"):
        flip(path, 0.0)
        manifest["files"][f"lexical/{path.name}"] = generations.sha256(path)
    (env / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = newsqa("ask", QUESTION)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"색인이 손상되었습니다({gen.name}/lexical의 어휘 색인을 읽을 수 없음). "
        "`newsqa index --full`로 색인을 다시 만드세요.\n"
    )


def test_a_damaged_chunk_table_is_named_not_a_memory_error(env, capsys) -> None:
    run(capsys, "index")
    table = generation(env) / "chunks.bin"
    data = bytearray(table.read_bytes())
    rows = len(data) // 48
    for row in range(rows):  # each record length (the fourth column) now reads as terabytes
        data[(3 * rows + row) * 8 + 5] ^= 0x7F
    with table.open("r+b") as handle:
        handle.write(data)
    code, out, err = run(capsys, "ask", QUESTION)
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("색인이 손상되었습니다(chunks.bin의 청크 ")


@pytest.mark.slow
def test_a_failed_ask_waits_for_kiwi_before_exiting(tmp_path) -> None:
    """Kiwi loads in a background thread while the index opens; an `ask` that fails meanwhile
    must not exit under it (C++ still loading while the process tears down can segfault)."""
    marker = tmp_path / "kiwi-finished"
    broken = tmp_path / "idx"
    broken.mkdir()
    (broken / MANIFEST).write_text("{broken", encoding="utf-8")
    script = (
        "import sys, time, kiwipiepy\n"
        "from pathlib import Path\n"
        "def slow_kiwi(**_):\n"
        "    time.sleep(1.0)\n"
        "    Path(sys.argv[1]).write_text('done')\n"
        "    raise Exception('model files missing')\n"
        "kiwipiepy.Kiwi = slow_kiwi\n"
        "from retrieval.cli import main\n"
        "sys.exit(main(['ask', '--index', sys.argv[2], '질문']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(marker), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "색인이 손상되었습니다" in result.stderr
    assert marker.exists()  # the interpreter waited for the loading thread


@pytest.mark.slow
def test_an_ask_at_a_missing_index_does_not_load_kiwi(tmp_path) -> None:
    """Nothing to answer from: the one-line message comes at once, without waiting for a Kiwi
    load that the exit would have to join."""
    marker = tmp_path / "kiwi-started"
    script = (
        "import sys, kiwipiepy\n"
        "from pathlib import Path\n"
        "def watched_kiwi(**_):\n"
        "    Path(sys.argv[1]).write_text('started')\n"
        "    raise Exception('not expected')\n"
        "kiwipiepy.Kiwi = watched_kiwi\n"
        "from retrieval.cli import main\n"
        "sys.exit(main(['ask', '--index', sys.argv[2], '질문']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(marker), str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "색인이 없습니다" in result.stderr
    assert not marker.exists()


# ---------------------------------------------------------------- a full disk


def test_disk_full_names_the_index_folder_not_a_file_it_holds(
    env, capsys, seeds, monkeypatch
) -> None:
    run(capsys, "index")
    live = generations.read_manifest(env).generation
    (seeds / "new.txt").write_text("광주시는 새 연구소를 연다고 밝혔다.", encoding="utf-8")

    def full(source, target, *args, **kwargs):  # as linking the current generation's files fails
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source), None, str(target))

    monkeypatch.setattr(os, "link", full)
    code, out, err = run(capsys, "index")
    monkeypatch.undo()
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "디스크 공간이 부족" in err and "'.newsqa/index'" in err and live not in err
    assert generations.read_manifest(env).generation == live


@pytest.mark.slow
def test_a_really_full_disk_is_said_as_such(env, capsys, seeds, tmp_path) -> None:
    """On a tmpfs that holds the index and little more, so tantivy's own write fails first (it
    reports "os error 28" as text, not as an OSError)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("mounting a small filesystem needs root")
    run(capsys, "index")
    news = tmp_path / "news"
    shutil.copytree(seeds, news)
    for i in range(60):
        (news / f"long-{i:02d}.txt").write_text(
            " ".join(f"광주시는 {i}번째 기업 {j}호를 유치했다고 밝혔다." for j in range(40)),
            encoding="utf-8",
        )
    small = tmp_path / "small"
    small.mkdir()
    used = int(
        subprocess.run(["du", "-sk", str(env)], capture_output=True, text=True).stdout.split()[0]
    )
    mount = f'mount -t tmpfs -o size={used + 24}k tmpfs "$0"'
    script = mount + ' && cp -r "$1" "$0/idx" && shift && exec "$@"'
    prefix = ("unshare", "-m", "sh", "-c", script, str(small), str(env))
    result = newsqa("index", "--articles", str(news), "--index", str(small / "idx"), prefix=prefix)
    if "mount" in result.stderr:
        pytest.skip(f"no tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"디스크 공간이 부족해 '{small / 'idx'}'에 색인을 쓰지 못했습니다. 공간을 확보한 뒤 "
        "다시 실행하세요.\n"
    )

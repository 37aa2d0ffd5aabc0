"""What is on disk is trusted only as sealed: updates verify what they carry forward, quotes
come from verified records, and a full disk can still take a commit."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval import article_store, catalog, generations
from retrieval.cli import main
from retrieval.index import DENSE_FILE, NewsIndex
from retrieval.manifest import FORMAT_VERSION, MANIFEST

QUESTION = "지아이랩의 대표는 누구인가요?"  # answered with a quote naming 전창호


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def current(index_dir: Path) -> Path:
    return index_dir / generations.read_manifest(index_dir).generation


def flip(path: Path, at: int) -> bytes:
    """Change one bit of the byte at `at` in place, the size kept (as disk damage would);
    returns the file's bytes as they now are."""
    with path.open("r+b") as handle:
        handle.seek(at)
        byte = handle.read(1)[0]
        handle.seek(at)
        handle.write(bytes([byte ^ 0x01]))
    return path.read_bytes()


def damage_catalog(gen: Path) -> str:
    """A flipped digit in an article's record offset: still valid JSON of the same size, so
    only the checksum can tell."""
    path = gen / catalog.CATALOG
    text = path.read_text(encoding="utf-8")
    second = text.index(",", text.index('"offsets":[')) + 1  # the first offset is 0
    last_digit = text.index(",", second) - 1
    flip(path, len(text[:last_digit].encode("utf-8")))
    json.loads(path.read_text(encoding="utf-8"))
    return catalog.CATALOG


def damage_vectors(gen: Path) -> str:
    """A flipped bit inside the stored vectors: FAISS reads the file as before."""
    path = gen / DENSE_FILE
    flip(path, path.stat().st_size // 2)
    return DENSE_FILE


@pytest.mark.slow
@pytest.mark.parametrize("damage", [damage_catalog, damage_vectors])
def test_an_update_refuses_to_reseal_damage_it_carries_forward(
    env, capsys, seeds, tiny_model, monkeypatch, damage
) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", str(tiny_model))
    assert run(capsys, "index")[0] == 0
    manifest = generations.read_manifest(env)
    name = damage(current(env))
    (seeds / "new.txt").write_text("광주시는 퀀텀점프 계획을 발표했다고 밝혔다.", encoding="utf-8")

    code, out, err = run(capsys, "index")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert name in err and "손상" in err and "--full" in err
    assert generations.read_manifest(env) == manifest  # nothing sealed over the damage
    NewsIndex.open(env, verify=False)  # the generation the update refused is still there to open
    code, out, err = run(capsys, "check")
    assert code == 1 and "온전합니다" not in out and name in err

    assert run(capsys, "index", "--full")[0] == 0
    assert run(capsys, "check")[0] == 0


def test_a_damaged_record_is_reported_not_quoted(env, capsys) -> None:
    assert run(capsys, "index")[0] == 0
    code, out, _ = run(capsys, "ask", QUESTION, "--json")
    assert code == 0 and "전창호" in out
    index = NewsIndex.open(env)
    stored = next(s for s in index.articles.values() if "전창호" in s.article.body)
    entry = index.catalog.entries[stored.article.id]
    segment = current(env) / article_store.SEGMENTS_DIR / entry.segment
    record = segment.read_bytes()[entry.offset : entry.offset + entry.length]
    body = record.index(b'"body": "')
    name = "전창호".encode()
    at = entry.offset + record.index(name, body) + len(name) - 4  # inside 창, still UTF-8
    damaged = flip(segment, at)[at - 5 : at + 4].decode("utf-8")
    assert damaged != "전창호" and len(damaged) == 3

    code, out, err = run(capsys, "ask", QUESTION, "--json")
    assert code == 1 and damaged not in out + err
    assert len(err.strip().splitlines()) == 1
    assert f"{article_store.SEGMENTS_DIR}/{entry.segment}" in err and "손상" in err


def test_an_old_format_index_is_refused_with_the_rebuild_advice(env, capsys) -> None:
    assert run(capsys, "index")[0] == 0
    path = env / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(
        json.dumps({**manifest, "format_version": FORMAT_VERSION - 1}), encoding="utf-8"
    )
    code, _, err = run(capsys, "ask", QUESTION)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "newsqa index --full" in err


@pytest.fixture
def two_generations(env, capsys, seeds) -> tuple[Path, Path]:
    """An index with a kept previous generation besides the current one."""
    assert run(capsys, "index")[0] == 0
    kept = current(env)
    (seeds / "new.txt").write_text("광주시는 퀀텀점프 계획을 발표했다고 밝혔다.", encoding="utf-8")
    assert run(capsys, "index")[0] == 0
    live = current(env)
    assert kept.is_dir() and kept != live
    return kept, live


def disk_full_while(monkeypatch, full: Callable[[], bool]) -> list[Path]:
    """Writing the catalog fails with ENOSPC while `full()`; returns the paths tried."""
    real = catalog.write_catalog
    tried: list[Path] = []

    def writing(path: Path, written: catalog.Catalog) -> None:
        tried.append(path)
        if full():
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, written)

    monkeypatch.setattr(catalog, "write_catalog", writing)
    return tried


def test_a_full_disk_releases_the_kept_generation_and_commits(
    env, capsys, seeds, monkeypatch, two_generations
) -> None:
    kept, live = two_generations
    (seeds / "new.txt").unlink()  # a run that only removes an article
    tried = disk_full_while(monkeypatch, kept.is_dir)

    code, out, err = run(capsys, "index", "--json")
    assert code == 0 and len(tried) == 2
    assert json.loads(out.strip().splitlines()[-1])["removed"] == 1
    assert err.strip().splitlines() == [
        f"디스크 공간이 부족해 보관하던 이전 색인({kept.name})을 지우고 다시 저장합니다."
    ]
    assert not kept.exists() and live.is_dir()  # the current one is never released
    assert current(env) not in (kept, live)
    assert len(NewsIndex.open(env).articles) == 5
    assert not list(env.glob(".*.tmp"))


def test_a_disk_that_stays_full_leaves_the_current_index_as_it_was(
    env, capsys, seeds, monkeypatch, two_generations
) -> None:
    kept, live = two_generations
    manifest = generations.read_manifest(env)
    (seeds / "new.txt").unlink()
    tried = disk_full_while(monkeypatch, lambda: True)

    code, _, err = run(capsys, "index")
    assert code == 1 and len(tried) == 2 and len(err.strip().splitlines()) == 1
    assert generations.read_manifest(env) == manifest and live.is_dir() and not kept.exists()
    assert len(NewsIndex.open(env).articles) == 6
    assert not list(env.glob(".*.tmp"))

    tried.clear()  # with nothing left to release, the first failure is the answer
    assert run(capsys, "index")[0] == 1 and len(tried) == 1
    assert generations.read_manifest(env) == manifest

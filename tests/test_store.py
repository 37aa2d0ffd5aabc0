"""What is on disk is trusted only as sealed: updates verify what they carry forward, and
quotes come from verified records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import article_store, store
from retrieval.cli import main
from retrieval.index import DENSE_FILE, load_index

QUESTION = "지아이랩의 대표는 누구인가요?"  # answered with a quote naming 전창호


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def current(index_dir: Path) -> Path:
    return index_dir / store.read_manifest(index_dir)["generation"]


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
    path = gen / article_store.CATALOG
    text = path.read_text(encoding="utf-8")
    second = text.index(",", text.index('"offsets":[')) + 1  # the first offset is 0
    last_digit = text.index(",", second) - 1
    flip(path, len(text[:last_digit].encode("utf-8")))
    json.loads(path.read_text(encoding="utf-8"))
    return article_store.CATALOG


def damage_vectors(gen: Path) -> str:
    """A flipped bit inside the stored vectors: FAISS reads the file as before."""
    path = gen / DENSE_FILE
    flip(path, path.stat().st_size // 2)
    return DENSE_FILE


@pytest.mark.parametrize("damage", [damage_catalog, damage_vectors])
def test_an_update_refuses_to_reseal_damage_it_carries_forward(
    env, capsys, seeds, tiny_model, monkeypatch, damage
) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", str(tiny_model))
    assert run(capsys, "index")[0] == 0
    manifest = store.read_manifest(env)
    name = damage(current(env))
    (seeds / "new.txt").write_text("광주시는 퀀텀점프 계획을 발표했다고 밝혔다.", encoding="utf-8")

    code, out, err = run(capsys, "index")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert name in err and "손상" in err and "--full" in err
    assert store.read_manifest(env) == manifest  # nothing sealed over the damage
    load_index(env, verify=False)  # the generation the update refused is still there to open
    code, out, err = run(capsys, "check")
    assert code == 1 and "온전합니다" not in out and name in err

    assert run(capsys, "index", "--full")[0] == 0
    assert run(capsys, "check")[0] == 0


def test_a_damaged_record_is_reported_not_quoted(env, capsys) -> None:
    assert run(capsys, "index")[0] == 0
    code, out, _ = run(capsys, "ask", QUESTION, "--json")
    assert code == 0 and "전창호" in out
    index = load_index(env)
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
    path = env / store.MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(
        json.dumps({**manifest, "format_version": store.FORMAT_VERSION - 1}), encoding="utf-8"
    )
    code, _, err = run(capsys, "ask", QUESTION)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "newsqa index --full" in err

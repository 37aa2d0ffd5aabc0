"""Updates cost what changed: unchanged files are not parsed, unchanged data is not rewritten."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval import catalog, errors, generations
from retrieval.index import NewsIndex
from retrieval.pipeline import Pipeline, build_index


def current_gen(index_dir: Path) -> Path:
    return index_dir / generations.read_manifest(index_dir).generation


def add_article(seeds: Path, name: str, text: str) -> None:
    (seeds / f"{name}.txt").write_text(text, encoding="utf-8")


def record_calls(
    monkeypatch, name: str, note: Callable[..., object], module: str = "retrieval.ingest"
) -> list[object]:
    """Wrap `<module>.<name>` so each call appends `note(*args)` to the returned list."""
    import importlib

    where = importlib.import_module(module)
    seen: list[object] = []
    real = getattr(where, name)

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(note(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(where, name, recording)
    return seen


@pytest.fixture
def cleaned(monkeypatch) -> list[object]:
    """The start of each page cleaned, in order: a file read again shows up here."""
    return record_calls(
        monkeypatch, "clean_page", lambda raw, *_: raw[:20], "retrieval.article_files"
    )


def test_unchanged_files_are_not_parsed_again(settings, seeds, cleaned) -> None:
    build_index(settings)
    assert len(cleaned) == 5
    cleaned.clear()
    add_article(seeds, "new", "광주시는 퀀텀점프 계획을 새로 발표했다고 밝혔다.")
    s = build_index(settings).summary
    assert (s.added, s.unchanged) == (1, 5)
    assert len(cleaned) == 1  # only the new file
    answer = Pipeline.open(settings).ask("퀀텀점프 계획은 무엇인가요?")
    assert answer.answered and answer.quotes[0].article_id == "new"


def test_a_changed_file_or_its_metadata_is_read_again(settings, seeds, cleaned) -> None:
    build_index(settings)
    cleaned.clear()
    metadata_path = seeds / "metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    first = sorted(metadata)[0]
    metadata[first] = {**metadata[first], "outlet": "바뀐일보"}
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    s = build_index(settings).summary
    assert len(cleaned) == 1 and (s.updated, s.unchanged) == (1, 4)
    assert NewsIndex.open(settings.index_dir).articles[first].article.outlet == "바뀐일보"


def test_skipped_lines_of_an_unchanged_file_are_still_reported(settings, seeds) -> None:
    (seeds / "more.jsonl").write_text(
        '{"id": "j1", "title": "제목", "body": "광주시는 인공지능 기업을 유치했다고 밝혔다."}\n'
        "{not json\n",
        encoding="utf-8",
    )
    first = build_index(settings)
    again = build_index(settings)
    assert [s.path for s in first.skipped] == [s.path for s in again.skipped]
    assert any(s.path.endswith("more.jsonl:2") for s in again.skipped)
    assert again.summary.unchanged == 6


def test_an_update_links_unchanged_data_instead_of_rewriting_it(settings, seeds) -> None:
    build_index(settings)
    before = current_gen(settings.index_dir)
    add_article(seeds, "new", "광주시는 새 기사를 추가했다고 밝혔다. 본문이 충분히 길다.")
    build_index(settings)
    after = current_gen(settings.index_dir)
    old_segment = next((before / "articles").iterdir())
    linked = after / "articles" / old_segment.name
    assert linked.stat().st_ino == old_segment.stat().st_ino  # the same file, not a copy
    shared = [
        p.name
        for p in (before / "lexical").iterdir()
        if (after / "lexical" / p.name).exists()
        and (after / "lexical" / p.name).stat().st_ino == p.stat().st_ino
    ]
    assert any(name.endswith(".idx") for name in shared)
    # Checksums are carried over for linked files and still verify.
    NewsIndex.open(settings.index_dir, verify=True)


@pytest.mark.slow  # seven updates
def test_segments_stay_few_and_articles_stay_intact(settings, seeds, monkeypatch) -> None:
    monkeypatch.setattr(catalog, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(catalog, "MERGE_FACTOR", 2)
    build_index(settings)
    for i in range(6):
        add_article(seeds, f"extra{i}", f"광주시는 {i}번째 추가 기사를 색인했다고 밝혔다.")
        if i % 2:
            (seeds / f"extra{i - 1}.txt").unlink()  # dead records accumulate too
        build_index(settings)
    index = NewsIndex.open(settings.index_dir, verify=True)
    assert len(index.catalog.segments) <= 3
    assert sorted(index.articles)[-3:] == ["extra1", "extra3", "extra5"]
    assert len(index.articles) == 8
    for article_id in index.articles:  # every record is readable where the catalog says
        assert index.articles[article_id].article.id == article_id
    assert index.lexical.n_docs == index.chunk_count


def test_a_damaged_segment_of_the_same_size_is_caught_by_its_checksum(settings) -> None:
    build_index(settings)
    segment = next((current_gen(settings.index_dir) / "articles").iterdir())
    data = bytearray(segment.read_bytes())
    data[10] ^= 0x01
    segment.write_bytes(bytes(data))
    with pytest.raises(errors.IndexCorrupt, match="체크섬"):
        NewsIndex.open(settings.index_dir, verify=True)


def test_a_truncated_file_is_caught_without_reading_checksums(settings) -> None:
    build_index(settings)
    catalog_file = current_gen(settings.index_dir) / catalog.CATALOG
    catalog_file.write_bytes(catalog_file.read_bytes()[:-5])
    with pytest.raises(errors.IndexCorrupt, match="크기"):
        NewsIndex.open(settings.index_dir, verify=False)


@pytest.fixture
def settled(monkeypatch) -> None:
    """Files count as settled at once (a real file is trusted by its stat 2 s after a write;
    setting mtime back does not help, since that moves ctime to now)."""
    import retrieval.file_text as file_text

    monkeypatch.setattr(file_text, "SETTLE_NS", 0)


@pytest.fixture
def hashed(monkeypatch) -> list[object]:
    """Sizes of the files whose bytes were read and fingerprinted."""
    return record_calls(monkeypatch, "fingerprint", lambda data, *_: len(data))


def test_settled_unchanged_files_are_not_even_read(settings, settled, hashed) -> None:
    build_index(settings)
    assert len(hashed) == 5
    hashed.clear()
    assert build_index(settings).summary.unchanged == 5
    assert hashed == []


def test_a_same_size_rewrite_with_its_old_mtime_is_still_seen(settings, seeds, settled) -> None:
    """mtime alone can be set back (cp -p, rsync -t); ctime cannot, so the change shows."""
    import os

    add_article(seeds, "new", "광주시는 퀀텀점프 계획을 발표했다고 밝혔다.")
    path = seeds / "new.txt"
    build_index(settings)
    old = os.stat(path)
    add_article(seeds, "new", "광주시는 퀀텀도약 계획을 발표했다고 밝혔다.")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert os.stat(path).st_size == old.st_size
    assert build_index(settings).summary.updated == 1
    answer = Pipeline.open(settings).ask("퀀텀도약 계획은 무엇인가요?")
    assert answer.answered and answer.quotes[0].article_id == "new"


def test_a_file_written_just_now_is_read_again_until_it_settles(
    settings, seeds, hashed, monkeypatch
) -> None:
    """A write in the same clock tick as our read could keep mtime: such a stat is not trusted."""
    import retrieval.file_text as file_text

    add_article(seeds, "new", "광주시는 퀀텀점프 계획을 발표했다고 밝혔다.")
    build_index(settings)
    monkeypatch.setattr(file_text, "SETTLE_NS", 10**18)  # every file counts as just written
    hashed.clear()
    assert build_index(settings).summary.unchanged == 6
    assert len(hashed) == 6 and (seeds / "new.txt").stat().st_size in hashed

"""Questions find their chunks through the chunk table, without parsing the catalog."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest

from retrieval import article_store, generations
from retrieval.chunk_table import SEGMENT_NAMES, TABLE, ChunkTable
from retrieval.index import load_index, table_of
from retrieval.manifest import MANIFEST
from retrieval.pipeline import Pipeline, build_index

QUESTION = "벤처기업협회의 회원사는 몇 개인가요?"


def generation(index_dir: Path) -> Path:
    return index_dir / generations.read_manifest(index_dir).generation


@pytest.fixture
def catalog_reads(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    real = article_store.read_catalog

    def recording(path: Path) -> article_store.Catalog:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(article_store, "read_catalog", recording)
    return seen


def test_a_question_never_parses_the_catalog(settings, catalog_reads) -> None:
    build_index(settings)
    catalog_reads.clear()
    answer = Pipeline.open(settings, verify=False).ask(QUESTION)
    assert answer.answered and "1만8200" in answer.quotes[0].text
    assert catalog_reads == []


def test_the_table_agrees_with_the_catalog_and_is_verified(settings, catalog_reads) -> None:
    build_index(settings)
    index = load_index(settings.index_dir)  # verify=True: the bot's start, `newsqa check`
    assert catalog_reads  # the full check compares the table with the catalog
    assert index.table == table_of(index.catalog) and len(index.table) == index.chunk_count
    for article_id in index.articles:
        for chunk_id, first, last in index.catalog.entries[article_id].chunks:
            chunk = index.chunk(chunk_id)
            assert (chunk.article_id, chunk.first_sentence, chunk.last_sentence) == (
                article_id,
                first,
                last,
            )
    with pytest.raises(KeyError):
        index.table.locate(index.next_chunk_id)


def test_an_index_from_before_the_table_still_answers_and_gets_one(settings, seeds) -> None:
    build_index(settings)
    gen = generation(settings.index_dir)
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    for name in (TABLE, SEGMENT_NAMES):
        (gen / name).unlink()
        del manifest["files"][name], manifest["sizes"][name]
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    assert Pipeline.open(settings).ask(QUESTION).answered
    (seeds / "new.txt").write_text("광주시는 퀀텀점프 계획을 발표했다.", encoding="utf-8")
    build_index(settings)
    assert TABLE in generations.read_manifest(settings.index_dir).files
    assert Pipeline.open(settings).ask("퀀텀점프 계획은 무엇인가요?").answered


def test_a_damaged_table_is_one_clear_error(settings) -> None:
    build_index(settings)
    path = generation(settings.index_dir) / TABLE
    values = array("q")
    values.frombytes(path.read_bytes())
    n = len(values) // 6
    for i in range(n):  # every record offset moved by one byte: same size, wrong places
        values[2 * n + i] += 1
    path.write_bytes(values.tobytes())
    with pytest.raises(generations.IndexCorrupt):  # ask: sizes match, the records do not decode
        Pipeline.open(settings, verify=False).ask(QUESTION)
    with pytest.raises(generations.IndexCorrupt):  # check: the checksum
        load_index(settings.index_dir, verify=True)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError):
        ChunkTable(array("q", [1, 2, 3]), ["seg"])  # not whole rows
    unsorted = ChunkTable(array("q", [5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ["seg"])
    with pytest.raises(ValueError):
        unsorted.validate()
    nowhere = ChunkTable(array("q", [1, 3, 0, 9, 0, 0]), ["seg"])
    with pytest.raises(ValueError):
        nowhere.validate()
    with pytest.raises(ValueError):
        nowhere.locate(1)


def test_a_table_that_disagrees_with_its_records_is_refused(settings) -> None:
    """Damage the checksum cannot see (a table written wrongly, sealed with its own sum): rows
    shifted by one point every chunk at its neighbour's record and sentences."""
    build_index(settings)
    gen = generation(settings.index_dir)
    table = ChunkTable.read(gen)
    values = array("q")
    values.frombytes((gen / TABLE).read_bytes())
    n = len(table)
    for c in range(1, 6):  # every column but the ids, rotated by one row
        column = values[c * n : (c + 1) * n]
        values[c * n : (c + 1) * n] = column[1:] + column[:1]
    (gen / TABLE).write_bytes(values.tobytes())
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][TABLE] = generations.sha256(gen / TABLE)
    manifest["sizes"][TABLE] = (gen / TABLE).stat().st_size
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(generations.IndexCorrupt, match=TABLE):  # the bot's start, `newsqa check`
        load_index(settings.index_dir, verify=True)
    with pytest.raises(generations.IndexCorrupt, match=TABLE):  # `ask`: the record's own chunk list
        Pipeline.open(settings, verify=False).ask(QUESTION)


def test_an_id_the_table_lacks_is_a_damaged_index(settings) -> None:
    build_index(settings)
    index = load_index(settings.index_dir, verify=False)
    with pytest.raises(generations.IndexCorrupt, match=TABLE):
        index.chunk(index.next_chunk_id + 5)


def test_spread_ids_cover_the_whole_table() -> None:
    table = ChunkTable.build([("seg", 0, 10, tuple((i, 0, 0) for i in range(1500)))], ["seg"])
    picked = table.spread(512)
    assert len(picked) == 512 and picked[0] == 0 and picked[-1] == 1499
    assert picked == sorted(set(picked))
    assert table.spread(5000) == list(range(1500))

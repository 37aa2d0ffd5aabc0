"""Questions find their chunks through the chunk table, without parsing the catalog."""

from __future__ import annotations

import json
from array import array
from datetime import date
from pathlib import Path

import pytest

from retrieval import catalog, errors, generations
from retrieval.chunk_table import COLUMNS, SEGMENT_NAMES, TABLE, ChunkTable, Row
from retrieval.cli import main
from retrieval.index import NewsIndex
from retrieval.manifest import MANIFEST
from retrieval.pipeline import Pipeline, build_index

QUESTION = "벤처기업협회의 회원사는 몇 개인가요?"


def generation(index_dir: Path) -> Path:
    return index_dir / generations.read_manifest(index_dir).generation


@pytest.fixture
def catalog_reads(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    real = catalog.read_catalog

    def recording(path: Path) -> catalog.Catalog:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(catalog, "read_catalog", recording)
    return seen


def test_a_question_never_parses_the_catalog(settings, catalog_reads) -> None:
    build_index(settings)
    catalog_reads.clear()
    answer = Pipeline.open(settings, verify=False).ask(QUESTION)
    assert answer.answered and "1만8200" in answer.quotes[0].text
    assert catalog_reads == []


def test_the_table_agrees_with_the_catalog_and_is_verified(settings, catalog_reads) -> None:
    build_index(settings)
    index = NewsIndex.open(settings.index_dir)  # verify=True: the bot's start, `newsqa check`
    assert catalog_reads  # the full check compares the table with the catalog
    assert len(index.table) == index.chunk_count
    located = 0
    for article_id in index.articles:
        for ref in index.chunks_of(article_id):
            chunk = index.chunk(ref.id)
            assert (chunk.article_id, chunk.first_sentence, chunk.last_sentence) == (
                article_id,
                ref.first,
                ref.last,
            )
            located += 1
    assert located == index.chunk_count
    with pytest.raises(KeyError):
        index.table.locate(index.next_chunk_id)


def test_chunk_locations_are_kept_in_the_table_alone(settings) -> None:
    """Neither the catalog nor the article records say which chunks an article has."""
    build_index(settings)
    gen = generation(settings.index_dir)
    columns = json.loads((gen / catalog.CATALOG).read_text(encoding="utf-8"))
    assert "chunks" not in columns and len(columns["ids"]) == 5
    for segment in (gen / "articles").iterdir():
        for line in segment.read_bytes().splitlines():
            record = json.loads(line.split(b"\t", 1)[1])
            assert "chunks" not in record and record["sentences"]


def test_an_index_without_its_table_is_refused_in_one_line(env, capsys) -> None:
    """No fallback rebuilds the table from elsewhere: there is no elsewhere."""
    assert main(["index"]) == 0
    gen = generation(env)
    manifest = json.loads((env / MANIFEST).read_text(encoding="utf-8"))
    for name in (TABLE, SEGMENT_NAMES):
        (gen / name).unlink()
        del manifest["files"][name], manifest["sizes"][name]
    (env / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()

    assert main(["ask", QUESTION]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and TABLE in err and "--full" in err


def test_a_damaged_table_is_one_clear_error(settings) -> None:
    build_index(settings)
    path = generation(settings.index_dir) / TABLE
    values = array("q")
    values.frombytes(path.read_bytes())
    n = len(values) // COLUMNS
    for i in range(n):  # every record offset moved by one byte: same size, wrong places
        values[2 * n + i] += 1
    path.write_bytes(values.tobytes())
    with pytest.raises(errors.IndexCorrupt):  # ask: sizes match, the records do not decode
        Pipeline.open(settings, verify=False).ask(QUESTION)
    with pytest.raises(errors.IndexCorrupt):  # check: the checksum
        NewsIndex.open(settings.index_dir, verify=True)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError):
        ChunkTable(array("q", [1, 2, 3]), ["seg"])  # not whole rows
    unsorted = ChunkTable(array("q", [5, 2, *[0] * (2 * COLUMNS - 2)]), ["seg"])
    with pytest.raises(ValueError):
        unsorted.validate()
    nowhere = ChunkTable(array("q", [1, 3, 0, 9, 0, 0, 0, 0]), ["seg"])
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
    for c in range(1, 6):  # every column but the ids and the seals, rotated by one row
        column = values[c * n : (c + 1) * n]
        values[c * n : (c + 1) * n] = column[1:] + column[:1]
    (gen / TABLE).write_bytes(values.tobytes())
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][TABLE] = generations.sha256(gen / TABLE)
    manifest["sizes"][TABLE] = (gen / TABLE).stat().st_size
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(errors.IndexCorrupt, match=TABLE):  # the bot's start, `newsqa check`
        NewsIndex.open(settings.index_dir, verify=True)
    with pytest.raises(errors.IndexCorrupt, match=TABLE):  # `ask`: the row's seal
        Pipeline.open(settings, verify=False).ask(QUESTION)


def test_an_id_the_table_lacks_is_a_damaged_index(settings) -> None:
    build_index(settings)
    index = NewsIndex.open(settings.index_dir, verify=False)
    with pytest.raises(errors.IndexCorrupt, match=TABLE):
        index.chunk(index.next_chunk_id + 5)


def test_spread_ids_cover_the_whole_table() -> None:
    table = ChunkTable.build((Row(i, "seg", 0, 10, 0, 0, 0) for i in range(1500)), ["seg"])
    picked = table.spread(512)
    assert len(picked) == 512 and picked[0] == 0 and picked[-1] == 1499
    assert picked == sorted(set(picked))
    assert table.spread(5000) == list(range(1500))


def test_chunks_dated_in_a_period_are_counted_by_day_or_by_month() -> None:
    """What a question's "2024년 3월" is held by: chunks of articles dated then (a date of a
    month only counts when the month overlaps), never undated ones."""
    keys = [20240307, 20240307, 20240300, 20241002, 20200000 + 1106, 0]
    table = ChunkTable.build(
        (Row(i, "seg", 0, 10, 0, 0, 0, key) for i, key in enumerate(keys)), ["seg"]
    )
    assert table.dated_within(date(2024, 3, 1), date(2024, 3, 31)) == 3
    assert table.dated_within(date(2024, 3, 8), date(2024, 3, 8)) == 1  # the month-only one
    assert table.dated_within(date(2024, 1, 1), date(2024, 12, 31)) == 4
    assert table.dated_within(date(2021, 1, 1), date(2023, 12, 31)) == 0


def test_a_row_pointing_at_other_sentences_of_its_record_is_refused(settings) -> None:
    """Each row is sealed to its record: a row whose sentence span changed (the record and the
    table's checksum in the manifest as they were) is refused, not quoted."""
    build_index(settings)
    gen = generation(settings.index_dir)
    values = array("q")
    values.frombytes((gen / TABLE).read_bytes())
    n = len(values) // COLUMNS
    for i in range(n):  # every chunk ends where it starts: the same record, fewer sentences
        values[5 * n + i] = values[4 * n + i]
    (gen / TABLE).write_bytes(values.tobytes())
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][TABLE] = generations.sha256(gen / TABLE)
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(errors.IndexCorrupt, match=TABLE):
        Pipeline.open(settings, verify=False).ask(QUESTION)
    with pytest.raises(errors.IndexCorrupt, match=TABLE):
        NewsIndex.open(settings.index_dir, verify=True)


def test_a_merged_table_keeps_the_runs_asked_for_and_adds_the_rest() -> None:
    """What an update does with a table: keep the rows of kept records, add the written ones."""
    rows = [Row(i, f"s{i // 4 % 2}", i // 2 * 100, 90, i % 2, i % 2, i) for i in range(8)]
    table = ChunkTable.build(rows, ["s0", "s1"])
    runs = table.runs()
    assert runs[("s0", 0)] == range(0, 2) and runs[("s1", 300)] == range(6, 8)
    moved = Row(2, "s2", 0, 90, 0, 0, 2)  # a kept record of s0 rewritten into a new segment
    merged = table.merged([runs[("s1", 300)], runs[("s1", 200)]], [moved], ["s1", "s2"])
    assert merged == ChunkTable.build([moved, *rows[4:]], ["s1", "s2"]) != table
    assert merged.locate(2).segment == "s2" and table.locate(2).segment == "s0"
    with pytest.raises(ValueError):  # one record's rows apart: not a table this code wrote
        ChunkTable.build([rows[0], rows[2], rows[3]._replace(offset=0)], ["s0", "s1"]).runs()


def test_every_row_carries_its_articles_date_through_updates(settings) -> None:
    """A period filter reads dates from the table alone: each chunk's is its article's, kept
    rows keep theirs, and a changed date reaches the changed article's rows only."""
    build_index(settings)

    def dates(index: NewsIndex) -> dict[str, set[int]]:
        return {
            article_id: {index.table.date_of(ref.id) for ref in index.chunks_of(article_id)}
            for article_id in index.catalog.entries
        }

    first = dates(NewsIndex.open(settings.index_dir))
    assert {a[:3]: d for a, d in first.items()} == {
        "000": {0},  # undated: no date is made up for it
        "001": {20241002},
        "002": {0},
        "003": {20201100},  # "2020-11": the day is unknown
        "004": {20240307},
    }
    metadata = settings.articles / "metadata.json"
    filled = json.loads(metadata.read_text(encoding="utf-8"))
    filled["002_1271b9cf7e65fcdf"]["date"] = "2021-03-23"
    metadata.write_text(json.dumps(filled, ensure_ascii=False), encoding="utf-8")
    assert build_index(settings).summary.updated == 1
    index = NewsIndex.open(settings.index_dir)
    assert dates(index) == {**first, "002_1271b9cf7e65fcdf": {20210323}}
    entry = index.catalog.entries["002_1271b9cf7e65fcdf"]
    assert (entry.date, entry.outlet, entry.author) == ("2021-03-23", "광주일보", "박진표")
    assert index.table.date_of(10**9) == 0  # a chunk the table lacks has no date


def test_the_catalog_lists_what_a_listing_shows(settings) -> None:
    build_index(settings)
    entries = NewsIndex.open(settings.index_dir).catalog.entries
    entry = entries["001_3a6c26851f6077eb"]
    assert entry.title == '강 시장 만난 AI 기업들 "정착 위한 투자 필요"'
    assert (entry.outlet, entry.date, entry.author, entry.url) == (
        "무등일보",
        "2024-10-02",
        "이삼섭",
        None,
    )

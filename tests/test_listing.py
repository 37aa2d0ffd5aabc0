"""`newsqa list` and `list_articles`: what the index holds, newest first, from the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import errors, generations
from retrieval.article_store import SEGMENTS_DIR
from retrieval.cli import main
from retrieval.index import NewsIndex
from retrieval.listing import BadDate, Listed, list_articles

NEWEST_FIRST = [
    "001_3a6c26851f6077eb",  # 2024-10-02
    "004_ecd383afc86f028b",  # 2024-03-07
    "003_9ef72064848059dd",  # 2020-11
    "000_8944c63ec2984883",  # undated, by id
    "002_1271b9cf7e65fcdf",
]


def listed(capsys, *flags: str) -> list[dict]:
    assert main(["list", "--json", *flags]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == len(data["articles"])
    return data["articles"]


@pytest.mark.usefixtures("seeds_indexed")
def test_newest_first_undated_last_with_what_a_reader_needs(env, capsys) -> None:
    articles = listed(capsys)
    assert [a["id"] for a in articles] == NEWEST_FIRST
    assert articles[0] == {
        "id": "001_3a6c26851f6077eb",
        "title": '강 시장 만난 AI 기업들 "정착 위한 투자 필요"',
        "outlet": "무등일보",
        "date": "2024-10-02",
        "author": "이삼섭",
        "url": None,
    }
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "기사 5건 (최신순)"
    assert lines[1] == (
        '2024-10-02 · 강 시장 만난 AI 기업들 "정착 위한 투자 필요" · 무등일보 · 이삼섭 기자 '
        "[001_3a6c26851f6077eb]"
    )
    assert lines[-1].startswith("날짜 없음 · 인공지능 기업들, 광주로 몰려온다 · 광주일보")


@pytest.mark.usefixtures("seeds_indexed")
def test_since_keeps_what_may_be_that_late_and_never_the_undated(env, capsys) -> None:
    assert [a["id"][:3] for a in listed(capsys, "--since", "2024")] == ["001", "004"]
    assert [a["id"][:3] for a in listed(capsys, "--since", "2024.03.08")] == ["001"]
    # "2020-11" may be any day of November
    assert [a["id"][:3] for a in listed(capsys, "--since", "2020-11-15")] == ["001", "004", "003"]
    assert listed(capsys, "--since", "2025-01") == []
    assert main(["list"]) == 0 and "기사 5건" in capsys.readouterr().out
    assert main(["list", "--since", "2099"]) == 0
    assert capsys.readouterr().out.strip() == "조건에 맞는 기사가 없습니다."


@pytest.mark.usefixtures("seeds_indexed")
def test_query_matches_title_outlet_and_reporter_words_not_bodies(env, capsys) -> None:
    assert [a["id"][:3] for a in listed(capsys, "--query", "광주일보")] == ["002"]
    assert [a["id"][:3] for a in listed(capsys, "--query", "박선강")] == ["003"]
    assert [a["id"][:3] for a in listed(capsys, "--query", "벤처기업협회 장병기")] == ["004"]
    assert [a["id"][:3] for a in listed(capsys, "--query", "광주")] == ["004", "000", "002"]
    assert listed(capsys, "--query", "인트플로우") == []  # only in a body (000's)
    assert [a["id"][:3] for a in listed(capsys, "--query", "ai", "--since", "2024")] == ["001"]


@pytest.mark.usefixtures("seeds_indexed")
@pytest.mark.parametrize("since", ["지난주", "0000", "0000년", "0000-05", "2024-13", "2023-02-30"])
def test_a_bad_since_is_one_sentence(env, capsys, since: str) -> None:
    assert main(["list", "--since", since]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.strip().count("\n") == 0
    assert (
        err.strip()
        == f"'{since}'은(는) 날짜로 읽을 수 없습니다. 2024-10-02, 2024-10, 2024처럼 적어 주세요."
    )


def test_a_listing_reads_no_record(settings, seeds_indexed: Path) -> None:
    """Every record's bytes zeroed (sizes kept): a question fails on them, a listing does not."""
    gen = seeds_indexed / generations.read_manifest(seeds_indexed).generation
    for segment in (gen / SEGMENTS_DIR).iterdir():
        segment.write_bytes(bytes(segment.stat().st_size))
    index = NewsIndex.open(seeds_indexed, verify=False)
    assert [item.id for item in list_articles(index)] == NEWEST_FIRST
    with pytest.raises(errors.IndexCorrupt):
        index.articles[NEWEST_FIRST[0]]
    assert list_articles(index, query="무등일보") == [
        Listed(
            "001_3a6c26851f6077eb",
            '강 시장 만난 AI 기업들 "정착 위한 투자 필요"',
            "무등일보",
            "2024-10-02",
            "이삼섭",
            None,
        )
    ]
    with pytest.raises(BadDate):
        list_articles(index, since="언젠가")

"""Saved HTML pages (written for the tests, offline): text and the page's own metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from retrieval.cli import main
from retrieval.html_page import read_html
from retrieval.ingest import read_articles

PAGES = Path(__file__).parent / "data" / "pages"


def test_the_article_and_its_metadata_not_the_menus_sidebar_or_comments() -> None:
    page = read_html((PAGES / "og_meta.html").read_text(encoding="utf-8"))
    assert page is not None
    assert (page.title, page.date, page.author, page.outlet) == (
        "광주시, 인공지능 기업 10곳과 협약",
        "2024-10-02",  # published, not the later edit
        "박진표",
        "광주일보",
    )
    assert page.url == "https://www.kwangju.co.kr/article.php?aid=1700000000"
    assert page.body.startswith("광주시는 23일 인공지능창업캠프에서")
    for junk in ("정치", "많이 본 뉴스", "고흥", "무단전재"):
        assert junk not in page.body


def test_json_ld_metadata_and_the_first_publication_date() -> None:
    page = read_html((PAGES / "json_ld.html").read_text(encoding="utf-8"))
    assert page is not None
    assert (page.date, page.author, page.outlet) == ("2024-03-07", "장병기", "뉴스21")
    assert "1만8200여개" in page.body and "댓글" not in page.body and "화이팅" not in page.body


def test_a_page_without_an_article_is_skipped_with_its_reason(tmp_path: Path) -> None:
    shutil.copy(PAGES / "og_meta.html", tmp_path / "a.html")
    (tmp_path / "empty.htm").write_text(
        "<html><head><title>빈 쪽</title></head><body></body></html>", "utf-8"
    )
    articles, skipped = read_articles(tmp_path)
    assert [a.id for a in articles] == ["a"] and articles[0].outlet == "광주일보"
    assert [s.reason for s in skipped] == ["HTML 페이지에서 기사 본문을 찾지 못했습니다"]


def test_html_pages_are_indexed_and_quoted_with_their_source(env, capsys, seeds: Path) -> None:
    for page in PAGES.glob("*.html"):
        shutil.copy(page, seeds / page.name)
    assert main(["index"]) == 0
    capsys.readouterr()
    assert main(["ask", "렉스소프트와 협약한 곳은 어디야?", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["answered"] and answer["sources"][0]["article_id"] == "og_meta"
    source = answer["sources"][0]
    assert (source["outlet"], source["date"]) == ("광주일보", "2024-10-02")
    assert "렉스소프트" in answer["quotes"][0]["text"]


def test_an_html_pages_reporter_reaches_the_article(tmp_path: Path) -> None:
    shutil.copy(PAGES / "og_meta.html", tmp_path / "a.html")
    shutil.copy(PAGES / "json_ld.html", tmp_path / "b.htm")
    articles, _ = read_articles(tmp_path)
    assert {a.id: a.author for a in articles} == {"a": "박진표", "b": "장병기"}

"""Reading article files: encodings, front matter, .jsonl, metadata, and files that must be skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import SEEDS
from retrieval.cli import main
from retrieval.ingest import read_articles

BODY = "광주시는 23일 인공지능 기업 10곳과 업무협약을 체결했다고 밝혔다.\n기업들은 법인 설립을 통해 협력하기로 했다."


def test_cp949_euc_kr_and_bom_decode(tmp_path: Path) -> None:
    (tmp_path / "cp949.txt").write_bytes(BODY.encode("cp949"))
    (tmp_path / "euckr.txt").write_bytes(BODY.encode("euc-kr"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + BODY.encode("utf-8"))
    articles, skipped = read_articles(tmp_path)
    assert not skipped
    assert {a.id for a in articles} == {"cp949", "euckr", "bom"}
    assert all(a.body == BODY for a in articles)


def test_front_matter_supplies_metadata(tmp_path: Path) -> None:
    (tmp_path / "fm.md").write_text(
        "---\ntitle: 제목입니다\noutlet: 광주일보\ndate: 2024-03-07\nurl: https://example.com/a\n---\n"
        + BODY,
        encoding="utf-8",
    )
    (article,), skipped = read_articles(tmp_path)
    assert not skipped
    assert (article.title, article.outlet, article.date, article.url) == (
        "제목입니다",
        "광주일보",
        "2024-03-07",
        "https://example.com/a",
    )
    assert article.body == BODY


def test_jsonl_articles_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"id": "a1", "title": "첫 기사", "body": BODY, "outlet": "뉴스", "date": "2024.10.02"},
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"id": "a2", "title": "본문 없음"}, ensure_ascii=False),
        json.dumps(
            {"id": "a3", "title": "세 번째", "body": BODY, "url": "https://example.com/3"},
            ensure_ascii=False,
        ),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")
    articles, skipped = read_articles(tmp_path)
    assert [a.id for a in articles] == ["a1", "a3"]
    assert articles[0].date == "2024-10-02" and articles[1].url == "https://example.com/3"
    assert [s.path.rsplit(":", 1)[1] for s in skipped] == ["2", "3"]


def test_unreadable_files_are_skipped_with_a_reason_and_the_rest_indexed(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "garbage.txt").write_bytes(bytes([0xFF, 0xFE, 0xFD, 0x81, 0x20]) * 20)
    (tmp_path / "badyaml.md").write_text("---\ntitle: [unclosed\n---\n" + BODY, encoding="utf-8")
    (tmp_path / "only-junk.txt").write_text("메뉴 건너뛰기\n관련사진보기\n댓글\n", encoding="utf-8")
    articles, skipped = read_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "garbage.txt", "badyaml.md", "only-junk.txt"}
    assert "빈 파일" in reasons["empty.txt"]
    assert "바이너리" in reasons["binary.txt"]
    assert "인코딩" in reasons["garbage.txt"]
    assert all(reason for reason in reasons.values())


def test_every_seed_is_a_valid_article() -> None:
    """One pass over seeds/ that reports every problem at once."""
    articles, skipped = read_articles(SEEDS)
    problems = [f"{s.path}: {s.reason}" for s in skipped]
    names = sorted(p.stem for p in SEEDS.glob("*.txt"))
    if sorted(a.id for a in articles) != names:
        problems.append(f"ids {sorted(a.id for a in articles)} != files {names}")
    for a in articles:
        if len(a.body) < 500:
            problems.append(f"{a.id}: body only {len(a.body)} characters")
        if not a.title or not a.outlet:
            problems.append(f"{a.id}: missing title or outlet")
        if "\n\n\n" in a.body or a.body != a.body.strip():  # "\n\n" is a seam
            problems.append(f"{a.id}: body not normalised")
    assert not problems, "\n".join(problems)


def test_windows_line_endings_and_front_matter(tmp_path: Path) -> None:
    text = "---\r\ntitle: 테스트 제목입니다\r\noutlet: 테스트일보\r\n---\r\n" + BODY.replace(
        "\n", "\r\n"
    )
    (tmp_path / "crlf.txt").write_bytes(text.encode("cp949"))
    (article,), skipped = read_articles(tmp_path)
    assert (article.title, article.outlet, article.body) == (
        "테스트 제목입니다",
        "테스트일보",
        BODY,
    )


def test_impossible_front_matter_date_skips_only_that_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ndate: 2024-02-30\n---\n" + BODY, encoding="utf-8")
    articles, skipped = read_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert [Path(s.path).name for s in skipped] == ["bad.md"] and skipped[0].article_id == "bad"


def test_broken_metadata_file_is_reported_and_articles_still_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    for content in ("{broken", "[1, 2]"):
        (tmp_path / "metadata.json").write_text(content, encoding="utf-8")
        articles, skipped = read_articles(tmp_path)
        assert [a.id for a in articles] == ["good"]
        assert [Path(s.path).name for s in skipped] == ["metadata.json"]


def test_unsupported_single_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "article.pdf"
    path.write_bytes(b"%PDF-1.7 something")
    articles, skipped = read_articles(path)
    assert not articles and "지원하지 않는 형식" in skipped[0].reason


def test_copyright_footer_does_not_eat_the_last_paragraph() -> None:
    from retrieval.clean import clean_page

    page = "광주시는 협약을 체결했다고 밝혔다.\n기업들은 협력하기로 했다.\n시는 지원을 설명했다.\nⓒ 연합뉴스, 무단 전재-재배포 금지"
    assert (
        clean_page(page).body
        == "광주시는 협약을 체결했다고 밝혔다.\n기업들은 협력하기로 했다.\n시는 지원을 설명했다."
    )
    spaced = "광주시는 협약을 체결했다고 밝혔다.\n\n시는 지원을 설명했다.\nⓒ 연합뉴스"
    assert "시는 지원을 설명했다." in clean_page(spaced).body


def test_sentences_that_mention_copyright_or_mail_are_kept() -> None:
    from retrieval.clean import clean_page

    page = (
        "저작권자들은 이번 판결에 대해 항소하겠다는 입장을 밝혔다.\n홍길동 기자 hong@news.example"
    )
    assert clean_page(page).body == "저작권자들은 이번 판결에 대해 항소하겠다는 입장을 밝혔다."


def write_named(folder: Path, name: bytes, text: str) -> None:
    """A file whose name is raw bytes, as an archive made on another system leaves it."""
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def test_a_bad_file_name_or_string_skips_only_itself(env, capsys, seeds: Path) -> None:
    write_named(seeds, "광주.txt".encode("cp949"), "광주시는 퀀텀점프 계획을 발표했다고 밝혔다.")
    write_named(seeds, b"\xff\xfe.txt", "광주시는 다른 계획을 발표했다고 밝혔다.")  # no encoding
    lines = [
        json.dumps({"id": "j1", "title": "첫 기사", "body": BODY}, ensure_ascii=False),
        '{"id": "j2", "title": "깨진 기사", "body": "광주시는 \\ud800 계획을 밝혔다."}',
        json.dumps({"id": "j3", "title": "셋째 기사", "body": BODY}, ensure_ascii=False),
    ]
    (seeds / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")

    code = main(["index", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err and "예기치 못한" not in err
    assert json.loads(out.strip().splitlines()[-1])["added"] == 5 + 1 + 2
    assert {line.split(" — ")[0] for line in err.strip().splitlines()} == {
        f"건너뜀: {seeds}/\\xff\\xfe.txt",
        f"건너뜀: {seeds}/batch.jsonl:2",
    }
    assert "파일 이름" in err and "\\ud800" in err

    assert main(["ask", "퀀텀점프 계획은 무엇인가요?", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [q["article_id"] for q in answer["quotes"]] == ["광주"]  # its CP949 name, decoded
    assert main(["index", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["unchanged"] == 8


@pytest.mark.parametrize(
    "name",
    [
        "Ärger.txt".encode("latin-1"),  # CP949's extra syllables would read "훣ger"
        "新闻.txt".encode("gbk"),  # EUC-KR hanja alone: "劤壙"
        "Москва.txt".encode("cp1251"),
    ],
)
def test_a_name_in_another_legacy_encoding_is_skipped_not_garbled(tmp_path: Path, name: bytes):
    write_named(tmp_path, name, "광주시는 계획을 발표했다고 밝혔다.")
    write_named(tmp_path, "북 미사일 기사.txt".encode("cp949"), "광주시는 계획을 밝혔다.")
    articles, skipped = read_articles(tmp_path)
    assert [a.id for a in articles] == ["북 미사일 기사"]
    assert len(skipped) == 1 and "이름" in skipped[0].reason


def test_a_decoded_name_never_takes_another_files_name(tmp_path: Path) -> None:
    """Two files, one named in CP949 and one in UTF-8 with the same text: both can't be one
    article id, so the CP949 one is skipped with its reason and the other keeps its name."""
    write_named(tmp_path, "정상기사.txt".encode("cp949"), "한국은행은 기준금리를 동결했다.")
    (tmp_path / "정상기사.txt").write_text("부산시는 해양 축제를 연다고 밝혔다.", encoding="utf-8")
    articles, skipped = read_articles(tmp_path)
    assert [(a.id, a.body[:3]) for a in articles] == [("정상기사", "부산시")]
    assert len(skipped) == 1 and "같습니다" in skipped[0].reason


def test_removing_the_utf8_twin_lets_the_cp949_file_in(env, capsys, tmp_path: Path) -> None:
    folder, index = tmp_path / "news", tmp_path / "idx"
    folder.mkdir()
    write_named(folder, "정상기사.txt".encode("cp949"), "한국은행은 기준금리를 동결했다고 밝혔다.")
    (folder / "정상기사.txt").write_text("부산시는 해양 축제를 연다고 밝혔다.", encoding="utf-8")
    assert main(["index", "--articles", str(folder), "--index", str(index)]) == 0
    (folder / "정상기사.txt").unlink()
    assert main(["index", "--articles", str(folder), "--index", str(index), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["added"], summary["removed"]) == (0, 0) and summary["updated"] == 1
    assert main(["ask", "--index", str(index), "기준금리는 어떻게 됐어?", "--json"]) == 0
    assert "동결" in json.loads(capsys.readouterr().out)["quotes"][0]["text"]


def test_the_author_comes_from_every_kind_of_metadata(tmp_path: Path) -> None:
    """Front matter, a .jsonl field and metadata.json each name the reporter ("… 기자" is
    read as the name); the page's own byline wins over metadata.json, which only fills in."""
    (tmp_path / "fm.md").write_text(f"---\nauthor: 박진표 기자\n---\n{BODY}", encoding="utf-8")
    (tmp_path / "filled.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "bylined.txt").write_text(f"{BODY}\n이삼섭 기자 seobi@mdilbo.com", "utf-8")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"filled": {"author": "장병기"}, "bylined": {"author": "다른이"}}), "utf-8"
    )
    row = {"id": "j1", "title": "제목", "body": BODY, "author": "Jane Doe"}
    (tmp_path / "b.jsonl").write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    articles, skipped = read_articles(tmp_path)
    assert not skipped
    authors = {a.id: a.author for a in articles}
    assert authors == {"fm": "박진표", "filled": "장병기", "bylined": "이삼섭", "j1": "Jane Doe"}
    assert all(a.body == BODY for a in articles)


def test_no_author_is_invented(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text(BODY, encoding="utf-8")
    (article,), _ = read_articles(tmp_path)
    assert (article.author, article.date, article.url) == (None, None, None)

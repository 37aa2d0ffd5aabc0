"""Time in answers, through `newsqa ask`: relative dates grounded next to the quote, questions
about periods and recency, sources newest first. Small corpora of dated articles, lexical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.cli import main


def write(folder: Path, name: str, body: str, **fields: str) -> None:
    head = "".join(f"{key}: {value}\n" for key, value in fields.items())
    (folder / f"{name}.md").write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty articles folder that `newsqa index` and `ask` read (lexical only)."""
    folder = tmp_path / "dated"
    folder.mkdir()
    monkeypatch.setenv("NEWSQA_ARTICLES", str(folder))
    monkeypatch.setenv("NEWSQA_MODEL", "none")
    return folder


def ask(capsys: pytest.CaptureFixture[str], question: str, *flags: str) -> dict:
    assert main(["index"]) == 0
    capsys.readouterr()
    assert main(["ask", question, "--json", *flags]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_relative_date_is_grounded_next_to_the_verbatim_quote(corpus, capsys) -> None:
    sentence = "광주시는 지난해 10월 인공지능 데이터센터 착공식을 열었다고 밝혔다."
    write(corpus, "a", sentence, title="데이터센터 소식", date="2023-03-20", outlet="광주일보")
    answer = ask(capsys, "인공지능 데이터센터 착공식은 언제 열렸나요?")
    [quote] = answer["quotes"]
    assert quote["text"] == sentence  # the quote is never changed
    [grounded] = quote["dates"]
    assert grounded == {
        "expression": "지난해 10월",
        "start": quote["start"] + sentence.index("지난해"),
        "end": quote["start"] + sentence.index("지난해") + len("지난해 10월"),
        "resolved": "2022년 10월",
        "basis": "2023-03-20",
        "first": "2022-10-01",
        "last": "2022-10-31",
    }
    assert main(["ask", "인공지능 데이터센터 착공식은 언제 열렸나요?"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index(f"  “{sentence}” [1]")
    assert lines[at + 1] == "    ↳ 지난해 10월 → 2022년 10월 (기사 2023-03-20 기준)"


def test_nothing_is_grounded_without_the_articles_day(corpus, capsys) -> None:
    write(corpus, "undated", "광주시는 지난해 10월 인공지능 센터 착공식을 열었다고 밝혔다.")
    write(
        corpus,
        "monthly",
        "전남도는 이날 지난해 3월 드론 시험장 준공식을 열었다고 밝혔다.",
        date="2020-11",
    )
    answer = ask(capsys, "인공지능 센터 착공식은 언제 열렸나요?")
    assert answer["quotes"][0]["article_id"] == "undated" and answer["quotes"][0]["dates"] == []
    answer = ask(capsys, "드론 시험장 준공식은 언제 열렸나요?")
    [quote] = answer["quotes"]
    # "지난해 3월" needs only the year; "이날" needs the day, which the page did not print.
    assert [(d["expression"], d["resolved"]) for d in quote["dates"]] == [
        ("지난해 3월", "2019년 3월")
    ]

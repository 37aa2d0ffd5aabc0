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


def agreements(corpus: Path) -> None:
    """Four reports of one kind of event, three of them dated."""
    for name, day, company in (
        ("y2020", "2020-11-06", "카카오"),
        ("y2024a", "2024-03-07", "네이버"),
        ("y2024b", "2024-10-02", "삼성전자"),
        ("nodate", None, "엘지전자"),
    ):
        body = f"광주시는 {company}와 인공지능 업무협약을 체결했다."
        write(corpus, name, body, **({"date": day} if day else {}))


def cited(answer: dict) -> list[str]:
    return [s["article_id"] for s in answer["sources"]]


def test_several_articles_are_listed_newest_first_with_their_dates(corpus, capsys) -> None:
    agreements(corpus)
    (corpus / "y2024a.md").unlink()  # three equally good articles: an answer cites them all
    answer = ask(capsys, "광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?")
    dates = [s["date"] for s in answer["sources"]]
    assert dates == ["2024-10-02", "2020-11-06", None]  # newest first, undated last
    numbers = {s["article_id"]: s["number"] for s in answer["sources"]}
    assert all(q["source"] == numbers[q["article_id"]] for q in answer["quotes"])
    assert main(["ask", "광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?"]) == 0
    out = capsys.readouterr().out
    assert f"[1] {answer['sources'][0]['title']} · {dates[0]}" in out


def test_a_year_in_the_question_keeps_the_articles_of_that_year(corpus, capsys) -> None:
    agreements(corpus)
    answer = ask(capsys, "2020년 광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?")
    assert cited(answer)[0] == "y2020"
    assert set(cited(answer)) <= {"y2020", "nodate"}  # 2024's are about another time
    answer = ask(capsys, "2024년 3월 광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?")
    assert cited(answer)[0] == "y2024a" and set(cited(answer)) <= {"y2024a", "nodate"}


def test_a_count_after_the_month_is_not_read_as_the_day(corpus, capsys) -> None:
    write(
        corpus,
        "x",
        "광주시는 인공지능 분야 10개 기업과 업무협약을 맺었다.",
        date="2024-03-07",
    )
    write(corpus, "y", "광주시는 지역 기업 대표들과 간담회를 열었다.", date="2024-03-10")
    answer = ask(capsys, "2024년 3월 10개 기업과 맺은 협약은?")
    assert answer["answered"] and cited(answer) == ["x"]


def test_last_year_is_read_against_today(corpus, capsys, monkeypatch) -> None:
    agreements(corpus)
    question = "작년에 광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?"
    monkeypatch.setenv("NEWSQA_TODAY", "2021-01-10")
    assert set(cited(ask(capsys, question))) <= {"y2020", "nodate"}
    monkeypatch.setenv("NEWSQA_TODAY", "2025-05-01")
    answer = ask(capsys, question)
    assert cited(answer)[:2] == ["y2024b", "y2024a"]
    assert set(cited(answer)) <= {"y2024a", "y2024b", "nodate"}


def test_a_passage_naming_the_period_counts_though_its_article_is_dated_later(
    corpus, capsys
) -> None:
    write(
        corpus,
        "later",
        "국가AI데이터센터는 지난해 10월 광주에서 문을 열었다.",
        date="2024-03-07",
    )
    write(
        corpus,
        "earlier",
        "광주시는 국가AI데이터센터가 광주에서 문을 열 계획이라고 밝혔다.",
        date="2023-05-02",
    )
    answer = ask(capsys, "2023년 10월 광주에서 문을 연 국가AI데이터센터는?")
    assert cited(answer) == ["later"]
    assert answer["quotes"][0]["dates"][0]["resolved"] == "2023년 10월"


def test_a_year_no_article_is_dated_in_still_finds_the_passage_that_names_it(
    corpus, capsys
) -> None:
    agreements(corpus)
    write(corpus, "founded", "벤처기업협회는 1995년 설립됐다.", date="2024-03-07")
    answer = ask(capsys, "1995년에 설립된 협회는 어디인가요?")
    assert answer["answered"] and cited(answer) == ["founded"]


def test_recent_prefers_the_newest_article(corpus, capsys) -> None:
    agreements(corpus)
    answer = ask(capsys, "최근 광주시가 인공지능 업무협약을 체결한 곳은 어디인가요?")
    assert answer["answered"]
    assert answer["quotes"][0]["article_id"] == "y2024b"  # the newest, quoted first
    assert cited(answer)[0] == "y2024b"


def test_when_prefers_the_sentence_with_the_date_and_grounds_it(corpus, capsys) -> None:
    write(
        corpus,
        "center",
        "국가AI데이터센터는 광주 인공지능 산업의 중심 시설이다. "
        "시설 규모가 커서 많은 기업이 이용하고 있다.\n\n"
        "국가AI데이터센터는 지난해 11월 개관했다.",
        date="2024-03-07",
    )
    answer = ask(capsys, "국가AI데이터센터는 언제 개관했나요?")
    quote = answer["quotes"][0]
    assert "지난해 11월" in quote["text"]
    assert [d["resolved"] for d in quote["dates"]] == ["2023년 11월"]


@pytest.mark.usefixtures("seeds_indexed")
@pytest.mark.parametrize(
    ("question", "article", "said"),
    [
        # The only C랩 article is undated: unknown is not "outside 2023".
        ("2023년 C랩 아웃사이드 광주 개소식은 어디서 열렸어?", "000_8944c63ec2984883", "사옥"),
        # Once the dates have kept the period's chunks, every sentence of the article dated
        # then holds "2024년 10월": no passage of it must write the words.
        (
            "2024년 10월 강기정 시장과 만난 AI 기업들은 무엇을 요구했어?",
            "001_3a6c26851f6077eb",
            "기업",
        ),
        # The article dated 2024-03-07 holds "2024년 3월" by its date; the undated one about
        # 2020's agreements says "업무협약을 체결" more often but never names the period.
        ("2024년 3월 광주시와 업무협약을 체결한 곳은?", "004_ecd383afc86f028b", "벤처기업협회"),
    ],
)
def test_a_year_on_the_seeds_keeps_the_article_it_is_about(
    env, capsys, question: str, article: str, said: str
) -> None:
    assert main(["ask", question, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["answered"] and answer["quotes"][0]["article_id"] == article
    assert said in answer["quotes"][0]["text"]


@pytest.mark.usefixtures("seeds_indexed")
def test_a_year_no_article_is_dated_in_stays_a_word_the_answer_must_hold(env, capsys) -> None:
    """Only an article dated in the period lets its passages go without the year's words; a
    passage that merely names a later year ("2025년부터 2단계 사업") does not answer a question
    about that year's budget, and undated pages are not taken as being about it."""
    assert main(["ask", "광주시 2025년 AI 관련 예산은 얼마인가요?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is False

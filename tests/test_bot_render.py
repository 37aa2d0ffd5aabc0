"""Discord formatting: limits, escaping, sentence-boundary cuts, links. Pure functions only."""

from __future__ import annotations

import pytest

from bot import render
from retrieval.types import Answer, Quote, Source


def make_answer(
    quotes: list[str],
    title: str = "광주시 AI 기사",
    url: str | None = "https://news.example/a/1",
    question: str = "질문입니다?",
) -> Answer:
    sources = (Source(1, "a1", title, "광주일보", "2024-03-07", url),)
    return Answer(
        question,
        True,
        "found",
        tuple(Quote(q, "a1", 0, len(q), 1.0, 1) for q in quotes),
        sources,
        "lexical",
        12.3,
    )


def embed_sizes(embed) -> dict[str, int]:
    return {
        "title": len(embed.title or ""),
        "description": len(embed.description or ""),
        "fields": max((len(f.value) for f in embed.fields), default=0),
        "total": len(embed),
    }


def test_quotes_are_blockquoted_escaped_and_numbered() -> None:
    embed = render.answer_embed(
        make_answer(["@everyone 주목! *별표*와 _밑줄_, `코드`, ~~취소~~ 있다."])
    )
    description = embed.description
    assert description.startswith("> ")
    assert "@everyone" not in description.replace("@\u200beveryone", "")  # mention neutralised
    for raw in ("*별표*", "_밑줄_", "`코드`", "~~취소~~"):
        assert raw not in description
    assert description.endswith("**[1]**")
    assert embed.fields[0].name == "출처 1"
    assert (
        embed.fields[0].value
        == "[광주시 AI 기사](https://news.example/a/1) · 광주일보 · 2024-03-07"
    )


def test_source_without_url_or_with_a_bad_one_has_no_link() -> None:
    for url in (None, "javascript:alert(1)", "ftp://x/y", "https://x/" + "a" * 600):
        line = render.source_line(Source(1, "a", "제목", None, None, url))
        assert "](" not in line and line == "제목"


def test_titles_cannot_break_the_link_and_urls_are_encoded() -> None:
    line = render.source_line(
        Source(1, "a", "제목 [속보] (종합)", "뉴스", None, "https://x.example/a (b)")
    )
    assert line.startswith("[제목 \\[속보\\] (종합)](https://x.example/a%20%28b%29)")


@pytest.mark.parametrize(
    "quotes",
    [
        ["가나다라마바사 아자차카타파하. " * 400],  # one enormous quote
        ["첫 번째 문장입니다. " * 150, "두 번째 문장입니다. " * 150, "세 번째 문장입니다. " * 150],
        ["줄바꿈이\n많은\n인용문입니다." * 300],
    ],
)
def test_very_long_answers_stay_inside_every_limit(quotes: list[str]) -> None:
    answer = make_answer(
        quotes,
        title="아주 긴 제목 " * 100,
        url="https://news.example/" + "p" * 400,
        question="아주 긴 질문 " * 200,
    )
    embed = render.answer_embed(answer)
    sizes = embed_sizes(embed)
    assert sizes["title"] <= render.TITLE_LIMIT
    assert sizes["description"] <= render.DESCRIPTION_LIMIT
    assert sizes["fields"] <= render.FIELD_LIMIT
    assert sizes["total"] <= render.EMBED_TOTAL_LIMIT
    assert embed.description.rstrip().endswith("**[1]**")  # the marker survives: not cut inside


def test_cuts_happen_between_sentences_never_mid_sentence() -> None:
    text = "첫 문장이다. 둘째 문장이다. 셋째 문장은 아주 길다."
    assert render.cut_at_sentence(text, 20) == "첫 문장이다. 둘째 문장이다.…"
    assert render.cut_at_sentence(text, 100) == text


def test_whole_quotes_are_dropped_rather_than_cut_when_several_do_not_fit() -> None:
    answer = make_answer(["짧은 첫 인용문이다.", "두 번째 인용문은 길다. " * 200])
    description = render.describe_quotes(answer, 500)
    assert description == "> 짧은 첫 인용문이다. **[1]**"


def test_more_sources_lists_cited_and_further_articles_within_limits() -> None:
    related = tuple(
        Source(n, f"r{n}", f"관련 기사 {n} " * 20, "뉴스", None, f"https://n.example/{n}")
        for n in range(2, 30)
    )
    answer = Answer(
        "질문", True, "found", (), (Source(1, "a", "제목", None, None, None),), related=related
    )
    embed = render.more_sources_embed(answer)
    assert all(len(f.value) <= render.FIELD_LIMIT for f in embed.fields)
    assert len(embed) <= render.EMBED_TOTAL_LIMIT
    assert all(
        line.count("](") == 1 for line in embed.fields[1].value.split("\n")[:-1]
    )  # whole links


def test_user_texts_are_short_korean() -> None:
    assert (
        render.cooldown_text(7.2) == "잠시 후 다시 질문해 주세요. 8초 뒤에 다시 물어볼 수 있습니다."
    )
    for text in (
        render.busy_text(30),
        render.TIMEOUT_TEXT,
        render.ERROR_TEXT,
        render.ADMIN_ONLY_TEXT,
    ):
        assert len(text) < 100 and "니다" in text

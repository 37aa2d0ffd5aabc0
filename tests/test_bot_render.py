"""Discord formatting: limits, escaping, sentence-boundary cuts, links. Pure functions only."""

from __future__ import annotations

import re
from dataclasses import replace

import discord
import pytest

from bot import render
from retrieval.render import source_line
from retrieval.types import Answer, Quote, QuoteDate, SameStory, Source


def make_answer(
    quotes: list[str],
    title: str = "광주시 AI 기사",
    url: str | None = "https://news.example/a/1",
    question: str = "질문입니다?",
) -> Answer:
    sources = (Source(1, "a1", title, "광주일보", "2024-03-07", url),)
    return Answer(
        question=question,
        answered=True,
        quotes=tuple(Quote(q, "a1", 0, len(q), 1.0, 1) for q in quotes),
        sources=sources,
        mode="lexical",
        took_ms=12.3,
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
        question="질문",
        answered=True,
        sources=(Source(1, "a", "제목", None, None, None),),
        related=related,
    )
    embed = render.more_sources_embed(answer)
    assert all(len(f.value) <= render.FIELD_LIMIT for f in embed.fields)
    assert len(embed) <= render.EMBED_TOTAL_LIMIT
    assert all(
        line.count("](") == 1 for line in embed.fields[1].value.split("\n")[:-1]
    )  # whole links


def test_waits_are_said_in_whole_seconds_rounded_up() -> None:
    assert (
        render.cooldown_text(7.2) == "잠시 후 다시 질문해 주세요. 8초 뒤에 다시 물어볼 수 있습니다."
    )
    assert "30초쯤 뒤에" in render.busy_text(29.01) and "1초" in render.cooldown_text(0.2)


LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
LIVE_ANGLE = re.compile(r"(?<!\\)<")
LIVE_URL = re.compile(r"https?://")
PHISH = "[공식 안내](https://gov.example/a) 자세한 내용은 [여기서 지원금 신청](https://phish.example/apply)"


def test_no_masked_link_in_article_text_stays_live() -> None:
    """discord.py's escape_markdown escapes only the first `[..](..)` of a line."""
    assert LIVE_MASKED_LINK.search(discord.utils.escape_markdown(PHISH))  # why we escape ourselves
    embed = render.answer_embed(make_answer([f"광주시는 발표했다. {PHISH} 라고 밝혔다."]))
    source = render.source_line(Source(1, "a", f"제목 {PHISH}", PHISH, PHISH, None))
    for text in (embed.description, source):
        assert not LIVE_MASKED_LINK.search(text) and not LIVE_URL.search(text)
        assert "여기서 지원금 신청" in text


@pytest.mark.parametrize(
    "syntax",
    [
        "<#123456789012345678>",  # channel
        "</신청:123456789012345678>",  # slash command
        "<t:1700000000:R>",  # timestamp
        "<:pepe:123456789012345678>",  # custom emoji
        "<a:dance:123456789012345678>",  # animated custom emoji
        "<@123456789012345678>",  # user
        "<@&123456789012345678>",  # role
        "<https://phish.example/apply>",  # angle-bracket link
    ],
)
def test_discord_syntax_in_article_text_is_shown_not_rendered(syntax: str) -> None:
    embed = render.answer_embed(make_answer([f"기사 본문 {syntax} 이다."]))
    outlet = render.source_line(Source(1, "a", "제목", f"언론사 {syntax}", None, None))
    for text in (embed.description, outlet):
        assert not LIVE_ANGLE.search(text), text
        assert not LIVE_URL.search(text)


@pytest.mark.parametrize("char", [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))])
def test_bidi_overrides_and_isolates_are_removed(char: str) -> None:
    embed = render.answer_embed(make_answer([f"기사{char} 본문{char}이다."], title=f"제목{char}"))
    line = render.source_line(Source(1, "a", f"제목{char}", f"언론사{char}", None, None))
    assert char not in embed.description + embed.title + line
    assert "기사 본문이다." in embed.description and line == "제목 · 언론사"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b"])
def test_nul_and_control_characters_are_removed(char: str) -> None:
    text = render.escape(f"광주{char}시는 밝혔다.\n다음 줄\t탭")
    assert text == "광주시는 밝혔다.\n다음 줄 탭"


def test_line_markup_and_mass_mentions_are_inert() -> None:
    text = render.escape("> 인용\n# 제목\n-# 작은 글씨\n- 목록\n1. 첫째\n@everyone @here")
    assert text.split("\n")[:5] == [
        "\\> 인용",
        "\\# 제목",
        "\\-# 작은 글씨",
        "\\- 목록",
        "1\\. 첫째",
    ]
    assert "@everyone" not in text and "@here" not in text


def test_server_text_hides_absolute_paths() -> None:
    text = render.server_text("파일을 읽지 못했습니다 (/srv/news/비밀.txt): C:\\news\\a.txt")
    assert "/srv" not in text and "비밀" not in text and "C:" not in text
    assert render.SERVER_PATH in text


def test_server_text_keeps_the_words_around_a_path() -> None:
    text = render.server_text("`newsqa index --index /srv/idx`로 먼저 만드세요. ~/news/x.txt 확인")
    assert "/srv" not in text and "/news" not in text and "~" not in text
    assert "`로 먼저 만드세요" in text and text.endswith(f"{render.SERVER_PATH} 확인")


def test_the_reporter_is_named_and_escaped_in_the_source_line() -> None:
    line = render.source_line(Source(1, "a", "제목", "무등일보", "2024-10-02", None, "이삼섭"))
    assert line == "제목 · 무등일보 · 2024-10-02 · 이삼섭 기자"
    odd = render.source_line(Source(1, "a", "제목", None, None, None, "**J** <@123> [x](y)"))
    assert odd.startswith("제목 · ") and not LIVE_ANGLE.search(odd) and "**J**" not in odd


def dated_quote(text: str, expression: str, resolved: str) -> Quote:
    at = text.index(expression)
    date = QuoteDate(expression, at, at + len(expression), resolved, "2023-03-20", "", "")
    return Quote(text, "a1", 0, len(text), 1.0, 1, (date,))


def test_grounded_dates_are_shown_under_the_quote_not_inside_it() -> None:
    text = "광주시는 지난해 10월 *착공*했다고 밝혔다."
    quote = dated_quote(text, "지난해 10월", "2022년 10월")
    answer = Answer(question="언제?", answered=True, quotes=(quote,))
    lines = render.answer_embed(answer).description.split("\n")
    assert lines[0].startswith("> 광주시는 지난해 10월 \\*착공\\*했다") and "2022" not in lines[0]
    assert lines[1] == "↳ 지난해 10월 → 2022년 10월 (기사 2023-03-20 기준)"


def test_a_cut_quote_shows_only_the_dates_it_still_holds() -> None:
    text = "첫 문장은 길다. " * 150 + "마지막 문장은 지난해 10월에 있다."
    quote = dated_quote(text, "지난해 10월", "2022년 10월")
    description = render.describe_quotes(Answer(question="q", answered=True, quotes=(quote,)), 500)
    assert len(description) <= 500 and "↳" not in description


def test_the_other_copies_of_a_story_are_named_under_the_source() -> None:
    copies = (SameStory("b", "제목", "연합뉴스", "2024-03-08", None),)
    source = Source(1, "a", "제목", "뉴스21", "2024-03-07", None, None, copies)
    assert (
        render.source_line(source) == "제목 · 뉴스21 · 2024-03-07\n같은 기사: 연합뉴스 · 2024-03-08"
    )
    odd = (SameStory("c", "제목", "*뉴스* <@1>", None, None),)
    line = render.source_line(Source(1, "a", "제목", None, None, None, None, odd))
    assert "*뉴스*" not in line and not LIVE_ANGLE.search(line)


def test_a_follow_up_says_which_question_it_continues_escaped_and_short() -> None:
    from retrieval.types import FollowUp

    answer = replace(make_answer(["20일 개소식을 가졌다."]), follow_up=FollowUp("*C랩* 어디?"))
    embed = render.answer_embed(answer)
    assert embed.description.startswith(
        "↪ 앞 질문 「\\*C랩\\* 어디?」에 이어서 찾아봤습니다.\n\n> "
    )
    chain = FollowUp("첫 질문 " * 40 + "마지막 질문?")
    line = render.follow_up_line(replace(answer, follow_up=chain))
    assert "마지막 질문?" in line and "…" in line and "첫 질문 첫" not in line[:12]
    assert len(line) < render.FOLLOW_UP_CHARS + 30
    missing = Answer(question="그럼 언제?", answered=False, follow_up=FollowUp("C랩?"))
    assert render.not_found_text(missing).splitlines() == [
        "관련 기사를 찾지 못했습니다. 질문을 바꾸거나 더 구체적으로 물어봐 주세요.",
        "↪ 앞 질문 「C랩?」에 이어서 찾아봤습니다.",
    ]
    assert render.follow_up_line(make_answer(["문장."])) == ""


def test_listing_pages_hold_whole_lines_within_discord_limits() -> None:
    from bot import listing
    from retrieval.listing import Listed

    def item(n: int, url_chars: int) -> Listed:
        title, outlet = "아주 *긴* 제목 " * 30, "언론_사" * 40
        return Listed(
            f"a{n}",
            title,
            outlet,
            "2024-03-07",
            "기자" * 40,
            "https://x.example/" + "a" * url_chars,
        )

    items = [item(n, 480 if n % 2 else 100) for n in range(30)]
    assert listing.page_count(items) == 3
    for page in range(3):
        embed, shown, count = listing.listing_embed(items, None, page)
        lines = embed.description.split("\n")
        assert shown == page and count == 3 and len(lines) == listing.PAGE_SIZE
        assert [int(line.split(".**")[0].removeprefix("**")) for line in lines] == list(
            range(page * 10 + 1, page * 10 + 11)
        )
        assert len(embed.description) <= 4096 and len(embed) <= 6000
        # a link too long for a line leaves its title plain; a short one is kept
        assert embed.description.count("](https://x.example/") == 5
    assert listing.listing_embed(items, None, 99)[1] == 2  # clamped
    assert listing.listing_embed(items[:3], "말", 0)[0].footer.text is None  # one page


def test_a_far_page_of_a_long_listing_formats_only_its_own_lines(monkeypatch) -> None:
    from bot import listing
    from bot.views import ArticlesPageButton, listing_view
    from retrieval.listing import Listed

    items = [Listed(f"a{n}", f"제목 {n}", "언론사", None, None, None) for n in range(123_456)]
    formatted = []
    line = listing.listed_line
    monkeypatch.setattr(listing, "listed_line", lambda n, i: formatted.append(n) or line(n, i))
    embed, page, pages = listing.listing_embed(items, None, 12_345)
    assert (page, pages) == (12_345, 12_346) and formatted == list(range(123_451, 123_457))
    assert embed.description.splitlines()[0] == "**123451.** 제목 123450 · 언론사"
    assert embed.footer.text == "12,346/12,346쪽"
    view = listing_view("광주", 12_344, pages)  # its buttons lead back to the pages they name
    template = ArticlesPageButton.__discord_ui_compiled_template__
    ids = [template.fullmatch(b.custom_id) for b in view.children]
    assert [(m["page"], m["query"]) for m in ids] == [("12343", "광주"), ("12345", "광주")]

    named = Listed("b", "제목", None, None, "이삼섭", None)
    assert listing.listed_line(2, named) == "**2.** 제목 · 이삼섭 기자"
    assert listing.listed_line(2, replace(named, author="박선강 기자")).endswith("· 박선강 기자")


@pytest.mark.parametrize(
    ("author", "shown"),
    [
        ("이삼섭", "이삼섭 기자"),
        ("박선강 기자", "박선강 기자"),
        ("홍길동 특파원", "홍길동 특파원"),
        ("John Kim", "John Kim"),
        ("기자", None),
    ],
)
def test_a_reporter_reads_the_same_in_listings_and_source_lines(
    author: str, shown: str | None
) -> None:
    from bot import listing
    from retrieval.listing import Listed

    source = Source(1, "a", "제목", "무등일보", None, None, author=author)
    line = listing.listed_line(1, Listed("a", "제목", "무등일보", None, author, None))
    assert source_line(source) == " · ".join(["[1] 제목", "무등일보", *([shown] if shown else [])])
    assert line == " · ".join(["**1.** 제목", "무등일보", *([shown] if shown else [])])

"""`/기사` as Discord messages: the indexed articles, newest first, as pages of linked lines.

Pure functions, like `bot.render`: every title, outlet, reporter and search word is escaped.
A page is PAGE_SIZE lines, each kept within LINE_ROOM (a line too long for it shows its title
without the link), so page n is items n*PAGE_SIZE onwards: showing it formats only its own
lines, however long the list (a page button on a listing of 100,000 articles stays instant).
The same list always cuts into the same pages, which is what lets a page button carry only its
page number and the search word.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.render import (
    COLOR,
    DESCRIPTION_LIMIT,
    cut_at_sentence,
    escape,
    korean_date,
    safe_url,
)
from retrieval.listing import Listed
from retrieval.render import byline

PAGE_SIZE = 10
TITLE_CHARS = 90  # of an article's title in a line
QUERY_CHARS = 50  # the longest search word `/기사` takes (it rides in the page buttons' ids)
PAGE_ROOM = DESCRIPTION_LIMIT - 100  # what a page's lines may take, with room to spare
LINE_ROOM = PAGE_ROOM // PAGE_SIZE - 1  # a line and its line break: PAGE_SIZE always fit
FIELD_CHARS = 40  # of an outlet, date or reporter: a line without its link always fits


def listed_line(number: int, listed: Listed) -> str:
    """`**n.** [제목](url) · 언론사 · 날짜 · 기자` within LINE_ROOM: a title without a usable
    link, or whose link would not fit, stays plain."""
    title = escape(cut_at_sentence(listed.title, TITLE_CHARS))
    date = listed.date and korean_date(listed.date)
    parts = (listed.outlet, date, byline(listed.author))  # the reporter as source lines name them
    fields = [escape(cut_at_sentence(p, FIELD_CHARS)) for p in parts if p]
    url = safe_url(listed.url)
    for head in ([f"[{title}]({url})"] if url else []) + [title]:
        line = f"**{number}.** " + " · ".join([head, *fields])
        if len(line) <= LINE_ROOM:
            break
    return line


def page_count(items: Sequence[Listed]) -> int:
    return -(-len(items) // PAGE_SIZE)


def page_lines(items: Sequence[Listed], page: int) -> list[str]:
    """The numbered lines of page `page` (from 0), formatting only those."""
    first = page * PAGE_SIZE
    chunk = items[first : first + PAGE_SIZE]
    return [listed_line(first + i, listed) for i, listed in enumerate(chunk, start=1)]


def listing_embed(
    items: Sequence[Listed], query: str | None, page: int
) -> tuple[discord.Embed, int, int]:
    """Page `page` (clamped into range) of the listing, the page shown and how many there are."""
    pages = page_count(items)
    page = max(0, min(page, pages - 1))
    what = f"'{escape(query)}' 기사" if query else "색인된 기사"
    embed = discord.Embed(
        title=f"{what} {len(items):,}건 (최신순)",
        description="\n".join(page_lines(items, page)),
        colour=COLOR,
    )
    if pages > 1:
        embed.set_footer(text=f"{page + 1:,}/{pages:,}쪽")
    return embed, page, pages


def nothing_text(query: str | None) -> str:
    if query:
        return (
            f"제목·언론사·기자 이름에 '{escape(query)}'이(가) 들어간 기사가 없습니다. "
            "다른 단어로 찾아보세요."
        )
    return "색인된 기사가 없습니다. 관리자에게 기사 색인을 요청해 주세요."

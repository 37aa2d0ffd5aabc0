"""`/기사` as Discord messages: the indexed articles, newest first, as pages of linked lines.

Pure functions, like `bot.render`: every title, outlet, reporter and search word is escaped,
and a page holds as many whole lines as Discord's description limit allows (at most
PAGE_SIZE), so a page never ends in half a link. The same list always cuts into the same pages,
which is what lets a page button carry only its page number and the search word.
"""

from __future__ import annotations

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

PAGE_SIZE = 10
TITLE_CHARS = 90  # of an article's title in a line
QUERY_CHARS = 50  # the longest search word `/기사` takes (it rides in the page buttons' ids)
PAGE_ROOM = DESCRIPTION_LIMIT - 100  # what a page's lines may take, with room to spare


def listed_line(number: int, listed: Listed) -> str:
    """`**n.** [제목](url) · 언론사 · 날짜 · 기자`; a title without a usable link stays plain."""
    title = escape(cut_at_sentence(listed.title, TITLE_CHARS))
    url = safe_url(listed.url)
    parts = [f"[{title}]({url})" if url else title]
    parts += [escape(p) for p in (listed.outlet, listed.date and korean_date(listed.date)) if p]
    if listed.author:  # a name ("이삼섭"), or as a page's metadata wrote it ("이삼섭 기자")
        suffix = "" if listed.author.endswith("기자") else " 기자"
        parts.append(escape(listed.author) + suffix)
    return f"**{number}.** " + " · ".join(parts)


def pages(items: list[Listed]) -> list[list[str]]:
    """The numbered lines of `items`, cut into pages (none for no items)."""
    cut: list[list[str]] = []
    used = 0
    for number, listed in enumerate(items, start=1):
        line = listed_line(number, listed)
        if not cut or len(cut[-1]) == PAGE_SIZE or used + len(line) + 1 > PAGE_ROOM:
            cut.append([])
            used = 0
        cut[-1].append(line)
        used += len(line) + 1
    return cut


def listing_embed(
    items: list[Listed], query: str | None, page: int
) -> tuple[discord.Embed, int, int]:
    """Page `page` (clamped into range) of the listing, the page shown and how many there are."""
    cut = pages(items)
    page = max(0, min(page, len(cut) - 1))
    what = f"'{escape(query)}' 기사" if query else "색인된 기사"
    embed = discord.Embed(
        title=f"{what} {len(items):,}건 (최신순)",
        description="\n".join(cut[page]) if cut else "",
        colour=COLOR,
    )
    if len(cut) > 1:
        embed.set_footer(text=f"{page + 1}/{len(cut)}쪽")
    return embed, page, len(cut)


def nothing_text(query: str | None) -> str:
    if query:
        return (
            f"제목·언론사·기자 이름에 '{escape(query)}'이(가) 들어간 기사가 없습니다. "
            "다른 단어로 찾아보세요."
        )
    return "색인된 기사가 없습니다. 관리자에게 기사 색인을 요청해 주세요."

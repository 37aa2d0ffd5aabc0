"""Answers as Discord messages: embeds within Discord's limits, escaped, cut between sentences.

Pure functions: no client, no network. Limits (characters, counted as Python `len`): message
content 2000, embed title 256, description 4096, field value 1024, all embed text 6000.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import quote as urlquote
from urllib.parse import urlparse

import discord

from retrieval.notices import FileSkipped, KeptPrevious
from retrieval.render import grounded, same_story_text, source_parts, summary_text
from retrieval.types import Answer, Quote, Source
from retrieval.wording import NOT_FOUND, notice_text

if TYPE_CHECKING:
    from bot.service import CorpusFacts
    from retrieval.pipeline import IndexReport

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
DESCRIPTION_TARGET = 1800  # short answers read better; the hard cap is DESCRIPTION_LIMIT
MAX_SOURCE_FIELDS = 5
SOURCE_TITLE_CHARS = 150
URL_LIMIT = 512
FOLLOW_UP_CHARS = 100  # of the previous question shown above a follow-up's answer
ELLIPSIS = "…"
SENTENCE_END = re.compile(r"[.!?。](?:[\"'”’)\]]*)(?=\s|$)")
MODE_NAMES = {"hybrid": "하이브리드 검색", "lexical": "어휘 검색", "dense": "의미 검색"}
COLOR = discord.Colour.from_rgb(46, 134, 222)


# Bidi embeddings/overrides (U+202A-202E) and isolates (U+2066-2069) reorder what a reader sees;
# NUL and the other control characters have no place in a message. Tabs and CRs become plain
# whitespace first, so only the invisible ones are dropped.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Every character that opens Discord markup: emphasis, spoilers, code, masked links (`[` `]`: all
# of them, where discord.py's escape_markdown escapes only the first of a line), and `<`, which
# starts mentions, channels `<#id>`, commands `</cmd:id>`, timestamps `<t:…>`, custom emoji
# `<:name:id>`/`<a:name:id>` and `<url>` links; and the `:` of `scheme://`, so no URL is linked.
MARKUP = re.compile(r"[\\*_~|`\[\]<]|(?<=[0-9A-Za-z]):(?=//)")
# At a line's start: block quotes, headings (and `-#` small text), bulleted and numbered lists.
LINE_MARKUP = re.compile(r"^( *)(?:([>#+-])|(\d+)\.(?= ))", re.MULTILINE)
ABSOLUTE_PATH = re.compile(  # "/srv/news/a.txt", "~/news", "C:\\news": up to a quote or a space
    r"(?<![\w/:.\\~])(?:~(?:/[^\s/'\"()<>`]+)+|(?:/[^\s/'\"()<>`]+){2,})/?"
    r"|\b[A-Za-z]:\\[^\s'\"()<>`]+"
)
SERVER_PATH = "서버 내 경로"


def escape(text: str) -> str:
    """Text from articles, file names or users is shown as text: no markup, no live link or
    mention, nothing invisible that reorders it (`@everyone` stays inert)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = INVISIBLE.sub("", text)
    text = MARKUP.sub(lambda m: "\\" + m.group(0), text)
    text = LINE_MARKUP.sub(_escape_line_start, text)
    return discord.utils.escape_mentions(text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, sign, number = match.groups()
    return f"{indent}\\{sign}" if sign else f"{indent}{number}\\."


def server_text(text: str) -> str:
    """A server-side message (a notice, an error) for Discord: absolute paths hidden, escaped."""
    return escape(ABSOLUTE_PATH.sub(SERVER_PATH, text))


def cut_at_sentence(text: str, limit: int) -> str:
    """The longest prefix of whole sentences within `limit` (with "…"), else a word-boundary cut."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    ends = [m.end() for m in SENTENCE_END.finditer(text) if m.end() <= room]
    if ends:
        return text[: ends[-1]] + ELLIPSIS
    space = text.rfind(" ", 0, room)
    return text[: space if space > room // 2 else room].rstrip() + ELLIPSIS


def blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def safe_url(url: str | None) -> str | None:
    """An http(s) link short enough for Discord, with characters that would end `(…)` escaped."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        return None
    encoded = urlquote(url, safe=":/?#[]@!$&'*+,;=%~.-_")
    encoded = encoded.replace("(", "%28").replace(")", "%29")
    return encoded if len(encoded) <= URL_LIMIT else None


def source_line(source: Source) -> str:
    """`[제목](url) · 언론사 · 날짜 · 기자`, and under it the other outlets' copies ("같은 기사:
    …"); every part is escaped (the title so it cannot break the link)."""
    title = escape(cut_at_sentence(source.title, SOURCE_TITLE_CHARS))
    url = safe_url(source.url)
    head = f"[{title}]({url})" if url else title
    parts = [head] + [escape(p) for p in source_parts(source)]
    line = " · ".join(parts)
    if copies := same_story_text(source):
        line += "\n" + escape(copies)
    return line[:FIELD_LIMIT]


def quote_block(quote: Quote, text: str | None = None) -> str:
    """A quote (or its first `text`, when cut) as a blockquote with its source number, and
    under it, outside the quote, what its relative dates mean (those within `text`)."""
    text = quote.text if text is None else text
    kept = len(text.removesuffix(ELLIPSIS))
    dates = [d for d in quote.dates if d.end - quote.start <= kept]
    lines = [blockquote(escape(text)) + f" **[{quote.source}]**"]
    lines += [f"↳ {escape(grounded(d))}" for d in dates]
    return "\n".join(lines)


def describe_quotes(answer: Answer, budget: int) -> str:
    """Whole quotes while they fit; a first quote that alone is too long is cut between sentences."""
    blocks: list[str] = []
    used = 0
    for quote in answer.quotes:
        block = quote_block(quote)
        extra = len(block) + (2 if blocks else 0)
        if used + extra > budget:
            if not blocks:  # cut inside the first quote, at a sentence boundary
                text = cut_at_sentence(quote.text, budget)
                while len(quote_block(quote, text)) > budget and len(text) > 1:
                    # shrink by what escaping and "> " prefixes added, at least one character
                    over = len(quote_block(quote, text)) - budget
                    text = cut_at_sentence(text, max(1, len(text) - max(over, 1)))
                blocks.append(quote_block(quote, text))
            break
        blocks.append(block)
        used += extra
    return "\n\n".join(blocks)


def follow_up_line(answer: Answer) -> str:
    """Which question a follow-up was read after ("" for a new question): an answer about the
    earlier subject should not surprise whoever asked "그럼 언제?". Worded to hold under an
    answer and under "관련 기사를 찾지 못했습니다." alike."""
    if answer.follow_up is None:
        return ""
    previous = answer.follow_up.previous_question
    if len(previous) > FOLLOW_UP_CHARS:  # a chain of questions: the latest is what it follows
        previous = ELLIPSIS + previous[-FOLLOW_UP_CHARS:].lstrip()
    return f"↪ 앞 질문 「{escape(previous)}」에 이어서 찾아봤습니다."


def answer_embed(answer: Answer) -> discord.Embed:
    """The answer card: the question, the quotes, numbered sources, and how it was found."""
    title = cut_at_sentence(escape(answer.question), TITLE_LIMIT)
    footer = f"기사 원문 인용 · {MODE_NAMES.get(answer.mode, answer.mode)} · {answer.took_ms:.0f}ms"
    fields = [(f"출처 {s.number}", source_line(s)) for s in answer.sources[:MAX_SOURCE_FIELDS]]
    context = follow_up_line(answer)
    lead = f"{context}\n\n" if context else ""
    fixed = len(title) + len(footer) + len(lead) + sum(len(n) + len(v) for n, v in fields)
    budget = min(DESCRIPTION_TARGET, DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - fixed)
    description = lead + describe_quotes(answer, budget)
    embed = discord.Embed(title=title, description=description, colour=COLOR)
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=footer)
    return embed


def more_sources_embed(answer: Answer) -> discord.Embed:
    """Every cited source plus the further articles the search found (ephemeral)."""
    cited = [f"**[{s.number}]** {source_line(s)}" for s in answer.sources]
    further = [f"**[{s.number}]** {source_line(s)}" for s in answer.related]
    embed = discord.Embed(title="출처 더보기", colour=COLOR)
    if cited:
        embed.add_field(name="인용한 기사", value=_join_within("\n".join(cited)), inline=False)
    embed.add_field(
        name="함께 검색된 기사",
        value=_join_within("\n".join(further) or "더 찾은 기사가 없습니다."),
        inline=False,
    )
    return embed


def _join_within(text: str, limit: int = FIELD_LIMIT) -> str:
    """Keep whole lines (never half a link) within a field's limit."""
    if len(text) <= limit:
        return text
    lines, used = [], 0
    for line in text.split("\n"):
        if used + len(line) + 1 > limit - 2:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines) + "\n" + ELLIPSIS


def not_found_text(answer: Answer) -> str:
    """That nothing was found, with the exchange a follow-up continued."""
    context = follow_up_line(answer)
    return "\n".join(filter(None, [NOT_FOUND, context]))[:CONTENT_LIMIT]


def cooldown_text(retry_after: float) -> str:
    return f"잠시 후 다시 질문해 주세요. {math.ceil(retry_after)}초 뒤에 다시 물어볼 수 있습니다."


def busy_text(seconds: float) -> str:
    return f"지금 질문이 많아 바로 답하기 어렵습니다. {math.ceil(seconds)}초쯤 뒤에 다시 질문해 주세요."


def reindex_text(report: IndexReport, reasons_shown: int = 5) -> str:
    """The `/reindex` reply: the summary, how many items were skipped and why, and the notices;
    never a file name or a server path (the log has those)."""
    lines = [summary_text(report.summary)]
    if report.skipped:
        reasons = Counter(item.reason for item in report.skipped).most_common()
        why = ", ".join(f"{server_text(r)} {n}개" for r, n in reasons[:reasons_shown])
        more = " 등" if len(reasons) > reasons_shown else ""
        lines.append(
            f"읽지 못해 건너뛴 항목이 {len(report.skipped)}개 있습니다({why}{more}). "
            "파일 이름은 봇의 로그에서 확인하세요."
        )
    # A notice about one file names it: it is logged, not shown.
    shown = [n for n in report.notices if not isinstance(n, FileSkipped | KeptPrevious)]
    lines += [server_text(notice_text(n)) for n in shown][:5]
    return "\n".join(lines)[:CONTENT_LIMIT]


def korean_date(date: str) -> str:
    """An article date as people read it: 2024-03-07 → 2024년 3월 7일, 2024-03 → 2024년 3월."""
    parts = date.split("-")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return date
    units = ("년", "월", "일")
    return " ".join(f"{int(p) if i else p}{units[i]}" for i, p in enumerate(parts))


def help_text(facts: CorpusFacts | None, mention: str) -> str:
    """What the bot answers from, how much of it and how recent, how to ask, and an example."""
    source = "뉴스 기사"
    if facts is not None:
        source = f"색인된 뉴스 기사 {facts.articles:,}건"
        if facts.newest_date:
            source += f"(가장 최근 기사: {escape(korean_date(facts.newest_date))} 자)"
    return "\n".join(
        [
            f"안녕하세요! 저는 {source}에서 답을 찾아 기사 문장을 원문 그대로 인용하고 출처를 "
            "붙여 드립니다.",
            f"질문하는 법: `/질문`(영문 `/ask`)에 궁금한 내용을 적거나, 저({mention})를 멘션하고 "
            "질문을 적어 주세요.",
            f"예: {mention} {EXAMPLE_QUESTION}",
            "기사 목록: `/기사`(영문 `/articles`)는 색인된 기사를 최신순으로, 단어를 주면 "
            "제목·언론사·기자 이름에 그 단어가 든 기사만 보여 줍니다.",
            "이어서 묻기: 제 답변에 답장하거나, 제가 답한 스레드에서 다시 물으면 앞 질문에 "
            '이어서 찾습니다(예: "그럼 언제 열렸어?").',
            "기사에 답이 없으면 지어내지 않고 찾지 못했다고 말씀드립니다.",
        ]
    )


EXAMPLE_QUESTION = "벤처기업협회의 회원사는 몇 개인가요?"
OWNERS_ONLY_TEXT = "이 봇의 관리자로 등록된 사람만 쓸 수 있는 명령입니다."
TIMEOUT_TEXT = "답을 찾는 데 너무 오래 걸려 중단했습니다. 잠시 후 다시 질문해 주세요."
ERROR_TEXT = "답을 찾는 중에 문제가 생겼습니다. 잠시 후 다시 질문해 주세요."
EMPTY_MENTION_TEXT = f"질문을 함께 적어 주세요. 예: @봇 {EXAMPLE_QUESTION}"
CHANNEL_TEXT = "이 채널에서는 질문을 받지 않습니다. 봇이 허용된 채널에서 물어봐 주세요."
ADMIN_ONLY_TEXT = "서버 관리 권한이 있는 사람만 쓸 수 있는 명령입니다."
EXPIRED_TEXT = "이 답변의 기록이 없어 출처를 다시 보여 줄 수 없습니다. 질문을 다시 해 주세요."
THANKS_UP = "의견 고맙습니다! 👍 도움이 되었다니 다행입니다."
THANKS_DOWN = "의견 고맙습니다. 👎 더 나은 답을 찾도록 참고하겠습니다."

"""Turn a scraped news page into the article's body text and the metadata the page states.

Scraped pages carry menus, photo captions (often printed twice), credit and "관련사진보기"
markers, bylines and e-mails, reader-support blurbs, comment counters, tag lines, "most read"
sidebars of unrelated news, and sometimes the whole body twice. Each rule below removes one kind;
the body that is left is what quotes are cut from, so lines are kept verbatim apart from
whitespace normalisation.

Where something was removed between two kept lines (a caption, a menu, a bullet marker at the
start of a line), the body has a blank line: a *seam*. Lines on either side of a seam were not
adjacent on the page, so no quote may span one (`SEAM`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from retrieval.page_metadata import (
    BRACKET_BYLINE,
    DATE_PREFIX,
    author_in_line,
    date_in_line,
    outlet_in_byline,
    url_in_line,
)

MIN_LINE_CHARS = 6  # shorter lines are menu items, counters, names, reactions
MAX_CREDIT_CHARS = 30  # "ⓒ 광주광역시"; a longer ⓒ line is a copyright footer, not a photo credit
MAX_CAPTION_LINES = 2  # a caption, and its duplicate when the page prints it twice
MAX_BOILERPLATE_CHARS = 200  # blurb/e-mail rules only apply to lines this short
MAX_TITLE_CHARS = 120

NAV = re.compile(
    r"^(메뉴\s*건너뛰기|본문\s*바로가기|close|닫기|기사\s*메일전송|기사\s*수정|기사\s*삭제|"
    r"목록\s*(바로가기|보기)?|인쇄(하기)?|스크랩|공유(하기)?|이전\s*기사\s*보기.*|다음\s*기사\s*보기|"
    r"모바일\s*버전\s*바로가기|PC\s*버전(으로\s*보기)?|맨\s*위로|로그인|회원가입|구독(하기)?|"
    r"글자\s*크기.*|독자\s*의견|연도별\s*콘텐츠\s*보기|기사\s*목록|전체\s*메뉴|"
    r"(이\s*기사를?\s*)?(공유|추천)(합니다|하기)?|페이스북|트위터|카카오스토리|네이버\s*블로그)$",
    re.IGNORECASE,
)
REACTION = re.compile(
    r"^(좋아요|슬퍼요|화나요|후속\s*기사\s*원해요|추천해요|훈훈해요|놀랐어요|응원해요)\s*\d*$"
)
COUNTER = re.compile(r"^(댓글|의견|공감|조회수?)?\s*\d+(\s*/\s*\d+)?$")
PHOTO_MARKER = re.compile(
    r"^(관련\s*사진\s*보기|사진\s*(확대|보기|크게\s*보기)|▶?\s*동영상\s*보기)$"
)
CREDIT = re.compile(r"^(ⓒ|©)\s*\S")
CAPTION = re.compile(
    r"^(!\[.*|▲\s.*|\[사진.*|사진\s*[=:].*|.*[/<(]\s*(사진\s*[=:]?\s*)?[^/<()]{1,20}\s*제공\s*[>)]?\s*\|?)$"
)
BLURB = re.compile(
    r"(원고료로\s*응원|기사가\s*마음에\s*드시나요|제보를\s*기다립니다|제보\s*받습니다|무단\s*전재|"
    r"재배포\s*금지|저작권자\s*[ⓒ©(]|copyright\s*(ⓒ|©|\(c\)|\d{4})|all rights reserved|"
    r"카카오톡\s*플러스친구|구독\s*신청)",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# An e-mail is junk only in a byline or a contact blurb, not inside a reported sentence.
CONTACT = re.compile(r"기자|메일|문의|제보|연락|e-?mail", re.IGNORECASE)
TAG_LINE = re.compile(r"^(태그|tags?|키워드)\s*[:：]|^(#\S+[\s,]*)+$", re.IGNORECASE)
DATE_LINE = re.compile(r"^(기사\s*)?(입력|등록|수정|승인|발행|업데이트)(일|일시)?\s*[:：]?\s*\d{4}")
SIDEBAR_HEADER = re.compile(
    r"^#*\s*(가장\s*많이\s*본\s*(뉴스|기사)|많이\s*본\s*(뉴스|기사)|인기\s*(뉴스|기사)|"
    r"연관\s*(뉴스|기사)|관련\s*(뉴스|기사)|주요\s*(뉴스|기사)|추천\s*(뉴스|기사)|최신\s*(뉴스|기사)|"
    r"포토\s*뉴스|이\s*시각\s*\S+\s*뉴스|실시간\s*(뉴스|기사)|오늘의\s*(뉴스|기사))\s*(더보기)?\s*[>›]?$"
)
LIST_ITEM = re.compile(r"^(\d{1,2}[.)]|[-•·*]|\[\d+\])\s")
BULLET = re.compile(r"^[•·◆◇■□●○►▶]\s+")
# Markdown's list items: "- " or "* " on two or more lines in a row ("* 표시는 잠정치" alone is
# a footnote, not a list, and keeps its mark).
MARKDOWN_ITEM = re.compile(r"^([-*])\s+")
HEADING = re.compile(r"^#{1,6}\s")
SIDEBAR_RESUME_CHARS = 40  # after a sidebar header, a prose line this long ends the sidebar
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
SEAM = "\n\n"  # in a body: the page had something here that the cleaner removed


@dataclass(frozen=True)
class CleanPage:
    body: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None  # the reporter a byline names


def normalize_line(line: str) -> str:
    """Collapse the whitespace variants scrapers leave (NBSP, zero-width, tabs, runs of spaces)."""
    line = line.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"\s+", " ", line).strip()


def is_junk(line: str) -> bool:
    """Lines that are page furniture rather than article text."""
    return bool(
        len(line.replace(" ", "")) < MIN_LINE_CHARS
        or NAV.match(line)
        or REACTION.match(line)
        or COUNTER.match(line)
        or PHOTO_MARKER.match(line)
        or CREDIT.match(line)
        or CAPTION.match(line)
        or TAG_LINE.match(line)
        or DATE_LINE.match(line)
        or (
            len(line) < MAX_BOILERPLATE_CHARS
            and (BLURB.search(line) or (EMAIL.search(line) and CONTACT.search(line)))
        )
    )


def _photo_block_at(lines: list[str], i: int) -> bool:
    """A "관련사진보기" marker, or a short "ⓒ 출처" credit that such a marker follows."""
    if PHOTO_MARKER.match(lines[i]):
        return True
    if not CREDIT.match(lines[i]) or len(lines[i]) > MAX_CREDIT_CHARS or BLURB.search(lines[i]):
        return False
    ahead = [line for line in lines[i + 1 : i + 1 + 3] if line]
    return bool(ahead) and bool(PHOTO_MARKER.match(ahead[0]))


def _drop_credited_captions(lines: list[str]) -> list[str | None]:
    """Drop photo captions: the (at most two, often identical) lines just above a photo block.

    The block must stand alone (a blank line or the page start above it), so the last paragraph
    of an article is never mistaken for a caption. Dropped lines become None (a seam).
    """
    keep = [True] * len(lines)
    for i in range(len(lines)):
        if not _photo_block_at(lines, i) or (i > 0 and CREDIT.match(lines[i - 1])):
            continue
        j = i - 1
        while j >= 0 and lines[j] and i - j <= MAX_CAPTION_LINES:
            j -= 1
        if j < 0 or not lines[j]:
            for k in range(j + 1, i):
                keep[k] = False
    return [line if k else None for line, k in zip(lines, keep, strict=True)]


def _drop_sidebars(lines: list[str | None]) -> list[str | None]:
    """Drop "most read"/related-news lists: list items and short lines after a sidebar header
    (each becomes None, a seam)."""
    out: list[str | None] = []
    in_sidebar = False
    for line in lines:
        if line is not None and SIDEBAR_HEADER.match(line):
            in_sidebar = True
            out.append(None)
            continue
        if in_sidebar and line is not None:
            if not line or LIST_ITEM.match(line) or len(line) < SIDEBAR_RESUME_CHARS:
                out.append(None if line else line)
                continue
            in_sidebar = False
        out.append(line)
    return out


def _markdown_items(lines: list[str | None]) -> set[int]:
    """Indexes of the lines that are Markdown list items: each starts with "- " or "* " and a
    line next to it starts with the same mark."""
    marks = [m.group(1) if line and (m := MARKDOWN_ITEM.match(line)) else None for line in lines]
    return {
        i
        for i, mark in enumerate(marks)
        if mark
        and mark in (marks[i - 1] if i else None, marks[i + 1] if i + 1 < len(marks) else None)
    }


def _looks_like_title(line: str) -> bool:
    return 4 <= len(line) <= MAX_TITLE_CHARS and not SENTENCE_END.search(line) and not is_junk(line)


def clean_page(raw: str, title: str | None = None) -> CleanPage:
    """Clean one scraped page. A known `title` (front matter) is removed from the body if repeated.

    The text is read as NFC, so offsets into the body hold for questions normalised the same way.
    """
    raw = unicodedata.normalize("NFC", raw)
    title = unicodedata.normalize("NFC", title) if title is not None else None
    page = [
        normalize_line(line) for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    lines = _drop_sidebars(_drop_credited_captions(page))

    date = outlet = url = author = None
    kept: list[str] = []
    seam_before: list[bool] = []  # per kept line: was something removed just above it?
    seam = False
    seen: set[str] = set()
    listed = _markdown_items(lines)
    for at, line in enumerate(lines):
        if line is None:
            seam = True
            continue
        original = line
        line = MARKDOWN_ITEM.sub("", line) if at in listed else BULLET.sub("", line)
        if not line:
            continue
        date = date or date_in_line(line)
        url = url or url_in_line(line)
        if url_in_line(line):
            seam = True
            continue
        prefix = DATE_PREFIX.match(line)
        if prefix:  # " date 2020-11 <headline>"
            line = line[prefix.end() :].strip()
        byline = BRACKET_BYLINE.match(line)
        if byline and "기자" in byline.group(1):
            if not CAPTION.match(line):  # "[사진=… 기자]" credits a photographer
                outlet = outlet or outlet_in_byline(line)
                author = author or author_in_line(line[: byline.end()])
            line = line[byline.end() :].strip()
        if line.startswith("#"):
            line = line.lstrip("#").strip()
        if not line or is_junk(line) or line in seen:
            if line not in seen and not CAPTION.match(original):
                # A reporter is named by a line that is not article text ("• 장병기", an
                # e-mail byline); a kept sentence naming "김 기자" is about someone, and a
                # caption's "[사진=… 기자]" names the photographer.
                author = author or author_in_line(original)
            seam = True
            continue
        seen.add(line)
        kept.append(line)
        seam_before.append(seam or line != original)  # a marker cut from its start is a seam too
        # A heading or a list item stands apart from the line after it, as from the one before.
        seam = bool(HEADING.match(original) or BULLET.match(original)) or at in listed

    title, body = _title_and_body(kept, seam_before, title)
    return CleanPage(body=body, title=title, outlet=outlet, date=date, url=url, author=author)


def _title_and_body(
    kept: list[str], seam_before: list[bool], title: str | None
) -> tuple[str | None, str]:
    """The page's title (its first line when it looks like one and none was given; a given
    title is not repeated in the body) and the body, lines joined by a seam where something
    was removed between them."""
    if title is None and kept and _looks_like_title(kept[0]):
        title, kept, seam_before = kept[0], kept[1:], seam_before[1:]
    elif title is not None and kept and normalize_line(title) == kept[0]:
        kept, seam_before = kept[1:], seam_before[1:]
    body = "".join(
        (SEAM if cut else "\n") + line if i else line
        for i, (line, cut) in enumerate(zip(kept, seam_before, strict=True))
    )
    return title, body

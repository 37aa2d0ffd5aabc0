"""Metadata scraped pages print: dates, outlets, links and reporters in the forms Korean news sites use."""

from __future__ import annotations

import datetime as dt
import re

from retrieval.types import REPORTER_TITLES

_DATE_LABELS = r"(?:기사\s*)?(?:입력|등록|승인|발행|게재|작성|송고)(?:일|일시|시간)?"
_YMD = r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})"
LABELLED_DATE = re.compile(rf"^{_DATE_LABELS}\s*[:：]?\s*{_YMD}")
# A line that starts with the last edit ("수정 2024.10.05 입력 2024.10.02") may still state the
# publication date further on: the first publication wins over the edit.
EDITED = re.compile(
    r"^(?:기사\s*|최종\s*)?(?:수정|업데이트|갱신)(?:일|일시|시간)?\s*[:：]?\s*\d{4}"
)
PUBLISHED_LATER = re.compile(rf"(?<![가-힣]){_DATE_LABELS}\s*[:：]?\s*{_YMD}")
DATE_PREFIX = re.compile(r"^date\s*[:：]?\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*", re.IGNORECASE)
BRACKET_BYLINE = re.compile(r"^[\[(【]\s*([^\]\)】]{1,60}?)\s*[\])】]\s*")
URL_LINE = re.compile(r"^(?:(?:url|link|원문|출처|기사\s*원문)\s*[:：]\s*)?(https?://\S+)$", re.I)


def normalize_date(value: object) -> str | None:
    """Turn the date spellings we meet into ISO "YYYY-MM-DD" or "YYYY-MM"; None if it is no date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(_YMD, text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    match = re.match(r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*월?\s*\.?$", text)
    if match:
        year, month = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return None


def date_in_line(line: str) -> str | None:
    """A publication date the line states ("입력 2024.10.02. 17:11", "등록 2024-03-07", "date 2020-11")."""
    match = LABELLED_DATE.match(line)
    if match is None and EDITED.match(line):
        match = PUBLISHED_LATER.search(line)
    if match:
        return normalize_date("-".join(match.groups()))
    match = DATE_PREFIX.match(line)
    if match:
        year, month, day = match.groups()
        return normalize_date(f"{year}-{month}-{day}" if day else f"{year}-{month}")
    return None


def outlet_in_byline(line: str) -> str | None:
    """The outlet named by a leading "[아시아경제 … 기자]" or "[뉴스21/장병기 기자]" byline."""
    match = BRACKET_BYLINE.match(line)
    if not match or "기자" not in match.group(1):
        return None
    head = re.split(r"[\s/=]", match.group(1).strip(), maxsplit=1)[0]
    return head if head and head != "기자" else None


def url_in_line(line: str) -> str | None:
    match = URL_LINE.match(line.strip())
    return match.group(1) if match else None


_NAME = r"[가-힣]{2,4}"
# "이삼섭 기자", "이삼섭기자 seobi@…", "/박진표 기자 lucky@…", "[뉴스21/장병기 기자]",
# "호남취재본부 박선강 기자": a name right before 기자, which ends the line, a bracket, or comes
# before an e-mail; not "통신 기자를 거쳐" (a particle follows) or "【기자수첩】".
REPORTER = re.compile(
    rf"(?:^|(?<=[\s/=\[(【]))(?P<name>{_NAME})\s?기자(?:\s*[\])】]|\s+\S+@\S+|\s*$|\s+(?=[^가-힣]))"
)
BULLET_NAME = re.compile(rf"^\s*[•·▶■-]\s*(?P<name>{_NAME})\s*(?:기자)?\s*$")  # "• 장병기"
NOT_NAMES = frozenset({"취재", "사진", "영상", "편집", "인턴", "수습", "객원", "전문", "선임"})
# "기자", "사진기자", "선임 기자": a title alone, no one's name
TITLE_ONLY = re.compile(rf"(?:(?:{'|'.join(NOT_NAMES)})\s*)?(?:{'|'.join(REPORTER_TITLES)})")


def author_in_line(line: str) -> str | None:
    """The reporter a byline names, in the forms Korean news pages print; None if none."""
    for match in (REPORTER.search(line), BULLET_NAME.match(line)):
        if match and match.group("name") not in NOT_NAMES:
            return match.group("name")
    return None


def author_name(value: str | None) -> str | None:
    """A stated author field as the reporter's name: "박진표 기자" → "박진표"; of several
    ("a; b", "a, b") the first; other text as it is (a name without 기자, an English name).
    A title alone ("기자") names nobody: None, or the next one."""
    for part in re.split(r"[;,]", value or ""):
        part = part.strip()
        if part and not TITLE_ONLY.fullmatch(part):
            return author_in_line(part) or part
    return None

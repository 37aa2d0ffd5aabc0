"""What the index holds, newest first: the articles `newsqa list` and the bot's `/기사` show.

Read from the catalog alone (each entry has title, outlet, date, reporter and link), so a
listing reads no article record. `query` matches the words of the title, the outlet and the
reporter's name, not the bodies: a listing answers "which articles are there", a question
about their content is what `ask` is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from retrieval.date_keys import date_key, key_span
from retrieval.errors import BadDate
from retrieval.index import NewsIndex
from retrieval.page_metadata import normalize_date
from retrieval.relative_dates import parse_date

YEAR = re.compile(r"(\d{4})\s*년?")
__all__ = ["BadDate", "Listed", "list_articles", "since_day"]


@dataclass(frozen=True)
class Listed:
    id: str
    title: str
    outlet: str | None
    date: str | None
    author: str | None
    url: str | None


def since_day(value: str) -> date:
    """The first day `value` names: "2024-10-02", "2024.10.02", "2024년 10월 2일", "2024-10",
    "2024"; BadDate for anything else (and for days that do not exist)."""
    text = value.strip()
    year = YEAR.fullmatch(text)
    if year:
        try:
            return date(int(year.group(1)), 1, 1)
        except ValueError:  # "0000": no year 0 in the calendar
            raise BadDate(value) from None
    day = parse_date(normalize_date(text))
    if day is None:
        raise BadDate(value)
    return day


def list_articles(
    index: NewsIndex, since: str | None = None, query: str | None = None
) -> list[Listed]:
    """The index's articles, newest first and undated last (ties by id). `since`: only those
    that may be dated on or after that day (an article dated "2024-10" counts for any day of
    October; an undated one is left out, its date unknown); BadDate when it is no date.
    `query`: only those whose title, outlet or reporter holds every one of its words."""
    first = since_day(since) if since is not None else None
    words = [w.casefold() for w in (query or "").split()]
    found: list[tuple[int, Listed]] = []
    for entry in index.catalog.entries.values():
        key = date_key(entry.date)
        if first is not None:
            span = key_span(key)
            if span is None or span[1] < first:
                continue
        listed = Listed(entry.id, entry.title, entry.outlet, entry.date, entry.author, entry.url)
        if words and not _matches(listed, words):
            continue
        found.append((key, listed))
    found.sort(key=lambda kl: kl[1].id)
    found.sort(key=lambda kl: kl[0], reverse=True)  # stable: ids stay in order within a date
    return [listed for _, listed in found]


def _matches(listed: Listed, words: list[str]) -> bool:
    """Every word within the title, outlet or reporter (Korean attaches particles and writes
    compounds together, so a word is found inside a longer one: "광주" in "광주시")."""
    text = " ".join(p for p in (listed.title, listed.outlet, listed.author) if p).casefold()
    return all(word in text for word in words)

"""One file's articles: a text page (optional front matter), a saved HTML page, or a .jsonl
file of records, each cleaned into an `Article` whose stated fields win over what the page
prints, which wins over `metadata.json`."""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from pathlib import Path

from retrieval.clean import clean_page, normalize_line
from retrieval.errors import UnreadableError
from retrieval.file_text import decode, shown, split_front_matter
from retrieval.page_metadata import author_name, normalize_date
from retrieval.types import Article

FALLBACK_TITLE_CHARS = 60


@dataclass(frozen=True)
class Skipped:
    """A file (or a line of a .jsonl file) left out, and why, in words for the user."""

    path: str
    reason: str
    article_id: str | None = None  # the id the file would have had, so its indexed copy is kept


def _storable(article: Article) -> bool:
    """Whether every field is text that UTF-8 can hold (JSON lets `\\ud800` through)."""
    try:
        for value in astuple(article):  # every field is text or None
            if value:
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = normalize_line(str(value))
    return text or None


def fallback_title(body: str) -> str:
    """Pages without a headline get their lead sentence, shortened, so every source has a name."""
    lead = body.split("\n", 1)[0]
    return lead if len(lead) <= FALLBACK_TITLE_CHARS else lead[: FALLBACK_TITLE_CHARS - 1] + "…"


def build_article(
    article_id: str, raw: str, fields: dict[str, object], extra: dict[str, object] | None = None
) -> Article:
    """Clean one page; explicit fields win over what the page states, which wins over `extra`."""
    extra = extra or {}
    page = clean_page(raw, title=_text(fields.get("title")))
    if not page.body:
        raise UnreadableError("정리하고 나니 본문이 남지 않았습니다")

    def pick(name: str, found: str | None) -> str | None:
        return _text(fields.get(name)) or found or _text(extra.get(name))

    date = normalize_date(fields.get("date")) or page.date or normalize_date(extra.get("date"))
    article = Article(
        id=article_id,
        title=pick("title", page.title) or fallback_title(page.body),
        body=page.body,
        outlet=pick("outlet", page.outlet),
        date=date,
        url=pick("url", page.url),
        author=author_name(pick("author", page.author)),
    )
    if not _storable(article):
        raise UnreadableError(
            "UTF-8로 저장할 수 없는 문자(짝 없는 대리 문자 \\ud800 등)가 들어 있습니다"
        )
    return article


def read_text_file(
    path: Path,
    extra: dict[str, object] | None = None,
    data: bytes | None = None,
    name: str | None = None,
) -> Article:
    """The article in `path`; `name` is the file's name as text when it differs (see
    `text_name`), which gives the article its id."""
    fields, raw = split_front_matter(decode(path.read_bytes() if data is None else data))
    return build_article(Path(name or path.name).stem, raw, fields, extra)


def read_html_file(
    path: Path,
    extra: dict[str, object] | None = None,
    data: bytes | None = None,
    name: str | None = None,
) -> Article:
    """The article of a saved HTML page: its text and metadata as trafilatura reads them;
    `metadata.json` fills only what the page does not state."""
    from retrieval.html_page import read_html

    page = read_html(decode(path.read_bytes() if data is None else data))
    if page is None:
        raise UnreadableError("HTML 페이지에서 기사 본문을 찾지 못했습니다")
    fields: dict[str, object] = {
        "title": page.title,
        "date": page.date,
        "outlet": page.outlet,
        "url": page.url,
        "author": page.author,
    }
    return build_article(Path(name or path.name).stem, page.body, fields, extra)


def read_jsonl(
    path: Path, data: bytes | None = None, label: str | None = None
) -> tuple[list[Article], list[Skipped]]:
    """One article per line: `id`, `title`, `body`, optional `outlet`, `date`, `url`, `author`;
    `label` names the file in the reasons (default: the path, printable)."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    text = decode(path.read_bytes() if data is None else data)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{label or shown(path)}:{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise UnreadableError("JSON 객체가 아닙니다")
            article_id, body = record.get("id"), record.get("body")
            if article_id is None or not str(article_id).strip():
                raise UnreadableError("'id'가 없습니다")
            if not isinstance(article_id, str | int) or isinstance(article_id, bool):
                raise UnreadableError("'id'는 문자열이어야 합니다")
            if not isinstance(body, str):
                raise UnreadableError("'body'가 없습니다")
            articles.append(build_article(str(article_id).strip(), body, record))
        except json.JSONDecodeError:
            skipped.append(Skipped(where, UnreadableError.bad_json().message))
        except UnreadableError as exc:
            skipped.append(Skipped(where, str(exc)))
    return articles, skipped

"""Read article files (.txt/.md with optional front matter, .jsonl) into cleaned Articles.

A file that cannot be read is reported as a `Skipped` with a Korean reason and the rest go on.

Cleaning is most of the cost of reading, so a file whose bytes (and the metadata and cleaning
code that apply to them) are what the index last saw is not parsed again: its articles are
reported as `unchanged` and the index keeps what it made of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from retrieval.clean import clean_page, normalize_line
from retrieval.errors import UnreadableError
from retrieval.meta import normalize_date
from retrieval.types import Article, SourceFile

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}  # saved pages, read with trafilatura (`retrieval.html_page`)
PAGE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES  # one article per file, metadata.json applies
METADATA_FILE = "metadata.json"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(\n|\Z)", re.DOTALL)
FALLBACK_TITLE_CHARS = 60


@dataclass(frozen=True)
class Skipped:
    """A file (or a line of a .jsonl file) left out, and why, in words for the user."""

    path: str
    reason: str
    article_id: str | None = None  # the id the file would have had, so its indexed copy is kept


@dataclass
class Corpus:
    articles: list[Article]  # parsed now
    skipped: list[Skipped]
    unchanged: list[str] = field(default_factory=list)  # ids from files not parsed again
    order: list[str] = field(default_factory=list)  # every id, in file order
    sources: dict[str, SourceFile] = field(default_factory=dict)  # by file name


@cache
def _code_version() -> str:
    """Cleaning rules live in code: when they change, every file must be read again."""
    digest = hashlib.sha256()
    for module in ("ingest.py", "clean.py", "meta.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()


def read_context(extra: object) -> str:
    """What besides its bytes decides how a file reads: the cleaning code and its metadata."""
    digest = hashlib.sha256(_code_version().encode())
    # surrogatepass: a lone surrogate in metadata.json must not stop the reading of the folder.
    described = json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)
    digest.update(described.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def fingerprint(data: bytes, extra: object) -> str:
    digest = hashlib.sha256(read_context(extra).encode())
    digest.update(data)
    return digest.hexdigest()


SETTLE_NS = 2_000_000_000


def settled_stat(path: Path) -> tuple[int, int, int, int] | None:
    """The file's stat, if nothing touched it in the last seconds. A write in the same clock
    tick as our read could leave mtime unchanged, so only a settled stat may later stand in
    for reading the bytes (git's "racy clean" rule); ctime and inode catch replaced files."""
    info = path.stat()
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < SETTLE_NS:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def shown(path: Path | str) -> str:
    """`path` as text that can be printed and stored: bytes that are not UTF-8 (which Linux
    hands over as lone surrogates) appear as `\\xNN`."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte stands for
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def text_name(path: Path) -> str | None:
    """The file's name as text, or None when it has none. Korean Windows archives name their
    files in CP949, which Linux lists with the bytes escaped: such a name is decoded when it
    reads as Korean (see `_korean_name`), so the file is indexed under the name its author
    gave; a name in another legacy encoding would only decode to a garbled id, and is skipped."""
    name = path.name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        # EUC-KR, not CP949: CP949's extra syllables take ASCII letters as trail bytes, which
        # is how a Latin-1 "Ärger" would decode as "훣ger".
        decoded = os.fsencode(name).decode("euc_kr")
    except UnicodeDecodeError:
        return None
    return decoded if _korean_name(decoded) else None


def _korean_name(name: str) -> bool:
    """Printable, with a Hangul syllable, and nothing outside ASCII but Hangul, hanja,
    punctuation, symbols and spaces (GBK or Cyrillic bytes decode to hanja alone)."""
    if not name.isprintable() or not any("가" <= ch <= "힣" for ch in name):
        return False
    return all(
        ch.isascii()
        or "가" <= ch <= "힣"
        or "ㄱ" <= ch <= "ㆎ"
        or "一" <= ch <= "鿿"
        or unicodedata.category(ch)[0] in "PSZ"
        for ch in name
    )


def _storable(article: Article) -> bool:
    """Whether every field is text that UTF-8 can hold (JSON lets `\\ud800` through)."""
    fields = (article.id, article.title, article.body, article.outlet, article.date, article.url)
    try:
        for value in fields:
            if value:
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), then CP949, which is a superset of EUC-KR."""
    if not data.strip():
        raise UnreadableError("빈 파일입니다")
    if b"\x00" in data[:4096]:
        raise UnreadableError("텍스트가 아닌 바이너리 파일입니다")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UnreadableError("UTF-8이나 CP949(EUC-KR)로 읽을 수 없는 인코딩입니다")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Split an optional leading `---` YAML block (title, outlet, date, url) from the page."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        fields = yaml.safe_load(match.group(1)) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2024-02-30
        raise UnreadableError("머리말(front matter)의 YAML 형식이 잘못되었습니다") from exc
    if not isinstance(fields, dict):
        raise UnreadableError("머리말(front matter)은 '키: 값' 형식이어야 합니다")
    return fields, text[match.end() :]


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
    }
    return build_article(Path(name or path.name).stem, page.body, fields, extra)


def read_jsonl(
    path: Path, data: bytes | None = None, label: str | None = None
) -> tuple[list[Article], list[Skipped]]:
    """One article per line: `id`, `title`, `body`, optional `outlet`, `date`, `url`; `label`
    names the file in the reasons (default: the path, printable)."""
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
            skipped.append(Skipped(where, "JSON 형식이 잘못되었습니다"))
        except UnreadableError as exc:
            skipped.append(Skipped(where, str(exc)))
    return articles, skipped


def load_metadata(folder: Path) -> dict[str, dict[str, object]]:
    """Fields for pages that lack them, by article id; a broken file is an error, not a crash."""
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(decode(path.read_bytes()))
    except (json.JSONDecodeError, UnreadableError) as exc:
        raise UnreadableError(f"{METADATA_FILE}을(를) JSON으로 읽을 수 없습니다") from exc
    if not isinstance(data, dict):
        raise UnreadableError(f"{METADATA_FILE}은(는) 기사 id를 키로 하는 JSON 객체여야 합니다")
    return {key: value for key, value in data.items() if isinstance(value, dict)}


def article_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES | {".jsonl"}
    )


def read_articles(root: Path) -> tuple[list[Article], list[Skipped]]:
    """Read every article under `root` (a folder, a text file or a .jsonl file)."""
    corpus = read_corpus(root)
    return corpus.articles, corpus.skipped


def read_corpus(root: Path, known: Mapping[str, SourceFile] | None = None) -> Corpus:
    """Read the articles under `root`, skipping files whose fingerprint is in `known`."""
    if not root.exists():
        raise FileNotFoundError(root)
    known = known or {}
    corpus = Corpus([], [])
    metadata: dict[str, dict[str, object]] = {}
    if root.is_dir():
        try:
            metadata = load_metadata(root)
        except UnreadableError as exc:
            corpus.skipped.append(Skipped(shown(root / METADATA_FILE), str(exc)))
    seen: set[str] = set()
    files = article_files(root)
    own_names = {p.name for p in files}  # a decoded name must not take another file's
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in PAGE_SUFFIXES | {".jsonl"}:
            reason = "지원하지 않는 형식입니다(.txt, .md, .html, .jsonl만 읽습니다)"
            corpus.skipped.append(Skipped(shown(path), reason))
            continue
        name = text_name(path)
        if name is None:
            reason = "파일 이름을 UTF-8이나 CP949로 읽을 수 없습니다(이름을 바꾸면 색인합니다)"
            corpus.skipped.append(Skipped(shown(path), reason))
            continue
        if name != path.name and name in own_names:
            reason = (
                f"CP949로 읽은 이름이 같은 폴더의 '{name}'과 같습니다(이름을 바꾸면 색인합니다)"
            )
            corpus.skipped.append(Skipped(shown(path), reason))
            continue
        label = shown(path.parent / name)
        stem = Path(name).stem
        extra = metadata.get(stem) if suffix in PAGE_SUFFIXES else None
        context = read_context(extra)
        previous = known.get(name)
        try:
            stat = settled_stat(path)
            data = b""  # not read while the stat says the file is as it was
            if previous and stat and (previous.stat, previous.context) == (stat, context):
                print_ = previous.fingerprint
            else:
                data = path.read_bytes()
                print_ = fingerprint(data, extra)
        except OSError as exc:
            reason = f"파일을 열 수 없습니다({exc.strerror})"
            corpus.skipped.append(Skipped(label, reason, _id_of(name)))
            continue
        if previous is not None and previous.fingerprint == print_:
            previous = replace(previous, stat=stat, context=context)
            ids = [i for i in previous.article_ids if i not in seen]
            corpus.unchanged.extend(ids)
            corpus.skipped.extend(Skipped(w, r) for w, r in previous.skipped)
            corpus.sources[name] = previous
            _register(corpus, ids, seen)
            continue
        found: list[Article] = []
        bad: list[Skipped] = []
        try:
            if suffix == ".jsonl":
                found, bad = read_jsonl(path, data, label)
            elif suffix in HTML_SUFFIXES:
                found = [read_html_file(path, extra, data, name)]
            else:
                found = [read_text_file(path, extra, data, name)]
        except UnreadableError as exc:
            corpus.skipped.append(Skipped(label, str(exc), _id_of(name)))
            continue
        fresh = _unique(found, bad, seen)
        corpus.articles.extend(fresh)
        corpus.skipped.extend(bad)
        corpus.sources[name] = SourceFile(
            print_,
            tuple(a.id for a in fresh),
            tuple((s.path, s.reason) for s in bad),
            stat,
            context,
        )
        _register(corpus, [a.id for a in fresh], seen)
    return corpus


def _register(corpus: Corpus, ids: list[str], seen: set[str]) -> None:
    corpus.order.extend(ids)
    seen.update(ids)


def _id_of(name: str) -> str | None:
    path = Path(name)
    return None if path.suffix.lower() == ".jsonl" else path.stem


def _unique(articles: Iterable[Article], skipped: list[Skipped], seen: set[str]) -> list[Article]:
    """Article ids must be unique; a later duplicate is reported, not silently merged."""
    unique: dict[str, Article] = {}
    for article in articles:
        if article.id in seen or article.id in unique:
            skipped.append(Skipped(article.id, "같은 id의 기사가 이미 있어 건너뜁니다"))
            continue
        unique[article.id] = article
    return list(unique.values())

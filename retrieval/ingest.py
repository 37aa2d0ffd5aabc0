"""Read a folder (or one file) of articles into a `Corpus`, file by file (`retrieval.article_files`).

A file that cannot be read is reported as a `Skipped` with a Korean reason and the rest go on.

Cleaning is most of the cost of reading, so a file whose bytes (and the metadata and cleaning
code that apply to them) are what the index last saw is not parsed again: its articles are
reported as `unchanged` and the index keeps what it made of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.article_files import Skipped, read_html_file, read_jsonl, read_text_file
from retrieval.errors import UnreadableError
from retrieval.file_text import (
    decode,
    fingerprint,
    read_context,
    settled_stat,
    shown,
    text_name,
)
from retrieval.types import Article, SourceFile

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}  # saved pages, read with trafilatura (`retrieval.html_page`)
PAGE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES  # one article per file, metadata.json applies
METADATA_FILE = "metadata.json"


@dataclass
class Corpus:
    articles: list[Article]  # parsed now
    skipped: list[Skipped]
    unchanged: list[str] = field(default_factory=list)  # ids from files not parsed again
    order: list[str] = field(default_factory=list)  # every id, in file order
    sources: dict[str, SourceFile] = field(default_factory=dict)  # by file name


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
    own_names = {p.name for p in files}
    for path in files:
        suffix = path.suffix.lower()
        name, refusal = _name_of(path, own_names)
        if name is None:
            corpus.skipped.append(Skipped(shown(path), refusal))
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
            reason = UnreadableError.unopenable(exc.strerror).message
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
        try:
            found, bad = _parse(path, data, extra, name, label)
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


def _name_of(path: Path, own_names: set[str]) -> tuple[str | None, str]:
    """The file's name as text, or None and why it is skipped."""
    if path.suffix.lower() not in PAGE_SUFFIXES | {".jsonl"}:
        return None, UnreadableError.unsupported().message
    name = text_name(path)
    if name is None:
        return None, UnreadableError.undecodable_name().message
    if name != path.name and name in own_names:  # a decoded name must not take another's
        return None, UnreadableError.name_taken(name).message
    return name, ""


def _parse(
    path: Path, data: bytes, extra: dict[str, object] | None, name: str, label: str
) -> tuple[list[Article], list[Skipped]]:
    """The articles a file holds (a .jsonl file: with its unreadable lines)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path, data, label)
    if suffix in HTML_SUFFIXES:
        return [read_html_file(path, extra, data, name)], []
    return [read_text_file(path, extra, data, name)], []


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
            skipped.append(Skipped(article.id, UnreadableError.repeated_id().message))
            continue
        unique[article.id] = article
    return list(unique.values())

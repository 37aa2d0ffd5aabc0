"""Files as text: names that can be shown and stored, bytes decoded, front matter split off;
and whether a file is as it was last read: its fingerprint (bytes, metadata and cleaning code),
or a settled stat (no write in the last seconds) standing in for reading it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from functools import cache
from pathlib import Path

import yaml

from retrieval.errors import UnreadableError

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(\n|\Z)", re.DOTALL)


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
    """Split an optional leading `---` YAML block (title, outlet, date, url, author) from the
    page."""
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


@cache
def _code_version() -> str:
    """Cleaning rules live in code: when they change, every file must be read again."""
    digest = hashlib.sha256()
    for module in (
        "ingest.py",
        "article_files.py",
        "file_text.py",
        "clean.py",
        "page_metadata.py",
        "html_page.py",
    ):
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

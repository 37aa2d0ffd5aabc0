"""The index folder on disk: generations of data files, committed by one atomic manifest write.

Layout::

    DIR/manifest.json       the commit point (`retrieval.manifest`): settings, counts and a
                            checksum of every data file
    DIR/gen-<id>/...        the data files of one generation, never modified after commit
    DIR/.lock               serialises writers (`retrieval.locks`)

A save writes a new generation, renames it into place, then atomically replaces the
manifest. Files that did not change are hard links to the previous generation's (data files are
never modified in place), so a small update writes little; their checksums are carried over.
A crash at any moment leaves the previous manifest pointing at the previous, intact
generation. The generation before the current one is kept, so a reader that read the old
manifest just before a commit can still load it; when the disk is too full to commit, that
kept generation is released and the commit tried once more (the current one is never touched).

Exception messages are Korean clauses: the CLI and the bot show them inside one sentence
(`retrieval.errors`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from retrieval.errors import IndexCorrupt, IndexIncompatible, IndexMissing, StoreError, disk_full
from retrieval.manifest import FORMAT_VERSION, MANIFEST, Manifest
from retrieval.notices import KeptIndexReleased, Say

KEEP_GENERATIONS = 2  # the current generation and the one before it

log = logging.getLogger(__name__)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _seal(
    root: Path, previous: Path | None, known: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, int]]:
    """fsync every new file under `root`; return checksums and sizes by relative path.

    A file that is a hard link to the same path in the previous generation (same inode) is
    already durable and keeps its recorded checksum: only what this save wrote is hashed.
    """
    sums: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        stat = path.stat()
        sizes[name] = stat.st_size
        if previous is not None and name in known:
            try:
                old = (previous / name).stat()
            except OSError:
                old = None
            if old is not None and (old.st_ino, old.st_dev) == (stat.st_ino, stat.st_dev):
                sums[name] = known[name]
                continue
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
        sums[name] = sha256(path)
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        _fsync_dir(folder)
    return sums, sizes


def _current(folder: Path) -> tuple[Path | None, Mapping[str, str]]:
    """The current generation's folder and checksums, when there is a readable one."""
    try:
        manifest = read_manifest(folder)
    except StoreError:
        return None, {}
    gen = folder / manifest.generation
    if not manifest.generation or not gen.is_dir():
        return None, {}
    return gen, manifest.files


def commit(
    folder: Path,
    write: Callable[[Path], None],
    manifest: Manifest,
    notify: Say | None = None,
) -> Manifest:
    """Write a new generation with `write(gen_dir)` and make it current, atomically, with
    `manifest` (its generation, files and sizes filled in here). When the disk is full, the
    kept previous generation is released, `notify` told, and `write` run once more: a run that
    only removes articles must get through on an almost full disk."""
    folder.mkdir(parents=True, exist_ok=True)
    previous_gen, previous_sums = _current(folder)
    try:
        committed = _attempt(folder, write, manifest, previous_gen, previous_sums)
    except Exception as exc:
        if not disk_full(exc):
            raise
        released = _release_kept(folder, base=previous_gen)
        if not released:
            raise
        log.warning("disk full committing to %s: released %s, trying again", folder, released)
        if notify is not None:
            notify(KeptIndexReleased(tuple(released)))
        committed = _attempt(folder, write, manifest, previous_gen, previous_sums)
    keep = {committed.generation, previous_gen.name if previous_gen else ""}
    _collect_garbage(folder, keep=keep)
    return committed


def _attempt(
    folder: Path,
    write: Callable[[Path], None],
    manifest: Manifest,
    previous_gen: Path | None,
    previous_sums: Mapping[str, str],
) -> Manifest:
    """One try at a commit; what it wrote is removed again if it fails before the switch."""
    generation = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = folder / f".{generation}.tmp"
    staging.mkdir()
    try:
        write(staging)
        files, sizes = _seal(staging, previous_gen, previous_sums)
        os.rename(staging, folder / generation)
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest = replace(manifest, generation=generation, files=files, sizes=sizes)
    try:
        _write_manifest(folder, manifest)
    except BaseException:
        _drop_unless_current(folder, generation)  # its space may be what the next try needs
        raise
    return manifest


def _drop_unless_current(folder: Path, generation: str) -> None:
    """Remove `generation` if the manifest on disk does not name it (the switch failed)."""
    current, _ = _current(folder)
    if current is None or current.name != generation:
        shutil.rmtree(folder / generation, ignore_errors=True)


def _write_manifest(folder: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically: written aside, synced, renamed over the old one."""
    tmp = folder / f".{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(manifest.to_json(), handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / MANIFEST)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _release_kept(folder: Path, base: Path | None) -> list[str]:
    """Remove every generation but the one the manifest on disk names and `base` (the one this
    commit builds on): the kept previous one, and any written but never made current. Returns
    the names removed."""
    current, _ = _current(folder)
    if current is None:  # without a readable manifest nothing is known to be spare
        return []
    keep = {current.name, base.name if base else ""}
    released = sorted(p.name for p in folder.glob("gen-*") if p.is_dir() and p.name not in keep)
    _collect_garbage(folder, keep=keep)
    return released


def _collect_garbage(folder: Path, keep: set[str]) -> None:
    """Remove generations no manifest points to any more, and leftovers of crashed saves."""
    for path in folder.glob("gen-*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(".*.tmp"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the index in `folder`; IndexMissing when there is none."""
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexMissing(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(f"{MANIFEST}을(를) JSON으로 읽을 수 없음") from exc
    if not isinstance(data, dict):
        raise IndexCorrupt(f"{MANIFEST}이(가) JSON 객체가 아님")
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexIncompatible(
            f"색인 형식 버전 {data.get('format_version')!r}, 지원하는 버전 {FORMAT_VERSION}"
        )
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorrupt(f"{MANIFEST}의 내용을 읽을 수 없음") from exc


def current_generation(folder: Path) -> str | None:
    """The generation the manifest in `folder` names now; None when none can be read."""
    try:
        return read_manifest(folder).generation
    except StoreError:
        return None


def generation_dir(folder: Path, manifest: Manifest, verify: bool = True) -> Path:
    """The current generation's folder, after checking that every file is there with its size
    and, with `verify`, its checksum (which reads the whole index)."""
    gen = folder / manifest.generation
    if not manifest.generation or not gen.is_dir():
        raise IndexCorrupt(f"{MANIFEST}이(가) 가리키는 데이터 폴더 {gen.name!r}가 없음")
    if not manifest.files:
        raise IndexCorrupt(f"{MANIFEST}에 파일 체크섬 목록이 없음")
    for name in manifest.files:
        path = gen / name
        if not path.is_file():
            raise IndexCorrupt(f"색인 파일 {name}이(가) 없음")
        if path.stat().st_size != manifest.sizes.get(name):
            raise IndexCorrupt(f"색인 파일 {name}의 크기가 맞지 않음")
    if verify:
        verify_files(gen, manifest, manifest.files)
    return gen


def verify_files(gen: Path, manifest: Manifest, names: Iterable[str]) -> None:
    """Refuse any of `names` (paths inside `gen`) whose checksum is not the one the manifest
    sealed. An update runs this on what it reads and carries into its new generation, so it
    never seals damage it did not see under fresh checksums."""
    for name in names:
        expected = manifest.files.get(name)
        if expected is None:
            raise IndexCorrupt(f"{MANIFEST}에 색인 파일 {name}의 체크섬이 없음")
        try:
            actual = sha256(gen / name)
        except FileNotFoundError as exc:
            raise IndexCorrupt(f"색인 파일 {name}이(가) 없음") from exc
        if actual != expected:
            raise IndexCorrupt(f"색인 파일 {name}의 체크섬이 맞지 않음")

"""User-facing errors and their one-sentence Korean explanations (used by the CLI and the bot)."""

from __future__ import annotations

import shlex
from pathlib import Path

from retrieval import generations, policy
from retrieval.config import SettingsError, is_default_index
from retrieval.korean import AnalyserUnavailable


class UserError(Exception):
    """An error whose message is already a Korean sentence for the user."""


class QuestionError(UserError):
    pass


class ArticlesMissing(UserError):
    pass


class ModelMismatch(UserError):
    pass


class NoIndex(UserError):
    """No index where one was asked for, and none may be built there on the way."""


class DiskFull(UserError):
    pass


def no_index_message(folder: Path, articles: Path | None = None) -> str:
    """'No index at X' and the command that builds one there (naming the articles' folder
    when the default one, `articles`, is not there)."""
    command = "newsqa index"
    if not is_default_index(folder):
        command += f" --index {shlex.quote(str(folder))}"
    if articles is not None and not articles.exists():
        command += " --articles 기사_폴더"
    return f"'{folder}'에 색인이 없습니다. `{command}`로 먼저 만드세요."


def disk_full_message(folder: Path) -> str:
    return f"디스크 공간이 부족해 '{folder}'에 색인을 쓰지 못했습니다. 공간을 확보한 뒤 다시 실행하세요."


REBUILD = "`newsqa index --full`로 색인을 다시 만드세요."


def user_message(exc: BaseException) -> str | None:
    """One sentence saying what happened and what to do, or None for unexpected errors."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, generations.IndexMissing):
        return no_index_message(exc.folder)
    if isinstance(exc, generations.IndexCorrupt):
        return f"색인이 손상되었습니다({exc}). {REBUILD}"
    if isinstance(exc, generations.IndexIncompatible):
        return f"이 설정과 맞지 않는 색인입니다({exc}). {REBUILD}"
    if isinstance(exc, generations.StoreError):
        return f"{exc}. --index로 색인 폴더를 다시 지정하세요."
    if isinstance(exc, AnalyserUnavailable):
        return (
            f"한국어 형태소 분석기(Kiwi)를 불러오지 못했습니다({exc}). "
            "`pip install --force-reinstall kiwipiepy kiwipiepy_model`로 다시 설치하세요."
        )
    if isinstance(exc, policy.PolicyError):
        return f"{exc}. `pip install --force-reinstall newsqa`로 다시 설치하세요."
    if isinstance(exc, SettingsError):  # already a sentence naming the setting and its range
        return str(exc)
    if generations.disk_full(exc):
        return "디스크 공간이 부족해 파일을 쓰지 못했습니다. 공간을 확보한 뒤 다시 실행하세요."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"파일을 읽거나 쓰지 못했습니다{where}: {exc.strerror or exc}. 경로와 권한을 확인하세요."
    return None

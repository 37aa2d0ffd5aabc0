"""User-facing errors and their one-sentence Korean explanations (used by the CLI and the bot)."""

from __future__ import annotations

from retrieval import store
from retrieval.config import SettingsError


class UserError(Exception):
    """An error whose message is already a Korean sentence for the user."""


class QuestionError(UserError):
    pass


class ArticlesMissing(UserError):
    pass


class ModelMismatch(UserError):
    pass


REBUILD = "`newsqa index --full`로 색인을 다시 만드세요."


def user_message(exc: BaseException) -> str | None:
    """One sentence saying what happened and what to do, or None for unexpected errors."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, store.IndexMissing):
        return f"색인이 아직 없습니다. `newsqa index`로 먼저 색인을 만드세요. ({exc})"
    if isinstance(exc, store.IndexCorrupt):
        return f"색인 파일이 손상되었습니다({exc}). {REBUILD}"
    if isinstance(exc, store.IndexIncompatible):
        return f"이 버전과 맞지 않는 색인입니다({exc}). {REBUILD}"
    if isinstance(exc, SettingsError):
        return f"설정값이 잘못되었습니다: {exc}. .env 또는 환경 변수를 고쳐 주세요."
    return None

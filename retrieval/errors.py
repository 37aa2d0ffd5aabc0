"""Every error newsqa raises for a user to read: one family, each with a message and a hint.

Library code raises these with `message`, what happened (a Korean clause, since a user reads
it); each class carries the `hint`, what to do about it. Only the edges (the CLI and the bot)
turn an error into the sentence users see, through `user_message`. Loading this module imports
nothing of newsqa, so any module may raise from it without pulling in another's dependencies.
Errors that are never shown to a user (`ModelUnavailable`, `DamagedRecord`) live here too, as
plain exceptions, so every exception newsqa defines is in one place.
"""

from __future__ import annotations

import errno
import shlex
from pathlib import Path

REBUILD = "`newsqa index --full`로 색인을 다시 만드세요."
REINSTALL = "`pip install --force-reinstall newsqa`로 다시 설치하세요."


class NewsqaError(Exception):
    """Base of the family: `message` says what happened, `hint` what to do (may be empty when
    the message already says it)."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def sentence(self) -> str:
        """The message and the hint as the one sentence a user reads."""
        message = self.message.rstrip()
        if not self.hint:
            return message
        return f"{message.rstrip('.')}. {self.hint}"

    def sentence_at(self, folder: Path) -> str:
        """The sentence, a rebuild command it names naming `folder` unless it is the default
        index: run as printed, `newsqa index --full` would rebuild the default index instead."""
        return at_index(self.sentence(), folder)


def at_index(sentence: str, folder: Path) -> str:
    """`sentence` with its `newsqa index --full` command run on `folder`."""
    from retrieval.config import is_default_index  # config raises from here

    if is_default_index(folder):
        return sentence
    where = f" --index {shlex.quote(str(folder))}"
    return sentence.replace("`newsqa index --full", "`newsqa index --full" + where)


class QuestionError(NewsqaError, ValueError):
    """A question that cannot be asked as it is (empty, too long); the message says what to do."""


class QuestionSetError(NewsqaError, ValueError):
    """A line of a question set (`newsqa eval`, `newsqa calibrate`) that is not a question;
    the message names the line."""

    hint = "한 줄에 JSON 객체 하나씩 있어야 합니다."

    def sentence(self) -> str:
        return f"질문 세트를 읽을 수 없습니다({self.message}). {self.hint}"


class SettingsError(NewsqaError, ValueError):
    """A value the settings table refuses; the message names the setting and what it may be."""

    @classmethod
    def refused(cls, name: str, value: object, allowed: str) -> SettingsError:
        """`allowed`: what the setting may be, as a Korean noun phrase ("0 이상의 정수")."""
        return cls(
            f"{name}={value}은(는) 쓸 수 없으니 .env나 환경 변수에서 "
            f"{allowed}{_ro(allowed)} 고쳐 주세요."
        )


class ArticlesMissing(NewsqaError):
    """No articles where an index was to be built from them."""

    @classmethod
    def no_path(cls, path: Path) -> ArticlesMissing:
        return cls(
            f"기사 경로 '{path}'이(가) 없습니다", hint="--articles로 기사 폴더를 지정하세요."
        )


class ModelMismatch(NewsqaError):
    """The index's vectors were made by another model, dimension or precision than asked for,
    or their model cannot be loaded for an update. Made through the constructors below."""

    @classmethod
    def other_model(cls, indexed: str | None, name: str) -> ModelMismatch:
        return cls(
            f"색인은 '{indexed}' 모델로 만들어졌는데 '{name}' 모델이 지정되었으니, 같은 모델을 "
            f"지정하거나 `newsqa index --full --model {shlex.quote(name)}`로 색인을 다시 만드세요."
        )

    @classmethod
    def other_dimension(cls, indexed: int, dim: int) -> ModelMismatch:
        return cls(
            f"모델 차원({dim})이 색인({indexed})과 다르니 `newsqa index --full`로 색인을 "
            "다시 만드세요."
        )

    @classmethod
    def other_precision(cls, indexed: str, precision: str) -> ModelMismatch:
        return cls(
            f"색인의 벡터는 {indexed} 정밀도로 만들어졌는데 지금은 {precision}이니, "
            "NEWSQA_EMBED_PRECISION을 맞추거나 `newsqa index --full`로 색인을 다시 만드세요."
        )

    @classmethod
    def rebuild_without_model(cls, indexed: str | None, requested: str) -> ModelMismatch:
        return cls(
            f"모델 '{requested}'을(를) 불러올 수 없어 '{indexed}' 모델의 벡터가 있는 색인을 다시 "
            "만들지 않았으니, 모델 경로를 확인하거나 벡터 없이 만들려면 `--model none`을 붙이세요."
        )

    @classmethod
    def vectors_orphaned(cls, indexed: str | None) -> ModelMismatch:
        return cls(
            f"색인에 '{indexed}' 모델의 벡터가 있지만 지금은 그 모델을 쓸 수 없으니, 모델을 "
            "준비하거나 `newsqa index --full --model none`으로 어휘 색인만 다시 만드세요."
        )


class ModelUnavailable(RuntimeError):
    """The embedding model could not be loaded (not cached, hub unreachable, or broken files).
    Never shown as such: callers log it (English), degrade to lexical search and say so."""


class BadDate(NewsqaError, ValueError):
    """A date a user gave (`newsqa list --since`, the bot's article list) that is none."""

    hint = "2024-10-02, 2024-10, 2024처럼 적어 주세요."

    def __init__(self, value: str) -> None:
        super().__init__(f"'{value}'은(는) 날짜로 읽을 수 없습니다")


class CalibrationError(NewsqaError):
    """The questions cannot support a fit; the message says why and what to do."""


class AnalyserUnavailable(NewsqaError, RuntimeError):
    """Kiwi or its model files could not be loaded (a broken or partial install)."""

    hint = "`pip install --force-reinstall kiwipiepy kiwipiepy_model`로 다시 설치하세요."

    def __init__(self, cause: str) -> None:
        super().__init__(f"한국어 형태소 분석기(Kiwi)를 불러오지 못했습니다({cause})")


class PolicyError(NewsqaError, ValueError):
    """A policy file that cannot be used (the pipeline falls back to the default policy)."""

    hint = REINSTALL


class UnreadableError(NewsqaError, ValueError):
    """Bytes that are not an article's text; the message is the reason the file is skipped.
    The reasons found without raising (a file's name, a repeated id) are made here too."""

    @classmethod
    def unopenable(cls, strerror: str | None) -> UnreadableError:
        return cls(f"파일을 열 수 없습니다({strerror})")

    @classmethod
    def unsupported(cls) -> UnreadableError:
        return cls("지원하지 않는 형식입니다(.txt, .md, .html, .jsonl만 읽습니다)")

    @classmethod
    def undecodable_name(cls) -> UnreadableError:
        return cls("파일 이름을 UTF-8이나 CP949로 읽을 수 없습니다(이름을 바꾸면 색인합니다)")

    @classmethod
    def name_taken(cls, name: str) -> UnreadableError:
        return cls(f"CP949로 읽은 이름이 같은 폴더의 '{name}'과 같습니다(이름을 바꾸면 색인합니다)")

    @classmethod
    def repeated_id(cls) -> UnreadableError:
        return cls("같은 id의 기사가 이미 있어 건너뜁니다")

    @classmethod
    def bad_json(cls) -> UnreadableError:
        return cls("JSON 형식이 잘못되었습니다")


class DamagedRecord(ValueError):
    """A stored record whose bytes are not those written: it must never be quoted. Internal:
    the reader reports it as `IndexCorrupt`, naming the segment."""


class StoreError(NewsqaError, RuntimeError):
    """An index folder that cannot be used as asked."""

    hint = "--index로 색인 폴더를 다시 지정하세요."


class IndexMissing(StoreError):
    """Nothing was ever committed to `folder` (no manifest)."""

    def __init__(self, folder: Path, articles: Path | None = None) -> None:
        super().__init__(f"'{folder}'에 색인이 없습니다")
        self.folder = folder
        self.articles = articles

    def sentence(self) -> str:
        return f"{self.message}. {_build_hint(self.folder, self.articles)}"


class NoIndex(IndexMissing):
    """No index where one was asked for, and none may be built there on the way."""


class IndexCorrupt(StoreError):
    """Index files that are not what was committed; `message` names the file and the fault."""

    hint = REBUILD

    def sentence(self) -> str:
        return f"색인이 손상되었습니다({self.message}). {self.hint}"


class IndexIncompatible(StoreError):
    """An index made by another format version or analyser settings."""

    hint = REBUILD

    def sentence(self) -> str:
        return f"이 설정과 맞지 않는 색인입니다({self.message}). {self.hint}"


class DiskFull(NewsqaError):
    """The disk filled up while writing the index at `folder`; the last good index is kept."""

    hint = "공간을 확보한 뒤 다시 실행하세요."

    def __init__(self, folder: Path | None = None) -> None:
        where = f"'{folder}'에 색인을" if folder is not None else "파일을"
        super().__init__(f"디스크 공간이 부족해 {where} 쓰지 못했습니다")


def _ro(phrase: str) -> str:
    """로 or 으로 after `phrase`: 으로 after a final consonant other than ㄹ."""
    last = phrase[-1]
    if not "가" <= last <= "힣":
        return "로"
    coda = (ord(last) - ord("가")) % 28
    return "으로" if coda not in (0, 8) else "로"


def _build_hint(folder: Path, articles: Path | None) -> str:
    """The command that builds an index at `folder` (naming the articles' folder when the
    default one is not there)."""
    from retrieval.config import is_default_index  # config raises from here: import when used

    command = "newsqa index"
    if not is_default_index(folder):
        command += f" --index {shlex.quote(str(folder))}"
    if articles is not None and not articles.exists():
        command += " --articles 기사_폴더"
    return f"`{command}`로 먼저 만드세요."


def disk_full(exc: BaseException) -> bool:
    """Whether `exc` says the disk (or the user's quota) is full; tantivy and FAISS report it
    as text, not as an OSError."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(exc) or "os error 28" in str(exc)


def user_error(exc: BaseException) -> bool:
    """Whether `exc` is one a user can act on (`user_message` words it), not a bug."""
    return user_message(exc) is not None


def user_message(exc: BaseException) -> str | None:
    """One sentence saying what happened and what to do, or None for an unexpected error
    (a bug: the edge logs it with its traceback)."""
    if isinstance(exc, NewsqaError):
        return exc.sentence()
    if disk_full(exc):
        return DiskFull().sentence()
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"파일을 읽거나 쓰지 못했습니다{where}: {exc.strerror or exc}. 경로와 권한을 확인하세요."
    return None

"""Every setting newsqa reads, in one table: its variable, type, range, default and meaning.

The table builds the core's `Settings` here and the bot's `BotSettings` (`bot.config`), and the
README's settings table and `.env.example` are checked against it. Values come from the
environment; a `.env` file is loaded once, explicitly, by the entry points (`load_env_file`),
never as a side effect of reading settings. Command-line flags win over both.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retrieval.errors import SettingsError
from retrieval.notices import RetiredSetting
from retrieval.setting import CONVERT, Kind, Scope, Secret, Setting

ENV_PREFIX = "NEWSQA_"
DEFAULT_INDEX_DIR = Path(".newsqa/index")


def _row(name: str, field: str, kind: Kind, default: Any, doc: str, **limits: Any) -> Setting[Any]:
    """A row; the scope follows from the name (the bot's are `NEWSQA_BOT_*` and its token)."""
    bot = name.startswith(ENV_PREFIX + "BOT_") or name == "DISCORD_TOKEN"
    scope: Scope = "bot" if bot else "core"
    return Setting(
        name=name, field=field, scope=scope, kind=kind, default=default, convert=CONVERT[kind],
        doc=doc, **limits,
    )  # fmt: skip


# fmt: off
# ---- the core: `newsqa` and the pipeline the bot shares ----
ARTICLES: Setting[Path] = _row(
    "NEWSQA_ARTICLES", "articles", "path", Path("seeds"),
    "Folder (or .txt/.md/.jsonl file) of articles that `newsqa index` reads.")
INDEX_DIR: Setting[Path] = _row(
    "NEWSQA_INDEX_DIR", "index_dir", "path", DEFAULT_INDEX_DIR, "Where the index lives.")
MODEL: Setting[str | None] = _row(
    "NEWSQA_MODEL", "model", "text", None,
    "Embedding model (hub name or local path), `none` for BM25 only; unset: the index's.")
EMBED_PRECISION: Setting[str] = _row(
    "NEWSQA_EMBED_PRECISION", "embed_precision", "choice", "fp32",
    "The model's linear layers: int8 is faster on CPU but finds the right article less often.",
    choices=("fp32", "int8"))
TOP_K: Setting[int] = _row(
    "NEWSQA_TOP_K", "top_k", "int", 3, "Quotes per answer.", low=1, high=3)
CANDIDATES: Setting[int] = _row(
    "NEWSQA_CANDIDATES", "candidates", "int", 20, "Chunks each retriever fetches.",
    low=1, high=1000)
LEXICAL_WEIGHT: Setting[float] = _row(
    "NEWSQA_LEXICAL_WEIGHT", "lexical_weight", "float", 1.0, "Fusion weight of BM25.", low=0)
DENSE_WEIGHT: Setting[float] = _row(
    "NEWSQA_DENSE_WEIGHT", "dense_weight", "float", 1.0, "Fusion weight of vectors.", low=0)
MAX_QUESTION_CHARS: Setting[int] = _row(
    "NEWSQA_MAX_QUESTION_CHARS", "max_question_chars", "int", 500,
    "Longest question accepted (CLI and bot), in characters.", low=1, high=100_000)
CHUNK_CHARS: Setting[int] = _row(
    "NEWSQA_CHUNK_CHARS", "chunk_chars", "int", 400,
    "Characters per chunk (a change needs `index --full`).", low=50, high=100_000)
CHUNK_OVERLAP: Setting[int] = _row(
    "NEWSQA_CHUNK_OVERLAP", "chunk_overlap", "int", 1,
    "Sentences shared by neighbouring chunks (a change needs `index --full`).", low=0, high=10)
TODAY: Setting[dt.date | None] = _row(
    "NEWSQA_TODAY", "today", "date", None,
    "The day questions like \"작년에 …\" are read against (YYYY-MM-DD); unset: the clock's.")

# ---- the Discord bot (`newsqa bot`) ----
DISCORD_TOKEN: Setting[Secret | None] = _row(
    "DISCORD_TOKEN", "token", "secret", None, "The bot token; never logged.")
BOT_CHANNELS: Setting[frozenset[int]] = _row(
    "NEWSQA_BOT_CHANNELS", "channels", "ids", frozenset(),
    "Channels where the bot answers (and their threads); empty: every channel.")
BOT_CONCURRENCY: Setting[int] = _row(
    "NEWSQA_BOT_CONCURRENCY", "concurrency", "int", 2, "Questions answered at once.", low=1)
BOT_MAX_WAITING: Setting[int] = _row(
    "NEWSQA_BOT_MAX_WAITING", "max_waiting", "int", 20,
    "Questions queued beyond those before users are asked to retry.", low=0)
BOT_TIMEOUT: Setting[float] = _row(
    "NEWSQA_BOT_TIMEOUT", "timeout_s", "float", 30.0, "Seconds before a question is dropped.",
    low=1)
BOT_COOLDOWN: Setting[float] = _row(
    "NEWSQA_BOT_COOLDOWN", "cooldown_s", "float", 10.0, "Seconds between a user's questions.",
    low=0)
BOT_WATCH: Setting[bool] = _row(
    "NEWSQA_BOT_WATCH", "watch", "flag", False,
    "1: the bot indexes new, changed and removed article files itself, as `index --watch` does.")
BOT_RELOAD: Setting[float] = _row(
    "NEWSQA_BOT_RELOAD", "reload_s", "float", 5.0, "Seconds between checks for a newer index.",
    low=0.05)
BOT_DATA_DIR: Setting[Path] = _row(
    "NEWSQA_BOT_DATA_DIR", "data_dir", "path", Path(".newsqa/bot"),
    "Where answers (for the buttons) and the feedback log are kept.")
BOT_DEV_GUILD: Setting[int | None] = _row(
    "NEWSQA_BOT_DEV_GUILD", "dev_guild", "id", None,
    "Server where `newsqa bot --sync` registers the commands at once.")
BOT_OWNERS: Setting[frozenset[int]] = _row(
    "NEWSQA_BOT_OWNERS", "owners", "ids", frozenset(),
    "Users allowed to run /reindex (with manage-server); empty: anyone with it.")

TABLE: tuple[Setting[Any], ...] = (
    ARTICLES, INDEX_DIR, MODEL, EMBED_PRECISION, TOP_K, CANDIDATES, LEXICAL_WEIGHT, DENSE_WEIGHT,
    MAX_QUESTION_CHARS, CHUNK_CHARS, CHUNK_OVERLAP, TODAY,
    DISCORD_TOKEN, BOT_CHANNELS, BOT_CONCURRENCY, BOT_MAX_WAITING, BOT_TIMEOUT, BOT_COOLDOWN,
    BOT_RELOAD, BOT_WATCH, BOT_DATA_DIR, BOT_DEV_GUILD, BOT_OWNERS,
)
# fmt: on


@dataclass(frozen=True)
class Settings:
    """The core's settings; `TABLE` says what each means and may be."""

    articles: Path = ARTICLES.default
    index_dir: Path = INDEX_DIR.default
    model: str | None = MODEL.default  # unset: `index` keeps the index's model, `ask` uses it
    embed_precision: str = EMBED_PRECISION.default
    top_k: int = TOP_K.default
    candidates: int = CANDIDATES.default
    lexical_weight: float = LEXICAL_WEIGHT.default
    dense_weight: float = DENSE_WEIGHT.default
    max_question_chars: int = MAX_QUESTION_CHARS.default
    chunk_chars: int = CHUNK_CHARS.default
    chunk_overlap: int = CHUNK_OVERLAP.default
    today: dt.date | None = TODAY.default  # unset: the clock's date when a question is asked

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def load_env_file(path: Path = Path(".env")) -> None:
    """Fill variables not already set from `path`: called once by each entry point."""
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def read(
    scope: Scope, environ: Mapping[str, str] | None = None, without: Iterable[str] = ()
) -> dict[str, Any]:
    """The values set (not empty) for the table's `scope`, by field, parsed and range-checked;
    fields `without` are not read (a flag gives them)."""
    source = os.environ if environ is None else environ
    skipped = set(without)
    values: dict[str, Any] = {}
    for setting in TABLE:
        raw = source.get(setting.name, "").strip()
        if setting.scope == scope and raw and setting.field not in skipped:  # empty: default
            values[setting.field] = setting.parse(raw)
    return values


def validate(settings: Settings) -> Settings:
    """`settings` if every value is within the table's range (flags can override variables)."""
    for setting in TABLE:
        value = getattr(settings, setting.field, None) if setting.scope == "core" else None
        if value is not None and not setting.accepts(value):
            raise setting.refusal(value)
    if settings.lexical_weight == 0 and settings.dense_weight == 0:
        raise SettingsError(
            f"{LEXICAL_WEIGHT.name}와 {DENSE_WEIGHT.name}가 모두 0이면 검색할 수 없으니 "
            "둘 중 하나는 0보다 크게 고쳐 주세요."
        )
    return settings


def read_settings(
    environ: Mapping[str, str] | None = None, without: Iterable[str] = ()
) -> Settings:
    """The core's settings from `environ` (default: the process environment) but the fields
    `without`, which the CLI's flags give: a flag wins even over a variable set wrong."""
    return Settings(**read("core", environ, without))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The core's settings from `environ` (default: the process environment), checked."""
    return validate(read_settings(environ))


# Settings that no longer exist: the answer policy decides what they did (`newsqa calibrate`).
RETIRED = ("MIN_COVERAGE", "MIN_DENSE_SCORE")


def retired_settings(environ: Mapping[str, str] | None = None) -> list[RetiredSetting]:
    """A notice for each retired NEWSQA_* variable still set, so it is not silently ignored."""
    source = os.environ if environ is None else environ
    return [
        RetiredSetting(ENV_PREFIX + name)
        for name in RETIRED
        if source.get(ENV_PREFIX + name, "").strip()
    ]


def is_default_index(folder: Path) -> bool:
    """Whether `folder` is where the index lives when nobody chose a place (relative to the
    working directory): the only place `ask` and the bot may build a first index on their own."""
    return folder.expanduser().resolve() == DEFAULT_INDEX_DIR.resolve()

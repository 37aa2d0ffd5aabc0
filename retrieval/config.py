"""Settings: command-line flags win, then the environment (also read from `.env`), then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ENV_PREFIX = "NEWSQA_"
DEFAULT_INDEX_DIR = Path(".newsqa/index")


@dataclass(frozen=True)
class Settings:
    articles: Path = Path("seeds")
    index_dir: Path = DEFAULT_INDEX_DIR
    # A hub name or local path; "none" for lexical-only. Unset: `index` uses the model the index
    # was built with (DEFAULT_MODEL for a new one) and `ask` uses the index's model.
    model: str | None = None
    top_k: int = 3  # quotes in an answer (1-3)
    candidates: int = 20  # chunks each side fetches before fusion
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    max_question_chars: int = 500
    chunk_chars: int = 400
    chunk_overlap: int = 1

    def with_overrides(self, **values: object) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_ENV_FIELDS: dict[str, type] = {
    "ARTICLES": Path,
    "INDEX_DIR": Path,
    "MODEL": str,
    "TOP_K": int,
    "CANDIDATES": int,
    "LEXICAL_WEIGHT": float,
    "DENSE_WEIGHT": float,
    "MAX_QUESTION_CHARS": int,
    "CHUNK_CHARS": int,
    "CHUNK_OVERLAP": int,
}


# Settings that no longer exist, and what took their place (one Korean line each).
RETIRED = {
    "MIN_COVERAGE": "답할지는 답변 정책이 정합니다(`newsqa calibrate`로 맞춥니다)",
    "MIN_DENSE_SCORE": "답할지는 답변 정책이 정합니다(`newsqa calibrate`로 맞춥니다)",
}


def retired_settings() -> list[str]:
    """A notice for each retired NEWSQA_* variable still set, so it is not silently ignored."""
    return [
        f"{ENV_PREFIX}{name}은(는) 더 이상 쓰지 않습니다: {instead}."
        for name, instead in RETIRED.items()
        if os.environ.get(ENV_PREFIX + name, "").strip()
    ]


def is_default_index(folder: Path) -> bool:
    """Whether `folder` is where the index lives when nobody chose a place (relative to the
    working directory): the only place `ask` and the bot may build a first index on their own."""
    return folder.expanduser().resolve() == DEFAULT_INDEX_DIR.resolve()


class SettingsError(ValueError):
    """A setting out of range; the message is a Korean sentence fragment naming it."""


# (minimum, maximum) of each numeric setting; None is unbounded.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "top_k": (1, 3),
    "candidates": (1, 1000),
    "lexical_weight": (0, None),
    "dense_weight": (0, None),
    "max_question_chars": (1, 100_000),
    "chunk_chars": (50, 100_000),
    "chunk_overlap": (0, 10),
}


def validate(settings: Settings) -> Settings:
    for name, (low, high) in RANGES.items():
        value = getattr(settings, name)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{low} 이상" if high is None else f"{low}~{high} 범위"
            raise SettingsError(f"{ENV_PREFIX}{name.upper()}={value}은(는) {bounds}여야 합니다")
    if settings.lexical_weight == 0 and settings.dense_weight == 0:
        raise SettingsError("NEWSQA_LEXICAL_WEIGHT와 NEWSQA_DENSE_WEIGHT가 모두 0일 수는 없습니다")
    return settings


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Defaults overridden by NEWSQA_* variables; a `.env` file fills variables not already set."""
    if env_file is not None and env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    values: dict[str, object] = {}
    for suffix, kind in _ENV_FIELDS.items():
        raw = os.environ.get(ENV_PREFIX + suffix)
        if raw is None or not raw.strip():  # set but empty means "use the default"
            continue
        try:
            values[suffix.lower()] = kind(raw.strip())
        except ValueError as exc:
            kind_name = {int: "정수", float: "숫자"}.get(kind, "값")
            raise SettingsError(
                f"{ENV_PREFIX}{suffix}={raw!r}은(는) 올바른 {kind_name}가 아닙니다"
            ) from exc
    return validate(Settings().with_overrides(**values))

"""Bot settings from the environment (and `.env`): the token, limits, channels and data folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.config import SettingsError


class Secret(str):
    """A string that never shows itself in logs, reprs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:  # str(token) in a log line stays masked
        return "***"

    def reveal(self) -> str:
        return super().__str__()


@dataclass(frozen=True)
class BotSettings:
    token: Secret | None = None
    channels: frozenset[int] = frozenset()  # empty: every channel
    concurrency: int = 2  # questions answered at once (threads)
    max_waiting: int = 20  # questions queued beyond that before users are asked to retry
    timeout_s: float = 30.0
    cooldown_s: float = 10.0  # per user, between two questions
    reload_s: float = 5.0  # how often the index directory is checked for a new generation
    data_dir: Path = Path(".newsqa/bot")
    dev_guild: int | None = None
    owners: frozenset[int] = field(default_factory=frozenset)

    @property
    def feedback_log(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def answers_db(self) -> Path:
        return self.data_dir / "answers.sqlite3"


def _ids(raw: str, name: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise SettingsError(f"{name}는 쉼표로 구분한 숫자 ID 목록이어야 합니다") from exc


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r}은(는) 숫자가 아닙니다") from exc
    if value < minimum:
        raise SettingsError(f"{name}={raw}은(는) {minimum} 이상이어야 합니다")
    return value


def load_bot_settings() -> BotSettings:
    """Read DISCORD_TOKEN and NEWSQA_BOT_* (call `retrieval.config.load_settings` first for .env)."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    guild = os.environ.get("NEWSQA_BOT_DEV_GUILD", "").strip()
    return BotSettings(
        token=Secret(token) if token else None,
        channels=_ids(os.environ.get("NEWSQA_BOT_CHANNELS", ""), "NEWSQA_BOT_CHANNELS"),
        concurrency=int(_number("NEWSQA_BOT_CONCURRENCY", 2, 1)),
        max_waiting=int(_number("NEWSQA_BOT_MAX_WAITING", 20, 0)),
        timeout_s=_number("NEWSQA_BOT_TIMEOUT", 30.0, 1),
        cooldown_s=_number("NEWSQA_BOT_COOLDOWN", 10.0, 0),
        reload_s=_number("NEWSQA_BOT_RELOAD", 5.0, 0.05),
        data_dir=Path(os.environ.get("NEWSQA_BOT_DATA_DIR", "").strip() or ".newsqa/bot"),
        dev_guild=min(_ids(guild, "NEWSQA_BOT_DEV_GUILD"), default=None),
        owners=_ids(os.environ.get("NEWSQA_BOT_OWNERS", ""), "NEWSQA_BOT_OWNERS"),
    )

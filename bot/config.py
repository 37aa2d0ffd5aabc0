"""The bot's settings: the token, limits, channels and data folder (rows of `retrieval.config`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrieval import config
from retrieval.setting import Secret

__all__ = ["BotSettings", "Secret", "load_bot_settings"]


@dataclass(frozen=True)
class BotSettings:
    """What `config.TABLE` says for the bot (scope "bot"), with its defaults."""

    token: Secret | None = config.DISCORD_TOKEN.default
    channels: frozenset[int] = config.BOT_CHANNELS.default  # empty: every channel
    concurrency: int = config.BOT_CONCURRENCY.default  # questions answered at once (threads)
    max_waiting: int = config.BOT_MAX_WAITING.default  # queued beyond that: asked to retry
    timeout_s: float = config.BOT_TIMEOUT.default
    cooldown_s: float = config.BOT_COOLDOWN.default  # per user, between two questions
    reload_s: float = config.BOT_RELOAD.default  # how often a new generation is looked for
    watch: bool = config.BOT_WATCH.default  # index the articles folder's changes itself
    data_dir: Path = config.BOT_DATA_DIR.default
    dev_guild: int | None = config.BOT_DEV_GUILD.default
    owners: frozenset[int] = config.BOT_OWNERS.default

    @property
    def feedback_log(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def answers_db(self) -> Path:
        return self.data_dir / "answers.sqlite3"


def load_bot_settings(environ: Mapping[str, str] | None = None) -> BotSettings:
    """DISCORD_TOKEN and NEWSQA_BOT_* from `environ` (default: the process environment)."""
    return BotSettings(**config.read("bot", environ))

"""What a setting is: its variable, type, range, default and meaning, how its text converts,
and what it may be when a value is refused (the sentence is `SettingsError.refused`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from retrieval.errors import SettingsError

T = TypeVar("T")
Scope = Literal["core", "bot"]
Kind = Literal["int", "float", "choice", "path", "text", "ids", "id", "secret", "date", "flag"]


class Secret(str):
    """A string that never shows itself in logs, reprs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:  # str(token) in a log line stays masked
        return "***"

    def reveal(self) -> str:
        return super().__str__()


@dataclass(frozen=True, kw_only=True)
class Setting(Generic[T]):
    """One row of the table."""

    name: str  # the environment variable
    field: str  # the attribute of `Settings` (scope "core") or `bot.config.BotSettings` ("bot")
    scope: Scope
    kind: Kind
    default: T
    convert: Callable[[str], T]  # raises ValueError on text it cannot read
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def accepts(self, value: object) -> bool:
        if self.choices:
            return value in self.choices
        if not isinstance(value, int | float) or isinstance(value, bool):
            return True
        return math.isfinite(value) and (
            (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
        )

    def parse(self, raw: str) -> T:
        """The value of `raw` (not empty), or SettingsError saying what it may be."""
        try:
            value = self.convert(raw)
        except ValueError:
            raise self.refusal(raw) from None
        if not self.accepts(value):
            raise self.refusal(raw)
        return value

    def refusal(self, value: object) -> SettingsError:
        return SettingsError.refused(self.name, value, allowed_korean(self))


def allowed_korean(setting: Setting[Any]) -> str:
    """What the setting may be, as the noun phrase of a Korean sentence."""
    if setting.kind in ("int", "float"):
        noun = "정수" if setting.kind == "int" else "숫자"
        if setting.high is None:
            return f"{setting.low:g} 이상의 {noun}"
        return f"{setting.low:g}~{setting.high:g} 사이의 {noun}"
    if setting.kind == "choice":
        return ", ".join(setting.choices) + " 중 하나"
    if setting.kind == "ids":
        return "쉼표로 구분한 숫자 ID 목록"
    if setting.kind == "id":
        return "숫자 ID 하나"
    if setting.kind == "date":
        return "2025-06-01 같은 날짜"
    if setting.kind == "flag":
        return "1(켜기)이나 0(끄기)"
    return "값"


def _flag(raw: str) -> bool:
    """1/0, and the words people write for them."""
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _id_set(raw: str) -> frozenset[int]:
    return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)


CONVERT: dict[Kind, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "choice": str.lower,
    "path": Path,
    "text": str,
    "ids": _id_set,
    "id": int,
    "secret": Secret,
    "date": dt.date.fromisoformat,
    "flag": _flag,
}

"""The settings table (`retrieval.config.TABLE`) is the one list of settings: the code reads no
other, and `.env.example` and the README's settings table document each of them."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from bot.config import BotSettings
from retrieval.config import ENV_PREFIX, RETIRED, TABLE, Settings
from retrieval.setting import Setting

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\b(?:NEWSQA_[A-Z][A-Z0-9_]*[A-Z0-9]|DISCORD_TOKEN)\b")  # not `NEWSQA_BOT_*`
ASSIGNED = re.compile(r"^(#?)\s*([A-Z][A-Z0-9_]*)=(.*)$", re.MULTILINE)  # `NAME=`, `# NAME=`
README_TABLE = re.compile(r"<!-- settings table[^>]*-->\n(.*?)\n<!-- /settings table -->", re.S)
NAMES = {s.name for s in TABLE}


def test_the_code_reads_no_setting_outside_the_table() -> None:
    sources = [*(ROOT / "retrieval").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    spelled = {n for path in sources for n in NAME.findall(path.read_text(encoding="utf-8"))}
    assert {"NEWSQA_BOT_OWNERS", "NEWSQA_TOP_K", "NEWSQA_EMBED_PRECISION"} <= spelled  # it scans
    assert sorted(spelled - NAMES - {ENV_PREFIX + name for name in RETIRED}) == []


def test_the_table_builds_both_settings_with_the_same_defaults() -> None:
    for scope, kind in (("core", Settings), ("bot", BotSettings)):
        rows = {s.field: s.default for s in TABLE if s.scope == scope}
        assert {f.name: f.default for f in fields(kind)} == rows, scope


def test_env_example_lists_every_setting_with_its_default() -> None:
    assigned = ASSIGNED.findall((ROOT / ".env.example").read_text(encoding="utf-8"))
    assert sorted(NAMES - {name for _, name, _ in assigned}) == []
    assert sorted({name for _, name, _ in assigned} - NAMES) == []  # nothing stale
    by_name = {s.name: s for s in TABLE}
    for commented, name, value in assigned:
        if not commented and value.strip():  # copying the example to .env changes nothing
            assert by_name[name].parse(value.strip()) == by_name[name].default, name


def readme_range(setting: Setting[Any]) -> str:
    if setting.kind in ("int", "float"):
        low, high = f"{setting.low:g}", setting.high
        return f"≥ {low}" if high is None else f"{low}–{high:g}"
    if setting.choices:
        return " \\| ".join(setting.choices)
    kinds = {
        "ids": "ids, comma-separated",
        "id": "an id",
        "path": "path",
        "date": "a date",
        "flag": "1 \\| 0",
    }
    return kinds.get(setting.kind, "text")


def readme_table() -> str:
    rows = ["| Variable | Default | Range | Meaning |", "|---|---|---|---|"]
    for setting in TABLE:
        default = int(setting.default) if setting.kind == "flag" else setting.default
        shown = "" if default is None or default == frozenset() else f"`{default}`"
        rows.append(f"| `{setting.name}` | {shown} | {readme_range(setting)} | {setting.doc} |")
    return "\n".join(rows)


def test_readme_lists_every_setting_as_the_table_says() -> None:
    found = README_TABLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "README.md has no settings table section"
    assert set(re.findall(r"^\| `([A-Z0-9_]+)`", found.group(1), re.M)) == NAMES
    assert found.group(1) == readme_table(), "replace the README's table with:\n" + readme_table()

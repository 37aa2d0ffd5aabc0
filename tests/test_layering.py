"""Data flows one way, CLI/bot -> pipeline -> answer/search -> index -> storage: the core
knows neither Discord nor the command line, and answers are stored through their own type."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDGES = {
    "cli.py",
    "cli_parser.py",
    "__main__.py",
}  # the command line (cli.py alone may start the bot)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_core_knows_neither_discord_nor_the_bot() -> None:
    for path in sorted((ROOT / "retrieval").glob("*.py")):
        if path.name in EDGES:
            continue
        leaked = {m for m in imports(path) if m.split(".")[0] in {"bot", "discord", "argparse"}}
        assert leaked == set(), path.name


def test_the_cli_starts_the_bot_through_a_function_not_its_main() -> None:
    used = {m for m in imports(ROOT / "retrieval" / "cli.py") if m.split(".")[0] == "bot"}
    assert used and not any("__main__" in m for m in used), used


def test_the_bot_stores_answers_without_the_clis_render_module() -> None:
    for path in sorted((ROOT / "bot").glob("*.py")):
        assert "retrieval.render.answer_json" not in imports(path), path.name
    assert "retrieval.render" not in imports(ROOT / "bot" / "records.py")


def test_rendering_needs_only_the_types() -> None:
    code = "import sys, retrieval.render; print(*(m for m in sys.modules if m.startswith('retrieval')))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(loaded) == {"retrieval", "retrieval.render", "retrieval.types"}

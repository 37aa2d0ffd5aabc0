"""Data flows one way, CLI/bot -> pipeline -> answer/search -> index -> storage: the core
knows neither Discord nor the command line, and answers are stored through their own type."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDGES = {
    "cli.py",
    "cli_parser.py",
    "cli_questions.py",
    "__main__.py",
}  # the command line (cli.py alone may start the bot)
WORDING = {"render.py", "wording.py"}  # the Korean of the CLI, shared with the bot
# A Korean sentence a user reads ends like this; the core's Korean data (regexes, particles,
# date words) does not.
USER_SENTENCE = re.compile(r"[가-힣](니다|세요|어요|해요)[.)]*(\s|$)")


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
    light = {"retrieval.types", "retrieval.wording", "retrieval.notices", "retrieval.errors"}
    assert set(loaded) == {"retrieval", "retrieval.render", *light}


def user_sentences(source: str) -> list[str]:
    """The Korean sentences in `source` written for a user outside an error's message (a
    `raise`) and a docstring; an f-string is read whole, its fields as "…"."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            allowed.update(id(n) for n in ast.walk(node))
        elif isinstance(node, ast.JoinedStr):
            allowed.update(id(n) for n in node.values)  # read with the whole f-string
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            allowed.add(id(body[0].value))  # a docstring
    texts = [
        "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
        if isinstance(node, ast.JoinedStr)
        else node.value
        for node in ast.walk(tree)
        if id(node) not in allowed
        and (isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant))
        and isinstance(getattr(node, "value", ""), str)
    ]
    return [text for text in texts if USER_SENTENCE.search(text)]


def test_a_sentence_for_users_is_told_from_korean_data_and_error_messages() -> None:
    assert user_sentences('NOT_FOUND = "찾지 못했습니다. 다시 물어봐 주세요."') != []
    assert user_sentences('def f(x):\n    return f"{x}을(를) 기다립니다."') != []
    assert user_sentences('x = (f"{a}로 만듭니다" "(처음 한 번만 걸립니다).")') != []
    assert user_sentences('x = f"{a}을 씁니다. {b}로 다시 맞추세요"') != []
    assert user_sentences('raise StoreError(f"{x}이(가) 없습니다")') == []
    assert user_sentences('DATE = re.compile(r"(지난해|올해)\\s*(\\d+)월")') == []
    assert user_sentences('def f():\n    """광주에 문을 열었습니다."""') == []


def test_the_core_words_nothing_for_users() -> None:
    """Notices and the answer's lead line are data in the core (`retrieval.notices`,
    `Answer.answered`); the CLI and the bot word them. Errors carry their own message
    (`retrieval.errors`)."""
    for path in sorted((ROOT / "retrieval").glob("*.py")):
        if path.name in EDGES | WORDING | {"errors.py"}:
            continue
        edge = {f"retrieval.{p.removesuffix('.py')}" for p in EDGES | WORDING}
        assert imports(path) & edge == set(), path.name
        assert user_sentences(path.read_text(encoding="utf-8")) == [], path.name

"""Where `newsqa ask` reads its questions: the argument, piped lines, or a terminal prompt."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

PROMPT = "질문> "


def questions(given: str | None) -> Iterable[str]:
    """The question given, or one per line of standard input: prompted for on a terminal."""
    if given is not None:
        yield given
        return
    if sys.stdin.isatty():
        yield from _prompted()
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _prompted() -> Iterator[str]:
    """Questions typed at a terminal, each asked for (on stderr, so answers stay clean on
    stdout), until Ctrl+D."""
    print("질문을 입력하고 Enter를 누르세요. 끝내려면 Ctrl+D를 누르세요.", file=sys.stderr)
    while True:
        print(PROMPT, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            print(file=sys.stderr)
            return
        if line.strip():
            yield line.rstrip("\n")

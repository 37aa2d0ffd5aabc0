"""A name the corpus writes with a space inside ("생 시르", "휴 잭맨") that a question writes as
one word ("생시르"). Writers space transliterated names differently, and Kiwi reads the joined
form as one word that no article holds, so the question looked as if it named something the
corpus does not know."""

from __future__ import annotations

import re
from collections.abc import Iterator

from retrieval.kiwi_analyser import Morph

MIN_LETTERS = 3  # two syllables cut in two are two common words, not a name written apart
HANGUL = re.compile(r"[가-힣]+")
AFTER = 12  # characters after the name read with it, so Kiwi sees the particle that follows


def cuts(form: str) -> list[tuple[str, str]]:
    """The ways to write `form` as two words, in order of the cut."""
    if len(form) < MIN_LETTERS or not HANGUL.fullmatch(form):
        return []
    return [(form[:i], form[i:]) for i in range(1, len(form))]


def written_apart(text: str, first: str, second: str) -> Iterator[tuple[int, int]]:
    """Where `text` starts a word with `first`, then one space, then `second`: (start, end)."""
    pattern = rf"(?<![가-힣A-Za-z0-9]){re.escape(first)}[^\S\n]{re.escape(second)}"
    for match in re.finditer(pattern, text):
        yield match.start(), match.end()


def ends_a_word(morphs: list[Morph], end: int) -> bool:
    """Whether Kiwi's reading of the text ends a morpheme at `end`: the name is whole there
    ("시르" of "생 시르의"), not the head of a longer word ("자" of "연구 자료")."""
    return any(m.end == end for m in morphs)

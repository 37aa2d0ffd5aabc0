"""Names spaced otherwise in a question than in the corpus. A question may write as one word
("생시르") what an article writes with a space inside ("생 시르", "휴 잭맨"): Kiwi reads the joined
form as one word no article holds. Or it may space ("지아이 랩") what the articles write as one
word (지아이랩). Either way the question looked as if it named something the corpus does not
know."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from retrieval.kiwi_analyser import Morph, analyze
from retrieval.terms import NOUN_TAGS, spaced_nouns

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


def written_together(morphs: list[Morph], known: Callable[[str], bool]) -> list[Morph]:
    """`morphs` with two nouns written one space apart read as the one word the corpus writes
    ("지아이 랩" as 지아이랩, "인트 플로우" as 인트플로우) where one of the two is no word it
    `known`s and the two joined are. Two words it knows apart ("AI 기업") stay two."""
    read: list[Morph] = []
    for morph in morphs:
        before = read[-1] if read else None
        if before is not None and spaced_nouns(before, morph):
            words = [w.lower() for w in (before.form, morph.form)]
            if known("".join(words)) and not all(known(w) for w in words):
                read[-1] = one_word(before, morph)
                continue
        read.append(morph)
    return read


def one_word(before: Morph, after: Morph) -> Morph:
    """Two nouns as one, spanning both: a proper noun when either was one (or Latin), else as
    Kiwi reads them written together when that is one noun, else a common noun."""
    form = (before.form + after.form).lower()
    if {before.tag, after.tag} & {"NNP", "SL"}:
        tag = "NNP"
    else:
        alone = analyze(form)
        tag = alone[0].tag if len(alone) == 1 and alone[0].tag in NOUN_TAGS else "NNG"
    return Morph(form, tag, before.start, after.end)

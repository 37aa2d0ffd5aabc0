"""Finding words in a corpus's vocabulary by spelling, fast enough for a large one.

A question's unknown name is looked for inside longer terms ("삼성" in "삼성전자") and one
letter away (천왕 for 천황). Scanning every term in Python took ~80 ms per name at 830k terms
(about what 100k articles give) and a one-letter-off search over all of them ~60 ms
(`benchmarks/term_search.py`): a question naming two unknown words waited a quarter of a
second. So the vocabulary is kept as one string, searched by `str.find`, and in jamo grouped by
length, since a word one edit away differs in length by at most one.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections.abc import Iterator, Sequence

from retrieval import spelling

SEPARATOR = "\n"  # no term holds it: the tokenizer splits on whitespace


class TermSearch:
    """The terms of a vocabulary that contain a fragment, or that are spelled one letter off."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = terms  # kept, not copied: the vocabulary is large and never changes
        self._joined = SEPARATOR.join(terms)
        self._starts = array("q")  # where each term begins in `_joined` (8 bytes a term)
        at = 0
        for term in terms:
            self._starts.append(at)
            at += len(term) + len(SEPARATOR)
        self._by_length: dict[int, tuple[list[str], list[int]]] | None = None
        self._building = threading.Lock()  # the bot asks on several threads

    def containing(self, fragment: str) -> Iterator[str]:
        """Each term holding `fragment`, in vocabulary order."""
        if not fragment or SEPARATOR in fragment:
            return
        at = self._joined.find(fragment)
        while at != -1:  # a match never spans a separator, which `fragment` lacks
            i = bisect.bisect_right(self._starts, at) - 1
            yield self.terms[i]
            at = self._joined.find(fragment, self._starts[i] + len(self.terms[i]))

    def one_letter_off(self, word: str, limit: int) -> list[str]:
        """Up to `limit` terms one letter (jamo) away from `word`, nearest first and then in
        vocabulary order, as a search of the whole vocabulary would give them."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        letters = spelling.letters(word)
        found: list[tuple[float, int]] = []
        for length in (len(letters) - 1, len(letters), len(letters) + 1):
            jamo, ids = self._lengths().get(length, ([], []))
            near = process.extract(
                letters, jamo, scorer=Levenshtein.distance, score_cutoff=1, limit=limit
            )
            found.extend((distance, ids[i]) for _, distance, i in near)
        return [self.terms[i] for _, i in sorted(found)[:limit]]

    def _lengths(self) -> dict[int, tuple[list[str], list[int]]]:
        """The vocabulary in jamo (`spelling.letters`) by length, with each term's position;
        built on first need."""
        with self._building:
            if self._by_length is None:
                by_length: dict[int, tuple[list[str], list[int]]] = {}
                for i, term in enumerate(self.terms):
                    letters = spelling.letters(term)
                    jamo, ids = by_length.setdefault(len(letters), ([], []))
                    jamo.append(letters)
                    ids.append(i)
                self._by_length = by_length
            return self._by_length

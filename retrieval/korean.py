"""Korean text analysis with Kiwi: sentence boundaries and the content morphemes BM25 matches on.

Kiwi's model takes about a second to load, so one analyser is made lazily and shared.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

from retrieval.types import Span

# Nouns, numerals, foreign words, hanja, roots, and verb/adjective stems carry a question's
# meaning; particles, endings, suffixes and pronouns (무엇, 어디, 누구) do not.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR", "VV", "VA"})
# Words that ask rather than tell: they appear in questions, almost never in the answer.
QUESTION_WORDS = frozenset({"곳", "것", "수", "등", "때", "이름", "얼마", "무엇", "누구", "어디", "언제"})
TOKENIZER_SETTINGS = {
    "analyzer": "kiwipiepy",
    "tags": sorted(CONTENT_TAGS),
    "dropped": sorted(QUESTION_WORDS),
    "lowercase_foreign": True,
}

_lock = threading.Lock()


@cache
def kiwi():  # noqa: ANN201 - kiwipiepy has no public type to name here
    from kiwipiepy import Kiwi

    with _lock:
        return Kiwi()


def _token(form: str, tag: str) -> str | None:
    if tag not in CONTENT_TAGS or form in QUESTION_WORDS:
        return None
    return form.lower() if tag == "SL" else form


def tokenize(text: str) -> list[str]:
    """Content morphemes of `text`, in order, repeats kept (BM25 counts them)."""
    return [t for tok in kiwi().tokenize(text) if (t := _token(tok.form, tok.tag))]


def tokenize_many(texts: Sequence[str]) -> list[list[str]]:
    """Batch form of `tokenize`; Kiwi spreads a batch over its worker threads."""
    if not texts:
        return []
    return [
        [t for tok in tokens if (t := _token(tok.form, tok.tag))]
        for tokens in kiwi().tokenize(list(texts))
    ]


def split_sentences(body: str) -> list[Span]:
    """Sentence spans of a body; a line break always ends a sentence (paragraphs never merge)."""
    spans: list[Span] = []
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            for sentence in kiwi().split_into_sents(line):
                start, end = offset + sentence.start, offset + sentence.end
                while start < end and body[start].isspace():
                    start += 1
                while end > start and body[end - 1].isspace():
                    end -= 1
                if end > start:
                    spans.append(Span(start, end))
        offset += len(line) + 1
    return spans

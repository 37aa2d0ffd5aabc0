"""Sentences of article bodies, with their index tokens, from one Kiwi pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from retrieval.kiwi_analyser import kiwi, morphs_of
from retrieval.terms import content_morphs, index_tokens
from retrieval.types import Span


def _trimmed(body: str, start: int, end: int) -> Span:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Span(start, end)


class Sentence(NamedTuple):
    """A sentence of a body: where it is, its index tokens, and the tags of its leading
    content tokens (what kind of thing each is: a name, a number, a verb)."""

    span: Span
    tokens: list[str]
    tags: list[str]


def analyse_bodies(bodies: Sequence[str]) -> list[list[Sentence]]:
    """Each body's sentences with their index tokens, from one Kiwi pass over all their lines.

    Kiwi finds sentence boundaries by analysing morphemes, so the tokens come with the split
    for free; one batched call lets its workers share the lines of every body. A line break
    always ends a sentence (paragraphs never merge).
    """
    lines: list[tuple[int, int, str]] = []  # (body, offset of the line in it, line)
    for number, body in enumerate(bodies):
        offset = 0
        for line in body.split("\n"):
            if line.strip():
                lines.append((number, offset, line))
            offset += len(line) + 1
    analysed: list[list[Sentence]] = [[] for _ in bodies]
    if not lines:
        return analysed
    results = kiwi().split_into_sents([line for _, _, line in lines], return_tokens=True)
    for (number, offset, _), sentences in zip(lines, results, strict=True):
        for sentence in sentences:
            span = _trimmed(bodies[number], offset + sentence.start, offset + sentence.end)
            if span.end > span.start:
                morphs = morphs_of(sentence.tokens)
                tags = [tag for _, tag in content_morphs(morphs)]
                analysed[number].append(Sentence(span, index_tokens(morphs), tags))
    return analysed


def split_sentences(body: str) -> list[Span]:
    """Sentence spans of a body (see `analyse_bodies`)."""
    return [sentence.span for sentence in analyse_bodies([body])[0]]

"""Group an article's sentences into overlapping chunks of whole sentences."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.types import Span


@dataclass(frozen=True)
class ChunkerSettings:
    max_chars: int = 400  # e5-small reads 512 tokens; 400 Korean characters stay well inside
    overlap_sentences: int = 1  # an answer that straddles a boundary is still whole in one chunk

    def as_dict(self) -> dict[str, int]:
        return {"max_chars": self.max_chars, "overlap_sentences": self.overlap_sentences}

    def described(self) -> str:
        """As a user set it: NEWSQA_CHUNK_CHARS and the overlap, in words."""
        return f"청크 {self.max_chars}자·겹침 {self.overlap_sentences}문장"


def chunk_sentences(sentences: list[Span], settings: ChunkerSettings) -> list[tuple[int, int]]:
    """Return (first, last) sentence indexes, inclusive, of each chunk.

    A chunk grows sentence by sentence while it stays within `max_chars` (a longer sentence is a
    chunk on its own); the next chunk starts `overlap_sentences` back, and always moves forward.
    """
    chunks: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last = first
        while (
            last + 1 < len(sentences)
            and sentences[last + 1].end - sentences[first].start <= settings.max_chars
        ):
            last += 1
        chunks.append((first, last))
        if last == len(sentences) - 1:
            break
        first = max(first + 1, last + 1 - settings.overlap_sentences)
    return chunks

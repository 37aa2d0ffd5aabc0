"""BM25 over Kiwi content morphemes, with bm25s doing the scoring.

bm25s is given tokens we made (its own splitter drops one-syllable words, which are many in
Korean). It has no incremental update, so the index is rebuilt from the stored per-chunk
tokens whenever the corpus changes: no text is re-analysed, and rebuilding is a sparse-matrix
pass that is small next to embedding.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np


def _quiet_bm25s() -> None:
    """bm25s logs every build at DEBUG through its own handler; keep it out of user output."""
    logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """Row `i` of the index is document `i` of the token lists it was built from."""

    def __init__(self, bm25: object | None, n_docs: int) -> None:
        self._bm25 = bm25
        self.n_docs = n_docs

    @classmethod
    def build(cls, docs: list[list[str]]) -> LexicalIndex:
        if not docs:
            return cls(None, 0)
        import bm25s

        _quiet_bm25s()
        bm25 = bm25s.BM25()
        # bm25s cannot score a document with no tokens; an empty marker token keeps rows aligned.
        bm25.index([d or [""] for d in docs], show_progress=False)
        return cls(bm25, len(docs))

    def __contains__(self, token: str) -> bool:
        return self._bm25 is not None and token in self._bm25.vocab_dict  # type: ignore[attr-defined]

    def vocabulary(self) -> list[str]:
        return [] if self._bm25 is None else list(self._bm25.vocab_dict)  # type: ignore[attr-defined]

    def document_frequency(self, token: str) -> int:
        if self._bm25 is None:
            return 0
        token_id = self._bm25.vocab_dict.get(token)  # type: ignore[attr-defined]
        if token_id is None:
            return 0
        indptr = self._bm25.scores["indptr"]  # type: ignore[attr-defined]
        return int(indptr[token_id + 1] - indptr[token_id])

    def idf(self, token: str) -> float:
        """Lucene's BM25 idf; a token absent from the corpus gets the highest value."""
        df = self.document_frequency(token)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Rows and scores of the best `k` documents with a positive score, best first."""
        if self._bm25 is None or k <= 0:
            return []
        known = [t for t in dict.fromkeys(tokens) if t and t in self._bm25.vocab_dict]  # type: ignore[attr-defined]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known))  # type: ignore[attr-defined]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder), allow_pickle=False)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, folder: Path, n_docs: int) -> LexicalIndex:
        if n_docs == 0:
            return cls(None, 0)
        import bm25s

        _quiet_bm25s()
        bm25 = bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False)
        return cls(bm25, n_docs)

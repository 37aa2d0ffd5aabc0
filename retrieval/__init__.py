"""newsqa retrieval: Korean news articles in, verbatim quoted answers out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrieval.types import Answer, Article, Chunk, Hit, Quote, Source

if TYPE_CHECKING:
    from retrieval.pipeline import Pipeline, build_index

__all__ = ["Answer", "Article", "Chunk", "Hit", "Pipeline", "Quote", "Source", "build_index"]


def __getattr__(name: str) -> Any:
    """The pipeline is imported on first use: `python -m retrieval` and the bot import
    submodules, and every import is paid for in the CLI's start-up."""
    if name in {"Pipeline", "build_index"}:
        from retrieval import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)

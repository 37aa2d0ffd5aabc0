"""newsqa retrieval: Korean news articles in, verbatim quoted answers out."""

from retrieval.pipeline import Pipeline, build_index
from retrieval.types import Answer, Article, Chunk, Hit, Quote, Source

__all__ = ["Answer", "Article", "Chunk", "Hit", "Pipeline", "Quote", "Source", "build_index"]

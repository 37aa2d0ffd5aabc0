"""Which embedding model a run uses, decided in one place for `index`, `ask` and the bot.

An index records the model that made its vectors, and vectors of two models (or precisions)
never mix: an update refuses another model, and refuses to drop vectors because their model
can't be loaded now. A question falls back to lexical search instead, with a notice: answering
without the model beats not answering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from retrieval.config import Settings
from retrieval.embed import (
    DEFAULT_MODEL,
    Embedder,
    load_embedder,
    model_id,
    wants_model,
)
from retrieval.errors import ModelMismatch, ModelUnavailable
from retrieval.notices import ModelMissing, Notice, OtherPrecision

if TYPE_CHECKING:
    from retrieval.index import NewsIndex

log = logging.getLogger(__name__)

ModelLoader = Callable[[str], Embedder]


def loader_for(settings: Settings) -> ModelLoader:
    """`load_embedder` at the precision the settings ask for."""
    return partial(load_embedder, precision=settings.embed_precision)


@dataclass(frozen=True)
class ModelChoice:
    embedder: Embedder | None  # None: lexical search only
    requested: str  # what the index records as asked for (for the next update)
    notices: tuple[Notice, ...] = ()


def requested_model(settings: Settings, index: NewsIndex | None, updating: bool) -> str:
    """The setting; else the model the index was asked to use (the default for a new one)."""
    if settings.model:
        return model_id(settings.model)
    if index is None:
        return DEFAULT_MODEL
    if not updating and index.model:
        return index.model
    return model_id(index.manifest.model_requested or DEFAULT_MODEL)


def resolve_model(
    settings: Settings,
    index: NewsIndex | None,
    load_model: ModelLoader | None = None,
    *,
    updating: bool,
) -> ModelChoice:
    """The model to embed an update of `index` (`updating`), or its questions, with."""
    requested = requested_model(settings, index, updating)
    vectors = index is not None and index.has_vectors
    if not wants_model(requested) or not (updating or vectors):
        return ModelChoice(None, requested)
    if index is not None and vectors:  # refused before seconds are spent loading it
        recorded = {index.model, index.manifest.model_requested}
        if requested not in recorded:
            raise ModelMismatch.other_model(index.model, requested)
    try:
        embedder = (load_model or loader_for(settings))(requested)
    except ModelUnavailable as exc:
        log.warning("%s", exc)
        if updating and index is not None and vectors:
            raise ModelMismatch.vectors_orphaned(index.model) from None
        return ModelChoice(None, requested, (ModelMissing(requested),))
    notices = _check(index, embedder, updating) if index is not None and vectors else ()
    return ModelChoice(embedder, requested, notices)


def _check(index: NewsIndex, embedder: Embedder, updating: bool) -> tuple[Notice, ...]:
    """Refuse a model whose vectors would not compare with the index's; a question encoded at
    another precision is only said (it still finds, less well)."""
    if embedder.name != index.model:
        raise ModelMismatch.other_model(index.model, embedder.name)
    if index.dense is not None and embedder.dim != index.dense.dim:
        raise ModelMismatch.other_dimension(index.dense.dim, embedder.dim)
    indexed = index.manifest.embedding_precision
    precision = getattr(embedder, "precision", "fp32")
    if not indexed or indexed == precision:
        return ()
    if updating:
        raise ModelMismatch.other_precision(indexed, precision)
    return (OtherPrecision(indexed, precision),)

"""The embedding model is resolved in one place: `index`, `ask` and the bot refuse a model that
doesn't match the index with the same sentence, and fall back to BM25 the same way."""

from __future__ import annotations

import re

import pytest

from conftest import CountingEmbedder
from retrieval.errors import ModelMismatch, ModelUnavailable
from retrieval.notices import ModelMissing
from retrieval.pipeline import Pipeline, build_index

SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def refusal(action) -> str:
    with pytest.raises(ModelMismatch) as refused:
        action()
    return str(refused.value)


@pytest.fixture
def indexed(settings, embedder):
    """An index with the fake model's vectors; the settings that built it."""
    built = settings.with_overrides(model=embedder.name)
    build_index(built, load_model=lambda _: embedder)
    return built


def test_another_model_is_refused_with_one_sentence_by_index_and_ask(indexed) -> None:
    other = indexed.with_overrides(model="other-model")
    load = lambda _: CountingEmbedder(name="other-model")  # noqa: E731
    by_index = refusal(lambda: build_index(other, load_model=load))
    by_ask = refusal(lambda: Pipeline.open(other, load_model=load))
    assert by_index == by_ask
    assert "'fake-model'" in by_index and "'other-model'" in by_index and "--full" in by_index
    assert len(SENTENCE_END.findall(by_index)) == 1, by_index


def test_a_model_of_another_dimension_is_refused_the_same_way(indexed) -> None:
    wide = CountingEmbedder(dim=32)  # same name, other vectors
    by_index = refusal(lambda: build_index(indexed, load_model=lambda _: wide))
    by_ask = refusal(lambda: Pipeline.open(indexed, load_model=lambda _: wide))
    assert by_index == by_ask and "32" in by_index and "16" in by_index


def test_a_missing_model_is_lexical_for_questions_and_refused_for_updates(indexed) -> None:
    def missing(name: str):
        raise ModelUnavailable(f"{name} is not cached")

    pipeline = Pipeline.open(indexed, load_model=missing)
    assert pipeline.embedder is None and [type(n) for n in pipeline.notices] == [ModelMissing]
    assert pipeline.ask("지아이랩의 대표는 누구인가요?").mode == "lexical"
    assert "--model none" in refusal(lambda: build_index(indexed, load_model=missing))

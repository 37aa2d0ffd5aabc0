"""The embedding model is resolved in one place: `index`, `ask` and the bot refuse a model that
doesn't match the index with the same sentence, and fall back to BM25 the same way."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from conftest import CountingEmbedder
from retrieval.errors import ModelMismatch, ModelUnavailable
from retrieval.notices import ModelMissing, VectorsDropped
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
    assert "'fake-model'" in by_index and "'other-model'" in by_index
    assert "`newsqa index --full --model other-model`" in by_index  # --full alone keeps fake-model
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


def test_a_rebuild_never_drops_vectors_because_the_model_did_not_load(indexed, embedder) -> None:
    """`newsqa index --full` with a mistyped model path used to rebuild BM25 only, said by one
    notice; with no model named, the rebuild keeps the index's own."""

    def missing(name: str):
        raise ModelUnavailable(f"{name} is not cached")

    typo = indexed.with_overrides(model="/no/such/model")
    said = refusal(lambda: build_index(typo, full=True, load_model=missing))
    assert "'/no/such/model'" in said and "--model none" in said
    assert len(SENTENCE_END.findall(said)) == 1, said
    assert Pipeline.open(indexed, load_model=lambda _: embedder).index.dense is not None
    asked: list[str] = []

    def load(name: str) -> CountingEmbedder:
        asked.append(name)
        return embedder

    rebuilt = build_index(replace(indexed, model=None), full=True, load_model=load)
    assert asked == [embedder.name] and rebuilt.summary.chunks_embedded > 0


def test_an_update_without_a_model_says_it_dropped_the_vectors(indexed, embedder) -> None:
    lexical = indexed.with_overrides(model="none")
    assert VectorsDropped(embedder.name) in build_index(lexical).notices
    assert Pipeline.open(lexical).index.dense is None
    assert not any(isinstance(n, VectorsDropped) for n in build_index(lexical).notices)


def test_a_rebuild_of_an_index_it_cannot_open_keeps_its_vectors_at_stake(indexed, embedder):
    """After an upgrade the manifest is of an older format (`IndexIncompatible`), and the fix
    is `--full`: the rebuild still reads which model made the vectors, and will not drop them
    because another model failed to load."""
    import json

    from retrieval.manifest import MANIFEST

    path = indexed.index_dir / MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": 1}))
    unnamed = replace(indexed, model=None)

    def only_the_recorded_one(name: str) -> CountingEmbedder:
        if name != embedder.name:
            raise ModelUnavailable(f"{name} is not cached")
        return embedder

    assert build_index(unnamed, full=True, load_model=only_the_recorded_one).summary.chunks_embedded

    def none_loads(name: str) -> CountingEmbedder:
        raise ModelUnavailable(f"{name} is not cached")

    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": 1}))
    assert "--model none" in refusal(lambda: build_index(unnamed, full=True, load_model=none_loads))

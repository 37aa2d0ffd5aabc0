"""The real sentence-transformers path, with a tiny locally built model; and a missing model."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval.embed import load_embedder, prefixes_for
from retrieval.errors import ModelUnavailable
from retrieval.notices import ModelMissing, OtherPrecision
from retrieval.pipeline import Pipeline, build_index


@pytest.mark.slow
def test_tiny_model_loads_and_encodes_normalized_vectors(tiny_model: Path) -> None:
    embedder = load_embedder(str(tiny_model))
    vectors = embedder.embed_passages(["광주 인공지능 산업", "삼성전자 C랩 아웃사이드"])
    assert vectors.shape == (2, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_queries([]).shape == (0, embedder.dim)


def test_e5_models_get_their_prefixes() -> None:
    assert prefixes_for("dragonkue/multilingual-e5-small-ko").query == "query: "
    assert prefixes_for("dragonkue/multilingual-e5-small-ko").passage == "passage: "
    assert prefixes_for("/models/tiny").query == ""


@pytest.mark.slow
def test_hybrid_index_with_a_real_model(settings, tiny_model: Path) -> None:
    config = settings.with_overrides(model=str(tiny_model))
    summary = build_index(config).summary
    assert summary.chunks_embedded == summary.chunks_total > 0
    pipeline = Pipeline.open(config)
    answer = pipeline.ask("벤처기업협회의 회원사는 몇 개인가요?")
    assert answer.mode == "hybrid"
    assert answer.answered and "1만8200" in " ".join(q.text for q in answer.quotes)


def test_missing_model_falls_back_to_lexical(settings) -> None:
    """How fast it gives up is checked below, by what it imported, not by a clock."""
    with pytest.raises(ModelUnavailable):
        load_embedder("nobody/no-such-model")
    report = build_index(settings.with_overrides(model="nobody/no-such-model"))
    assert report.notices == [ModelMissing("nobody/no-such-model")]
    assert Pipeline.open(settings).ask("지아이랩의 대표는 누구인가요?").mode == "lexical"


@pytest.mark.parametrize(
    "offline",
    [{"HF_HUB_OFFLINE": "1"}, {"HF_HUB_OFFLINE": "", "HF_ENDPOINT": "http://127.0.0.1:9"}],
)
def test_a_model_that_cannot_be_had_is_refused_before_torch_loads(offline) -> None:
    """Importing torch and sentence-transformers takes seconds: a hub name that is neither a
    folder nor cached, with the hub offline or unreachable, is refused before that."""
    script = (
        "import sys\n"
        "from retrieval.embed import load_embedder\nfrom retrieval.errors import ModelUnavailable\n"
        "try:\n"
        "    load_embedder('nobody/no-such-model')\n"
        "except ModelUnavailable:\n"
        "    print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **offline},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.slow
def test_vectors_without_their_model_fall_back_with_a_notice(
    settings, tiny_model: Path, tmp_path
) -> None:
    moved = tmp_path / "moved-away"
    config = settings.with_overrides(model=str(tiny_model))
    build_index(config)
    tiny_model.rename(moved)
    try:
        pipeline = Pipeline.open(replace(settings, model=None))
        assert [type(n) for n in pipeline.notices] == [ModelMissing]
        assert pipeline.ask("지아이랩의 대표는 누구인가요?").mode == "lexical"
        lexical = Pipeline.open(settings)  # "--model none": lexical on purpose, no notice
        assert (
            not lexical.notices and lexical.ask("지아이랩의 대표는 누구인가요?").mode == "lexical"
        )
    finally:
        moved.rename(tiny_model)


def test_the_precision_setting_reaches_the_model_and_the_index(
    settings, tiny_model: Path, monkeypatch
) -> None:
    """NEWSQA_EMBED_PRECISION is read with the other settings (no longer by the loader)."""
    from retrieval.config import load_settings

    monkeypatch.setenv("NEWSQA_EMBED_PRECISION", "int8")
    config = replace(
        settings, model=str(tiny_model), embed_precision=load_settings().embed_precision
    )
    build_index(config)
    pipeline = Pipeline.open(config)
    assert pipeline.embedder is not None and pipeline.embedder.precision == "int8"
    assert pipeline.index.manifest.embedding_precision == "int8"
    assert Pipeline.open(replace(config, embed_precision="fp32")).notices == [
        OtherPrecision("int8", "fp32")
    ]

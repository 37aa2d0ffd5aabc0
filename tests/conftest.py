from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV_SET = ROOT.parent / "shared" / "eval" / "seed_qa_dev.jsonl"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's NEWSQA_* settings, .env, or reaches a model hub."""
    import os

    for key in list(os.environ):
        if key.startswith("NEWSQA_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def fail_on_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """An ERROR record from the library, discord.py or asyncio fails the test."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_errors"):
        return
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, seeds: Path) -> Settings:
    return Settings(articles=seeds, index_dir=tmp_path / "index", model="none")


class CountingEmbedder:
    """Deterministic fake: a text's vector comes from its hash; every embedded text is counted."""

    def __init__(self, name: str = "fake-model", dim: int = 16) -> None:
        self.name = name
        self.dim = dim
        self.passages: list[str] = []
        self.queries: list[str] = []

    def _vectors(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        return self._vectors(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.queries.extend(texts)
        return self._vectors(texts)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sentence-transformers model (random weights, tokenizer trained on the seeds)."""
    from tiny_model import build_model

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return build_model(tmp_path_factory.mktemp("tiny-model"), texts)

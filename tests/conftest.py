from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import DEFAULT_INDEX_DIR, Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV_SET = ROOT.parent / "shared" / "eval" / "seed_qa_dev.jsonl"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that builds the tiny torch model is slow (importing torch alone takes seconds),
    marked or not: the fast tier (`-m "not slow"`) stays fast as tests are added."""
    for item in items:
        if "tiny_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's NEWSQA_* settings, .env, or reaches a model hub."""
    import os

    for key in list(os.environ):
        if key.startswith("NEWSQA_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


_ANALYSED: dict[tuple[object, ...], list[object]] = {}


@pytest.fixture(autouse=True)
def analysis_shared_across_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kiwi's analysis of a text is always the same, and it is most of what building the
    seeds costs: tests that build them again and again share it (each gets fresh lists).
    Only the in-process update path is wrapped; fresh processes analyse for real."""
    from retrieval import sentences, update

    real = sentences.analyse_bodies

    def shared(bodies: list[str]) -> list[list[sentences.Sentence]]:
        # What analysing uses is part of the key: a test that swaps any of it analyses anew.
        using = tuple(getattr(sentences, n) for n in ("kiwi", "morphs_of", "index_tokens"))
        using += (sentences.content_morphs,)
        missing = [b for b in dict.fromkeys(bodies) if (b, *using) not in _ANALYSED]
        if missing:
            _ANALYSED.update(((b, *using), r) for b, r in zip(missing, real(missing), strict=True))
        return [
            [
                sentences.Sentence(s.span, list(s.tokens), list(s.tags))  # type: ignore[attr-defined]
                for s in _ANALYSED[(b, *using)]
            ]
            for b in bodies
        ]

    monkeypatch.setattr(update, "analyse_bodies", shared)


@pytest.fixture(autouse=True)
def fail_on_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """An ERROR record from the library, discord.py or asyncio fails the test, whichever phase
    logged it (`caplog.records` alone holds the current phase's: teardown's, here)."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_errors"):
        return
    seen = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    errors = [r for r in seen if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, seeds: Path, tmp_path: Path) -> Path:
    """The CLI's settings through the environment: the seeds copy, lexical only, the index at
    its default place (in the test's working directory, so `ask` may build it); returns the
    index folder."""
    monkeypatch.setenv("NEWSQA_ARTICLES", str(seeds))
    monkeypatch.setenv("NEWSQA_MODEL", "none")
    return tmp_path / DEFAULT_INDEX_DIR


@pytest.fixture
def settings(tmp_path: Path, seeds: Path) -> Settings:
    """The index at its default place (the test's working directory): the bot's start may
    build it."""
    return Settings(articles=seeds, index_dir=tmp_path / DEFAULT_INDEX_DIR, model="none")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' lexical index, built once a session (`seeds_indexed` puts copies in place)."""
    from retrieval.pipeline import build_index

    root = tmp_path_factory.mktemp("seed-index")
    shutil.copytree(SEEDS, root / "articles")
    build_index(Settings(articles=root / "articles", index_dir=root / "index", model="none"))
    return root / "index"


@pytest.fixture
def seeds_indexed(settings: Settings, seed_index: Path) -> Path:
    """The seeds already indexed at the default place, for tests whose subject is not the
    build: a copy of the session's index (an index is a folder that can move), which spares
    each of them a build. Returns the index folder."""
    shutil.copytree(seed_index, settings.index_dir)
    return settings.index_dir


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


def fake_evidence(
    question: list[tuple[str, str]],
    articles: dict[str, list[str]],
    idf: dict[str, float] | None = None,
    *,
    unknown: tuple[str, ...] = (),
    foreign: tuple[str, ...] = (),
    seams: tuple[tuple[str, int], ...] = (),
    mode: str = "lexical",
):
    """Evidence for the pure decision functions, without an index: `question` is its content
    words as (form, Kiwi tag); each article is a list of sentences whose words are their tokens
    (numbers tagged SN, words starting upper-case NNP); sentences rank by article order.
    `seams` are (article, sentence number) with a removed line just before them."""
    from retrieval.candidates import CandidateSentence
    from retrieval.evidence import Evidence, QuestionTerm
    from retrieval.kiwi_analyser import Morph
    from retrieval.types import Article, Span

    idf = idf or {}
    morphs, at = [], 0
    for form, tag in question:
        morphs.append(Morph(form, tag, at, at + len(form)))
        at += len(form) + 1
    terms = tuple(
        QuestionTerm(
            form,
            (form,),
            tag in {"NNP", "SL"},
            idf.get(form, 1.0),
            form not in unknown,
            foreign=form in foreign,
            predicate=tag in {"VV", "VA"},
        )
        for form, tag in question
        if tag in {"NNG", "NNP", "SL", "SN", "VV"}
    )
    sentences, bodies = [], {}
    for rank, (article_id, texts) in enumerate(articles.items()):
        body, spans = "", []
        for number, text in enumerate(texts):
            if number:
                body += "\n\n" if (article_id, number) in seams else " "
            spans.append(Span(len(body), len(body) + len(text)))
            body += text
        bodies[article_id] = Article(article_id, f"제목 {article_id}", body)
        for number, (text, span) in enumerate(zip(texts, spans, strict=True)):
            words = text.rstrip(".").split()
            tagged = tuple(
                (w.lower(), "SN" if w.isdigit() else "NNP" if w[0].isupper() else "NNG")
                for w in words
            )
            sentences.append(
                CandidateSentence(
                    article_id,
                    number,
                    span,
                    number == 0 or (article_id, number) in seams,
                    frozenset(w for w, _ in tagged),
                    tagged,
                    rank,
                    rank,
                    None,
                    1.0 / (rank + 1),
                    None,
                )
            )
    return Evidence(
        question=" ".join(f for f, _ in question),
        mode=mode,
        terms=terms,
        question_morphs=tuple(morphs),
        sentences=tuple(sentences),
        articles=bodies,
        titles={a: frozenset() for a in articles},
        ranked=tuple(articles),
        rarest=max(idf.values(), default=1.0),
        top_dense_z=None,
        agreement=0.0,
    )

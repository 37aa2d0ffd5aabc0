"""The one pipeline the CLI and the Discord bot both call: build/update an index (from
`retrieval.building`, re-exported here), ask questions."""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import replace
from pathlib import Path

from retrieval import carry, kiwi_analyser
from retrieval import policy as policies
from retrieval.answer import compose_answer
from retrieval.building import (
    IndexReport,
    build_index,
    build_missing_index,
    open_index,
    to_log,
)
from retrieval.config import Settings
from retrieval.embed import Embedder
from retrieval.errors import QuestionError
from retrieval.evidence import Evidence, EvidenceReader
from retrieval.index import NewsIndex
from retrieval.manifest import MANIFEST
from retrieval.model_choice import ModelLoader, resolve_model
from retrieval.notices import Notice, Say
from retrieval.policy import AnswerPolicy
from retrieval.question_time import time_asked
from retrieval.types import Answer, FollowUp

log = logging.getLogger(__name__)

__all__ = ["IndexReport", "Pipeline", "build_index", "build_missing_index", "open_index"]


class Pipeline:
    """A loaded index (and model, when the index has vectors) ready to answer questions."""

    def __init__(
        self,
        index: NewsIndex,
        embedder: Embedder | None,
        settings: Settings,
        notices: list[Notice] | None = None,
        index_dir: Path | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.notices = notices or []
        self.index_dir = index_dir or settings.index_dir
        policy, notice = policies.for_index(self.index_dir, index.model)
        if notice:
            self.notices.append(notice)
        self.policy: AnswerPolicy = policy.with_quotes(settings.top_k)
        self.reader = EvidenceReader(index)
        if embedder is not None and index.dense is not None:
            self.reader.background()  # now, not inside the first question

    @property
    def generation(self) -> str | None:
        return self.index.generation

    @classmethod
    def open(
        cls,
        settings: Settings,
        load_model: ModelLoader | None = None,
        auto_build: bool = False,
        verify: bool = True,
        say: Say = to_log,
    ) -> Pipeline:
        """`verify`: check every file's SHA-256, which reads the whole index; a one-shot `ask`
        checks sizes and structure only, so its start does not grow with the index.
        `auto_build`: see `open_index`."""
        if (settings.index_dir / MANIFEST).exists():  # else it fails or builds first
            kiwi_analyser.warm_up_in_background()  # Kiwi loads while the index opens
        index, notices = open_index(settings, verify, auto_build, load_model, say)
        warming = kiwi_analyser.warm_up_in_background()  # the same thread when already started
        choice = resolve_model(settings, index, load_model, updating=False)
        notices.extend(choice.notices)
        if index.dense is not None:
            from retrieval.dense import serve_single_queries

            serve_single_queries()
        warming.join()
        kiwi_analyser.warm_up()  # loaded now, not inside the first question's latency (or raises)
        return cls(index, choice.embedder, settings, notices)

    def check_question(self, question: str) -> str:
        text = kiwi_analyser.typed(question)
        if not text:
            raise QuestionError("질문이 비어 있습니다", hint="궁금한 내용을 입력해 주세요.")
        if len(text) > self.settings.max_question_chars:
            raise QuestionError(
                f"질문이 너무 깁니다({len(text)}자)",
                hint=f"{self.settings.max_question_chars}자 이내로 줄여 주세요.",
            )
        return text

    def evidence(self, question: str, use_model: bool = True) -> Evidence:
        """What decides `question` (see `retrieval.evidence`); without `use_model`, what
        lexical mode would see."""
        return self._evidence(question, use_model)[0]

    def _evidence(
        self, question: str, use_model: bool, follow_up: FollowUp | None = None
    ) -> tuple[Evidence, float]:
        """The evidence, and the milliseconds spent encoding the question."""
        text = self.check_question(question)
        morphs = kiwi_analyser.analyze(text)
        asked_time = time_asked(text, morphs, self.settings.today or datetime.date.today())
        carried = carry.carried(follow_up)
        vector, encode_ms = None, 0.0
        if use_model and self.embedder is not None:
            started = time.perf_counter()
            vectors = self.embedder.embed_queries([text, *([carried.question] if carried else [])])
            vector = (
                carry.blended(vectors[0], vectors[1], carried.weight) if carried else vectors[0]
            )
            encode_ms = (time.perf_counter() - started) * 1000
        evidence = self.reader.gather(
            text,
            morphs,
            vector,
            self.policy,
            self.settings.candidates,
            self.settings.lexical_weight,
            self.settings.dense_weight,
            asked_time,
            carried,
        )
        return evidence, encode_ms

    def ask(self, question: str, follow_up: FollowUp | None = None) -> Answer:
        """Answer `question`; after `follow_up`, the exchange it continues is carried into
        retrieval (`retrieval.carry`), and the answer records it."""
        started = time.perf_counter()
        evidence, encode_ms = self._evidence(question, use_model=True, follow_up=follow_up)
        answer = compose_answer(evidence, self.policy)
        took = (time.perf_counter() - started) * 1000
        log.debug("question answered=%s mode=%s took_ms=%.1f", answer.answered, answer.mode, took)
        return replace(
            answer,
            took_ms=round(took, 2),
            encode_ms=round(encode_ms, 2),
            notices=tuple(self.notices),
            follow_up=follow_up,
        )

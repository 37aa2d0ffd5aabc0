"""Answers quote the cleaned text verbatim, cite their sources, and abstain when they should."""

from __future__ import annotations

import pytest

from conftest import DEV_SET
from retrieval.errors import QuestionError
from retrieval.evaluate import evaluate, read_cases
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.pipeline import Pipeline, build_index


@pytest.fixture
def pipeline(settings) -> Pipeline:
    build_index(settings)
    return Pipeline.open(settings)


QUESTIONS = [
    "벤처기업협회의 회원사는 몇 개인가요?",
    "지아이랩의 대표는 누구인가요?",
    "C랩 아웃사이드 광주 선정 기업은 사업지원금을 최대 얼마까지 받나요?",
    "파인데이터센터는 언제 들어설 예정인가요?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_quotes_are_exact_substrings_with_sources(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)
    assert answer.answered and 1 <= len(answer.quotes) <= 3
    numbers = {s.number: s for s in answer.sources}
    for quote in answer.quotes:
        body = pipeline.index.articles[quote.article_id].article.body
        assert body[quote.start : quote.end] == quote.text
        assert numbers[quote.source].article_id == quote.article_id
    assert [s.number for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert all(s.title for s in answer.sources)


def test_the_answer_is_in_the_quotes(pipeline: Pipeline) -> None:
    answer = pipeline.ask("벤처기업협회는 언제 설립됐나요?")
    assert "1995년" in answer.quotes[0].text
    assert answer.sources[0].outlet == "뉴스21" and answer.sources[0].date == "2024-03-07"


@pytest.mark.parametrize(
    "question",
    [
        "코스피가 5000포인트를 돌파한 날은 언제인가요?",  # only in the removed sidebar
        "서울시가 발표한 인공지능 정책은 무엇인가요?",
        "오늘 서울 날씨는 어떤가요?",
        "???",
    ],
)
def test_unanswerable_questions_quote_nothing(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)
    assert not answer.answered and answer.quotes == () and answer.sources == ()
    assert "찾지 못했습니다" in answer.message


@pytest.mark.parametrize("question", ["", "   \n\t ", "가" * 5000])
def test_empty_or_absurd_questions_get_a_clear_message(pipeline: Pipeline, question: str) -> None:
    with pytest.raises(QuestionError) as error:
        pipeline.ask(question)
    assert "질문" in str(error.value)


def test_quality_floor_on_the_dev_set(pipeline: Pipeline) -> None:
    if not DEV_SET.is_file():
        pytest.skip("shared/eval is not beside the repository")
    report, _ = evaluate(pipeline, read_cases(DEV_SET))
    assert report["mode"] == "lexical"
    assert report["article_hit@1"] >= 0.95
    assert report["answer_in_quotes"] >= 0.90
    assert report["abstained_unanswerable"] >= 0.75
    assert report["false_abstention"] <= 0.05


def test_reciprocal_rank_fusion_weights_and_ranks() -> None:
    hits = reciprocal_rank_fusion([1, 2, 3], [3, 4], lexical_weight=1.0, dense_weight=1.0, k=60)
    assert hits[0].chunk_id == 3 and hits[0].lexical_rank == 3 and hits[0].dense_rank == 1
    assert {h.chunk_id for h in hits} == {1, 2, 3, 4}
    only_dense = reciprocal_rank_fusion([1, 2], [2, 1], lexical_weight=0.0, dense_weight=1.0)
    assert only_dense[0].chunk_id == 2

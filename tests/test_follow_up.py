"""Follow-up questions: the previous question's terms and cited articles carried into retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import SEEDS, CountingEmbedder
from retrieval import carry
from retrieval.config import Settings
from retrieval.evidence import QuestionTerm
from retrieval.fusion import boost, reciprocal_rank_fusion
from retrieval.pipeline import Pipeline, build_index
from retrieval.types import Answer, FollowUp, Source

CLAB = "000_8944c63ec2984883"
AICAMP = "002_1271b9cf7e65fcdf"
VENTURE = "004_ecd383afc86f028b"
SET = Path(__file__).with_name("data") / "followups.jsonl"


@pytest.fixture(scope="module")
def pipeline(seed_index: Path) -> Pipeline:
    return Pipeline.open(Settings(articles=SEEDS, index_dir=seed_index, model="none"))


def after(pipeline: Pipeline, first: str) -> FollowUp:
    """The follow-up context of `first` as the bot builds it: the question, its cited articles."""
    answer = pipeline.ask(first)
    return FollowUp(first, tuple(s.article_id for s in answer.sources))


def cited(answer: Answer) -> list[str]:
    """The articles quoted, best quote first (sources are numbered by date, not by rank)."""
    return list(dict.fromkeys(q.article_id for q in answer.quotes))


def test_a_bare_follow_up_is_answered_about_the_previous_subject(pipeline: Pipeline) -> None:
    context = after(pipeline, "강기정 시장은 CES 2023에서 어디를 방문했어?")
    assert context.cited_article_ids[0] == CLAB
    alone = pipeline.ask("거기서 누구를 만났어?")
    followed = pipeline.ask("거기서 누구를 만났어?", follow_up=context)
    assert not alone.answered or cited(alone)[0] != CLAB  # alone, it has no subject
    assert followed.answered and cited(followed)[0] == CLAB
    assert any("스타트업 대표들" in q.text for q in followed.quotes)
    data = json.loads(json.dumps(followed.to_dict(), ensure_ascii=False))  # `ask --json`'s shape
    assert data["follow_up"] == {
        "previous_question": context.previous_question,
        "cited_article_ids": list(context.cited_article_ids),
    }
    assert "follow_up" not in alone.to_dict()
    assert Answer.from_dict(data).follow_up == context


def test_a_follow_up_that_names_its_own_subject_still_finds_it(pipeline: Pipeline) -> None:
    context = after(pipeline, "파인데이터센터는 언제 들어설 예정이야?")
    answer = pipeline.ask("체인브리지의 대표이사는 누구야?", follow_up=context)
    assert answer.answered and cited(answer)[0] == AICAMP
    assert any("허조훈" in q.text for q in answer.quotes)


def test_cited_articles_the_index_no_longer_holds_are_ignored(pipeline: Pipeline) -> None:
    context = FollowUp("C랩 아웃사이드 광주는 어디에 문을 열었어?", ("gone", CLAB))
    answer = pipeline.ask("개소식에는 누가 참석했어?", follow_up=context)
    assert answer.answered and cited(answer)[0] == CLAB
    empty = pipeline.ask("지아이랩의 대표는 누구인가요?", follow_up=FollowUp("   ", ("gone",)))
    assert empty.quotes == pipeline.ask("지아이랩의 대표는 누구인가요?").quotes


def test_a_follow_up_naming_a_period_keeps_its_context(pipeline: Pipeline) -> None:
    """The period's narrowed search is the follow-up's search: the carried terms and the cited
    article's lift survive it."""
    context = after(pipeline, "벤처기업협회는 언제 설립됐나요?")
    assert context.cited_article_ids == (VENTURE,)
    question = "그럼 2024년 협약식에는 누가 참석했어?"
    alone = pipeline.ask(question)
    followed = pipeline.ask(question, follow_up=context)
    assert alone.answered and AICAMP in cited(alone)  # alone, 2020's 협약식 (undated) too
    assert followed.answered and cited(followed)[0] == VENTURE
    assert "벤처기업협회" in followed.quotes[0].text

    def lead(answer: Answer) -> float:  # how far the 벤처기업협회's quote stands above the rest
        others = [q.score for q in answer.quotes if q.article_id != VENTURE]
        return answer.quotes[0].score - max(others, default=float("-inf"))

    assert lead(followed) > lead(alone)


def test_hybrid_follow_ups_encode_both_questions(settings: Settings) -> None:
    """The dense query leans towards the previous question: both are encoded in one call."""
    embedder = CountingEmbedder()
    config = settings.with_overrides(model=embedder.name)
    build_index(config, load_model=lambda name: embedder)
    pipeline = Pipeline.open(config, load_model=lambda name: embedder)
    embedder.queries.clear()
    answer = pipeline.ask("그럼 언제 열렸어?", follow_up=FollowUp("C랩 광주는 어디야?", (CLAB,)))
    assert answer.mode == "hybrid" and embedder.queries == [
        "그럼 언제 열렸어?",
        "C랩 광주는 어디야?",
    ]


def test_the_follow_up_set_has_twenty_answerable_and_eight_unanswerable_pairs() -> None:
    pairs = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) == 28 and len({p["id"] for p in pairs}) == 28
    bodies = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for pair in pairs:
        assert set(pair) == {"id", "first", "follow_up", "article", "answer", "kind"}, pair["id"]
        assert pair["kind"] in {"elliptic", "switch", "unanswerable"}, pair["id"]
        if pair["kind"] == "unanswerable":  # the articles do not say it
            assert pair["article"] is None and pair["answer"] is None, pair["id"]
        else:
            assert pair["answer"] in bodies[pair["article"]], pair["id"]  # KeyError: no article
    assert sum(p["kind"] == "unanswerable" for p in pairs) == 8


# --------------------------------------------------------------------------- the pure parts


def term(
    form: str, idf: float = 1.0, known: bool = True, parts: tuple[str, ...] = ()
) -> QuestionTerm:
    return QuestionTerm(form, parts or (form,), False, idf, known)


def test_carried_terms_are_the_known_ones_the_follow_up_lacks_weighted_down() -> None:
    own = [term("대표", 2.0)]
    previous = [term("지아이랩", 3.0), term("대표", 2.0), term("큐바델릭스", 5.0, known=False)]
    (carried,) = carry.carried_terms(own, previous, 0.5)
    assert (carried.form, carried.idf) == ("지아이랩", 1.5)
    assert carry.carried_tokens(["대표"], ["지아이랩", "대표"], 0.5) == {"지아이랩": 0.5}
    assert carry.carried_terms(own, previous, 0.0) == ()


def test_the_carried_weight_follows_how_much_of_the_follow_up_the_cited_articles_hold() -> None:
    own = [term("체인브리지", 3.0), term("대표이사", 1.0)]
    assert carry.share_held(own, frozenset({"대표이사", "체인브리지"})) == 1.0
    assert carry.share_held(own, frozenset({"대표이사"})) == 0.25
    assert carry.share_held(own, None) == 1.0  # the previous answer cited nothing
    joined = [term("광주시장", 2.0, parts=("광주", "시장"))]
    assert carry.share_held(joined, frozenset({"광주", "시장"})) == 1.0


def test_a_chain_of_follow_ups_keeps_the_newest_questions() -> None:
    assert carry.context_question("그럼 언제?", "지아이랩 대표는?") == "지아이랩 대표는? 그럼 언제?"
    long = carry.context_question("마지막 질문", "가나 " * 400)
    assert len(long) <= carry.MAX_CONTEXT_CHARS and long.endswith("마지막 질문")
    assert not long.startswith(" ")


def test_the_blended_query_is_a_unit_vector_leaning_to_the_previous_one() -> None:
    own, previous = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    vector = carry.blended(own, previous, 0.5)
    assert np.isclose(np.linalg.norm(vector), 1.0) and vector[0] > vector[1] > 0


def test_boosted_chunks_rise_in_their_own_order() -> None:
    hits = reciprocal_rank_fusion([1, 2, 3, 4], [1, 2, 3, 4])
    lifted = [h.chunk_id for h in boost(hits, frozenset({3, 4}), 1.0)]
    assert lifted[:2] == [3, 4] and lifted[2:] == [1, 2]
    assert [h.chunk_id for h in boost(hits, frozenset({3, 4}), 0.0)] == [1, 2, 3, 4]


def test_lexical_search_weighs_tokens_and_searches_within_chunks(pipeline: Pipeline) -> None:
    lexical = pipeline.index.lexical
    everywhere = dict(lexical.search(["지아이랩", "대표"], 50))
    within = set(list(everywhere)[-3:])
    only = dict(lexical.search(["지아이랩", "대표"], 50, within=within))
    assert set(only) <= within and all(np.isclose(only[c], everywhere[c]) for c in only)
    lighter = dict(lexical.search(["지아이랩", "대표"], 50, {"지아이랩": 0.5}))
    assert all(lighter[c] <= everywhere[c] for c in lighter)
    assert any(lighter[c] < everywhere[c] for c in lighter)
    assert lexical.search(["지아이랩"], 5, within=set()) == []


def test_what_follows_an_answer_is_its_question_and_cited_articles() -> None:
    source = Source(1, CLAB, "제목", None, None, None)
    first = Answer(question="C랩 광주는 어디야?", answered=True, sources=(source,))
    assert carry.follow_up_after(first) == FollowUp("C랩 광주는 어디야?", (CLAB,))
    second = Answer(question="그럼 언제?", answered=False, follow_up=carry.follow_up_after(first))
    assert carry.follow_up_after(second) == FollowUp("C랩 광주는 어디야? 그럼 언제?", ())

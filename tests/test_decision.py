"""Deciding from evidence alone: which passages are quoted, in what order, and when to abstain."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import fake_evidence
from retrieval.answer import compose_answer, decide
from retrieval.policy import AnswerPolicy, LinearModel, ModePolicy

MODE = ModePolicy(
    rank=LinearModel(0.0, {"cover": 10.0, "length": -0.1}),
    answer=LinearModel(-5.0, {"cover": 10.0}),  # answers once the best passage covers half
    threshold=0.0,
)
POLICY = AnswerPolicy("test", {"lexical": MODE, "hybrid": MODE}, join_gain=0.9, quote_margin=8.0)
QUESTION = [("협회", "NNG"), ("설립", "NNG"), ("연도", "NNG")]


def test_the_best_passage_leads_and_sources_are_numbered_in_quote_order() -> None:
    evidence = fake_evidence(
        QUESTION,
        {
            "b": ["협회 행사.", "무관한 문장."],
            "a": ["협회 설립 연도 1995년.", "협회 설립 이야기."],
        },
    )
    answer = compose_answer(evidence, POLICY)
    assert answer.answered and answer.policy == "test" and answer.confidence > 0.9
    assert [q.text for q in answer.quotes] == [
        "협회 설립 연도 1995년.",
        "협회 설립 이야기.",
        "협회 행사.",
    ]
    assert [q.score for q in answer.quotes] == sorted(
        (q.score for q in answer.quotes), reverse=True
    )
    assert [(s.number, s.article_id) for s in answer.sources] == [(1, "a"), (2, "b")]
    assert [q.source for q in answer.quotes] == [1, 1, 2]
    for quote in answer.quotes:
        assert evidence.articles[quote.article_id].body[quote.start : quote.end] == quote.text


def test_quotes_stop_at_the_margin_and_the_limit() -> None:
    evidence = fake_evidence(
        QUESTION, {"a": ["협회 설립 연도 1995년.", "협회 행사.", "협회 소식."]}
    )
    assert len(compose_answer(evidence, replace(POLICY, quote_margin=1.0)).quotes) == 1
    assert len(compose_answer(evidence, replace(POLICY, max_quotes=2)).quotes) == 2


def test_the_same_words_in_two_articles_are_quoted_once() -> None:
    evidence = fake_evidence(
        QUESTION, {"a": ["협회 설립 연도 1995년."], "b": ["협회 설립 연도 1995년."]}
    )
    answer = compose_answer(evidence, POLICY)
    assert len(answer.quotes) == 1 and [s.article_id for s in answer.sources] == ["a"]
    assert [s.article_id for s in answer.related] == ["b"]  # offered as a further source


def test_too_little_of_the_question_is_not_found_with_nothing_quoted() -> None:
    evidence = fake_evidence(QUESTION, {"a": ["협회 행사.", "무관한 문장."]})
    answer = compose_answer(evidence, POLICY)
    assert not answer.answered
    assert answer.quotes == () and answer.sources == () and answer.confidence < 0.5


def test_an_unknown_foreign_name_is_not_answered_however_well_the_rest_matches() -> None:
    question = [("gpu", "SL"), ("협회", "NNG"), ("설립", "NNG"), ("연도", "NNG")]
    articles = {"a": ["협회 설립 연도 1995년."]}
    idf = {"gpu": 0.1, "협회": 1.0, "설립": 1.0, "연도": 1.0}
    vetoed = decide(
        fake_evidence(question, articles, idf, unknown=("gpu",), foreign=("gpu",)), POLICY
    )
    assert vetoed.vetoed and not vetoed.answered and vetoed.confidence == 0.0
    assert vetoed.log_odds > MODE.threshold  # the answer model alone would have answered
    hangul = fake_evidence(question, articles, idf, unknown=("gpu",))  # an unknown Hangul name
    assert decide(hangul, POLICY).answered  # is left to the answer model
    assert decide(hangul, replace(POLICY, known_names=False)).answered


def test_no_candidates_is_not_found() -> None:
    answer = compose_answer(fake_evidence(QUESTION, {}), POLICY)
    assert not answer.answered and answer.quotes == ()


@pytest.mark.parametrize("mode", ["lexical", "hybrid", "dense"])
def test_each_mode_uses_its_own_models(mode: str) -> None:
    never = ModePolicy(MODE.rank, LinearModel(-100.0, {}), 0.0)
    policy = replace(POLICY, modes={"lexical": MODE, "hybrid": never})
    evidence = replace(fake_evidence(QUESTION, {"a": ["협회 설립 연도 1995년."]}), mode=mode)
    assert decide(evidence, policy).answered == (mode == "lexical")


def test_confidence_holds_for_any_log_odds() -> None:
    from retrieval.answer import Decision

    assert Decision((), {}, -1000.0, False).confidence == 0.0
    assert Decision((), {}, 1000.0, True).confidence == 1.0


def _joined_quote(question: list[tuple[str, str]], article: list[str], gain: float = 0.0) -> str:
    """The quote `trimmed` makes of the passage joining sentences 0 and 1."""
    from retrieval.answer import trimmed
    from retrieval.signals import passages

    evidence = fake_evidence(question, {"a": article})
    joined = [p for p in passages(evidence, gain) if (p.first, p.last) == (0, 1)]
    assert joined  # the join the test is about exists
    ((_, quote),) = trimmed(evidence, [(1.0, joined[0])])
    return evidence.articles["a"].body[quote.start : quote.end]


def test_a_quote_leaves_out_a_joined_sentence_that_holds_nothing_asked() -> None:
    """ "지아이랩 대표는 누구?": the sentence before the one naming 전창호 holds none of the
    question; quoted first, it would only hide the answer."""
    question = [("지아이랩", "NNP"), ("대표", "NNG"), ("누구", "NP")]
    article = ["협약 내용은 기술 개발 등이다.", "전창호 지아이랩 대표는 말했다.", "다른 문장."]
    assert _joined_quote(question, article, 0.15) == article[1]
    # a name in the sentence before does not keep it when the one naming 지아이랩 has one
    # (this fake analysis tags capitalised words as names)
    article[:2] = ["협약 내용은 Gwangju 기술 개발 등이다.", "Jeon 지아이랩 대표는 말했다."]
    assert _joined_quote(question, article, 0.15) == article[1]
    article[1] = "지아이랩 대표는 말했다."  # but it may be the answer when that one has none
    assert _joined_quote(question, article, 0.15) == " ".join(article[:2])


def test_a_joined_sentence_that_only_repeats_terms_of_the_other_is_left_out() -> None:
    """ "협회는 언제 설립됐나요?": the sentence before the one with 1995 names the 협회 too, and
    nothing else of the question."""
    question = [("협회", "NNG"), ("설립", "NNG"), ("언제", "NP")]
    article = ["협약 따라 협회 와 협력.", "협회 는 1995 년 설립."]
    assert _joined_quote(question, article) == article[1]
    question.insert(2, ("목적", "NNG"))  # now the sentence before adds 목적: both stay
    article[0] = "협약 목적 따라 협회 와 협력."
    assert _joined_quote(question, article) == " ".join(article)


def test_a_joined_sentence_after_the_topic_stays_when_it_holds_the_kind_asked_for() -> None:
    """ "인구는 몇 명?": the number follows the sentence naming the topic, which holds a
    number of its own (a year): the sentence after may be the answer."""
    question = [("광주", "NNP"), ("인구", "NNG"), ("몇", "NR")]
    article = ["광주 인구 조사는 1990 년 시작됐다.", "이 시점에서 90000 명 정도였다."]
    assert _joined_quote(question, article) == " ".join(article)
    # and with no number in the topic's sentence
    article[0] = "광주 인구 조사가 시작됐다."
    assert _joined_quote(question, article) == " ".join(article)
    # with none in the sentence after, it adds nothing asked for
    article[1] = "이 시점에서 조사가 끝났다."
    assert _joined_quote(question, article) == article[0]


def test_a_joined_sentence_stays_when_nothing_specific_is_asked() -> None:
    """ "…부를 사람은?": the sentence beside the question's words may itself be the answer."""
    question = [("노래", "NNG"), ("사람", "NNG")]
    article = ["그룹은 노래 를 공개했다.", "Mitchell 은 목소리를 제공했다."]
    assert _joined_quote(question, article) == " ".join(article)


def test_the_margin_is_over_the_best_passage_of_another_story() -> None:
    """One article standing out answers; a reprint of it competes with nothing."""
    from retrieval.answer import runner_up
    from retrieval.types import SameStory

    evidence = fake_evidence(
        QUESTION,
        {
            "a": ["협회 설립 연도 1995년.", "무관한 문장."],
            "b": ["협회 설립 이야기.", "다른 문장."],
            "c": ["협회 설립 연도 1995년.", "무관한 문장."],
        },
    )
    decision = decide(evidence, POLICY)
    scores = {p.article_id: s for s, p in reversed(decision.ranked)}  # each article's best
    assert decision.ranked[0][1].article_id == "a"
    assert decision.signals["margin"] == 0.0  # "c" says the same: nothing stands out
    copies = {
        i: tuple(SameStory(j, "제목", None, None, None) for j in ("a", "c")) for i in ("a", "c")
    }
    story = replace(evidence, stories=copies)
    assert runner_up(list(decide(story, POLICY).ranked), story) == scores["b"]
    assert decide(story, POLICY).signals["margin"] == scores["a"] - scores["b"] > 0


def test_with_one_article_found_the_margin_is_over_its_lowest_passage_apart_from_the_best() -> None:
    """Any other article would have ranked below everything found; the best passage's own
    variants (joined to a neighbour) compete with nothing."""
    from retrieval.answer import runner_up
    from retrieval.signals import Passage

    evidence = fake_evidence(QUESTION, {"a": ["협회 설립 연도 1995년."]})

    def passage(first: int, last: int) -> Passage:
        return Passage("a", first, last, 0, 1, {})

    best = (10.0, passage(1, 1))
    variant = (2.0, passage(0, 1))  # scores lowest, but is the best one joined to sentence 0
    assert runner_up([best, (5.0, passage(3, 3)), (4.0, passage(4, 5)), variant], evidence) == 4.0
    assert runner_up([best, variant], evidence) == 0.0  # nothing apart from it at all
    assert runner_up([], evidence) is None


def test_a_quote_is_trimmed_by_the_person_a_sentence_names_again() -> None:
    """ "강기정 시장은 언제 CES에 갔어?": "강 시장도 올해 CES …" holds all the question holds,
    so the sentence joined before it, which holds none, is left out."""
    from dataclasses import replace

    from retrieval.answer import trimmed
    from retrieval.signals import passages

    question = [("강기정", "NNP"), ("시장", "NNG"), ("ces", "SL"), ("언제", "NP")]
    article = ["강기정 광주시장 취임.", "펀드 조성 목표다.", "강 시장 올해 ces 방문."]
    evidence = fake_evidence(question, {"a": article}, seams=(("a", 1),))
    evidence = replace(
        evidence,
        sentences=tuple(
            replace(s, tagged=(("강", "NNP"), *s.tagged[1:])) if s.number == 2 else s
            for s in evidence.sentences
        ),
    )
    joined = [p for p in passages(evidence, 0.0) if (p.first, p.last) == (1, 2)]
    ((_, quote),) = trimmed(evidence, [(1.0, joined[0])])
    assert evidence.articles["a"].body[quote.start : quote.end] == article[2]


def test_a_joined_sentence_that_adds_only_what_the_title_says_is_left_out() -> None:
    """ "벤처기업협회의 회원사는 몇 개인가요?" quoted "현재 약 1만8200여개의 기업들을 회원사로
    두고 있다." with the next paragraph, a speech that only names 벤처기업협회 again: the title,
    shown with every quote, says that already."""
    from dataclasses import replace

    from retrieval.answer import trimmed
    from retrieval.signals import passages

    question = [("벤처기업협회", "NNP"), ("회원사", "NNG"), ("몇", "MM")]
    article = ["현재 18200 기업 회원사 보유.", "Kim 벤처기업협회 협회장 발언."]
    evidence = fake_evidence(question, {"a": article})
    joined = next(p for p in passages(evidence, 0.0) if (p.first, p.last) == (0, 1))
    ((_, quote),) = trimmed(evidence, [(1.0, joined)])
    assert (quote.first, quote.last) == (0, 1)  # the other sentence adds the association
    titled = replace(evidence, titles={"a": frozenset({"벤처기업협회", "광주시"})})
    ((_, quote),) = trimmed(titled, [(1.0, joined)])
    assert titled.articles["a"].body[quote.start : quote.end] == article[0]
    # A sentence holding the kind asked is never left out for what the title says.
    answer_first = fake_evidence(
        question, {"a": ["현재 18200 회원사 보유.", "Kim 벤처기업협회 1995 설립."]}
    )
    answer_first = replace(answer_first, titles={"a": frozenset({"회원사"})})
    joined = next(p for p in passages(answer_first, 0.0) if (p.first, p.last) == (0, 1))
    ((_, quote),) = trimmed(answer_first, [(1.0, joined)])
    assert (quote.first, quote.last) == (0, 1)

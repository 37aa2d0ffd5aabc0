"""The signals an answer is decided on: coverage by rarity, what is asked for, quote spans."""

from __future__ import annotations

import pytest

from conftest import fake_evidence
from retrieval.evidence import QuestionTerm
from retrieval.kiwi_analyser import analyze
from retrieval.signals import (
    asked_kind,
    coverage,
    holds,
    named_again,
    named_with,
    pair_share,
    passages,
    question_signals,
)


def term(form: str, idf: float = 1.0, known: bool = True, **kw) -> QuestionTerm:
    parts = kw.pop("parts", (form,))
    return QuestionTerm(form, parts, kw.pop("entity", False), idf, known, **kw)


def test_a_term_no_article_holds_weighs_the_most_and_is_never_covered() -> None:
    """ "광주 날씨": a passage about 광주 covers almost nothing when 날씨 is unknown."""
    terms = (term("광주", 0.2), term("날씨", 4.3, known=False))
    assert coverage(terms, frozenset({"광주", "시장"})) == pytest.approx(0.2 / 4.5)


def test_names_match_inside_longer_names_and_through_aliases() -> None:
    assert holds(term("삼성", entity=True, known=True), frozenset({"삼성전자"})) == 1.0
    samsung = term("samsung", entity=True, known=False, aliases=("삼성",))
    assert holds(samsung, frozenset({"삼성", "c랩"})) == 1.0
    compound = term("벤처기업협회", known=True, parts=("벤처", "기업", "협회"))
    assert holds(compound, frozenset({"벤처", "협회"})) == pytest.approx(2 / 3)
    assert holds(term("기업", known=True), frozenset({"기업들"})) == 0.0  # not a name
    apart = term("생시르", entity=True, known=True, parts=("시르",))  # "생 시르": 생 a prefix
    assert holds(apart, frozenset({"시르", "군대"})) == 1.0


@pytest.mark.parametrize(
    "question, kind",
    [
        ("벤처기업협회의 회원사는 몇 개인가요?", "number"),
        ("사업지원금을 최대 얼마까지 받나요?", "number"),
        ("병력은 얼마나 되는가?", "number"),
        ("몇 년에 설립됐나요?", "date"),
        ("사무공간은 몇 년 동안 쓸 수 있나요?", "number"),  # a span of years, not a year
        ("몇 년 만에 돌아왔나요?", "number"),
        ("GP-슈트레케의 완공 년도는?", "date"),
        ("드라마 패션왕이 방영된 해는?", "date"),  # 해 after a verb: the year it happened
        ("해가 뜨는 곳은?", None),  # the sun
        ("떠오르는 해를 본 곳은 어디야?", "name"),  # the sun again; 어디 asks
        ("지난 해 매출은 얼마야?", "number"),  # the question word decides
        ("같은 해 누가 대표가 되었나?", "name"),
        ("임종석이 지명수배 된 날은?", "date"),
        ("이회창이 대통령 후보가 된 날짜는?", "date"),
        ("무딘 날을 세운 칼은 무엇인가?", None),  # a blade: 날 does not close the question
        ("협약을 맺은 날은 며칠인가요?", "date"),
        ("행사는 며칠 동안 열리나요?", "number"),  # how many days, not which
        ("파인데이터센터는 언제 들어설 예정인가요?", "date"),
        ("지아이랩의 대표는 누구인가요?", "name"),
        ("간담회는 어디에서 열렸나요?", "name"),
        ("광주형 인공지능 1호 합작회사의 이름은 무엇인가요?", None),
    ],
)
def test_the_kind_of_answer_comes_from_the_question_words(question: str, kind: str) -> None:
    assert asked_kind(analyze(question)) == kind


def test_pairs_count_question_phrases_that_stay_together() -> None:
    pairs = [("국가", "데이터센터"), ("문", "열")]
    assert pair_share(pairs, ["국가", "ai", "데이터센터", "개관"]) == 0.5
    assert pair_share([], ["국가"]) == 0.0


def test_a_neighbour_joins_a_quote_only_when_it_adds_and_no_seam_lies_between() -> None:
    question = [("협회", "NNG"), ("설립", "NNG"), ("회원사", "NNG")]
    article = ["협회 설립 1995년.", "회원사 1만8200개.", "별개 문장."]
    spans = {(p.first, p.last) for p in passages(fake_evidence(question, {"a": article}), 0.15)}
    # 회원사 adds a third of the question to sentence 0; sentence 2 holds nothing, so its
    # neighbour joins it; sentence 1 (회원사) gains most from sentence 0.
    assert spans == {(0, 1), (1, 2)}
    cut = fake_evidence(question, {"a": article}, seams=(("a", 1),))
    assert {(p.first, p.last) for p in passages(cut, 0.15)} == {(0, 0), (1, 1), (1, 2)}
    strict = fake_evidence(question, {"a": article})
    assert (0, 0) in {(p.first, p.last) for p in passages(strict, 0.5)}  # gains less than 0.5


def test_passage_offsets_cut_the_body() -> None:
    evidence = fake_evidence([("설립", "NNG")], {"a": ["협회 설립 1995년.", "다른 문장."]})
    body = evidence.articles["a"].body
    texts = {body[p.start : p.end] for p in passages(evidence, 0.15)}
    assert texts == {"협회 설립 1995년.", "협회 설립 1995년. 다른 문장."}


def test_the_asked_kind_counts_in_either_sentence_of_a_quote() -> None:
    question = [("협회", "NNG"), ("회원사", "NNG"), ("몇", "NR")]
    evidence = fake_evidence(question, {"a": ["협회 회원사 현황.", "약 18200 개사."]})
    joined = [p for p in passages(evidence, 0.0) if (p.first, p.last) == (0, 1)]
    assert joined and joined[0].signals["kind"] == 1.0  # the number is in the second sentence


def test_date_words_inside_other_words_are_no_dates() -> None:
    from retrieval.signals import DATE

    assert DATE.search("오는 2026년 6월") and DATE.search("이날 간담회")
    assert not DATE.search("책에 나오는 인물") and not DATE.search("안으로 들어오는 길")


@pytest.mark.parametrize("span", ["1년간 무상 제공", "3일 동안", "10년 만에", "2년째", "1년간의"])
def test_a_span_of_time_is_no_date(span: str) -> None:
    from retrieval.signals import DATE

    assert not DATE.search(span)
    assert DATE.search("5월 간담회") and DATE.search("2019년 만든")  # a date before such words
    assert DATE.search("2020년만 해도")  # 만 as "only"


def test_missing_weight_counts_only_known_terms_it_lacks() -> None:
    from retrieval.signals import question_signals

    question = [("협회", "NNG"), ("설립", "NNG"), ("날씨", "NNG")]
    evidence = fake_evidence(question, {"a": ["협회 설립 1995년."]}, unknown=("날씨",))
    found = passages(evidence, 0.15)
    signals = question_signals(evidence, found[0], 0.0, None)
    assert signals["missing"] == 0.0 and signals["unknown"] == 1.0 and signals["held"] == 2.0


def test_a_verb_no_article_uses_does_not_change_the_decision() -> None:
    """The asker's 맺다 for the articles' 체결: the decision reads the same signals as for the
    question without it."""
    article = {"a": ["지아이랩 협약 체결 6일.", "다른 문장."]}
    idf = {"지아이랩": 3.0, "협약": 2.0, "맺": 4.0}
    plain = fake_evidence([("지아이랩", "NNP"), ("협약", "NNG")], article, idf)
    worded = fake_evidence(
        [("지아이랩", "NNP"), ("협약", "NNG"), ("맺", "VV")], article, idf, unknown=("맺",)
    )
    assert [t.form for t in worded.terms if t.wording] == ["맺"]
    best = passages(plain, 0.15)[0]
    signals = question_signals(plain, best, 1.0, None)
    worded_best = passages(worded, 0.15)[0]
    worded_signals = question_signals(worded, worded_best, 1.0, None)
    assert worded_signals == pytest.approx(signals)
    # A noun no article uses is a fact they lack: it still counts.
    lacking = fake_evidence(
        [("지아이랩", "NNP"), ("협약", "NNG"), ("매출", "NNG")], article, idf, unknown=("매출",)
    )
    best = passages(lacking, 0.15)[0]
    assert question_signals(lacking, best, 1.0, None)["cover"] < 1.0


def test_a_person_named_again_by_surname_and_title_is_held() -> None:
    """News names a person in full once ("강기정 광주시장은"), then as "강 시장"."""

    def again(
        names: list[str], tagged: list[tuple[str, str]], article: str, sentence: str = "강 시장도"
    ) -> list:
        return named_again(
            names, tagged, lambda surname, title: named_with(surname, title, article), sentence
        )

    article = "강기정 광주시장은 말했다. 강 시장도 CES에 갔다."
    tagged = [("강", "NNP"), ("시장", "NNG"), ("ces", "SL")]
    assert again(["강기정"], tagged, article)[0] == ("강기정", "NNP")
    assert again(["강기정"], tagged, "강 시장도 CES에 갔다.") == tagged  # never named
    assert again(["강기정"], tagged, "강기정 선수가 왔다. 강 시장도 갔다.") == tagged  # no 시장
    assert again(["강기정"], [("강", "NNP"), ("ces", "SL")], article)[0] == ("강", "NNP")
    assert again(["강기정", "강민수"], tagged, article) == tagged  # which of the two?
    two = "강기정 광주시장과 강민수 전 시장이 만났다."  # another 강 with that title
    assert again(["강기정"], tagged, two) == tagged
    assert named_with("김", "협회장", "김명술 벤처기업협회 광주전남지회 협회장은") == {"김명술"}
    # The title must follow the surname: 씨 (a bound noun, not among the tagged words) is.
    assert again(["강기정"], tagged, article, "강 씨는 시장에 갔다.") == tagged
    assert again(["강기정"], tagged, article, "강시장은 갔다.")[0] == ("강기정", "NNP")
    for written in ("강 전 시장은 웃었다.", "강 현 시장은 웃었다."):  # 전 is a determiner (MM)
        assert again(["강기정"], tagged, article, written)[0] == ("강기정", "NNP"), written


def test_passages_count_the_person_a_sentence_names_again() -> None:
    from dataclasses import replace

    question = [("강기정", "NNP"), ("시장", "NNG"), ("ces", "SL")]
    evidence = fake_evidence(question, {"a": ["강기정 광주시장 취임.", "강 시장 ces 방문."]})
    sentences = tuple(
        replace(s, tagged=(("강", "NNP"), ("시장", "NNG"), ("ces", "SL"))) if s.number else s
        for s in evidence.sentences
    )
    evidence = replace(evidence, sentences=sentences)
    second = next(p for p in passages(evidence, 1.0) if (p.first, p.last) == (1, 1))
    assert second.signals["cover_sentence"] == pytest.approx(1.0)
    assert second.signals["pairs"] == 1.0


def test_a_sentence_naming_the_person_again_is_joined_for_it() -> None:
    """ "ces 개막." gains 강기정 from "강 시장 도착." after it (the one before lies past a seam)."""
    from dataclasses import replace

    question = [("강기정", "NNP"), ("ces", "SL")]
    article = ["강기정 시장 취임.", "ces 개막.", "강 시장 도착."]
    evidence = fake_evidence(question, {"a": article}, seams=(("a", 1),))
    spans = [(p.first, p.last) for p in passages(evidence, 0.3)]
    assert (1, 1) in spans  # "강" alone is no 강기정: sentence 1 stands alone
    sentences = tuple(
        replace(s, tagged=(("강", "NNP"), *s.tagged[1:])) if s.number == 2 else s
        for s in evidence.sentences
    )
    spans = [(p.first, p.last) for p in passages(replace(evidence, sentences=sentences), 0.3)]
    assert (1, 1) not in spans and spans.count((1, 2)) == 2


def test_a_surname_read_as_the_asked_person_is_no_other_name() -> None:
    """ "강기정 시장은 누구를 만났어?": "강 시장" is 강기정, whom the question names, so it is
    not the name asked for."""
    from dataclasses import replace

    question = [("강기정", "NNP"), ("시장", "NNG"), ("누구", "NP")]
    evidence = fake_evidence(question, {"a": ["강기정 광주시장 취임.", "강 시장 방문."]})
    sentences = tuple(
        replace(s, tagged=(("강", "NNP"), *s.tagged[1:])) if s.number == 1 else s
        for s in evidence.sentences
    )
    found = passages(replace(evidence, sentences=sentences), 1.0)
    assert next(p for p in found if p.first == p.last == 1).signals["kind"] == 0.0

"""Answers quote the cleaned text verbatim, cite their sources, and abstain when they should."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import DEV_SET, SEEDS
from retrieval.config import Settings
from retrieval.errors import QuestionError
from retrieval.evaluate import evaluate, read_cases
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.pipeline import Pipeline, build_index


@pytest.fixture(scope="module")
def pipeline(seed_index: Path) -> Pipeline:
    """The session's index of the seeds, opened once for this module's tests that only ask
    (reading never writes to it): building it for each of them was most of their time."""
    return Pipeline.open(Settings(articles=SEEDS, index_dir=seed_index, model="none"))


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


def test_the_first_quote_starts_with_the_answer_not_an_unrelated_sentence(
    pipeline: Pipeline,
) -> None:
    """README's example: the sentence naming the 대표 came second to the agreement's terms."""
    answer = pipeline.ask("지아이랩의 대표는 누구인가요?")
    assert answer.quotes[0].text.startswith("전창호 ㈜지아이랩 대표는")


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
    assert report["abstained_unanswerable"] == 1.0
    assert report["false_abstention"] <= 0.05


def _collapsed(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(params=["lexical", pytest.param("hybrid", marks=pytest.mark.slow)])
def any_mode(request, settings) -> Pipeline:
    """Lexical, and hybrid with a real (random-weight) sentence-transformers model, which only
    the hybrid case builds: importing torch takes seconds."""
    if request.param == "hybrid":
        settings = replace(settings, model=str(request.getfixturevalue("tiny_model")))
    build_index(settings)
    return Pipeline.open(settings)


def test_every_quote_is_the_pages_own_words_in_order(any_mode: Pipeline) -> None:
    """Over every dev question and the examples above, each quote is one contiguous passage of
    the raw seed file (after collapsing whitespace): nothing the cleaner removed is bridged."""
    questions = list(QUESTIONS)
    if DEV_SET.is_file():
        questions += [c.question for c in read_cases(DEV_SET)]
    raw = {p.stem: _collapsed(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    quoted = 0
    for question in questions:
        answer = any_mode.ask(question)
        scores = [q.score for q in answer.quotes]
        assert scores == sorted(scores, reverse=True), question
        for quote in answer.quotes:
            assert _collapsed(quote.text) in raw[quote.article_id], (question, quote.text)
            quoted += 1
    assert quoted >= len(QUESTIONS)


def test_reciprocal_rank_fusion_weights_and_ranks() -> None:
    hits = reciprocal_rank_fusion([1, 2, 3], [3, 4], lexical_weight=1.0, dense_weight=1.0, k=60)
    assert hits[0].chunk_id == 3 and hits[0].lexical_rank == 3 and hits[0].dense_rank == 1
    assert {h.chunk_id for h in hits} == {1, 2, 3, 4}
    only_dense = reciprocal_rank_fusion([1, 2], [2, 1], lexical_weight=0.0, dense_weight=1.0)
    assert only_dense[0].chunk_id == 2


def test_a_question_typed_in_decomposed_hangul_gets_the_same_answer(pipeline: Pipeline) -> None:
    question = "벤처기업협회의 회원사는 몇 개인가요?"
    nfd = unicodedata.normalize("NFD", question)
    assert nfd != question
    assert pipeline.ask(nfd).quotes == pipeline.ask(question).quotes != ()


def test_a_latin_name_finds_the_hangul_spelling_of_the_articles(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Samsung C랩 아웃사이드에 선정된 기업은 몇 개야?")
    assert answer.answered and "5개 기업" in answer.quotes[0].text
    terms = {t.form: t for t in pipeline.evidence("Samsung C-Lab 아웃사이드 선정 기업").terms}
    assert terms["clab"].aliases == ("c랩",) and terms["samsung"].aliases == ("삼성",)
    assert not pipeline.evidence("GPU는 몇 장?").terms[0].aliases  # too short to sound like


def test_an_acronym_typed_onto_a_korean_name_finds_its_letters_written_out(
    pipeline: Pipeline,
) -> None:
    """The article writes ㈜페르소나에이아이; a reader types 페르소나AI."""
    answer = pipeline.ask("페르소나AI 광주지사장은 누구인가요?")
    assert answer.answered and "김용혁 ㈜페르소나에이아이 광주지사장" in answer.quotes[0].text


@pytest.mark.parametrize(
    "question",
    [
        "광주 날씨",
        "광주시 인구는 몇 명이야?",
        "삼성전자 주가 얼마야?",
        "광주 맛집 추천해줘",
        "강기정 나이",
    ],
)
def test_questions_that_only_share_a_place_or_a_name_are_not_answered(
    pipeline: Pipeline, question: str
) -> None:
    """A newcomer's questions the seeds cannot answer, though 광주 or 강기정 is in every one."""
    assert not pipeline.ask(question).answered


@pytest.mark.parametrize(
    ("question", "requesting"),
    [
        ("솔루션 회사 이름 알려줘", ["알리"]),
        ("대표가 누군지 알려주세요", ["알리"]),
        ("강 시장이 만난 기업 찾아 줘.", ["찾"]),
        ("지아이랩 대표가 누군지 알고 싶어요", ["알"]),
        ("대표 이름 좀 알려주실래요?", ["알리"]),
        ("이름 알려줘. 대표는 누구야?", ["알리"]),  # a follow-up joined to its question
        ("보고 싶은 기사는?", []),
        ("정부가 얼마를 빌려 줬나요?", []),  # what happened, not a request
        ("무엇을 보여 주었나요?", []),
        ("알려 주시기 바랍니다", []),  # the verb ends no sentence: not read as a request
        ("유아인이 좋아해줘에서 맡은 배역은?", []),  # a title
        ("도와준 기업은?", []),  # 주다 inside the question: a fact, no request
        ("지원해 줄 기업은 어디야?", []),
    ],
)
def test_the_verb_a_question_is_requested_in_is_found(question: str, requesting: list[str]) -> None:
    from retrieval.kiwi_analyser import analyze
    from retrieval.terms import request_verbs

    morphs = analyze(question)
    assert [morphs[i].form for i in sorted(request_verbs(morphs))] == requesting


def test_a_question_put_as_a_request_is_asked_as_the_question(pipeline: Pipeline) -> None:
    """ "…알려 줘" asks; the articles' 알리다 is no term of it, and the answer is the same."""
    question = "생체정보로 결제하는 솔루션 기업 이름"
    asked = pipeline.evidence(question + " 알려줘")
    assert [t.form for t in asked.terms] == [t.form for t in pipeline.evidence(question).terms]
    assert "알리" not in [t.form for t in asked.terms]
    answer = pipeline.ask(question + " 알려줘")
    assert answer.answered and "고스트패스" in answer.quotes[0].text
    assert answer.quotes == pipeline.ask(question).quotes


def test_irregular_verbs_are_terms_of_the_question() -> None:
    from retrieval.kiwi_analyser import analyze
    from retrieval.terms import query_terms

    terms = {t.form: t for t in query_terms(analyze("어떤 기업을 뽑았어? 걸어서 갔다"))}
    assert terms["뽑"].predicate and terms["걷"].predicate  # Kiwi tags them VV-R / VV-I


def test_a_verb_no_article_uses_is_the_askers_wording_not_a_missing_fact(
    pipeline: Pipeline,
) -> None:
    """맺다 for the articles' 체결 is the asker's wording; a verb the articles use is not, nor
    is a noun they never use (날씨: a fact they lack)."""
    terms = {t.form: t for t in pipeline.evidence("지아이랩과 협약을 맺은 곳은 어디야?").terms}
    assert terms["맺"].wording and not terms["지아이랩"].wording and not terms["협약"].wording
    assert not any(t.wording for t in pipeline.evidence("C랩은 어디에 문을 열었어?").terms)
    assert not any(t.wording for t in pipeline.evidence("광주 날씨 어때?").terms)


def test_a_deleted_article_stops_answering_at_once(settings, seeds: Path) -> None:
    """tantivy keeps a deleted document's terms until a merge; what the corpus knows counts only
    live documents, so the question about the removed company is not answered from the other."""
    (seeds / "q1.txt").write_text(
        "Qbadelix 컴퍼니의 지난해 매출은 100억 원으로 집계됐다.", encoding="utf-8"
    )
    (seeds / "q2.txt").write_text(
        "Qzotera 컴퍼니의 지난해 매출은 200억 원으로 집계됐다.", encoding="utf-8"
    )
    build_index(settings)
    assert Pipeline.open(settings).ask("Qbadelix 컴퍼니의 지난해 매출은 얼마야?").answered
    (seeds / "q1.txt").unlink()
    build_index(settings)
    assert not Pipeline.open(settings).ask("Qbadelix 컴퍼니의 지난해 매출은 얼마야?").answered


def test_an_english_plural_in_a_question_meets_the_singular_in_the_article(
    settings, seeds: Path
) -> None:
    """Kiwi splits "Day's" into "day" and "s": "days" in a question is no unknown name."""
    (seeds / "song.txt").write_text(
        "비틀즈의 〈A Hard Day's Night〉는 1964년에 발표된 노래다.", encoding="utf-8"
    )
    build_index(settings)
    answer = Pipeline.open(settings).ask("a hard days night는 몇 년에 발표됐어?")
    assert answer.answered and "1964년" in answer.quotes[0].text


def test_a_latin_name_the_article_writes_in_hangul_letters_is_found(settings, seeds: Path) -> None:
    """ "SOS Lab" for the article's 에스오에스랩: SOS is its letters written out, and Lab, a word
    of the same name, is no fact the article lacks. A name none of whose words the articles
    know is still refused."""
    (seeds / "lidar.txt").write_text(
        "라이다 기업 ㈜에스오에스랩의 정지성 대표는 광주에 연구소를 열었다.", encoding="utf-8"
    )
    build_index(settings)
    pipeline = Pipeline.open(settings)
    answer = pipeline.ask("SOS Lab 대표는 누구야?")
    assert answer.answered and "정지성" in answer.quotes[0].text
    assert not pipeline.ask("Qbadelix Lab 대표는 누구야?").answered


def test_a_name_the_article_writes_with_a_space_is_known_when_asked_as_one_word(
    settings, seeds: Path
) -> None:
    """생시르 for the article's "생 시르": the same name spaced otherwise, not an unknown one.
    A word the article only begins ("연구 자료" for 연구자) is still unknown."""
    (seeds / "war.txt").write_text(
        "비트겐슈타인은 생 시르의 군대를 공격해 폴라즈크를 탈환했다. 그는 연구 자료를 남겼다.",
        encoding="utf-8",
    )
    build_index(settings)
    pipeline = Pipeline.open(settings)
    terms = {t.form: t for t in pipeline.evidence("생시르의 군대를 공격한 연구자는?").terms}
    assert terms["생시르"].known and "시르" in terms["생시르"].parts
    assert not terms["연구자"].known
    answer = pipeline.ask("생시르의 군대를 공격해 탈환한 곳은 어디야?")
    assert answer.answered and "폴라즈크" in answer.quotes[0].text
    # The search looks for the name's words as the article writes them.
    assert "war" in pipeline.evidence("생시르는 어떤 사람이야?").ranked


def test_an_english_word_of_a_hyphenated_name_is_wording_not_an_unknown_name(
    pipeline: Pipeline,
) -> None:
    """ "C-Lab Outside 광주": the articles write C랩 아웃사이드, so Outside is another word of a
    name they know (C-Lab is C랩), not a foreign name no article writes (which is refused)."""
    terms = {t.form: t for t in pipeline.evidence("C-Lab Outside 광주 선정 기업").terms}
    assert terms["outside"].wording
    answer = pipeline.ask("C-Lab Outside 광주에 선정된 기업은 몇 개야?")
    assert answer.answered and answer.quotes[0].article_id == "000_8944c63ec2984883"
    # A Latin word beside a name written partly in Hangul is no word of it.
    assert not pipeline.ask("Nvidia C랩 선정 기업은?").answered


def test_a_name_the_question_spaces_is_read_as_the_articles_write_it(pipeline: Pipeline) -> None:
    """ "지아이 랩" for the articles' 지아이랩 (지아이 alone is no word of theirs): answered as
    the name written together is. Two words the articles know apart stay two ("AI 기업")."""
    spaced = pipeline.ask("지아이 랩의 대표는 누구인가요?")
    assert spaced.quotes[0].text.startswith("전창호 ㈜지아이랩 대표는")
    forms = {t.form for t in pipeline.evidence("AI 기업 대표는 누구야?").terms}
    assert {"ai", "기업"} <= forms and "ai기업" not in forms


def test_a_period_is_held_by_the_articles_dated_in_it_not_by_undated_ones(
    pipeline: Pipeline,
) -> None:
    """ "2024년 3월": the article dated 2024-03-07 holds it in every sentence; the undated
    page about 2020's agreements does not write it. The year is a known term, as rare as the
    chunks dated in 2024 make it."""
    evidence = pipeline.evidence("2024년 3월 광주시와 업무협약을 체결한 곳은?")
    year = next(t for t in evidence.terms if t.form == "2024")
    assert year.known and year.idf < evidence.rarest
    holding = {s.article_id: "2024" in s.tokens for s in evidence.sentences}
    assert holding["004_ecd383afc86f028b"] and not holding["002_1271b9cf7e65fcdf"]
    assert "2024" not in {m.form for m in evidence.question_morphs}  # no word of what it asks

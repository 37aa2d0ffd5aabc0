"""A name the corpus writes with a space inside, asked as one word."""

from __future__ import annotations

from retrieval.kiwi_analyser import Morph, analyze
from retrieval.spacing import cuts, ends_a_word, one_word, written_apart, written_together
from retrieval.terms import spaced_nouns


def test_a_word_is_cut_in_two_at_every_letter_and_short_or_latin_words_not_at_all() -> None:
    assert cuts("생시르") == [("생", "시르"), ("생시", "르")]
    assert cuts("메뉴") == []  # two syllables: two common words, not a name written apart
    assert cuts("iphone") == []  # Latin names are joined by their own rules


def test_the_two_words_must_start_a_word_and_stand_one_space_apart() -> None:
    text = "러시아군은 생 시르의 군대를 공격했다. 탄생 시르는"
    assert list(written_apart(text, "생", "시르")) == [(6, 10)]
    assert not list(written_apart("생\n시르", "생", "시르"))  # a line break ends a name


def test_the_name_must_end_where_a_word_of_the_text_ends() -> None:
    name = analyze("생 시르의 군대")
    assert ends_a_word(name, 4)
    longer = analyze("연구 자료를 냈다")
    assert not ends_a_word(longer, 4)  # "연구 자" is the head of 자료, not a word of its own


def test_nouns_one_space_apart_may_be_one_word_the_writer_spaced() -> None:
    gi = Morph("지아이", "NNG", 0, 3)
    assert spaced_nouns(gi, Morph("랩", "NNG", 4, 5))
    assert not spaced_nouns(gi, Morph("랩", "NNG", 3, 4))  # written together: one run already
    assert not spaced_nouns(gi, Morph("랩", "NNG", 5, 6))  # more than a space between
    assert not spaced_nouns(gi, Morph("의", "JKG", 4, 5))  # a particle, not a noun


def test_nouns_spaced_are_read_as_one_word_only_where_one_of_them_is_unknown() -> None:
    known = {"지아이랩", "랩", "ai", "기업", "ai기업"}.__contains__
    read = written_together(analyze("지아이 랩의 대표"), known)
    assert [(m.form, m.start, m.end) for m in read[:1]] == [("지아이랩", 0, 5)]
    assert [m.form.lower() for m in written_together(analyze("AI 기업 대표"), known)][:2] == [
        "ai",
        "기업",
    ]


def test_a_word_made_of_two_is_a_proper_noun_when_either_was() -> None:
    name = one_word(Morph("인트", "NNP", 0, 2), Morph("플로우", "NNG", 3, 6))
    assert (name.form, name.tag, name.start, name.end) == ("인트플로우", "NNP", 0, 6)
    assert one_word(Morph("GI", "SL", 0, 2), Morph("랩", "NNG", 3, 4)).form == "gi랩"

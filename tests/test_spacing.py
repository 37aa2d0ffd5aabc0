"""A name the corpus writes with a space inside, asked as one word."""

from __future__ import annotations

from retrieval.kiwi_analyser import Morph, analyze
from retrieval.spacing import cuts, ends_a_word, written_apart
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

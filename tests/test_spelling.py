"""Names the corpus writes otherwise: one letter off, or a Latin name spelled in Hangul."""

from __future__ import annotations

import pytest

from retrieval import spelling
from retrieval.spelling import inside_is_meaningful, letters, sound_key, sounds_alike


@pytest.mark.parametrize(
    "latin, hangul",
    [
        ("Samsung", "삼성"),
        ("clab", "c랩"),
        ("Vancouver", "밴쿠버"),
        ("naver", "네이버"),
        ("Exelis", "엑셀리스"),
    ],
)
def test_a_latin_name_sounds_like_its_hangul_spelling(latin: str, hangul: str) -> None:
    assert sound_key(latin) == sound_key(hangul)


def test_different_names_sound_different() -> None:
    assert sound_key("samsung") != sound_key("삼성전자")
    assert sound_key("gpu") == "KP"  # too short to match anything (MIN_KEY)
    assert sound_key("") == ""


def test_letters_are_jamo_so_one_syllable_can_be_several_letters() -> None:
    assert letters("천왕") != letters("천황") and len(letters("천왕")) == len(letters("천황"))
    assert sum(a != b for a, b in zip(letters("코스피"), letters("코스닥"), strict=False)) >= 2
    assert letters("GPU") == "gpu"


def test_one_sound_key_is_not_enough_for_a_false_friend() -> None:
    assert sound_key("clab") == sound_key("클럽")  # both KLP
    assert sounds_alike("clab", "c랩") and not sounds_alike("clab", "클럽")
    assert sounds_alike("samsung", "삼성")


def test_a_short_name_inside_a_longer_word_means_nothing() -> None:
    assert inside_is_meaningful("삼성") and inside_is_meaningful("gist")
    assert not inside_is_meaningful("북") and not inside_is_meaningful("ai")


@pytest.mark.parametrize(
    ("word", "stem"),
    [("days", "day"), ("Startups", "Startup"), ("companies", "company"), ("shoes", "shoe")],
)
def test_an_english_plural_meets_its_singular(word: str, stem: str) -> None:
    assert spelling.singular(word) == stem


@pytest.mark.parametrize("word", ["glass", "virus", "GPU", "삼성", "its", "AI", "Texas", "genesis"])
def test_a_word_that_is_no_plural_stays_as_it_is(word: str) -> None:
    assert spelling.singular(word) == word


def test_an_acronym_is_spelled_out_as_korean_writes_its_letters() -> None:
    assert spelling.letter_names("SOS") == "에스오에스" and spelling.letter_names("gi") == "지아이"
    assert spelling.letter_names("samsung") is None  # a word, read by its sound
    assert spelling.letter_names("a") is None and spelling.letter_names("C-Lab") is None


def test_an_acronym_written_onto_a_korean_word_is_spelled_out_in_place() -> None:
    """Articles write 페르소나에이아이 where a reader types 페르소나AI."""
    assert spelling.letter_names("페르소나AI") == "페르소나에이아이"
    assert spelling.letter_names("C랩") == "씨랩"
    assert spelling.letter_names("samsung전자") is None  # a word, not an acronym
    assert spelling.letter_names("ai랩gi") is None  # two acronyms: not one name's spelling
    assert spelling.letter_names("x1") is None  # other characters

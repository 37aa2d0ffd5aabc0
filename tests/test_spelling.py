"""Names the corpus writes otherwise: one letter off, or a Latin name spelled in Hangul."""

from __future__ import annotations

import pytest

from retrieval.spelling import letters, sound_key


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

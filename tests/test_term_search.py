"""Finding vocabulary terms by spelling gives what a scan of every term gives."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from retrieval import spelling
from retrieval.term_search import TermSearch

TERMS = ["삼성", "삼성전자", "전자", "천황", "천황제", "지아이랩", "스누아이랩", "gpu", "랩"]


def test_terms_containing_a_fragment_come_in_vocabulary_order() -> None:
    search = TermSearch(TERMS)
    assert list(search.containing("삼성")) == ["삼성", "삼성전자"]
    assert list(search.containing("아이랩")) == ["지아이랩", "스누아이랩"]
    assert list(search.containing("랩")) == ["지아이랩", "스누아이랩", "랩"]  # the last term too
    assert list(search.containing("자천")) == []  # never across two terms
    assert list(search.containing("")) == [] and list(search.containing("a\nb")) == []


def test_one_letter_off_is_what_comparing_every_term_finds() -> None:
    search = TermSearch(TERMS)
    assert search.one_letter_off("천왕", 8) == ["천황"]  # ㅎ for ㅇ: one jamo
    expected = [
        t
        for t in TERMS
        if Levenshtein.distance(spelling.letters("삼성전자"), spelling.letters(t)) <= 1
    ]
    assert search.one_letter_off("삼성전자", 8) == expected == ["삼성전자"]
    assert search.one_letter_off("천황", 1) == ["천황"]  # the limit holds, nearest first
    assert search.one_letter_off("없는단어들", 8) == []
    assert TermSearch([]).one_letter_off("천왕", 8) == []


def test_a_term_holding_the_fragment_twice_is_found_once() -> None:
    assert list(TermSearch(["랩랩", "랩", "지랩"]).containing("랩")) == ["랩랩", "랩", "지랩"]


def test_random_vocabularies_give_what_the_scans_of_every_term_give() -> None:
    """Many ties across lengths (insertions, deletions, substitutions of one jamo), small
    limits: the order of equally near terms is the vocabulary's, as a whole-list search."""
    import random

    from rapidfuzz import process

    rng = random.Random(3)
    syllables = "가각간나다라랩삼성전자천황"
    for _ in range(300):
        terms = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(40)})
        search = TermSearch(terms)
        jamo = [spelling.letters(t) for t in terms]
        for word in rng.sample(terms, 3) + ["".join(rng.choices(syllables, k=3))]:
            for limit in (1, 3, 50):
                near = process.extract(
                    spelling.letters(word),
                    jamo,
                    scorer=Levenshtein.distance,
                    score_cutoff=1,
                    limit=limit,
                )
                assert search.one_letter_off(word, limit) == [terms[i] for _, _, i in near]
            fragment = word[: rng.randint(1, len(word))]
            assert list(search.containing(fragment)) == [t for t in terms if fragment in t]

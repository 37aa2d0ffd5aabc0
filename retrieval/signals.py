"""The numbers an answer is decided on, computed from `Evidence` by pure functions.

Two kinds: *passage* signals say how well one passage (a sentence, or two adjacent ones) answers
the question, and rank the passages; *question* signals say whether the best passage answers
at all. Both are general properties of text and retrieval, nothing tied to a question set:

* coverage: the share of the question's terms, weighted by rarity (idf), a passage holds; a term
  the corpus has never seen weighs the most and is never covered (an unknown fact stays unknown);
* where the passage's chunk ranked in BM25 and in the dense search, and how far its dense
  similarity stands above the corpus background (model-independent, see `DenseIndex.background`);
* whether it holds the kind of thing asked for (a number for 몇/얼마, a date for 언제, a name for
  누구/어디), read from Kiwi's tags;
* for the decision: how much of the question the corpus knows at all, whether the lexical
  and dense rankings agree, and how far the best passage scores above the best of any other
  story (`answer.runner_up`).

Not a signal: whether a passage holds the noun that names what is asked (지역, 해, 날짜). The
answer seldom stands beside it, and a literal match misleads ("날짜 미상"); taking it out of
both models raised cross-validated hybrid hit@1 and refusals in both modes (benchmarks/README.md).

The policy (`retrieval.policy`) weighs them; `retrieval.calibrate` fits the weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial

from retrieval.evidence import Evidence, QuestionTerm
from retrieval.kiwi_analyser import Morph
from retrieval.relative_dates import PATTERN as RELATIVE_DATE
from retrieval.spelling import inside_is_meaningful
from retrieval.terms import content_morphs

# The question words that name the kind of answer (a closed class of Korean interrogatives).
ASKED_KIND = {
    "몇": "number",
    "얼마": "number",
    "얼마나": "number",
    "언제": "date",
    "며칠": "date",
    "누구": "name",
    "어디": "name",
}
DATE_UNITS = frozenset({"년", "월", "일", "년도", "연도"})  # "몇 년에" asks for a date
YEAR_NOUNS = frozenset({"년도", "연도"})  # "완공 년도는?" asks for a date with no question word
# Nouns of time that, closing a question after a verb ("방영된 해는?", "체포된 날은?",
# "협약한 날짜는?"), ask for the date it happened: the native words for 년 and 일.
TIME_NOUNS = frozenset({"해", "날", "날짜"})
# A number of years, months or days that is a span, not a point in time ("1년간", "3일 동안",
# "10년 만에", "2년째"): what follows the unit, with the particles that end the word.
SPAN_AFTER = r"\s*(?:(?:간|동안)(?:[의은는도에]|[^가-힣]|$)|째|만(?:에|엔|의|이|인|입|으로))"
SPANS = frozenset({"간", "동안", "째", "만"})  # the same, as Kiwi gives them after 년/월/일
DATE = re.compile(
    rf"\d{{1,4}}\s*(년|월|일)(?!{SPAN_AFTER})|(?<![가-힣])(지난해|올해|작년|내년|지난달|이날|오는\s)"
)
NUMBER_TAGS = frozenset({"SN", "NR"})
NAME_TAGS = frozenset({"NNP", "SL"})

PASSAGE_SIGNALS = (
    "cover",  # coverage of the passage
    "cover_sentence",  # coverage of its main sentence alone
    "cover_title",  # what the article's title adds (the topic a sentence leaves implicit)
    "cover_plain",  # share of the terms held, unweighted
    "cover_context",  # coverage of the sentences around it and the title (what a reader sees)
    "pairs",  # share of the question's adjacent term pairs that stand close together in it
    "lexical_rr",  # 1/(1+rank) of its chunk in BM25 (0: not retrieved there)
    "dense_rr",  # the same in the dense search
    "fused_rr",  # the same after fusion
    "bm25",  # its chunk's BM25 score over the best chunk's
    "dense_z",  # its chunk's similarity above the background, in standard deviations
    "article_bm25",  # the best BM25 score of any chunk of its article, over the best chunk's
    "article_dense_z",  # the best dense similarity of any chunk of its article (background z)
    "kind",  # it holds the kind of thing asked for (0 when nothing specific is asked)
    "length",  # log of its length: long sentences cover more by chance
)
QUESTION_SIGNALS = (
    "score",  # the ranking score of the best passage
    "cover",  # the best passage's coverage
    "cover_title",
    "cover_plain",
    "known",  # the share of the question's weight the corpus knows at all
    "held",  # how much specific evidence the best passage holds: Σ idf of its question terms,
    # in units of the rarest idf (one term no chunk holds = 1), so corpora of any size compare
    "missing",  # the same for the known terms it lacks
    "unknown",  # the same for the terms no chunk holds (nor one spelled near them)
    "unknown_name",  # a name or foreign word the corpus has never seen, nor one spelled near it
    "unknown_foreign",  # the same for a word in a foreign script (GPU): see AnswerPolicy
    "dense_z",  # the best dense hit over the background
    "agreement",  # overlap of the top BM25 and dense chunks
    "kind",  # the best passage holds the kind of thing asked for
    "asked",  # the question asks for a specific kind (number, date, name)
    "terms",  # log of the number of question terms
    "margin",  # how far the best passage scores above the best of any other story's: one
    # article standing out answers; several alike suggest the topic without the fact
)


@dataclass(frozen=True)
class Passage:
    """One or two adjacent sentences of an article, with the signals that rank it."""

    article_id: str
    first: int
    last: int
    start: int
    end: int
    signals: dict[str, float]
    held: float = 0.0  # Σ idf of the question terms it holds, its title included
    missing: float = 0.0  # Σ idf of the terms the corpus knows that it lacks


def asked_kind(morphs: Iterable[Morph]) -> str | None:
    """The kind of answer the question words ask for, if any."""
    morphs = list(morphs)
    for i, morph in enumerate(morphs):
        if morph.tag == "NNB" and morph.form in YEAR_NOUNS:
            return "date"
        kind = ASKED_KIND.get(morph.form)
        if kind is None or morph.tag not in {"NR", "MM", "NP", "MAG", "NNG"}:
            continue
        if kind == "number" and i + 1 < len(morphs) and morphs[i + 1].form in DATE_UNITS:
            span = i + 2 < len(morphs) and morphs[i + 2].form in SPANS  # "몇 년 동안": a number
            return "number" if span else "date"
        if morph.form == "며칠" and i + 1 < len(morphs) and morphs[i + 1].form in SPANS:
            return "number"  # "며칠 동안": how many days, not which
        return kind
    return "date" if _asks_the_time(morphs) else None


def _asks_the_time(morphs: list[Morph]) -> bool:
    """ "방영된 해는?": a noun of time after a verb's adnominal ending, closing the question
    with only a topic or subject particle, asks when it happened ("지는 해를 본 곳은" does not:
    the sun; nor does "날을 세운 칼은": a blade)."""
    for i, morph in enumerate(morphs):
        after_verb = i > 0 and morphs[i - 1].tag == "ETM"
        if morph.tag != "NNG" or morph.form not in TIME_NOUNS or not after_verb:
            continue
        rest = morphs[i + 1 :]
        if rest and rest[0].tag in {"JX", "JKS"}:
            rest = rest[1:]
        if all(m.tag == "SF" for m in rest):
            return True
    return False


def holds(term: QuestionTerm, tokens: frozenset[str]) -> float:
    """How much of `term` the tokens hold: all of it, the share of its parts, or none."""
    if term.form in tokens:
        return 1.0
    if term.entity and inside_is_meaningful(term.form) and any(term.form in t for t in tokens):
        return 1.0  # a name inside a longer one: "삼성" in "삼성전자"
    if any(alias in tokens for alias in term.aliases):
        return 1.0  # written otherwise: 삼성 for Samsung, 천황 for 천왕
    if term.parts and term.parts != (term.form,):  # a compound, or a name written apart
        return sum(p in tokens for p in term.parts) / len(term.parts)
    return 0.0


def coverage(terms: tuple[QuestionTerm, ...], tokens: frozenset[str]) -> float:
    total = sum(t.idf for t in terms)
    return sum(t.idf * holds(t, tokens) for t in terms) / total if total > 0 else 0.0


def plain_coverage(terms: tuple[QuestionTerm, ...], tokens: frozenset[str]) -> float:
    return sum(holds(t, tokens) for t in terms) / len(terms) if terms else 0.0


def said_forms(morphs: Iterable[Morph]) -> set[str]:
    """The question's own words, lower-cased: a number or name it says is no answer to it."""
    return {m.form.lower() for m in morphs}


def holds_kind(
    kind: str | None, tagged: Iterable[tuple[str, str]], text: str, asked: set[str]
) -> bool:
    """Whether the passage (its words `tagged`, its `text`) holds something of the asked kind
    that the question did not say."""
    if kind == "date":  # a date written out, or a relative one ("지난해 11월", "어제")
        return bool(DATE.search(text) or RELATIVE_DATE.search(text))
    wanted = NUMBER_TAGS if kind == "number" else NAME_TAGS if kind == "name" else frozenset()
    return any(tag in wanted and token not in asked for token, tag in tagged)


PAIR_WINDOW = 3  # content words this close count as standing together


def question_pairs(morphs: Iterable[Morph]) -> list[tuple[str, str]]:
    """Adjacent content words of the question, in order: the phrases a paraphrase keeps."""
    words = [w for w, _ in content_morphs(list(morphs))]
    return [(a, b) for a, b in zip(words, words[1:], strict=False) if a != b]


def pair_share(pairs: list[tuple[str, str]], words: list[str]) -> float:
    """Share of `pairs` whose words stand within PAIR_WINDOW of each other in `words`."""
    if not pairs:
        return 0.0
    at: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        at.setdefault(w, []).append(i)
    close = 0
    for a, b in pairs:
        if any(abs(i - j) <= PAIR_WINDOW for i in at.get(a, ()) for j in at.get(b, ())):
            close += 1
    return close / len(pairs)


def _person(term: QuestionTerm) -> bool:
    """A Korean personal name as news writes it: three syllables, surname first."""
    return term.entity and len(term.form) == 3 and all("가" <= c <= "힣" for c in term.form)


TITLE_REACH = 40  # characters from a full name to its title ("김명술 벤처기업협회 … 협회장")


def named_with(surname: str, title: str, text: str) -> frozenset[str]:
    """The three-syllable words starting with `surname` that `text` writes with `title` after
    them in the same sentence ("강기정 광주시장", "김명술 벤처기업협회 광주전남지회 협회장")."""
    name = rf"(?<![가-힣])({re.escape(surname)}[가-힣]{{2}})(?![가-힣])"
    return frozenset(re.findall(rf"{name}[^.?!\n]{{0,{TITLE_REACH}}}?{re.escape(title)}", text))


def named_again(
    names: list[str],
    tagged: Sequence[tuple[str, str]],
    titled: Callable[[str, str], frozenset[str]],
    sentence: str,
) -> list[tuple[str, str]]:
    """`tagged` with a surname written as the full name of one of `names` when it refers to
    them, as news does after the first mention ("강기정 광주시장은 …", then "강 시장은 …"): a
    proper noun of one syllable, the next content word a common noun (the title) written right
    after it in `sentence` (not "김 씨는 시장에"), and the article naming that person in full
    with that title and no one else of the surname with it (`titled(surname, title)`: "이재명
    대표와 이준석 대표" leave "이 대표" as it is)."""
    out = list(tagged)
    for i, ((word, tag), (title, following)) in enumerate(zip(tagged, tagged[1:], strict=False)):
        if tag != "NNP" or following != "NNG" or len(word) != 1:
            continue
        full = [n for n in names if n[0] == word]
        if len(full) != 1 or not _titled_here(word, title, sentence):
            continue
        if titled(word, title) == {full[0]}:
            out[i] = (full[0], tag)
    return out


# What news writes between a surname and its title: 전/현 (former, current), a determiner.
BEFORE_TITLE = r"\s?(?:(?:전|현|前|現)\s?)?"


def _titled_here(surname: str, title: str, sentence: str) -> bool:
    """Whether `sentence` writes `title` right after `surname` ("강 시장", "강 전 시장"), not
    after a bound noun ("김 씨는 시장에")."""
    pattern = rf"(?<![가-힣]){re.escape(surname)}{BEFORE_TITLE}{re.escape(title)}"
    return re.search(pattern, sentence) is not None


SentenceKey = tuple[str, int]  # (article id, sentence number)


def sentence_words(
    evidence: Evidence,
) -> tuple[dict[SentenceKey, Sequence[tuple[str, str]]], dict[SentenceKey, frozenset[str]]]:
    """Each candidate sentence's tagged words and the tokens it holds, with a person it names
    again by surname and title written in full ("강 시장" for 강기정, in an article that named
    him): what passages are scored on and quotes are trimmed by."""
    people = [t.form for t in evidence.terms if _person(t)]
    titled = cache(named_with)  # per question: an article's sentences ask alike
    words: dict[SentenceKey, Sequence[tuple[str, str]]] = {}
    holding: dict[SentenceKey, frozenset[str]] = {}
    for s in evidence.sentences:
        key = (s.article_id, s.number)
        words[key] = s.tagged
        holding[key] = s.tokens
        if people and any(t == "NNP" and len(w) == 1 for w, t in s.tagged):
            article = evidence.articles[s.article_id]
            text = f"{article.title}\n{article.body}"
            sentence = article.body[s.span.start : s.span.end]
            words[key] = named_again(people, words[key], partial(titled, text=text), sentence)
            holding[key] = s.tokens | {w for w, _ in words[key]}
    return words, holding


def _rr(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (1 + rank)


def passages(evidence: Evidence, join_gain: float) -> list[Passage]:
    """One passage per candidate sentence: the sentence, joined with the neighbour that adds
    the most of the question when that is at least `join_gain` and nothing on the page lay
    between them. (A sentence holding none of the question still takes its neighbour: answers
    often sit next to the sentence that names the topic, "이 시점에서 … 9만 명 정도였다.")"""
    terms = evidence.terms
    kind = asked_kind(evidence.question_morphs)
    asked = said_forms(evidence.question_morphs)
    by_key = {(s.article_id, s.number): s for s in evidence.sentences}
    pairs = question_pairs(evidence.question_morphs)
    article_bm25: dict[str, float] = {}
    article_z: dict[str, float] = {}
    for s in evidence.sentences:
        article_bm25[s.article_id] = max(article_bm25.get(s.article_id, 0.0), s.lexical_score)
        z = s.dense_z or 0.0
        article_z[s.article_id] = max(article_z.get(s.article_id, z), z)
    words, holding = sentence_words(evidence)
    found: list[Passage] = []
    for sentence in evidence.sentences:
        mine = holding[(sentence.article_id, sentence.number)]
        own = coverage(terms, mine)
        partner, tokens, best_gain = sentence.number, mine, 0.0
        for number in (sentence.number - 1, sentence.number + 1):
            other = by_key.get((sentence.article_id, number))
            if other is None or (other if number > sentence.number else sentence).seam_before:
                continue
            joined = mine | holding[(sentence.article_id, number)]
            gain = coverage(terms, joined) - own
            if gain >= join_gain and gain > best_gain:
                partner, tokens, best_gain = number, joined, gain
        first, last = min(sentence.number, partner), max(sentence.number, partner)
        start = by_key[(sentence.article_id, first)].span.start
        end = by_key[(sentence.article_id, last)].span.end
        body = evidence.articles[sentence.article_id].body
        tagged = [w for n in range(first, last + 1) for w in words[(sentence.article_id, n)]]
        title = evidence.titles.get(sentence.article_id, frozenset())
        cover = coverage(terms, tokens)
        around = [
            holding[(sentence.article_id, n)]
            for n in (sentence.number - 1, sentence.number + 1)
            if (sentence.article_id, n) in holding
        ]
        signals = {
            "cover": cover,
            "cover_sentence": own,
            "cover_title": coverage(terms, tokens | title) - cover,
            "cover_plain": plain_coverage(terms, tokens),
            "cover_context": coverage(terms, tokens.union(title, *around)),
            "pairs": pair_share(pairs, [w for w, _ in tagged]),
            "lexical_rr": _rr(sentence.lexical_rank),
            "dense_rr": _rr(sentence.dense_rank),
            "fused_rr": _rr(sentence.fused_rank),
            "bm25": sentence.lexical_score,
            "dense_z": sentence.dense_z or 0.0,
            "article_bm25": article_bm25[sentence.article_id],
            "article_dense_z": article_z[sentence.article_id],
            "kind": float(holds_kind(kind, tagged, body[start:end], asked)),
            "length": math.log1p(end - start),
        }
        shares = [(t, holds(t, tokens | title)) for t in terms]
        held = sum(t.idf * share for t, share in shares)
        missing = sum(t.idf * (1 - share) for t, share in shares if t.known or t.aliases)
        found.append(Passage(sentence.article_id, first, last, start, end, signals, held, missing))
    return found


def question_signals(
    evidence: Evidence, best: Passage | None, score: float, runner_up: float | None
) -> dict[str, float]:
    """What the decision to answer reads: the best passage's signals and the question's own.
    `runner_up`: the ranking score of the best passage of another story (`answer.runner_up`);
    None when there is no best passage."""
    # A verb no article uses (`QuestionTerm.wording`) is how the asker put it, not a fact the
    # articles lack: the decision reads the question without it. No passage holds it, so
    # leaving it out only rescales the best passage's coverages.
    terms = tuple(t for t in evidence.terms if not t.wording)
    total = sum(t.idf for t in terms)
    whole = total + sum(t.idf for t in evidence.terms if t.wording)
    weighted = whole / total if total > 0 else 0.0
    counted = len(evidence.terms) / len(terms) if terms else 0.0
    known = sum(t.idf for t in terms if t.known or t.aliases) / total if total > 0 else 0.0
    signals = best.signals if best is not None else {}
    scale = evidence.rarest if evidence.rarest > 0 else 1.0
    unknown = sum(t.idf for t in terms if not (t.known or t.aliases)) / scale
    missing = best.missing if best is not None else total - unknown * scale
    return {
        "held": (best.held if best is not None else 0.0) / scale,
        "missing": missing / scale,
        "unknown": unknown,
        "score": score,
        "cover": min(1.0, signals.get("cover", 0.0) * weighted),
        "cover_title": signals.get("cover_title", 0.0) * weighted,
        "cover_plain": min(1.0, signals.get("cover_plain", 0.0) * counted),
        "known": known,
        "unknown_name": float(any(t.entity and not (t.known or t.aliases) for t in terms)),
        "unknown_foreign": float(any(t.foreign and not (t.known or t.aliases) for t in terms)),
        "dense_z": evidence.top_dense_z or 0.0,
        "agreement": evidence.agreement,
        "kind": signals.get("kind", 0.0),
        "asked": float(asked_kind(evidence.question_morphs) is not None),
        "terms": math.log1p(len(terms)),
        "margin": score - runner_up if runner_up is not None else 0.0,
    }

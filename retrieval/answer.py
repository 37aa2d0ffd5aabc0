"""From evidence to an answer: verbatim passages with numbered sources, or "not found".

Pure functions only: `retrieval.evidence` has already read everything a question needs. Passages
are one sentence, or two adjacent ones that were adjacent on the page, cut from the cleaned body
by offset, so each quote is an exact substring of its article. The policy's rank model orders
them; its answer model decides, from the best passage, its margin over the best of any other
story (`runner_up`) and the question's own signals, whether they answer at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from retrieval.candidates import CandidateSentence
from retrieval.date_keys import date_key
from retrieval.evidence import MAX_RELATED, Evidence
from retrieval.grounding import quote_dates
from retrieval.policy import AnswerPolicy
from retrieval.signals import (
    Passage,
    asked_kind,
    coverage,
    holds_kind,
    passages,
    question_signals,
    said_forms,
    sentence_words,
)
from retrieval.types import Answer, Article, Quote, Source


@dataclass(frozen=True)
class Decision:
    """How a question was decided: every passage's score, and the answer model's verdict."""

    ranked: tuple[tuple[float, Passage], ...]  # best first
    signals: dict[str, float]  # the question signals the answer model read
    log_odds: float  # the answer model's score; answered when >= the mode's threshold
    answered: bool
    vetoed: bool = False  # it names a foreign word no article has (`AnswerPolicy.known_names`)

    @property
    def confidence(self) -> float:
        """The answer model's probability that the best passage answers (0 when a rule
        refused the question)."""
        if self.vetoed:
            return 0.0
        if self.log_odds >= 0:
            return 1 / (1 + math.exp(-self.log_odds))
        odds = math.exp(self.log_odds)  # no overflow for very negative log-odds
        return odds / (1 + odds)


def decide(
    evidence: Evidence, policy: AnswerPolicy, found: list[Passage] | None = None
) -> Decision:
    """`found`: the passages of `evidence` under `policy.join_gain`, when already computed."""
    mode = policy.mode(evidence.mode)
    found = passages(evidence, policy.join_gain) if found is None else found
    scored = [(mode.rank.score(p.signals), p) for p in found]
    scored.sort(key=lambda sp: (-sp[0], _published(evidence, sp[1]), sp[1].article_id, sp[1].first))
    best_score, best = scored[0] if scored else (0.0, None)
    signals = question_signals(evidence, best, best_score, runner_up(scored, evidence))
    log_odds = mode.answer.score(signals)
    vetoed = policy.known_names and signals["unknown_foreign"] > 0
    answered = best is not None and not vetoed and log_odds >= mode.threshold
    return Decision(tuple(scored), signals, log_odds, answered, vetoed)


def runner_up(scored: list[tuple[float, Passage]], evidence: Evidence) -> float | None:
    """The score of the best passage from an article that is neither the best passage's nor
    a copy of its story (a reprint scores alike and competes with nothing). When the search
    found no other article: the lowest score of a passage apart from the best one (any other
    article's would have ranked below it; the best one's own variants, joined to a neighbour,
    compete with nothing), or 0 when there is none (the rank model has no bias: a passage
    holding nothing of the question scores about 0). None when nothing was found. `scored`:
    best first."""
    if not scored:
        return None
    best = scored[0][1]
    for score, passage in scored:
        if passage.article_id != best.article_id and not _copies(
            evidence, best.article_id, passage.article_id
        ):
            return score
    apart = [score for score, passage in scored if not _overlaps(passage, best)]
    return min(apart, default=0.0)


def choose(
    decision: Decision, policy: AnswerPolicy, evidence: Evidence
) -> list[tuple[float, Passage]]:
    """The quotes: the best passage, then others scoring within the margin that neither overlap
    a chosen one nor repeat its text nor come from another copy of its story (the same words
    in a reprint say nothing new), best first, each without a joined sentence that adds
    nothing (`trimmed`); for a question asking for the newest ("최근"),
    those within the margin newest first."""
    if not decision.ranked:
        return []
    best = decision.ranked[0][0]
    ranked = trimmed(evidence, decision.ranked)
    close = [
        _original(s, p, ranked, evidence) for s, p in ranked if s >= best - policy.quote_margin
    ]
    if evidence.asked_time.recent:  # stable: equally new passages stay best first
        close.sort(key=lambda sp: -date_key(evidence.articles[sp[1].article_id].date))
    chosen: list[tuple[float, Passage]] = []
    texts: set[str] = set()
    for score, passage in close:
        if len(chosen) == policy.max_quotes:
            break
        text = evidence.articles[passage.article_id].body[passage.start : passage.end]
        if text in texts or any(_overlaps(passage, other) for _, other in chosen):
            continue
        if any(_copies(evidence, passage.article_id, other.article_id) for _, other in chosen):
            continue
        texts.add(text)
        chosen.append((score, passage))
    return chosen


class _Trimming:
    """A passage as a quote. When the question asks for a kind of thing (a number, a date, a
    name), a joined sentence that adds nothing of the question to the other (it holds none of
    it, or only terms the other holds too) is left out, unless it holds that kind and either
    the other sentence does not or it follows the other: the sentence
    after the one naming the topic often answers about it ("이 시점에서 … 9만 명 정도였다"),
    while as a quote's first words an unrelated sentence (the agreement's terms before "전창호
    ㈜지아이랩 대표는 …") only hides the answer. A joined sentence that holds nothing of the
    kind is also left out when it adds only what the article's title says, which is shown with
    every quote (a speech naming 벤처기업협회 again after "…1만8200여개의 기업들을 회원사로 두고
    있다"). When nothing specific is asked, either sentence may be the answer ("Liz Mitchell은
    이 노래의 목소리를 제공하였고" beside the song "…부를 사람은?" names), so both stay.
    Ranking is untouched: only what is quoted."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.kind = asked_kind(evidence.question_morphs)
        self.asked = said_forms(evidence.question_morphs)
        self.by_key = {(s.article_id, s.number): s for s in evidence.sentences}
        # The words each sentence was scored on; read only when a kind is asked (else no trim).
        self.words, self.holding = sentence_words(evidence) if self.kind else ({}, {})

    def __call__(self, passage: Passage) -> Passage:
        if passage.first == passage.last or self.kind is None:
            return passage
        first, last = (self.by_key[(passage.article_id, n)] for n in (passage.first, passage.last))
        held = [self.holding[(s.article_id, s.number)] for s in (first, last)]
        title = self.evidence.titles.get(passage.article_id, frozenset())
        titled = [h | title for h in held]
        whole = coverage(self.evidence.terms, titled[0] | titled[1])
        full = [coverage(self.evidence.terms, h) >= whole for h in titled]
        if full[0] == full[1]:
            return passage  # each holds all of it the pair and title hold, or each adds to it
        (empty, kept), at = ((last, first), 0) if full[0] else ((first, last), 1)
        if self._holds_asked(empty):
            # Left out only as it would be without the title: the title never makes a
            # sentence holding the kind asked look empty.
            cover = passage.signals["cover"]
            full_alone = [coverage(self.evidence.terms, h) >= cover for h in held]
            if not full_alone[at] or full_alone[1 - at]:
                return passage
            if empty is last or not self._holds_asked(kept):
                return passage
        span = kept.span
        return replace(passage, first=kept.number, last=kept.number, start=span.start, end=span.end)

    def _holds_asked(self, sentence: CandidateSentence) -> bool:
        body = self.evidence.articles[sentence.article_id].body
        text = body[sentence.span.start : sentence.span.end]
        words = self.words[(sentence.article_id, sentence.number)]
        return holds_kind(self.kind, words, text, self.asked)


def trimmed(
    evidence: Evidence, ranked: Sequence[tuple[float, Passage]]
) -> tuple[tuple[float, Passage], ...]:
    """The ranking with each passage as it is quoted (`_Trimming`), scores and order kept."""
    trim = _Trimming(evidence)
    return tuple((score, trim(passage)) for score, passage in ranked)


def newest_first(article_ids: list[str], articles: dict[str, Article]) -> list[str]:
    """The cited articles, each once, newest first and undated last (equally dated ones in the
    order they are quoted): several articles' differing facts read in time order."""
    unique = list(dict.fromkeys(article_ids))
    return sorted(unique, key=lambda i: -date_key(articles[i].date))


def _published(evidence: Evidence, passage: Passage) -> tuple[bool, int]:
    """Equally good passages, the earliest published first, undated last: of a story's copies
    (the same words score the same), the original is quoted and the reprints named."""
    key = date_key(evidence.articles[passage.article_id].date)
    return (key == 0, key)


def _original(
    score: float, passage: Passage, ranked: tuple[tuple[float, Passage], ...], evidence: Evidence
) -> tuple[float, Passage]:
    """The same words (spacing aside) in the earliest published copy of the passage's story,
    with their own score, when that copy was found too: search ranks copies apart by chance,
    and the original is the one to quote."""
    if passage.article_id not in evidence.stories:
        return score, passage
    text = _words(passage, evidence)
    same = [
        (s, p)
        for s, p in ranked
        if _copies(evidence, passage.article_id, p.article_id) and _words(p, evidence) == text
    ]
    # min keeps the first of equals: the passage as found, unless a copy is strictly earlier
    return min([(score, passage), *same], key=lambda sp: _published(evidence, sp[1]))


def _words(passage: Passage, evidence: Evidence) -> str:
    return " ".join(evidence.articles[passage.article_id].body[passage.start : passage.end].split())


def _copies(evidence: Evidence, a: str, b: str) -> bool:
    """Whether `a` and `b` are two articles of one story."""
    return a != b and any(m.article_id == b for m in evidence.stories.get(a, ()))


def _overlaps(a: Passage, b: Passage) -> bool:
    return a.article_id == b.article_id and a.first <= b.last and b.first <= a.last


def _source(number: int, article: Article, evidence: Evidence) -> Source:
    """Article `article` as source `number`, naming its story's other copies, newest first."""
    copies = [m for m in evidence.stories.get(article.id, ()) if m.article_id != article.id]
    copies.sort(key=lambda m: -date_key(m.date))
    return Source(
        number,
        article.id,
        article.title,
        article.outlet,
        article.date,
        article.url,
        article.author,
        tuple(copies),
    )


def compose_answer(
    evidence: Evidence, policy: AnswerPolicy, found: list[Passage] | None = None
) -> Answer:
    decision = decide(evidence, policy, found)
    confidence = round(decision.confidence, 4)
    if not decision.answered:
        return Answer(
            question=evidence.question,
            answered=False,
            mode=evidence.mode,
            policy=policy.name,
            confidence=confidence,
        )
    chosen = choose(decision, policy, evidence)
    cited = newest_first([p.article_id for _, p in chosen], evidence.articles)
    number_of = {article_id: n for n, article_id in enumerate(cited, start=1)}
    sources = [_source(number_of[i], evidence.articles[i], evidence) for i in cited]
    quotes: list[Quote] = []
    for score, passage in chosen:
        article = evidence.articles[passage.article_id]
        text = article.body[passage.start : passage.end]
        quotes.append(
            Quote(
                text,
                article.id,
                passage.start,
                passage.end,
                round(score, 4),
                number_of[article.id],
                quote_dates(article.body, passage.start, passage.end, article.date),
            )
        )
    further: list[str] = []  # found besides, one article of a story (its copies name the rest)
    for article_id in evidence.ranked:
        named = [*number_of, *further]
        if article_id not in named and not any(_copies(evidence, article_id, n) for n in named):
            further.append(article_id)
    related = [
        _source(len(sources) + n, evidence.articles[article_id], evidence)
        for n, article_id in enumerate(further[:MAX_RELATED], start=1)
    ]
    return Answer(
        question=evidence.question,
        answered=True,
        quotes=tuple(quotes),
        sources=tuple(sources),
        mode=evidence.mode,
        related=tuple(related),
        policy=policy.name,
        confidence=confidence,
    )

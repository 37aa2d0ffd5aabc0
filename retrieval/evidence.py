"""Everything that decides one question, read from the index in one place.

Answering is split in two: this module does the reading (search, the records of the chunks
found, how rare each question term is, how far the dense hits stand above the corpus's
background) and returns plain frozen data; `retrieval.answer` then decides from that data alone,
with pure functions, so the decision can be fitted and tested without an index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from retrieval import carry, spacing
from retrieval.article_store import StoredArticle, chunk_tokens
from retrieval.candidates import CandidateSentence, ranked_articles, read_candidates
from retrieval.date_keys import date_key, overlaps
from retrieval.index import NewsIndex
from retrieval.kiwi_analyser import Morph, analyze
from retrieval.question_time import NOTHING_ASKED, Period, TimeAsked, is_recency
from retrieval.search import Context, SearchResult, ordered, search
from retrieval.terms import Term, index_tokens, query_terms, request_verbs, tokenize
from retrieval.time_filter import OVERFETCH, narrowed
from retrieval.types import Article, SameStory

if TYPE_CHECKING:
    import numpy as np

    from retrieval.carry import Carried
    from retrieval.policy import AnswerPolicy

MAX_RELATED = 5  # further retrieved articles offered as "more sources"
SPACED_CHUNKS = 20  # chunks holding both words of a name read for the two written apart
BACKGROUND_SAMPLE = 512  # chunk vectors a question's similarities are compared with


@dataclass(frozen=True)
class Cited:
    """What a follow-up continues, as its search reads it (`EvidenceReader._cited`)."""

    previous: tuple[QuestionTerm, ...]  # the previous question's terms
    said: list[str]  # and its search tokens
    tokens: frozenset[str] | None  # every token of the cited articles (None: none held now)
    chunks: frozenset[int]  # their chunks


@dataclass(frozen=True)
class QuestionTerm:
    """A question term as the corpus knows it."""

    form: str
    parts: tuple[str, ...]
    entity: bool  # a proper noun or a foreign word
    idf: float  # BM25 idf; a term the corpus lacks gets the highest value there is
    known: bool  # some live chunk holds it, or all of its parts, or (a name) a word containing it
    aliases: tuple[str, ...] = ()  # corpus words that stand for it (see `LexicalIndex.aliases`)
    foreign: bool = False  # written in a foreign script (Latin, hanja)
    predicate: bool = False  # a verb or adjective stem (see `wording`)
    named: bool = False  # another Latin word of the name it is written in is known ("SOS Lab")

    @property
    def wording(self) -> bool:
        """A verb or adjective no article uses: the asker's wording for what the articles name
        otherwise (맺다 for 체결, 만나다 for 간담회); or a Latin word of a name the articles
        write otherwise (Lab of "SOS Lab", 에스오에스랩 in the articles). No passage holds it,
        so it lowers every passage's coverage alike; the decision to answer leaves it out
        (`signals`), as it is no fact the articles lack."""
        return (self.predicate or self.named) and not (self.known or self.aliases)


@dataclass(frozen=True)
class Evidence:
    question: str
    mode: str  # "hybrid" | "lexical" | "dense"
    terms: tuple[QuestionTerm, ...]
    question_morphs: tuple[Morph, ...]
    sentences: tuple[CandidateSentence, ...]  # by article, in article order
    articles: dict[str, Article]  # of the candidate sentences and of the related hits
    titles: dict[str, frozenset[str]]  # index tokens of each candidate article's title
    ranked: tuple[str, ...]  # the articles the search found, by their best hit
    rarest: float  # the idf of a term no chunk holds: the scale of `QuestionTerm.idf`
    top_dense_z: float | None  # best dense hit over the background (hybrid only)
    agreement: float  # share of the top lexical chunks also in the top dense ones (hybrid)
    asked_time: TimeAsked = NOTHING_ASKED  # the period it is about, whether it wants the newest
    # The near-duplicate stories of `articles` that have copies (each with itself), by article.
    stories: Mapping[str, tuple[SameStory, ...]] = field(default_factory=dict)


class EvidenceReader:
    """Gathers `Evidence` for questions against one open index."""

    def __init__(self, index: NewsIndex) -> None:
        self.index = index
        self._background: np.ndarray | None = None
        self._lock = threading.Lock()  # the bot asks on several threads

    def background(self) -> np.ndarray:
        """Vectors of chunks spread evenly over the index: how similar a question is to
        chunks in general, so a hit's similarity reads as standard deviations above that,
        alike across models (`Pipeline.open` loads it, not the first question)."""
        with self._lock:
            if self._background is None:
                assert self.index.dense is not None
                ids = self.index.table.spread(BACKGROUND_SAMPLE)
                self._background = self.index.dense.vectors_of(ids)
            return self._background

    def term(self, term: Term) -> QuestionTerm:
        lexical = self.index.lexical
        if term.form in lexical:
            idf, known = lexical.idf(term.form), True
        elif term.parts and all(p in lexical for p in term.parts):
            idf, known = max(lexical.idf(p) for p in term.parts), True
        else:
            idf, known = lexical.idf(term.form), False  # df 0: the highest idf there is
            if term.entity:
                known = lexical.holds_inside(term.form)  # "삼성" inside "삼성전자"
        parts = term.parts
        if not known and parts == (term.form,) and (apart := self._written_apart(term.form)):
            parts, idf, known = apart, max(lexical.idf(p) for p in apart), True
        aliases = lexical.aliases(term.form) if term.entity and not known else ()
        return QuestionTerm(
            term.form,
            parts,
            term.entity,
            idf,
            known,
            aliases,
            term.foreign,
            term.predicate,
        )

    def _written_apart(self, form: str) -> tuple[str, ...] | None:
        """The index tokens of `form` as some article writes it with a space inside ("생 시르"
        for 생시르), if one does (`retrieval.spacing`)."""
        lexical = self.index.lexical
        for first, second in spacing.cuts(form):
            tokens = tokenize(f"{first} {second}")
            if not tokens or not all(t in lexical for t in tokens):
                continue
            for chunk_id in lexical.holding_all(tokens, SPACED_CHUNKS):
                held = self._apart_in(chunk_id, first, second)
                if held:
                    return held
        return None

    def _apart_in(self, chunk_id: int, first: str, second: str) -> tuple[str, ...]:
        """The chunk's index tokens of the name where its title or text writes `first`, a
        space, then `second`, ending a word there; none if it does not."""
        stored, start, end = self.index.chunk_location(chunk_id)
        text = stored.article.body[stored.sentences[start].start : stored.sentences[end].end]
        words = frozenset(chunk_tokens(stored, start, end))
        for place in (stored.article.title, text):
            for begin, finish in spacing.written_apart(place, first, second):
                morphs = analyze(place[begin : finish + spacing.AFTER])
                if spacing.ends_a_word(morphs, finish - begin):
                    inside = index_tokens([m for m in morphs if m.end <= finish - begin])
                    held = tuple(t for t in dict.fromkeys(inside) if t in words)
                    if held:
                        return held
        return ()

    def _period_terms(
        self, terms: tuple[QuestionTerm, ...], dated: frozenset[str], period: Period
    ) -> tuple[QuestionTerm, ...]:
        """`terms`, those naming the period (`dated`) known and as rare as the chunks that
        hold them: by their text or by their article's date."""
        lexical, by_date = self.index.lexical, self.index.table.dated_within(*period)
        return tuple(
            replace(t, known=True, idf=lexical.idf(t.form, more=by_date)) if t.form in dated else t
            for t in terms
        )

    def written_together(self, morphs: list[Morph]) -> list[Morph]:
        """`spacing.written_together` against this corpus's words."""
        return spacing.written_together(morphs, self.index.lexical.__contains__)

    def terms(self, morphs: list[Morph]) -> tuple[QuestionTerm, ...]:
        found = query_terms(morphs)
        terms = [self.term(t) for t in found]
        held = {t.form for t in terms if t.known or t.aliases}
        return tuple(
            replace(q, named=True) if set(t.phrase) & held else q
            for t, q in zip(found, terms, strict=True)
        )

    def _tokens(self, morphs: list[Morph], terms: Iterable[QuestionTerm]) -> list[str]:
        """What the search looks for: the question's index tokens, and the corpus's spelling
        of a name it writes otherwise (each term's aliases, and the words of a name it writes
        apart)."""
        tokens = index_tokens(morphs)
        said = set(tokens)
        apart = [p for t in terms if t.form in said for p in t.parts if p not in said]
        return tokens + [a for t in terms for a in t.aliases] + list(dict.fromkeys(apart))

    def gather(
        self,
        question: str,
        morphs: list[Morph],
        vector: np.ndarray | None,
        policy: AnswerPolicy,
        candidates: int = 20,
        lexical_weight: float = 1.0,
        dense_weight: float = 1.0,
        asked_time: TimeAsked = NOTHING_ASKED,
        carried: Carried | None = None,
    ) -> Evidence:
        """`candidates`: chunks each side of the search fetches before fusion; `asked_time`:
        what the question says about time (`retrieval.question_time`); `carried`: the
        exchange a follow-up continues (`retrieval.carry`)."""
        index = self.index
        result, terms, morphs, context, dated = self._search(
            morphs, vector, candidates, (lexical_weight, dense_weight), asked_time, carried
        )
        z_of, top_z = self._dense_z(result, vector)
        lexical_order, dense_order = ordered(result.lexical_scores), ordered(result.dense_scores)
        # The best chunks of each side, so hybrid mode sees every passage lexical mode would.
        chosen = {
            *lexical_order[: policy.candidate_chunks],
            *dense_order[: policy.candidate_chunks],
        }
        if context is not None:  # a follow-up's cited articles compete with their best chunks
            cited = [h.chunk_id for h in result.hits if h.chunk_id in context.chunks]
            chosen.update(cited[: policy.candidate_chunks])
        orders = (lexical_order, dense_order)
        found, records, article_of = read_candidates(index, result, orders, chosen, z_of)
        if dated and asked_time.period is not None:
            found = _holding_the_period(found, records, asked_time.period, dated)
        articles, ranked = ranked_articles(index, result, records, article_of, MAX_RELATED)
        return Evidence(
            question,
            result.mode,
            terms,
            tuple(morphs),
            found,
            articles,
            {i: frozenset(s.title_tokens) for i, s in records.items()},
            tuple(ranked),
            index.lexical.rarest_idf,
            top_z,
            _agreement(lexical_order, dense_order),
            asked_time,
            {i: index.stories[i] for i in articles if i in index.stories},
        )

    def _search(
        self,
        morphs: list[Morph],
        vector: np.ndarray | None,
        candidates: int,
        weights: tuple[float, float],
        asked_time: TimeAsked,
        carried: Carried | None,
    ) -> tuple[SearchResult, tuple[QuestionTerm, ...], list[Morph], Context | None, frozenset[str]]:
        """The search a question makes, with the terms and morphemes it was made of: narrowed
        to the period it asks about, and carrying what a follow-up continues. Last, the tokens
        naming the period that sentences of articles dated in it hold (none unless such an
        article was found)."""
        index = self.index
        morphs = _asked(self.written_together(morphs))
        # "최근" asks for an order of the answer, not for a word a passage must hold.
        morphs = _without(morphs, is_recency) if asked_time.recent else morphs
        cited = self._cited(carried) if carried is not None else None
        terms, tokens, context = self._query(morphs, carried, cited)
        result, dated = None, frozenset[str]()
        if asked_time.period is not None:
            wide = search(index, tokens, vector, candidates * OVERFETCH, *weights, context)
            cut = narrowed(index, wide, asked_time.period, candidates, *weights, context)
            result = cut.result if cut is not None else None
            if cut is not None and cut.confirmed:
                # An article dated in the period need not write "2024년": its sentences hold
                # the words that name the period (`gather`). An undated one, or one kept for a
                # date its text names, is judged on whether it writes them. The rest of the
                # question (the kind asked, its word pairs, what a follow-up carries) is read
                # without them, as the period is no word of what it asks.
                dated = frozenset(index_tokens([m for m in morphs if asked_time.naming(m)]))
                named = tuple(t for t in terms if t.form in dated)
                morphs = _without(morphs, asked_time.naming)
                terms, _, context = self._query(morphs, carried, cited)
                kept = {u.form for u in terms}
                terms += tuple(t for t in named if t.form not in kept)
                terms = self._period_terms(terms, dated, asked_time.period)
        if result is None:
            result = search(index, tokens, vector, candidates, *weights, context)
        return result, terms, morphs, context, dated

    def _query(
        self, morphs: list[Morph], carried: Carried | None, cited: Cited | None
    ) -> tuple[tuple[QuestionTerm, ...], list[str], Context | None]:
        """The terms and search tokens of `morphs`, with what a follow-up carries (`cited`:
        what `_cited` read of it)."""
        terms = self.terms(morphs)
        tokens = self._tokens(morphs, terms)
        if carried is None or cited is None:
            return terms, tokens, None
        share = carry.share_held(terms, cited.tokens)
        weights = carry.carried_tokens(tokens, cited.said, carried.weight * share)
        context = Context({t: w for t, w in weights.items() if w > 0}, cited.chunks, boost=share)
        terms += carry.carried_terms(terms, list(cited.previous), carried.weight * share)
        return terms, tokens, context

    def _cited(self, carried: Carried) -> Cited:
        """What a follow-up's search carries, read once a question: the previous question's
        terms and tokens, and every token and chunk of the cited articles this index still
        holds. `_query` weighs them by how much the follow-up is still about them."""
        asked = _asked(self.written_together(list(carried.morphs)))
        previous = self.terms(asked)
        chunks = frozenset(
            ref.id
            for article_id in carried.articles
            if article_id in self.index.articles
            for ref in self.index.chunks_of(article_id)
        )
        said = self._tokens(asked, previous)
        return Cited(previous, said, self._tokens_of(carried.articles), chunks)

    def _tokens_of(self, article_ids: tuple[str, ...]) -> frozenset[str] | None:
        """Every token of the cited articles this index still holds (None: no such article)."""
        held = [self.index.articles[i] for i in article_ids if i in self.index.articles]
        if not held:
            return None
        return frozenset(
            token
            for stored in held
            for tokens in (stored.title_tokens, *stored.sentence_tokens)
            for token in tokens
        )

    def _dense_z(
        self, result: SearchResult, vector: np.ndarray | None
    ) -> tuple[dict[int, float], float | None]:
        if vector is None or not result.dense_scores or self.index.dense is None:
            return {}, None
        similarities = self.background() @ vector
        mean, spread = float(similarities.mean()), float(similarities.std())
        spread = max(spread, 1e-6)
        z = {c: (s - mean) / spread for c, s in result.dense_scores.items()}
        return z, max(z.values())


def _holding_the_period(
    sentences: tuple[CandidateSentence, ...],
    records: Mapping[str, StoredArticle],
    period: Period,
    tokens: frozenset[str],
) -> tuple[CandidateSentence, ...]:
    """The sentences, those of an article dated in `period` holding `tokens` (the words the
    question names the period with): a report of those days need not write its own date."""
    first, last = period
    dated = {i for i, s in records.items() if overlaps(date_key(s.article.date), first, last)}
    return tuple(
        replace(s, tokens=s.tokens | tokens) if s.article_id in dated else s for s in sentences
    )


def _asked(morphs: list[Morph]) -> list[Morph]:
    """The question without the verb it is put as a request in ("알려 줘"): `request_verbs`."""
    requesting = {id(morphs[i]) for i in request_verbs(morphs)}  # not by offset: 해 = 하 + 어
    return _without(morphs, lambda m: id(m) in requesting) if requesting else morphs


def _without(morphs: list[Morph], leave: Callable[[Morph], bool]) -> list[Morph]:
    """`morphs` without those `leave` picks, unless nothing would be left to look for."""
    kept = [m for m in morphs if not leave(m)]
    return kept if query_terms(kept) else morphs


def _agreement(lexical: list[int], dense: list[int], top: int = 5) -> float:
    """How much the two rankings agree at the top: 1.0 when the same chunks lead both."""
    if not lexical or not dense:
        return 0.0
    lexical, dense = lexical[:top], dense[:top]
    return len(set(lexical) & set(dense)) / min(len(lexical), len(dense))

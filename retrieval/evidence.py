"""Everything that decides one question, read from the index in one place.

Answering is split in two: this module does the reading (search, the records of the chunks
found, how rare each question term is, how far the dense hits stand above the corpus's
background) and returns plain frozen data; `retrieval.answer` then decides from that data alone,
with pure functions, so the decision can be fitted and tested without an index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrieval import carry
from retrieval.article_store import StoredArticle
from retrieval.clean import SEAM
from retrieval.index import NewsIndex
from retrieval.kiwi_analyser import Morph
from retrieval.question_time import NOTHING_ASKED, TimeAsked, is_recency
from retrieval.search import Context, SearchResult, search
from retrieval.terms import Term, index_tokens, query_terms
from retrieval.time_filter import OVERFETCH, narrowed
from retrieval.types import Article, SameStory, Span

if TYPE_CHECKING:
    import numpy as np

    from retrieval.carry import Carried
    from retrieval.policy import AnswerPolicy

MAX_RELATED = 5  # further retrieved articles offered as "more sources"
BACKGROUND_SAMPLE = 512  # chunk vectors a question's similarities are compared with


@dataclass(frozen=True)
class QuestionTerm:
    """A question term as the corpus knows it."""

    form: str
    parts: tuple[str, ...]
    entity: bool  # a proper noun or a foreign word
    focus: bool  # what is asked for: the noun after 어떤/어느/무슨, or the question's last noun
    idf: float  # BM25 idf; a term the corpus lacks gets the highest value there is
    known: bool  # some live chunk holds it, or all of its parts, or (a name) a word containing it
    aliases: tuple[str, ...] = ()  # corpus words that stand for it (see `LexicalIndex.aliases`)
    foreign: bool = False  # written in a foreign script (Latin, hanja)


@dataclass(frozen=True)
class CandidateSentence:
    """A sentence of a retrieved chunk (or next to one), with where its chunk ranked."""

    article_id: str
    number: int  # sentence number in the article
    span: Span
    seam_before: bool  # the page had something between it and the sentence before (no joining)
    tokens: frozenset[str]
    tagged: tuple[tuple[str, str], ...]  # (token, Kiwi tag) of its content morphemes, in order
    fused_rank: int  # 0-based rank of the best-ranked retrieved chunk holding it
    lexical_rank: int | None  # best BM25 rank of a chunk holding it (None: not retrieved there)
    dense_rank: int | None
    lexical_score: float  # best BM25 score of a chunk holding it, over the best chunk's (0-1)
    dense_z: float | None  # best chunk cosine, in background standard deviations (hybrid only)


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
        aliases = lexical.aliases(term.form) if term.entity and not known else ()
        return QuestionTerm(
            term.form, term.parts, term.entity, term.focus, idf, known, aliases, term.foreign
        )

    def _tokens(self, morphs: list[Morph], terms: tuple[QuestionTerm, ...] = ()) -> list[str]:
        """What the search looks for: the question's index tokens, and the corpus's spelling
        of a name it writes otherwise (each term's aliases)."""
        if not terms:
            terms = tuple(self.term(t) for t in query_terms(morphs))
        return index_tokens(morphs) + [a for t in terms for a in t.aliases]

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
        weights = (lexical_weight, dense_weight)
        # "최근" asks for an order of the answer, not for a word a passage must hold.
        morphs = _without(morphs, is_recency) if asked_time.recent else morphs
        result = None
        if asked_time.period is not None:
            wide = search(index, self._tokens(morphs), vector, candidates * OVERFETCH, *weights)
            result = narrowed(index, wide, asked_time.period, candidates, *weights)
            if result is not None:  # dates told the chunks apart: no passage need say "2024년"
                morphs = _without(morphs, asked_time.naming)
        terms = tuple(self.term(t) for t in query_terms(morphs))
        tokens = self._tokens(morphs, terms)
        context = None
        if carried is not None:
            terms, context = self._carry(terms, tokens, carried)
        if result is None:
            result = search(index, tokens, vector, candidates, *weights, context)
        z_of, top_z = self._dense_z(result, vector)
        lexical_order = _ordered(result.lexical_scores)
        dense_order = _ordered(result.dense_scores)
        lexical_rank = {c: r for r, c in enumerate(lexical_order)}
        dense_rank = {c: r for r, c in enumerate(dense_order)}
        best_bm25 = max(result.lexical_scores.values(), default=0.0)

        # The best chunks of each side, so hybrid mode sees every passage lexical mode would.
        chosen = {
            *lexical_order[: policy.candidate_chunks],
            *dense_order[: policy.candidate_chunks],
        }
        if context is not None:  # a follow-up's cited articles compete with their best chunks
            cited = [h.chunk_id for h in result.hits if h.chunk_id in context.chunks]
            chosen.update(cited[: policy.candidate_chunks])
        found: dict[tuple[str, int], CandidateSentence] = {}
        records: dict[str, StoredArticle] = {}
        article_of: dict[int, str] = {}  # chunk id -> article id, for the chunks read here
        for rank, hit in enumerate(result.hits):
            if hit.chunk_id not in chosen:
                continue
            stored, first, last = index.chunk_location(hit.chunk_id)
            article_id = stored.article.id
            records[article_id] = stored
            article_of[hit.chunk_id] = article_id
            bm25 = result.lexical_scores.get(hit.chunk_id, 0.0)
            # The sentence on each side joins the candidates: an answer may sit just past a
            # chunk's edge, and a quote may take its neighbour along.
            for number in range(max(0, first - 1), min(len(stored.sentences), last + 2)):
                edge = number < first or number > last
                candidate = CandidateSentence(
                    article_id,
                    number,
                    stored.sentences[number],
                    _seam_before(stored, number),
                    frozenset(stored.sentence_tokens[number]),
                    _tagged(stored, number),
                    rank + (1 if edge else 0),
                    lexical_rank.get(hit.chunk_id),
                    dense_rank.get(hit.chunk_id),
                    bm25 / best_bm25 if best_bm25 > 0 else 0.0,
                    z_of.get(hit.chunk_id),
                )
                key = (article_id, number)
                found[key] = _better(found.get(key), candidate)

        articles = {i: s.article for i, s in records.items()}
        ranked: list[str] = []  # every article found, by its best hit, up to MAX_RELATED more
        for hit in result.hits:
            if len(ranked) == len(records) + MAX_RELATED:
                break
            located = article_of.get(hit.chunk_id)
            if located is None:
                article = index.article_of(hit.chunk_id).article
                located, articles[article.id] = article.id, article
            article_id = located
            if article_id not in ranked:
                ranked.append(article_id)
        return Evidence(
            question,
            result.mode,
            terms,
            tuple(morphs),
            tuple(found[k] for k in sorted(found)),
            articles,
            {i: frozenset(s.title_tokens) for i, s in records.items()},
            tuple(ranked),
            index.lexical.rarest_idf,
            top_z,
            _agreement(lexical_order, dense_order),
            asked_time,
            {i: index.stories[i] for i in articles if i in index.stories},
        )

    def _carry(
        self, terms: tuple[QuestionTerm, ...], tokens: list[str], carried: Carried
    ) -> tuple[tuple[QuestionTerm, ...], Context]:
        """A follow-up's terms with the previous question's added, and the search's context:
        the previous question's tokens the new one lacks and the chunks of the cited articles
        this index still holds, all weighed by how much the follow-up is still about them."""
        previous = [self.term(t) for t in query_terms(list(carried.morphs))]
        share = carry.share_held(terms, self._tokens_of(carried.articles))
        said = index_tokens(list(carried.morphs)) + [a for t in previous for a in t.aliases]
        weights = carry.carried_tokens(tokens, said, carried.weight * share)
        chunks = frozenset(
            ref.id
            for article_id in carried.articles
            if article_id in self.index.articles
            for ref in self.index.chunks_of(article_id)
        )
        context = Context({t: w for t, w in weights.items() if w > 0}, chunks, boost=share)
        return terms + carry.carried_terms(terms, previous, carried.weight * share), context

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


def _without(morphs: list[Morph], leave: Callable[[Morph], bool]) -> list[Morph]:
    """`morphs` without those `leave` picks, unless nothing would be left to look for."""
    kept = [m for m in morphs if not leave(m)]
    return kept if query_terms(kept) else morphs


def _ordered(scores: dict[int, float]) -> list[int]:
    """Chunk ids, best score first."""
    return sorted(scores, key=lambda c: -scores[c])


def _better(old: CandidateSentence | None, new: CandidateSentence) -> CandidateSentence:
    """A sentence in several retrieved chunks keeps the best rank and score of each kind."""
    if old is None:
        return new

    def low(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else min(a, b)

    def high(a: float | None, b: float | None) -> float | None:
        return b if a is None else a if b is None else max(a, b)

    return CandidateSentence(
        old.article_id,
        old.number,
        old.span,
        old.seam_before,
        old.tokens,
        old.tagged,
        min(old.fused_rank, new.fused_rank),
        low(old.lexical_rank, new.lexical_rank),
        low(old.dense_rank, new.dense_rank),
        max(old.lexical_score, new.lexical_score),
        high(old.dense_z, new.dense_z),
    )


def _seam_before(stored: StoredArticle, number: int) -> bool:
    if number == 0:
        return True
    body = stored.article.body
    return SEAM in body[stored.sentences[number - 1].end : stored.sentences[number].start]


def _tagged(stored: StoredArticle, number: int) -> tuple[tuple[str, str], ...]:
    tags = stored.sentence_tags[number].split()
    return tuple(zip(stored.sentence_tokens[number][: len(tags)], tags, strict=True))


def _agreement(lexical: list[int], dense: list[int], top: int = 5) -> float:
    """How much the two rankings agree at the top: 1.0 when the same chunks lead both."""
    if not lexical or not dense:
        return 0.0
    lexical, dense = lexical[:top], dense[:top]
    return len(set(lexical) & set(dense)) / min(len(lexical), len(dense))

"""From retrieved chunks to an answer: verbatim sentences with numbered sources, or abstention.

Quotes are whole sentences cut from the cleaned body by their stored offsets, so each quote is
an exact substring of its article. The question is answered only when

* every proper noun or foreign word it names is known to the corpus (a question about 코스피
  or GPU cannot be answered by articles that never mention them), and
* a retrieved chunk holds enough of the question's known terms, weighted by IDF (or, with a
  model, is close enough in meaning);

otherwise the answer says nothing was found and quotes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.article_store import StoredArticle
from retrieval.index import NewsIndex
from retrieval.korean import Morph, Term
from retrieval.lexical import LexicalIndex
from retrieval.search import SearchResult
from retrieval.types import Answer, Quote, Source

NOT_FOUND = "관련 기사를 찾지 못했습니다. 질문을 바꾸거나 더 구체적으로 물어봐 주세요."
FOUND = "기사에서 찾은 관련 문장입니다."
CANDIDATE_CHUNKS = 5  # sentences are picked from this many best chunks
RANK_PRIOR = 0.05  # small preference for sentences in better-ranked chunks
NEIGHBOUR_WEIGHT = (
    1.0  # a passage of two sentences is scored as a unit: what the neighbour adds counts fully
)
TYPE_BONUS = 0.3  # the sentence contains the kind of thing asked for (a number, a date, a person)
FOCUS_FACTOR = 2.0
MAX_RELATED = 5  # further retrieved articles offered as "more sources"
QUOTE_RATIO = 0.6  # a further quote must score at least this share of the best one
MIN_CONTEXT_GAIN = 0.15  # a neighbour adding this much of the question joins the quote as context

# Expected answer types, from the question word to a pattern an answering sentence contains.
ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        r"(\d[\d,.]*|[일이삼사오육칠팔구십백천만억조]+)\s?(개|곳|명|원|억|만|천|조|번째|건|배|%|퍼센트|장|대|호|위)"
    ),
    "date": re.compile(
        r"\d{4}\s?년|\d{1,2}\s?월|\d{1,2}\s?일|지난해|올해|작년|내년|지난달|이날|오는"
    ),
    "person": re.compile(
        r"[가-힣]{2,4}\s?(대표이사|대표|시장|회장|협회장|지회장|사장|부사장|장관|의원|교수|단장|실장|국장)"
    ),
}
QUESTION_TYPES = {
    "몇": "number",
    "얼마": "number",
    "언제": "date",
    "누구": "person",
    "누가": "person",
}


@dataclass(frozen=True)
class AnswerPolicy:
    max_quotes: int = 3
    min_coverage: float = 0.55
    min_dense_score: float = 0.85


def expected_type(morphs: list[Morph]) -> str | None:
    for morph in morphs:
        if morph.form in QUESTION_TYPES:
            return QUESTION_TYPES[morph.form]
    return None


def known(term: Term, lexical: LexicalIndex) -> bool:
    return term.form in lexical or all(p in lexical for p in term.parts)


def unknown_entities(terms: list[Term], lexical: LexicalIndex) -> list[str]:
    """Names the corpus has never seen, not even inside a longer word ("삼성" in "삼성전자")."""
    missing = [t for t in terms if t.entity and not known(t, lexical)]
    if not missing:
        return []
    vocabulary = lexical.vocabulary()
    return [t.form for t in missing if not any(t.form in word for word in vocabulary)]


def weight(term: Term, lexical: LexicalIndex) -> float:
    """IDF of the term (its rarest part for a compound the corpus only has in pieces); the
    question's focus counts double, since the answering sentence is about it."""
    if term.form in lexical:
        idf = lexical.idf(term.form)
    elif all(p in lexical for p in term.parts):
        idf = max(lexical.idf(p) for p in term.parts)
    else:
        return 0.0
    return idf * (FOCUS_FACTOR if term.focus else 1.0)


def matches(term: Term, tokens: set[str]) -> bool:
    if term.form in tokens or all(p in tokens for p in term.parts):
        return True
    # A name may appear inside a longer one: "삼성" in "삼성전자".
    return term.entity and any(term.form in token for token in tokens)


def coverage(terms: list[tuple[Term, float]], tokens: set[str]) -> float:
    """Share of the known terms' weight that `tokens` contain."""
    total = sum(w for _, w in terms)
    found = sum(w for t, w in terms if matches(t, tokens))
    return found / total if total > 0 else 0.0


def compose_answer(
    question: str,
    morphs: list[Morph],
    terms: list[Term],
    result: SearchResult,
    index: NewsIndex,
    policy: AnswerPolicy,
) -> Answer:
    lexical = index.lexical
    weighted = [(t, w) for t in terms if (w := weight(t, lexical)) > 0]
    top = result.hits[:CANDIDATE_CHUNKS]
    best_chunk = max(
        (coverage(weighted, set(index.chunk_tokens(h.chunk_id))) for h in top),
        default=0.0,
    )
    # Only the chunks quotes are cut from count, and only when the dense side is in the fusion.
    closest = max((result.dense_scores.get(h.chunk_id, 0.0) for h in top), default=0.0)
    dense_support = result.mode != "lexical" and closest >= policy.min_dense_score
    if (
        not top
        or unknown_entities(terms, lexical)
        or not (best_chunk >= policy.min_coverage or dense_support)
    ):
        return Answer(question, False, NOT_FOUND, mode=result.mode)

    wanted = ANSWER_TYPES.get(expected_type(morphs) or "")
    passages: dict[tuple[str, int, int], float] = {}
    quoted: dict[str, StoredArticle] = {}  # by article id: what the passages are cut from
    for rank, hit in enumerate(top):
        chunk, stored = index.chunk_in_article(hit.chunk_id)
        quoted[chunk.article_id] = stored
        body = stored.article.body
        for i in range(chunk.first_sentence, chunk.last_sentence + 1):
            own = set(stored.sentence_tokens[i])
            alone = coverage(weighted, own)
            gain, partner = 0.0, i
            for j in (i - 1, i + 1):
                if 0 <= j < len(stored.sentences):
                    extra = coverage(weighted, own | set(stored.sentence_tokens[j])) - alone
                    if extra > gain:
                        gain, partner = extra, j
            span = stored.sentences[i]
            score = alone + NEIGHBOUR_WEIGHT * gain + RANK_PRIOR / (rank + 1)
            if wanted is not None and wanted.search(body[span.start : span.end]):
                score += TYPE_BONUS
            if gain < MIN_CONTEXT_GAIN:
                partner = i
            key = (chunk.article_id, min(i, partner), max(i, partner))
            passages[key] = max(passages.get(key, 0.0), score)

    ranked = sorted(passages.items(), key=lambda kv: -kv[1])
    best = ranked[0][1]
    chosen: list[tuple[tuple[str, int, int], float]] = []
    for (article_id, first, last), score in ranked:
        if score < QUOTE_RATIO * best or len(chosen) == policy.max_quotes:
            break
        if any(a == article_id and f <= last and first <= la for (a, f, la), _ in chosen):
            continue  # overlaps a passage already quoted
        chosen.append(((article_id, first, last), score))

    sources: list[Source] = []
    number_of: dict[str, int] = {}
    quotes: list[Quote] = []
    for (article_id, first, last), score in chosen:
        stored = quoted[article_id]
        if article_id not in number_of:
            number_of[article_id] = len(sources) + 1
            a = stored.article
            sources.append(Source(number_of[article_id], a.id, a.title, a.outlet, a.date, a.url))
        start, end = stored.sentences[first].start, stored.sentences[last].end
        quotes.append(
            Quote(
                stored.article.body[start:end],
                article_id,
                start,
                end,
                round(score, 4),
                number_of[article_id],
            )
        )
    related: list[Source] = []
    for hit in result.hits:
        article = index.article_of(hit.chunk_id).article
        if article.id in number_of or len(related) == MAX_RELATED:
            continue
        number_of[article.id] = len(sources) + len(related) + 1
        related.append(
            Source(
                number_of[article.id],
                article.id,
                article.title,
                article.outlet,
                article.date,
                article.url,
            )
        )
    return Answer(
        question,
        True,
        FOUND,
        tuple(quotes),
        tuple(sources),
        mode=result.mode,
        related=tuple(related),
    )

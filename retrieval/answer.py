"""From retrieved chunks to an answer: verbatim sentences with numbered sources, or abstention.

Quotes are whole sentences cut from the cleaned body by their stored offsets, so each quote is
an exact substring of its article. A question is answered only when a retrieved chunk holds
enough of the question's weighted terms (IDF mass), or, with a model, is close enough in meaning;
otherwise the answer says nothing was found and quotes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from retrieval.index import NewsIndex
from retrieval.search import SearchResult
from retrieval.types import Answer, Quote, Source

NOT_FOUND = "관련 기사를 찾지 못했습니다. 질문을 바꾸거나 더 구체적으로 물어봐 주세요."
FOUND = "기사에서 찾은 관련 문장입니다."
CANDIDATE_CHUNKS = 5  # sentences are picked from this many best chunks
RANK_PRIOR = 0.05  # small preference for sentences in better-ranked chunks
QUOTE_RATIO = 0.6  # a further quote must score at least this share of the best one


@dataclass(frozen=True)
class AnswerPolicy:
    max_quotes: int = 3
    min_coverage: float = 0.55
    min_dense_score: float = 0.85


def coverage(query: set[str], tokens: set[str], idf: Callable[[str], float]) -> float:
    """Share of the query's IDF mass present in `tokens`."""
    total = sum(idf(t) for t in query)
    return sum(idf(t) for t in query & tokens) / total if total > 0 else 0.0


def compose_answer(
    question: str,
    query_tokens: list[str],
    result: SearchResult,
    index: NewsIndex,
    policy: AnswerPolicy,
) -> Answer:
    query = set(query_tokens)
    top = result.hits[:CANDIDATE_CHUNKS]
    chunk_coverage = {
        hit.chunk_id: coverage(query, set(index.chunk_tokens[index.row_of[hit.chunk_id]]), index.lexical.idf)
        for hit in top
    }
    lexical_support = max(chunk_coverage.values(), default=0.0) >= policy.min_coverage
    dense_support = max(result.dense_scores.values(), default=0.0) >= policy.min_dense_score
    if not top or not (lexical_support or dense_support):
        return Answer(question, False, NOT_FOUND, mode=result.mode)

    scored: dict[tuple[str, int], float] = {}
    for rank, hit in enumerate(top):
        chunk = index.chunk(hit.chunk_id)
        stored = index.articles[chunk.article_id]
        for i in range(chunk.first_sentence, chunk.last_sentence + 1):
            score = coverage(query, set(stored.sentence_tokens[i]), index.lexical.idf)
            score += RANK_PRIOR / (rank + 1)
            key = (chunk.article_id, i)
            scored[key] = max(scored.get(key, 0.0), score)

    ranked = sorted(scored.items(), key=lambda kv: -kv[1])
    best = ranked[0][1]
    chosen = [key for key, score in ranked if score >= QUOTE_RATIO * best][: policy.max_quotes]

    sources: list[Source] = []
    number_of: dict[str, int] = {}
    quotes: list[Quote] = []
    for article_id, i in chosen:
        stored = index.articles[article_id]
        if article_id not in number_of:
            number_of[article_id] = len(sources) + 1
            a = stored.article
            sources.append(Source(number_of[article_id], a.id, a.title, a.outlet, a.date, a.url))
        span = stored.sentences[i]
        quotes.append(Quote(stored.article.body[span.start:span.end], article_id, span.start,
                            span.end, round(scored[(article_id, i)], 4), number_of[article_id]))
    return Answer(question, True, FOUND, tuple(quotes), tuple(sources), mode=result.mode)

"""The questions a policy is fitted on: each with what retrieval found for it, its topic, and
the folds that keep topics apart.

Retrieval runs once per question (`collect`); everything after it in `retrieval.calibrate` is
pure. A question's topic (`group_of`) is the page or article it is about, so a fold never
tests on a topic its fit has seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from retrieval.errors import CalibrationError, QuestionError
from retrieval.evaluate import Case
from retrieval.evidence import Evidence
from retrieval.signals import Passage

if TYPE_CHECKING:
    from retrieval.pipeline import Pipeline

FOLDS = 5
MIN_SET_SHARE = 0.5  # see `balanced`


@dataclass(frozen=True)
class Example:
    """One question of a set, with what retrieval found for it."""

    case: Case
    group: str  # its topic (see `group_of`)
    evidence: Evidence
    source: str = ""  # the question set it comes from, for per-set figures
    weight: float = 1.0  # how much it counts in the fit (a small set can be given more)


def _stem(article_id: str) -> str:
    return article_id.rsplit("_", 1)[0]


def group_of(case: Case, ids: Sequence[str], title: Callable[[str], str]) -> str:
    """The topic a question belongs to: the set's own `group`, else the title of the article it
    cites (paragraphs of one page share it), else the title of a sibling of the article removed
    for it (same id up to its last "_"), else the question alone. `ids` are the corpus's."""
    return _grouper(ids, title)(case)


def _grouper(ids: Sequence[str], title: Callable[[str], str]) -> Callable[[Case], str]:
    known = set(ids)
    sibling: dict[str, str] = {}
    for article_id in ids:
        sibling.setdefault(_stem(article_id), article_id)

    def group(case: Case) -> str:
        if case.group:
            return case.group
        for article_id in case.articles:
            if article_id in known:
                return "title:" + title(article_id)
        for removed in case.removed:
            if _stem(removed) in sibling:
                return "title:" + title(sibling[_stem(removed)])
        return "question:" + case.id

    return group


def collect(
    pipeline: Pipeline, cases: Sequence[Case], use_model: bool, source: str = ""
) -> list[Example]:
    """Retrieval for every question, once (lexical mode without `use_model`)."""
    articles = pipeline.index.articles  # records are read only for the titles needed

    @cache
    def title(article_id: str) -> str:
        return articles[article_id].article.title

    group = _grouper(list(articles), title)
    examples = []
    for case in cases:
        try:
            evidence = pipeline.evidence(case.question, use_model=use_model)
        except QuestionError:  # an empty or over-long question: nothing to learn from
            continue
        examples.append(Example(case, group(case), evidence, source))
    return examples


def balanced(examples: Sequence[Example]) -> list[Example]:
    """Weights so that every question set counts at least MIN_SET_SHARE as much as the largest:
    a small set from the domain that matters (28 questions over news articles beside 505 over
    Wikipedia) still shapes the fit."""
    sizes: dict[str, int] = {}
    for e in examples:
        sizes[e.source] = sizes.get(e.source, 0) + 1
    largest = max(sizes.values(), default=0)
    weight = {s: max(1.0, MIN_SET_SHARE * largest / n) for s, n in sizes.items()}
    return [replace(e, weight=weight[e.source]) for e in examples]


def answers_in(case: Case, evidence: Evidence, passage: Passage) -> bool:
    """The passage is from a cited article and holds one of the expected answers (any passage of
    a cited article, when the set gives no answer strings)."""
    if passage.article_id not in case.articles:
        return False
    if not case.answers:
        return True
    text = evidence.articles[passage.article_id].body[passage.start : passage.end]
    return any(answer in text for answer in case.answers)


def folds(examples: Sequence[Example], k: int = FOLDS) -> list[list[int]]:
    """Example indexes of `k` folds, whole topics in each (scikit-learn's GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    k = min(k, len(set(groups)))
    if k < 2:
        raise CalibrationError(
            "질문이 다루는 기사(주제)가 둘 이상이어야 교차 검증을 할 수 있습니다. "
            "여러 기사에 걸친 질문을 넣어 주세요."
        )
    indexes = list(range(len(examples)))
    return [list(test) for _, test in GroupKFold(n_splits=k).split(indexes, groups=groups)]

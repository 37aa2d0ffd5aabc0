"""What a follow-up question takes from the exchange before it, without a language model.

"그럼 언제 열렸어?" after "C랩 아웃사이드 광주는 어디에 문을 열었어?" asks about the same subject
in words that name none of it. The previous question's terms join the new one's at a lower
weight (in BM25, in the dense query and in every idf-weighted signal), and the articles its
answer cited always compete and rank higher in fusion. A follow-up that names its own subject
("지아이랩의 대표는?") still wins on its own, heavier terms. Pure functions; the reading is in
`retrieval.evidence` and `retrieval.search`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from retrieval import kiwi_analyser
from retrieval.kiwi_analyser import Morph
from retrieval.types import Answer, FollowUp

if TYPE_CHECKING:
    import numpy as np

    from retrieval.evidence import QuestionTerm

# A carried term counts this much of a term the question says itself: enough to name the
# subject a bare follow-up leaves out, too little to outweigh a subject the follow-up names.
CARRIED_WEIGHT = 0.5
MAX_CONTEXT_CHARS = 300  # earlier questions carried along a chain of follow-ups, newest kept


@dataclass(frozen=True)
class Carried:
    """The previous exchange as retrieval reads it."""

    question: str  # the previous question, normalized
    morphs: tuple[Morph, ...]  # its analysis
    articles: tuple[str, ...]  # the articles its answer cited
    weight: float = CARRIED_WEIGHT


def carried(follow_up: FollowUp | None) -> Carried | None:
    """The exchange a question follows, analysed; None when there is none to carry."""
    if follow_up is None:
        return None
    question = kiwi_analyser.typed(follow_up.previous_question)
    if not question:
        return None
    return Carried(question, tuple(kiwi_analyser.analyze(question)), follow_up.cited_article_ids)


def follow_up_after(answer: Answer) -> FollowUp:
    """What a question asked after `answer` follows: its question (after the one it followed
    in turn, if any) and the articles it cited (none when it found nothing)."""
    earlier = answer.follow_up.previous_question if answer.follow_up else None
    return FollowUp(
        context_question(answer.question, earlier),
        tuple(s.article_id for s in answer.sources),
    )


def context_question(question: str, earlier: str | None) -> str:
    """The question a later follow-up carries: this one, after the one it followed (a chain of
    bare follow-ups keeps its subject), the newest MAX_CONTEXT_CHARS characters."""
    text = f"{earlier} {question}" if earlier else question
    if len(text) <= MAX_CONTEXT_CHARS:
        return text
    cut = text[-MAX_CONTEXT_CHARS:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < MAX_CONTEXT_CHARS // 2 else cut


def share_held(own: Sequence[QuestionTerm], cited: frozenset[str] | None) -> float:
    """How much of the follow-up's own words (idf-weighted, 0-1) the cited articles hold: 1 for
    "그럼 언제 열렸어?", whose words are in its subject's article; less for a follow-up naming
    something those articles never mention, which is about something else. The carried weight
    is scaled by it. Without cited articles (the previous question went unanswered): 1."""
    total = sum(t.idf for t in own)
    if cited is None or total <= 0:
        return 1.0
    held = sum(t.idf for t in own if t.form in cited or (t.parts and set(t.parts) <= cited))
    return held / total


def carried_terms(
    own: Sequence[QuestionTerm], previous: Sequence[QuestionTerm], weight: float
) -> tuple[QuestionTerm, ...]:
    """The previous question's terms the follow-up lacks, weighted down. Only terms the corpus
    knows are carried: an unknown one was no part of the answer, and would make the follow-up
    look unanswerable."""
    if weight <= 0:  # a follow-up about something else carries nothing
        return ()
    said = {t.form for t in own} | {p for t in own for p in t.parts}
    return tuple(
        replace(t, idf=t.idf * weight)
        for t in previous
        if (t.known or t.aliases) and t.form not in said
    )


def carried_tokens(own: Sequence[str], previous: Sequence[str], weight: float) -> dict[str, float]:
    """Search tokens of the previous question the follow-up lacks, with their BM25 weight."""
    said = set(own)
    return {t: weight for t in previous if t not in said}


def blended(own: np.ndarray, previous: np.ndarray, weight: float) -> np.ndarray:
    """The dense query of a follow-up: its own vector leaning towards the previous question's,
    unit length again (vectors are normalized, so the cosines stay comparable)."""
    import numpy as np

    vector = own + weight * previous
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else own

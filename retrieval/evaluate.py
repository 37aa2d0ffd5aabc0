"""Score a question set: does the answer cite the right article and quote the answer?

Each line of the set: {"id", "question", "answers": [str], "articles": [str]}; empty lists mean
the corpus cannot answer and the right behaviour is to abstain.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import QuestionError, QuestionSetError
from retrieval.pipeline import Pipeline
from retrieval.types import Answer


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answers: tuple[str, ...]
    articles: tuple[str, ...]
    removed: tuple[str, ...] = ()  # articles taken out of the corpus (unanswerable questions)
    group: str | None = None  # a topic given by the set, for cross-validation

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.articles)


@dataclass(frozen=True)
class Outcome:
    case: Case
    answer: Answer
    problem: QuestionError | None = None  # why the question could not be asked at all

    @property
    def cited(self) -> list[str]:
        """The cited articles, best first: in the order of their first quote (quotes come best
        first; sources are numbered newest first, for reading), then any source not quoted."""
        quoted = [q.article_id for q in self.answer.quotes]
        return list(dict.fromkeys([*quoted, *(s.article_id for s in self.answer.sources)]))

    def hit_at(self, k: int) -> bool:
        return any(a in self.case.articles for a in self.cited[:k])

    def story_hit_at(self, k: int) -> bool:
        """`hit_at`, counting the copies of a story a source names ("같은 기사") as cited with
        it: a set built from a page whose paragraphs repeat expects one copy of the same words."""
        named = {s.article_id: s for s in self.answer.sources}
        for article in self.cited[:k]:
            copies = (
                {m.article_id for m in named[article].same_story} if article in named else set()
            )
            if article in self.case.articles or copies & set(self.case.articles):
                return True
        return False

    @property
    def reciprocal_rank(self) -> float:
        for rank, article in enumerate(self.cited, start=1):
            if article in self.case.articles:
                return 1.0 / rank
        return 0.0

    @property
    def verdict(self) -> str:
        """What went right or wrong, in one word (for `newsqa eval --details`)."""
        if not self.case.answerable:
            return "false_answer" if self.answer.answered else "rejected"
        if not self.answer.answered:
            return "false_not_found"
        if not self.hit_at(1):
            return "wrong_article"
        if self.case.answers and not self.answer_in_quotes:
            return "answer_not_quoted"
        return "right"

    @property
    def answer_in_quotes(self) -> bool:
        text = "\n".join(q.text for q in self.answer.quotes)
        return any(a in text for a in self.case.answers)


def _removed(row: dict[str, object]) -> tuple[str, ...]:
    """`removed` names one article id, or a list of them."""
    value = row.get("removed")
    if isinstance(value, str):
        return (value,) if value else ()
    return _strings(row, "removed")


def _strings(row: dict[str, object], key: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}'는 문자열 목록이어야 합니다")
    return tuple(value)


def read_cases(path: Path) -> list[Case]:
    """Parse a question set; a malformed line is a `QuestionSetError` naming the line."""
    cases = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"{path.name}: UTF-8로 저장된 파일이 아닙니다") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("JSON 객체가 아닙니다")
            if not isinstance(row.get("question"), str):
                raise ValueError("'question' 문자열이 없습니다")
            cases.append(
                Case(
                    str(row.get("id", number)),
                    row["question"],
                    _strings(row, "answers"),
                    _strings(row, "articles"),
                    _removed(row),
                    str(row["group"]) if row.get("group") is not None else None,
                )
            )
        except json.JSONDecodeError as exc:
            where = f"{path.name} {number}번째 줄"
            raise QuestionSetError(f"{where}: JSON 형식이 잘못되었습니다") from exc
        except ValueError as exc:
            raise QuestionSetError(f"{path.name} {number}번째 줄: {exc}") from exc
    return cases


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def _outcome(pipeline: Pipeline, case: Case) -> Outcome:
    """An invalid question in the set counts as an abstention instead of stopping the run."""
    try:
        return Outcome(case, pipeline.ask(case.question))
    except QuestionError as exc:
        return Outcome(case, Answer(question=case.question, answered=False), problem=exc)


def evaluate(pipeline: Pipeline, cases: list[Case]) -> tuple[dict[str, object], list[Outcome]]:
    outcomes = [_outcome(pipeline, case) for case in cases]
    return summarize(outcomes), outcomes


def summarize(outcomes: list[Outcome]) -> dict[str, object]:
    """The figures `newsqa eval` reports, from answers already given."""
    answerable = [o for o in outcomes if o.case.answerable]
    unanswerable = [o for o in outcomes if not o.case.answerable]
    with_answers = [o for o in answerable if o.case.answers]
    latencies = [o.answer.took_ms for o in outcomes]
    encoding = [o.answer.encode_ms for o in outcomes]
    answering = [o.answer.took_ms - o.answer.encode_ms for o in outcomes]
    report: dict[str, object] = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "mode": outcomes[0].answer.mode if outcomes else None,
        "article_hit@1": _rate([o.hit_at(1) for o in answerable]),
        "article_hit@3": _rate([o.hit_at(3) for o in answerable]),
        "story_hit@1": _rate([o.story_hit_at(1) for o in answerable]),
        "mrr": round(statistics.fmean(o.reciprocal_rank for o in answerable), 4)
        if answerable
        else None,
        "answer_in_quotes": _rate([o.answer_in_quotes for o in with_answers]),
        "abstained_unanswerable": _rate([not o.answer.answered for o in unanswerable]),
        "false_abstention": _rate([not o.answer.answered for o in answerable]),
        "latency_ms_p50": _percentile(latencies, 0.50),
        "latency_ms_p95": _percentile(latencies, 0.95),
        "answer_ms_p50": _percentile(answering, 0.50),  # without the query encoding
        "encode_ms_p50": _percentile(encoding, 0.50),
    }
    return report

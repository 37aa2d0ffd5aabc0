"""How answers, index summaries and evaluation reports read on a terminal (Korean) or as JSON."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.types import REPORTER_TITLES, Answer, QuoteDate, Source
from retrieval.wording import answer_message

if TYPE_CHECKING:
    from retrieval.evaluate import Outcome
    from retrieval.listing import Listed
    from retrieval.update import UpdateSummary

MODE_NAMES = {"hybrid": "하이브리드 검색", "lexical": "어휘(BM25) 검색", "dense": "의미 검색"}


def answer_json(answer: Answer) -> dict[str, Any]:
    """`newsqa ask --json`: the answer's data with the sentence that leads it, after
    "answered" as it always was."""
    data = answer.to_dict()
    head = {"question": data.pop("question"), "answered": data.pop("answered")}
    return {**head, "message": answer_message(answer), **data}


def error_json(question: str, message: str) -> dict[str, Any]:
    return {
        "question": question,
        "answered": False,
        "message": message,
        "quotes": [],
        "sources": [],
        "retrieval": {"mode": None, "took_ms": 0.0},
        "error": True,
    }


def byline(author: str | None) -> str | None:
    """How a reporter is named next to a source or in a listing: "이삼섭 기자"; a name that
    carries its title ("홍길동 특파원") or is no Korean name ("John Kim") as it is; a bare
    title ("기자") names nobody."""
    if not author or author in REPORTER_TITLES:
        return None
    if author.endswith(REPORTER_TITLES) or not re.fullmatch(r"[가-힣]{2,4}", author):
        return author
    return f"{author} 기자"


def source_parts(source: Source) -> list[str]:
    """Outlet, date and reporter, those known, in the order a source line shows them."""
    return [p for p in (source.outlet, source.date, byline(source.author)) if p]


def source_line(source: Source) -> str:
    return f"[{source.number}] " + " · ".join([source.title, *source_parts(source)])


def same_story_text(source: Source) -> str | None:
    """ "같은 기사: 연합뉴스 · 2024-03-07, 뉴스1 · 2024-03-08": the copies of a cited article in
    other outlets (or scraped twice), named instead of quoted; None when it has none."""
    if not source.same_story:
        return None
    named = [" · ".join(p for p in (m.outlet, m.date) if p) or m.title for m in source.same_story]
    return "같은 기사: " + ", ".join(named)


def grounded(date: QuoteDate) -> str:
    """ "지난해 10월 → 2022년 10월 (기사 2023-03-20 기준)": a quote's relative date, shown
    next to the quote, never inside it."""
    return f"{date.expression} → {date.resolved} (기사 {date.basis} 기준)"


def answer_text(answer: Answer, problem: str | None = None) -> str:
    """`problem`: why the question could not be asked, said instead of "not found"."""
    lines = [f"질문: {answer.question}", ""]
    if not answer.answered:
        lines.append(problem or answer_message(answer))
    else:
        for quote in answer.quotes:
            for i, line in enumerate(quote.text.split("\n")):
                lines.append(f"  “{line}" if i == 0 else f"   {line}")
            lines[-1] += f"” [{quote.source}]"
            lines.extend(f"    ↳ {grounded(d)}" for d in quote.dates)
            lines.append("")
        lines.append("출처")
        for source in answer.sources:
            lines.append(source_line(source))
            if source.url:
                lines.append(f"    {source.url}")
            if copies := same_story_text(source):
                lines.append(f"    {copies}")
    lines.append(f"({MODE_NAMES.get(answer.mode, answer.mode)} · {answer.took_ms:.0f}ms)")
    return "\n".join(lines)


def listing_output(listed: list[Listed], as_json: bool = False) -> str:
    """`newsqa list`: one article a line, newest first: date, title, outlet, reporter, id; or,
    `as_json`, one JSON object with the count and each article's fields."""
    if as_json:
        data = {"count": len(listed), "articles": [asdict(item) for item in listed]}
        return json.dumps(data, ensure_ascii=False)
    if not listed:
        return "조건에 맞는 기사가 없습니다."
    lines = [f"기사 {len(listed)}건 (최신순)"]
    for item in listed:
        parts = [item.title] + [p for p in (item.outlet, byline(item.author)) if p]
        lines.append(" · ".join([item.date or "날짜 없음", *parts]) + f" [{item.id}]")
    return "\n".join(lines)


def summary_text(summary: UpdateSummary) -> str:
    return (
        f"색인 완료: 추가 {summary.added}건, 갱신 {summary.updated}건, 삭제 {summary.removed}건, "
        f"변경 없음 {summary.unchanged}건 · 임베딩한 청크 {summary.chunks_embedded}개 "
        f"(전체 {summary.chunks_total}개) · {summary.took_s:.1f}초"
    )


REPORT_LABELS = {
    "questions": "질문 수",
    "mode": "검색 방식",
    "article_hit@1": "기사 적중률@1",
    "article_hit@3": "기사 적중률@3",
    "mrr": "MRR",
    "answer_in_quotes": "인용문 속 정답 비율",
    "abstained_unanswerable": "답 없는 질문 기권율",
    "false_abstention": "답 있는 질문 오기권율",
    "latency_ms_p50": "지연 p50 (ms)",
    "latency_ms_p95": "지연 p95 (ms)",
    "answer_ms_p50": "질문 인코딩 뺀 지연 p50 (ms)",
    "encode_ms_p50": "질문 인코딩 p50 (ms)",
}


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """One question of `newsqa eval --details --json`: what was expected, what was answered."""
    case = outcome.case
    return {
        "id": case.id,
        "expected": {"answers": list(case.answers), "articles": list(case.articles)},
        "verdict": outcome.verdict,
        "answer": answer_json(outcome.answer) | _problem_json(outcome),
    }


VERDICTS = {
    "right": "맞음",
    "wrong_article": "다른 기사를 인용",
    "answer_not_quoted": "정답이 인용문에 없음",
    "false_not_found": "답이 있는데 찾지 못했다고 답함",
    "rejected": "맞음(답 없음)",
    "false_answer": "답이 없는데 인용함",
}


def _problem_json(outcome: Outcome) -> dict[str, Any]:
    """Why a question could not be asked at all, as `newsqa ask --json` says it."""
    if outcome.problem is None:
        return {}
    return {"message": outcome.problem.sentence(), "error": True}


def outcome_text(outcome: Outcome) -> str:
    case = outcome.case
    expected = ", ".join(case.answers) if case.answerable else "(답 없음)"
    lines = [
        f"[{case.id}] {VERDICTS[outcome.verdict]} · 기대한 답: {expected}"
        + (f" · 기사: {', '.join(case.articles)}" if case.articles else ""),
        answer_text(outcome.answer, outcome.problem.sentence() if outcome.problem else None),
    ]
    return "\n".join(lines)


def calibration_text(
    figures: dict[str, dict[str, dict[str, Any]]],
    baseline: dict[str, dict[str, Any]],
    right: dict[str, tuple[int, int]],
) -> str:
    """The cross-validated figures of a fitted policy, per question set and mode; the default
    policy's on the same questions; and how many each handled right (fitted, default) by mode."""
    lines = []
    for source, by_mode in figures.items():
        for mode, report in by_mode.items():
            lines.append(f"{source} · {MODE_NAMES.get(mode, mode)} (새 정책, 주제별 교차 검증)")
            lines.append(report_text(report, indent="  "))
    for mode, report in baseline.items():
        lines.append(f"기본 정책 · {MODE_NAMES.get(mode, mode)} (같은 질문)")
        lines.append(report_text(report, indent="  "))
    for mode, (fitted, default) in right.items():
        total = baseline[mode]["questions"]
        lines.append(
            f"{MODE_NAMES.get(mode, mode)}: 맞게 처리한 질문 새 정책 {fitted}/{total}, "
            f"기본 정책 {default}/{total}"
        )
    return "\n".join(lines)


def calibration_saved(path: Path, previous: Path | None) -> str:
    """Where the policy went, and where the one it replaced is kept (to restore it, rename it
    back)."""
    kept = (
        f" 이전 정책은 {previous}에 보관했습니다(되돌리려면 그 파일을 {path.name}로 바꾸세요)."
        if previous
        else ""
    )
    return f"답변 정책을 저장했습니다: {path} (이 색인으로 답할 때 씁니다).{kept}"


def report_text(report: dict[str, Any], indent: str = "") -> str:
    """One figure a line, values aligned in a terminal (a Hangul syllable takes two columns);
    a rate with nothing to count (no unanswerable question) is "-"."""
    labels = {k: v for k, v in REPORT_LABELS.items() if k in report}
    width = max(_columns(v) for v in labels.values())
    lines = []
    for key, label in labels.items():
        value = report.get(key)
        shown = "-" if value is None else MODE_NAMES.get(value, value) if key == "mode" else value
        lines.append(f"{indent}{label}{' ' * (width - _columns(label))}  {shown}")
    return "\n".join(lines)


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

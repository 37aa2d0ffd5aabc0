"""The plain data that flows through the pipeline, from article file to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.notices import Notice

# What bylines call a reporter: a name field holding only one of these names nobody, and a
# name that already ends in one is shown as it is.
REPORTER_TITLES = ("기자", "특파원", "논설위원", "편집위원", "칼럼니스트")


@dataclass(frozen=True)
class Article:
    """A cleaned article; `body` is the text every quote and offset refers to."""

    id: str
    title: str
    body: str
    outlet: str | None = None
    date: str | None = None  # "YYYY-MM-DD" or "YYYY-MM"
    url: str | None = None
    author: str | None = None  # the reporter, as the byline names them ("이삼섭")


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in an article body."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one article, the unit that is embedded and searched."""

    id: int
    article_id: str
    start: int
    end: int
    first_sentence: int
    last_sentence: int  # inclusive
    text: str


@dataclass(frozen=True)
class Hit:
    """A chunk found for a query, with the fused score and the rank on each side (None: absent)."""

    chunk_id: int
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None


@dataclass(frozen=True)
class QuoteDate:
    """A relative time expression in a quote ("지난해 10월") and what it means, read against
    the article's date. `start`/`end` are offsets in the article body, like the quote's own
    (`body[start:end] == expression`), so the quote itself is never changed."""

    expression: str
    start: int
    end: int
    resolved: str  # as shown: "2022년 10월", "2023년 3월 19일"
    basis: str  # the article date it was read against, as stored ("2023-03-20", "2020-11")
    first: str  # the span of days it means, ISO: for sorting and filtering
    last: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "start": self.start,
            "end": self.end,
            "resolved": self.resolved,
            "basis": self.basis,
            "first": self.first,
            "last": self.last,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuoteDate:
        return cls(
            expression=data["expression"],
            start=data["start"],
            end=data["end"],
            resolved=data["resolved"],
            basis=data["basis"],
            first=data["first"],
            last=data["last"],
        )


@dataclass(frozen=True)
class Quote:
    """A verbatim passage: `text == body[start:end]` of article `article_id`."""

    text: str
    article_id: str
    start: int
    end: int
    score: float
    source: int  # 1-based number of the source it cites
    dates: tuple[QuoteDate, ...] = ()  # its relative time expressions, grounded (none: no date)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article_id": self.article_id,
            "score": self.score,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "dates": [d.to_dict() for d in self.dates],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        return cls(
            text=data["text"],
            article_id=data["article_id"],
            start=data.get("start", 0),
            end=data.get("end", 0),
            score=data["score"],
            source=data.get("source", 1),
            dates=tuple(QuoteDate.from_dict(d) for d in data.get("dates", [])),
        )


@dataclass(frozen=True)
class SameStory:
    """Another article of a cited one's story (the same wire story in another outlet, a page
    scraped twice): named with the source, not quoted again."""

    article_id: str
    title: str
    outlet: str | None
    date: str | None
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "date": self.date,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SameStory:
        return cls(
            article_id=data["article_id"],
            title=data.get("title", ""),
            outlet=data.get("outlet"),
            date=data.get("date"),
            url=data.get("url"),
        )


@dataclass(frozen=True)
class Source:
    """A cited article: what a reader needs to find it and judge it (who, where, when)."""

    number: int
    article_id: str
    title: str
    outlet: str | None
    date: str | None
    url: str | None
    author: str | None = None
    same_story: tuple[SameStory, ...] = ()  # its copies in other outlets, newest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "date": self.date,
            "author": self.author,
            "url": self.url,
            "same_story": [s.to_dict() for s in self.same_story],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(
            number=data["number"],
            article_id=data["article_id"],
            title=data["title"],
            outlet=data.get("outlet"),
            date=data.get("date"),
            url=data.get("url"),
            author=data.get("author"),
            same_story=tuple(SameStory.from_dict(s) for s in data.get("same_story", [])),
        )


@dataclass(frozen=True)
class FollowUp:
    """The exchange a question follows (a reply to an answer, a thread in Discord): the question
    asked before and the articles its answer cited. Retrieval carries them into the new question
    ("그럼 언제 열렸어?" means the same subject); a question that says everything still works."""

    previous_question: str
    cited_article_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_question": self.previous_question,
            "cited_article_ids": list(self.cited_article_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FollowUp:
        return cls(data["previous_question"], tuple(data.get("cited_article_ids", ())))


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What a question got: quotes with their sources, or nothing (`answered` False). Data
    only: the edges word it (`retrieval.wording`)."""

    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    sources: tuple[Source, ...] = ()
    mode: str = "lexical"  # "hybrid" | "lexical" | "dense"
    took_ms: float = 0.0  # the whole question, query encoding included
    encode_ms: float = 0.0  # of which encoding the question with the model
    related: tuple[Source, ...] = ()  # further retrieved articles, not quoted ("more sources")
    notices: tuple[Notice, ...] = field(default=())
    policy: str = ""  # the answer policy that decided (`retrieval.policy`)
    confidence: float | None = None  # its estimate that the best passage answers (0-1)
    follow_up: FollowUp | None = None  # the exchange it was asked after, carried into retrieval

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data: what the bot stores, and what `newsqa ask --json`
        prints with its Korean "message" added (`retrieval.render.answer_json`). `notices` are
        about the run, not the answer, and are left out; `follow_up` is there only for a
        follow-up."""
        data: dict[str, Any] = {
            "question": self.question,
            "answered": self.answered,
            "quotes": [q.to_dict() for q in self.quotes],
            "sources": [s.to_dict() for s in self.sources],
            "related": [s.to_dict() for s in self.related],
            "retrieval": {
                "mode": self.mode,
                "took_ms": self.took_ms,
                "encode_ms": self.encode_ms,
                "policy": self.policy,
                "confidence": self.confidence,
            },
        }
        if self.follow_up is not None:
            data["follow_up"] = self.follow_up.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The inverse of `to_dict`; fields a stored answer lacks take their defaults, and
        what it has besides (the "message" `newsqa ask --json` adds) is ignored."""
        retrieval = data.get("retrieval") or {}
        return cls(
            question=data["question"],
            answered=data["answered"],
            quotes=tuple(Quote.from_dict(q) for q in data.get("quotes", [])),
            sources=tuple(Source.from_dict(s) for s in data.get("sources", [])),
            related=tuple(Source.from_dict(s) for s in data.get("related", [])),
            mode=retrieval.get("mode") or "lexical",
            took_ms=retrieval.get("took_ms") or 0.0,
            encode_ms=retrieval.get("encode_ms") or 0.0,
            policy=retrieval.get("policy") or "",
            confidence=retrieval.get("confidence"),
            follow_up=FollowUp.from_dict(data["follow_up"]) if data.get("follow_up") else None,
        )


@dataclass(frozen=True)
class SourceFile:
    """What one article file held when it was last read: enough to skip it while it stays the same."""

    fingerprint: str
    article_ids: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (where, reason) of its unreadable lines
    # (size, mtime_ns, ctime_ns, inode) when read, if the file was then already settled: while
    # they and `context` stay the same, the file is not even read again (git's rule).
    stat: tuple[int, int, int, int] | None = None
    context: str = ""  # the cleaning code and metadata the file was read with

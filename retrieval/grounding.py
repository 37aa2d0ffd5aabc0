"""The grounded meaning of a quote's relative dates: what an answer shows next to the quote.

Pure: the article's body and stored date are all it reads (`retrieval.relative_dates` does the
resolving). An article without a date grounds nothing, and one dated only by month ("2020-11")
grounds only what needs no day: nothing is guessed.
"""

from __future__ import annotations

from retrieval.relative_dates import ground_on_article
from retrieval.types import QuoteDate


def quote_dates(body: str, start: int, end: int, article_date: str | None) -> tuple[QuoteDate, ...]:
    """The relative time expressions of `body[start:end]`, resolved against `article_date`,
    with body offsets."""
    if article_date is None:
        return ()
    return tuple(
        QuoteDate(
            expression=found.expression,
            start=start + found.start,
            end=start + found.end,
            resolved=found.resolved,
            basis=article_date,
            first=found.first.isoformat(),
            last=found.last.isoformat(),
        )
        for found in ground_on_article(body[start:end], article_date)
    )

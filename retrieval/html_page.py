"""Saved HTML news pages: the article's text and its own metadata, read with trafilatura.

trafilatura is the field's standard extractor: it drops menus, sidebars and comment sections,
and reads the title, publication date, author, site name and canonical link from the page's
metadata (Open Graph, JSON-LD, <meta> tags). Where a page prints several dates, its first
publication date is taken, not the last edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.page_metadata import author_name, normalize_date


@dataclass(frozen=True)
class HtmlPage:
    title: str | None
    body: str
    date: str | None  # ISO, as `page_metadata.normalize_date` gives it
    author: str | None
    outlet: str | None
    url: str | None


def read_html(html: str) -> HtmlPage | None:
    """The page's article, or None when trafilatura finds no article text in it."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=True,
        date_extraction_params={"original_date": True, "extensive_search": True},
    )
    text = getattr(document, "text", None)  # a `trafilatura.settings.Document`, or None
    if document is None or not isinstance(text, str) or not text.strip():
        return None
    title = _field(document, "title")
    body = text.strip()
    first, _, rest = body.partition("\n")
    if title and first.strip() == title:  # the headline printed above the text, again
        body = rest.strip()
    return HtmlPage(
        title=title,
        body=body,
        date=normalize_date(_field(document, "date")),
        author=author_name(_field(document, "author")),
        outlet=_field(document, "sitename"),
        url=_field(document, "url"),
    )


def _field(document: object, name: str) -> str | None:
    """A Document's metadata field as stripped text or None (trafilatura leaves it untyped)."""
    value = getattr(document, name, None)
    return value.strip() or None if isinstance(value, str) else None

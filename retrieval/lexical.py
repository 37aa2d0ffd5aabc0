"""BM25 over Kiwi content morphemes, with tantivy doing the indexing and the scoring.

tantivy is given tokens we made, joined by spaces in a field its built-in "whitespace" tokenizer
reads, so each Kiwi token is one term, unchanged. Unlike bm25s (which precomputes every score
with the corpus-wide IDF and so must rebuild the whole index on any change: ~3 s at 45k chunks
here, see benchmarks/), tantivy adds and deletes documents in small immutable segments and
merges them in the background, so an update costs what changed.

A generation's `lexical/` folder is a tantivy index. The next generation starts as hard links
to its files (segment files are written once and never modified; tantivy replaces its
meta.json by rename), so committing one article writes one small segment and leaves the
previous generation intact.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval import spelling
from retrieval.errors import IndexCorrupt
from retrieval.term_search import TermSearch

if TYPE_CHECKING:  # tantivy loads when an index is opened or written
    import tantivy

FIELD = "tokens"
ID_FIELD = "chunk_id"
# tantivy-py turns a Python int into an i64 term, so the id field is signed: a u64 field would
# never match in delete_documents_by_term.
WRITER_HEAP = 64_000_000
COPIED = {"meta.json", ".managed.json"}  # small and replaced by tantivy: copied, not linked
MIN_NEAR_LETTERS = 5  # shorter words (GPU) have too many one-letter neighbours to mean anything
ALIASES = 8  # at most this many terms stand for one question word
META_LOCK = ".tantivy-meta.lock"


def _schema() -> tantivy.Schema:
    import tantivy

    builder = tantivy.SchemaBuilder()
    # Frequencies without positions: BM25 needs no phrase queries.
    builder.add_text_field(FIELD, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field(ID_FIELD, indexed=True, fast=True, stored=False)
    return builder.build()


def _term_text(token: str) -> str:
    """One whitespace-free term per token (Kiwi forms rarely hold spaces; keep them whole)."""
    return "_".join(token.split())


def open_read_only(folder: Path) -> tuple[Any, tempfile.TemporaryDirectory[str] | None]:
    """Open the committed tantivy index in `folder` without writing to it.

    tantivy takes its meta lock before it reads: it opens `.tantivy-meta.lock` for writing,
    creating it when absent, which fails on a read-only filesystem. A committed generation never
    changes, so the lock guards nothing here: when that file can't be opened for writing,
    tantivy opens a private folder of links to the generation's files instead (returned, to be
    kept as long as the index is open), and takes its lock there.
    """
    import tantivy

    if os.access(folder / META_LOCK, os.W_OK):
        return tantivy.Index.open(str(folder)), None
    try:
        view = tempfile.TemporaryDirectory(prefix="newsqa-lexical-")
    except OSError:  # nowhere to make one: tantivy's own error says why it can't open
        return tantivy.Index.open(str(folder)), None
    for path in folder.iterdir():
        if path.is_file() and not path.name.endswith(".lock"):
            os.symlink(path.absolute(), Path(view.name) / path.name)
    return tantivy.Index.open(view.name), view


def link_tree(source: Path, target: Path) -> None:
    """Start `target` as a copy of the tantivy index in `source` that costs no data writes."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if not path.is_file() or path.name.endswith(".lock"):
            continue
        if path.name in COPIED:
            shutil.copy2(path, target / path.name)
        else:
            os.link(path, target / path.name)


class LexicalIndex:
    """A read-only view of one committed tantivy index: search, document frequencies, terms."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index, self._view = open_read_only(folder)
        self._schema = self._index.schema
        self._searcher = self._index.searcher()
        self.n_docs = int(self._searcher.num_docs)
        self._vocabulary: list[str] | None = None
        self._term_search: TermSearch | None = None  # the vocabulary by spelling, for `aliases`
        self._keys: dict[str, list[str]] | None = None  # Hangul terms by sound, for `aliases`
        # The bot answers on several threads: each lazy table is built once, by one of them.
        self._building = threading.RLock()
        # The index never changes once opened, so counts can be remembered (questions repeat).
        self._live_count = lru_cache(maxsize=65_536)(self._count)

    def _term(self, token: str) -> tantivy.Query:
        import tantivy

        return tantivy.Query.term_query(self._schema, FIELD, _term_text(token), index_option="freq")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Damaged bytes that tantivy meets while searching surface as a ValueError ("Fst data
        is corrupted"), a None where a value belongs, or a Rust panic: a damaged index."""
        try:
            yield
        except (ValueError, TypeError) as exc:
            raise self._damaged() from exc
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":  # pyo3's, not importable by name
                raise self._damaged() from exc
            raise

    def _damaged(self) -> IndexCorrupt:
        return IndexCorrupt(
            f"{self.folder.parent.name}/{self.folder.name}의 어휘 색인을 읽을 수 없음"
        )

    def _count(self, token: str) -> int:
        """Documents that hold `token` now (tantivy's doc_freq still counts deleted ones until
        their segment is merged; whether the corpus knows a name must be exact)."""
        with self._reading():
            return int(self._searcher.search(self._term(token), limit=1, count=True).count)

    def __contains__(self, token: str) -> bool:
        return bool(token) and self._live_count(token) > 0

    def document_frequency(self, token: str) -> int:
        return self._live_count(token) if token else 0

    def idf(self, token: str, more: int = 0) -> float:
        """Lucene's BM25 idf (as tantivy scores); a token absent from the corpus gets the most.
        `more`: chunks that hold it by other means (a period, by their article's date), added
        to those that write it; a chunk doing both counts twice, a slight underestimate."""
        df = min(self.n_docs, self.document_frequency(token) + more)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    @property
    def rarest_idf(self) -> float:
        """The idf of a token no chunk holds: the top of the idf scale of this corpus."""
        return self.idf("")

    def vocabulary(self) -> list[str]:
        """Every term in the index; read once, and only when a question names something unknown."""
        with self._building:
            if self._vocabulary is None:
                with self._reading():
                    terms = self._searcher.terms_with_prefix(FIELD, "")
                    self._vocabulary = [t if isinstance(t, str) else t[0] for t in terms]
            return self._vocabulary

    def holds_inside(self, form: str) -> bool:
        """Whether some live term contains `form` ("삼성" in "삼성전자"). The vocabulary still
        lists the terms of deleted documents until a merge, so each match is counted live."""
        if not spelling.inside_is_meaningful(form):
            return False
        return any(term in self for term in self._terms().containing(form))

    def holding_all(self, tokens: Collection[str], k: int) -> list[int]:
        """Ids of up to `k` live chunks that hold every one of `tokens`."""
        import tantivy

        if k <= 0 or not tokens or self.n_docs == 0:
            return []
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, self._term(t)) for t in tokens])
        with self._reading():
            hits = self._searcher.search(query, limit=k, count=False).hits
            ids = self._searcher.fast_field_values(ID_FIELD, [address for _, address in hits])
            return [int(i) for i in ids]

    def aliases(self, form: str) -> tuple[str, ...]:
        """Live terms that stand for `form` though spelled otherwise: one letter away (천황 for
        천왕), or, for a foreign word, its singular (day for days), its letters written out
        (지아이랩 for GI, 페르소나에이아이 for 페르소나AI) or sounding the same (삼성 for
        Samsung, C랩 for C-Lab); see `retrieval.spelling`. The vocabulary's search structures
        (`retrieval.term_search`) are built on first need."""
        found: list[str] = [spelling.singular(form)]
        if len(spelling.letters(form)) >= MIN_NEAR_LETTERS:
            found.extend(self._terms().one_letter_off(form, ALIASES))
        spelled = spelling.letter_names(form)
        if spelled is not None:  # an acronym written out: 지아이 in 지아이랩 for GI
            inside = len(spelled) >= 3  # shorter ones (엘지) would sit inside unrelated words
            named = list(self._terms().containing(spelled)) if inside else [spelled]
            found.extend(sorted(named, key=len)[:ALIASES])
        key = spelling.sound_key(form) if form.isascii() else ""
        if len(key) >= spelling.MIN_KEY:
            alike = [t for t in self._sounds().get(key, ()) if spelling.sounds_alike(form, t)]
            found.extend(sorted(alike, key=len)[:ALIASES])
        return tuple(t for t in dict.fromkeys(found) if t != form and t in self)

    def _terms(self) -> TermSearch:
        """The vocabulary, searchable by spelling (`retrieval.term_search`)."""
        with self._building:
            if self._term_search is None:
                self._term_search = TermSearch(self.vocabulary())
            return self._term_search

    def _sounds(self) -> dict[str, list[str]]:
        """Terms written (partly) in Hangul, by sound key."""
        with self._building:
            if self._keys is None:
                keys: dict[str, list[str]] = {}
                for term in self.vocabulary():
                    if not term.isascii():
                        keys.setdefault(spelling.sound_key(term), []).append(term)
                self._keys = keys
            return self._keys

    def search(
        self,
        tokens: list[str],
        k: int,
        weights: Mapping[str, float] | None = None,
        within: Collection[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores of the best `k` chunks with a positive score, best first.
        `weights`: a token's score counts this much (default 1), for the terms a follow-up
        carries; `within`: only these chunks, which score as they would in the whole index."""
        import tantivy

        weights = weights or {}
        terms = [t for t in dict.fromkeys(tokens) if t]
        if k <= 0 or not terms or self.n_docs == 0 or (within is not None and not within):
            return []
        clauses = [(tantivy.Occur.Should, self._weighted(t, weights.get(t, 1.0))) for t in terms]
        query = tantivy.Query.boolean_query(clauses)
        if within is not None:
            chunks = tantivy.Query.term_set_query(self._schema, ID_FIELD, [int(i) for i in within])
            only = tantivy.Query.const_score_query(chunks, 0.0)  # a filter: adds nothing
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)]
            )
        with self._reading():
            hits = self._searcher.search(query, limit=k, count=False).hits
            ids = self._searcher.fast_field_values(ID_FIELD, [address for _, address in hits])
            return [
                (int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True) if score > 0
            ]

    def _weighted(self, token: str, weight: float) -> tantivy.Query:
        import tantivy

        term = self._term(token)
        return term if weight == 1.0 else tantivy.Query.boost_query(term, weight)


def write_changes(
    folder: Path,
    added: Iterable[tuple[int, list[str]]],
    deleted: Iterable[int],
    threads: int = 1,
) -> None:
    """Apply one update to the tantivy index in `folder` (created when absent) and commit it.

    `folder` is a staging generation's copy (see `link_tree`); nothing outside it is touched.
    """
    import tantivy

    folder.mkdir(parents=True, exist_ok=True)
    schema = _schema()
    exists = (folder / "meta.json").exists()
    index = tantivy.Index(schema, path=str(folder), reuse=exists)
    writer = index.writer(heap_size=WRITER_HEAP * threads, num_threads=threads)
    for chunk_id in deleted:
        writer.delete_documents_by_term(ID_FIELD, int(chunk_id))
    for chunk_id, tokens in added:
        writer.add_document(
            tantivy.Document.from_dict(
                {ID_FIELD: int(chunk_id), FIELD: " ".join(_term_text(t) for t in tokens)}, schema
            )
        )
    writer.commit()
    writer.wait_merging_threads()  # merges finish inside this generation, before it is sealed

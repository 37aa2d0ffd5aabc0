"""Korean text analysis with Kiwi: sentence boundaries and the terms BM25 matches on.

Kiwi segments the same compound differently by context ("벤처기업협회" as one proper noun in a
question, "벤처/기업/협회" in an article), so besides single content morphemes every run of
adjacent nouns is also emitted joined ("벤처기업협회", "데이터센터"). Both sides then meet on
the joined form, and an exact compound match weighs more than its parts.

Kiwi's model takes about a second to load, so one analyser is made lazily and shared.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from retrieval.errors import AnalyserUnavailable
from retrieval.types import Span

# Nouns, numerals, foreign words, hanja, roots, and verb/adjective stems carry meaning;
# particles, endings, suffixes and pronouns (무엇, 어디, 누구) do not.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR", "VV", "VA"})
NOUN_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR"})
ENTITY_TAGS = frozenset({"NNP", "SL"})
FOREIGN_TAGS = frozenset({"SL", "SH"})
# Words that ask rather than tell: they appear in questions, almost never in the answer.
QUESTION_WORDS = frozenset(
    {"곳", "것", "수", "등", "때", "이름", "얼마", "무엇", "누구", "어디", "언제", "몇", "어떻"}
)
# Light verbs and copulas carry grammar, not content ("설립되다", "해주다", "있다").
LIGHT_VERBS = frozenset({"하", "되", "있", "없", "않", "이", "주", "받", "보", "같"})
FOCUS_MARKERS = frozenset({"어떤", "어느", "무슨", "무엇"})
MAX_JOINED = 4  # longest run of nouns emitted as one joined term
# The built-in typo and multi-word dictionaries take ~4 of Kiwi's ~5.5 s of start-up here and
# did not change retrieval on the dev set (benchmarks/README.md); news text is edited text.
KIWI_OPTIONS = {"load_typo_dict": False, "load_multi_dict": False, "load_default_dict": False}
TOKENIZER_SETTINGS = {
    "analyzer": "kiwipiepy",
    "kiwi_options": KIWI_OPTIONS,
    "tags": sorted(CONTENT_TAGS),
    "joined_noun_runs": MAX_JOINED,
    "dropped": sorted(QUESTION_WORDS | LIGHT_VERBS),
    "lowercase_foreign": True,
    "tokens_from": "sentence_in_line",  # morphemes as analysed while splitting the line
    "tag_variants": "base",  # irregular-conjugation variants (VV-R, VA-I) read as their base tag
    "unicode": "NFC",
    "title_in_chunks": True,  # each chunk's BM25 document starts with its article's title
    "hyphenated_foreign": True,  # "C-Lab" is one run of foreign words, joined as "clab"
}

_lock = threading.Lock()
_warming_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Morph:
    form: str
    tag: str
    start: int
    end: int


@dataclass(frozen=True)
class Term:
    """A unit of meaning in a question: a word or a noun compound with its parts."""

    form: str  # the token to look up (joined form for compounds)
    parts: tuple[str, ...]
    entity: bool  # a proper noun or foreign word: found inside longer names, matched by spelling
    focus: bool = False  # what the question asks for (see `query_terms`)
    foreign: bool = False  # written in a foreign script (Latin, hanja), as the corpus would


_kiwi: object | None = None
_warming: threading.Thread | None = None


def kiwi() -> Any:  # kiwipiepy ships no type information: a `kiwipiepy.Kiwi`
    """The shared analyser, built once even when several threads ask at the same time."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                try:
                    from kiwipiepy import Kiwi

                    _kiwi = Kiwi(**KIWI_OPTIONS)
                except Exception as exc:  # kiwipiepy raises bare Exception for missing files
                    raise AnalyserUnavailable(str(exc)) from exc
    return _kiwi


def warm_up() -> None:
    """Kiwi builds its model lazily on first use; do it before the first question arrives."""
    kiwi().tokenize("준비")


def warm_up_in_background() -> threading.Thread:
    """Start loading Kiwi now, alongside other start-up work: its model load (most of a cold
    `ask`) runs in C++ without the GIL, so opening the index meanwhile costs no extra time.
    Called again, it returns the same thread. A failure is left for the caller's own
    `warm_up()` after `join()` to raise."""
    global _warming

    def load() -> None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - re-raised by the caller's warm_up()
            log.debug("Kiwi failed to load in the background", exc_info=True)

    with _warming_lock:
        if _warming is None:
            # Not a daemon: a start that fails (no index, say) waits for Kiwi's load to end
            # before the interpreter exits, since C++ still building its model while the
            # process tears down can crash it (a segfault after the error message).
            _warming = threading.Thread(target=load, name="kiwi-warm-up", daemon=False)
            _warming.start()
        return _warming


def base_tag(tag: str) -> str:
    """Kiwi marks irregular conjugations on the tag ("VV-R", "VA-I", "XSA-I"); the word class
    is the part before the dash, and that is what every rule here reads."""
    return tag.split("-", 1)[0]


def _morphs(tokens: Sequence[object]) -> list[Morph]:
    return [
        Morph(t.form, base_tag(t.tag), t.start, t.start + t.len)  # type: ignore[attr-defined]
        for t in tokens
    ]


def nfc(text: str) -> str:
    """Hangul typed or pasted in decomposed form (NFD, as macOS file names are) reads the same."""
    return unicodedata.normalize("NFC", text)


def analyze(text: str) -> list[Morph]:
    return _morphs(kiwi().tokenize(text))


def _norm(morph: Morph) -> str | None:
    if morph.tag not in CONTENT_TAGS or morph.form in QUESTION_WORDS:
        return None
    if morph.tag in {"VV", "VA"} and morph.form in LIGHT_VERBS:
        return None
    return morph.form.lower() if morph.tag == "SL" else morph.form


def _touching(before: Morph, after: Morph, between: Morph | None) -> bool:
    """Written together: nothing between, or (foreign words) just a hyphen ("C-Lab")."""
    if before.end == after.start:
        return True
    return (
        between is not None
        and before.tag == after.tag == "SL"
        and between.form == "-"
        and before.end == between.start
        and between.end == after.start
    )


def noun_runs(morphs: list[Morph]) -> list[list[Morph]]:
    """Maximal runs of nouns written together with no space or symbol between them (a hyphen
    between foreign words is allowed: "C-Lab" is one name)."""
    runs: list[list[Morph]] = []
    current: list[Morph] = []
    for i, morph in enumerate(morphs):
        noun = morph.tag in NOUN_TAGS and bool(_norm(morph))
        before = morphs[i - 1] if i > 0 else None
        if noun and current and _touching(current[-1], morph, before):
            current.append(morph)
            continue
        if morph.form == "-" and current and current[-1].tag == "SL":
            continue  # the run may go on past the hyphen
        if len(current) > 1:
            runs.append(current)
        current = [morph] if noun else []
    if len(current) > 1:
        runs.append(current)
    return runs


def _joined(run: list[Morph]) -> str:
    return "".join(_norm(m) or "" for m in run)


def content_morphs(morphs: list[Morph]) -> list[tuple[str, str]]:
    """(token, tag) of each content morpheme, in order: the first tokens `index_tokens` gives."""
    return [(t, m.tag) for m in morphs if (t := _norm(m))]


def index_tokens(morphs: list[Morph]) -> list[str]:
    """Content morphemes in order (repeats kept: BM25 counts them), then joined noun sub-runs."""
    tokens = [t for m in morphs if (t := _norm(m))]
    for run in noun_runs(morphs):
        for size in range(2, min(MAX_JOINED, len(run)) + 1):
            tokens.extend(_joined(run[i : i + size]) for i in range(len(run) - size + 1))
    return tokens


def tokenize(text: str) -> list[str]:
    return index_tokens(analyze(text))


def query_terms(morphs: list[Morph]) -> list[Term]:
    """The question's terms: each noun run as one compound term, other content words alone."""
    runs = noun_runs(morphs)
    in_run = {id(m) for run in runs for m in run}
    # What is asked for: the noun after 어떤/어느/무슨, and the question's last noun, the head
    # it ends on ("…대두된 사상은 무엇인가?" asks for a 사상).
    focus_at = {morphs[i + 1].start for i, m in enumerate(morphs[:-1]) if m.form in FOCUS_MARKERS}
    nouns = [m for m in morphs if m.tag in NOUN_TAGS and _norm(m)]
    if nouns:
        focus_at.add(nouns[-1].start)
    terms: list[Term] = []
    for run in runs:
        parts = tuple(_norm(m) or "" for m in run)
        terms.append(
            Term(
                _joined(run),
                parts,
                any(m.tag in ENTITY_TAGS for m in run),
                any(m.start in focus_at for m in run),
                any(m.tag in FOREIGN_TAGS for m in run),
            )
        )
    for morph in morphs:
        token = _norm(morph)
        if token and id(morph) not in in_run:
            terms.append(
                Term(
                    token,
                    (token,),
                    morph.tag in ENTITY_TAGS,
                    morph.start in focus_at,
                    morph.tag in FOREIGN_TAGS,
                )
            )
    unique: dict[str, Term] = {}
    for term in terms:
        unique.setdefault(term.form, term)
    return list(unique.values())


def _trimmed(body: str, start: int, end: int) -> Span:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Span(start, end)


class Sentence(NamedTuple):
    """A sentence of a body: where it is, its index tokens, and the tags of its leading
    content tokens (what kind of thing each is: a name, a number, a verb)."""

    span: Span
    tokens: list[str]
    tags: list[str]


def analyse_bodies(bodies: Sequence[str]) -> list[list[Sentence]]:
    """Each body's sentences with their index tokens, from one Kiwi pass over all their lines.

    Kiwi finds sentence boundaries by analysing morphemes, so the tokens come with the split
    for free; one batched call lets its workers share the lines of every body. A line break
    always ends a sentence (paragraphs never merge).
    """
    lines: list[tuple[int, int, str]] = []  # (body, offset of the line in it, line)
    for number, body in enumerate(bodies):
        offset = 0
        for line in body.split("\n"):
            if line.strip():
                lines.append((number, offset, line))
            offset += len(line) + 1
    analysed: list[list[Sentence]] = [[] for _ in bodies]
    if not lines:
        return analysed
    results = kiwi().split_into_sents([line for _, _, line in lines], return_tokens=True)
    for (number, offset, _), sentences in zip(lines, results, strict=True):
        for sentence in sentences:
            span = _trimmed(bodies[number], offset + sentence.start, offset + sentence.end)
            if span.end > span.start:
                morphs = _morphs(sentence.tokens)
                tags = [tag for _, tag in content_morphs(morphs)]
                analysed[number].append(Sentence(span, index_tokens(morphs), tags))
    return analysed


def split_sentences(body: str) -> list[Span]:
    """Sentence spans of a body (see `analyse_bodies`)."""
    return [sentence.span for sentence in analyse_bodies([body])[0]]

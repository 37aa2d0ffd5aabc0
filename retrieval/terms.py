"""The terms BM25 matches on, for articles (the index token format) and for questions.

Kiwi segments the same compound differently by context ("벤처기업협회" as one proper noun in a
question, "벤처/기업/협회" in an article), so besides single content morphemes every run of
adjacent nouns is also emitted joined ("벤처기업협회", "데이터센터"). Both sides then meet on
the joined form, and an exact compound match weighs more than its parts. `TOKENIZER_SETTINGS`
records the format in every index: an index made with other settings is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.kiwi_analyser import KIWI_OPTIONS, Morph, analyze

# Nouns, numerals, foreign words, hanja, roots, and verb/adjective stems carry meaning;
# particles, endings, suffixes and pronouns (무엇, 어디, 누구) do not.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR", "VV", "VA"})
NOUN_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR"})
ENTITY_TAGS = frozenset({"NNP", "SL"})
FOREIGN_TAGS = frozenset({"SL", "SH"})
PREDICATE_TAGS = frozenset({"VV", "VA"})
# Words that ask rather than tell: they appear in questions, almost never in the answer.
QUESTION_WORDS = frozenset(
    {"곳", "것", "수", "등", "때", "이름", "얼마", "무엇", "누구", "어디", "언제", "몇", "어떻"}
)
# Light verbs and copulas carry grammar, not content ("설립되다", "해주다", "있다").
LIGHT_VERBS = frozenset({"하", "되", "있", "없", "않", "이", "주", "받", "보", "같"})
MAX_JOINED = 4  # longest run of nouns emitted as one joined term
ASKING_AUXILIARIES = frozenset({"주", "싶"})  # "알려 줘": a request; "알고 싶어": a wish
PAST_TENSE = frozenset({"었", "았", "였", "었었", "았었"})  # pre-final endings of the past
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


@dataclass(frozen=True)
class Term:
    """A unit of meaning in a question: a word or a noun compound with its parts."""

    form: str  # the token to look up (joined form for compounds)
    parts: tuple[str, ...]
    entity: bool  # a proper noun or foreign word: found inside longer names, matched by spelling
    foreign: bool = False  # written in a foreign script (Latin, hanja), as the corpus would
    predicate: bool = False  # a verb or adjective stem: how the asker words an event
    phrase: tuple[str, ...] = ()  # the other Latin words of the name it is written in ("SOS Lab")


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


def spaced_nouns(before: Morph, after: Morph) -> bool:
    """Two content nouns with one space between them ("지아이 랩"): a compound or a name some
    writers space, which the corpus may write as one word."""
    nouns = before.tag in NOUN_TAGS and after.tag in NOUN_TAGS
    return nouns and bool(_norm(before) and _norm(after)) and after.start - before.end == 1


def index_tokens(morphs: list[Morph]) -> list[str]:
    """Content morphemes in order (repeats kept: BM25 counts them), then joined noun sub-runs."""
    tokens = [t for m in morphs if (t := _norm(m))]
    for run in noun_runs(morphs):
        for size in range(2, min(MAX_JOINED, len(run)) + 1):
            tokens.extend(_joined(run[i : i + size]) for i in range(len(run) - size + 1))
    return tokens


def tokenize(text: str) -> list[str]:
    return index_tokens(analyze(text))


def _latin_phrases(morphs: list[Morph]) -> dict[int, tuple[str, ...]]:
    """The Latin words written one space apart ("SOS Lab", "GI LAB", "C-Lab Outside"), by
    morpheme: one name. A hyphenated run is one word of it, as its term is ("clab")."""
    latin = [run for run in noun_runs(morphs) if all(m.tag == "SL" for m in run)]
    word_of = {id(m): _joined(run) for run in latin for m in run}
    groups: list[list[Morph]] = []
    for before, morph in zip([None, *morphs], morphs, strict=False):
        if morph.tag != "SL":
            continue
        spaced = before is not None and before.tag == "SL" and 0 < morph.start - before.end <= 1
        if spaced or (groups and word_of.get(id(morph), "") == word_of.get(id(groups[-1][-1]))):
            groups[-1].append(morph)
        else:
            groups.append([morph])
    phrases: dict[int, tuple[str, ...]] = {}
    for group in groups:
        words = tuple(dict.fromkeys(word_of.get(id(m), m.form.lower()) for m in group))
        if len(words) > 1:
            phrases.update((id(m), words) for m in group)
    return phrases


def request_verbs(morphs: list[Morph]) -> frozenset[int]:
    """The positions of the verbs that put a question as a request or a wish of the asker ("이름
    알려 줘", "찾아 주시겠어요", "누군지 알고 싶어요"): a verb, a connective, the auxiliary
    주다 or 싶다, and the sentence ends there (pre-final endings, a final one, then only
    punctuation; a next sentence may follow). In the past tense it tells what happened ("빌려
    줬나요"): kept."""
    found: set[int] = set()
    for i, morph in enumerate(morphs[:-2]):
        linked, helper = morphs[i + 1], morphs[i + 2]
        if morph.tag != "VV" or linked.tag != "EC" or helper.tag != "VX":
            continue
        if helper.form not in ASKING_AUXILIARIES:
            continue
        rest = morphs[i + 3 :]
        while rest and rest[0].tag == "EP" and rest[0].form not in PAST_TENSE:
            rest = rest[1:]
        if rest and rest[0].tag == "EF" and _ends_sentence(rest[1:]):
            found.add(i)
    return frozenset(found)


def _ends_sentence(after: list[Morph]) -> bool:
    """Whether a final ending closes the sentence: nothing after it but the polite 요 and
    punctuation ("알려주실래요?"), or a full stop and the next sentence. "좋아해줘에서" is a
    title inside the sentence."""
    if after and after[0].tag == "JX" and after[0].form == "요":
        after = after[1:]
    return not after or after[0].tag in {"SF", "SE"}


def query_terms(morphs: list[Morph]) -> list[Term]:
    """The question's terms: each noun run as one compound term, other content words alone."""
    runs = noun_runs(morphs)
    in_run = {id(m) for run in runs for m in run}
    terms: list[Term] = []
    for run in runs:
        parts = tuple(_norm(m) or "" for m in run)
        terms.append(
            Term(
                _joined(run),
                parts,
                any(m.tag in ENTITY_TAGS for m in run),
                any(m.tag in FOREIGN_TAGS for m in run),
            )
        )
    phrases = _latin_phrases(morphs)
    for morph in morphs:
        token = _norm(morph)
        if token and id(morph) not in in_run:
            terms.append(
                Term(
                    token,
                    (token,),
                    morph.tag in ENTITY_TAGS,
                    morph.tag in FOREIGN_TAGS,
                    morph.tag in PREDICATE_TAGS,
                    tuple(w for w in phrases.get(id(morph), ()) if w != token),
                )
            )
    unique: dict[str, Term] = {}
    for term in terms:
        unique.setdefault(term.form, term)
    return list(unique.values())

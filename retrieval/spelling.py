"""How a word is spelled and how it sounds, so a question can find a name the corpus writes
another way: a typo one letter off (천왕 for 천황, 벤쿠버 for 밴쿠버), or a Latin name the articles
write in Hangul (Samsung for 삼성, C-Lab for C랩).

Both work on letters, not syllables: Hangul decomposes into jamo (Unicode NFD), so 코스피 and
코스닥 are three letters apart although one syllable differs. A *sound key* is a word's
consonants by the class Korean loanword spelling maps them to (b/p/f/v → ㅂ/ㅍ, l/r → ㄹ, final
ㅇ ≈ ng …), vowels dropped: "Samsung" and 삼성 both read SMSN.
"""

from __future__ import annotations

import re
import unicodedata

MIN_KEY = 3  # shorter keys (GPU: KP) match too many unrelated words to mean anything

_INITIAL = dict(zip("ᄀᄁᄂᄃᄄᄅᄆᄇᄈᄉᄊᄋᄌᄍᄎᄏᄐᄑᄒ", "KKNTTLMPPSS_JJJKTP_", strict=True))
_FINAL = dict(
    zip(
        "ᆨᆩᆪᆫᆬᆭᆮᆯᆰᆱᆲᆳᆴᆵᆶᆷᆸᆹᆺᆻᆼᆽᆾᆿᇀᇁᇂ",
        ["K", "K", "KS", "N", "NJ", "N", "T", "L", "LK", "LM", "LP", "LS", "LT", "LP", "L", "M"]
        + ["P", "PS", "T", "T", "N", "T", "T", "K", "T", "P", "_"],
        strict=True,
    )
)
_HANGUL_KEYS = str.maketrans(
    {**{k: v.strip("_") for k, v in {**_INITIAL, **_FINAL}.items()}}
    | {chr(c): "" for c in range(0x1161, 0x1176)}  # vowels
)
_LATIN_DIGRAPHS = re.compile(r"ng|ch|sh|ph|th|ck|x")
_SILENT_R = re.compile(r"r(?![aeiouy])")  # Korean spelling follows non-rhotic English: 네이버
_DIGRAPH_KEYS = {"ng": "N", "ch": "J", "sh": "S", "ph": "P", "th": "T", "ck": "K", "x": "KS"}
_LATIN_KEYS = str.maketrans("bpfvcgkqdtjzslrmn", "PPPPKKKKTTJJSLLMN", "aeiouyhw")


# How Korean writes Latin letters out (GI → 지아이, SOS → 에스오에스): news spells a Latin acronym
# of a company's name this way as often as not.
LETTER_NAMES = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        "에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 "
        "엑스 와이 지".split(),
        strict=True,
    )
)
MAX_ACRONYM = 5  # longer Latin words are words, read by their sound (`sound_key`)
_LATIN_OR_HANGUL = re.compile(r"[a-z가-힣]+")


def letter_names(word: str) -> str | None:
    """`word` with its acronym spelled out letter by letter in Hangul ("sos" → 에스오에스,
    "페르소나AI" → 페르소나에이아이), for a Latin word short enough to be an acronym, alone or
    written onto a Hangul word; None otherwise (no Latin, a longer Latin word, one lone
    letter, other characters)."""
    lower = word.lower()
    runs = re.findall(r"[a-z]+", lower)
    if len(runs) != 1 or len(runs[0]) > MAX_ACRONYM or not _LATIN_OR_HANGUL.fullmatch(lower):
        return None
    if lower == runs[0] and len(lower) < 2:
        return None
    return lower.replace(runs[0], "".join(LETTER_NAMES[c] for c in runs[0]))


def singular(word: str) -> str:
    """An English word without its plural or possessive "s" (Harman's S-stemmer): Kiwi splits
    "Day's" into "day" and "s", and a question may write "days" or "startups" where the corpus
    holds "day" or "startup". `word` itself when no rule applies (-us and -ss words too)."""
    if not word.isascii() or len(word) < 4:
        return word
    lower = word.lower()
    if lower.endswith("ies") and not lower.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if lower.endswith("es") and not lower.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if lower.endswith("s") and not lower.endswith(("us", "ss", "is", "as", "os")):
        return word[:-1]  # -is, -as, -os: singulars and names of their own (genesis, Texas)
    return word


def inside_is_meaningful(name: str) -> bool:
    """Whether finding `name` inside a longer word means the word names it ("삼성" in
    "삼성전자"): not for one syllable or two Latin letters (북, ai), which sit inside too many."""
    return len(name) >= (3 if name.isascii() else 2)


def sounds_alike(latin: str, term: str) -> bool:
    """A stricter check for two words of one sound key, which is lossy ("clab" and 클럽 are
    both KLP): they share a Latin letter (C랩), or the term has a Hangul syllable for each of
    the Latin word's vowel groups (Samsung: a, u; 삼성: two syllables)."""
    latin = latin.lower()
    if any(c in latin for c in term.lower() if c.isascii() and c.isalpha()):
        return True
    syllables = sum("가" <= c <= "힣" for c in term)
    return syllables == len(re.findall(r"[aeiouy]+", latin))


def letters(word: str) -> str:
    """The word in letters: Hangul syllables as jamo, everything else as it is."""
    return unicodedata.normalize("NFD", word.lower())


def sound_key(word: str) -> str:
    """The consonant classes of `word`, Hangul and Latin alike, repeats collapsed ("" for
    characters of neither script)."""
    parts: list[str] = []
    for chunk in re.findall(r"[a-z]+|[^a-z]+", word.lower()):
        if chunk[0].isascii():
            chunk = _SILENT_R.sub("", chunk)
            chunk = _LATIN_DIGRAPHS.sub(lambda m: _DIGRAPH_KEYS[m.group()], chunk)
            parts.append(chunk.translate(_LATIN_KEYS).upper())
        else:
            decomposed = unicodedata.normalize("NFD", chunk)
            parts.append("".join(c for c in decomposed.translate(_HANGUL_KEYS) if c.isupper()))
    key = "".join(parts)
    return re.sub(r"(.)\1+", r"\1", key)

"""Kiwi, the Korean morphological analyser: loaded once, lazily, shared by every thread.

Kiwi's model takes about a second to load (most of a cold `ask`), so one analyser is made on
first use, or ahead of time in a background thread while the index opens.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.errors import AnalyserUnavailable

# The built-in typo and multi-word dictionaries take ~4 of Kiwi's ~5.5 s of start-up here and
# did not change retrieval on the dev set (benchmarks/README.md); news text is edited text.
KIWI_OPTIONS = {"load_typo_dict": False, "load_multi_dict": False, "load_default_dict": False}

_lock = threading.Lock()
_warming_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Morph:
    form: str
    tag: str
    start: int
    end: int


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


def morphs_of(tokens: Sequence[object]) -> list[Morph]:
    return [
        Morph(t.form, base_tag(t.tag), t.start, t.start + t.len)  # type: ignore[attr-defined]
        for t in tokens
    ]


def nfc(text: str) -> str:
    """Hangul typed or pasted in decomposed form (NFD, as macOS file names are) reads the same."""
    return unicodedata.normalize("NFC", text)


def typed(text: str) -> str:
    """What a person typed, read one way however it was typed: each run of spaces, tabs and
    line breaks as one space, Hangul composed (`nfc`)."""
    return nfc(" ".join(text.split()))


def analyze(text: str) -> list[Morph]:
    return morphs_of(kiwi().tokenize(text))

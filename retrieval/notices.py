"""What a run tells its user besides the answer, as data: the core reports, the edges word it.

A notice is not an error: the run goes on (lexical search without the model, an article kept
as it was, a calibrated policy set aside). The core returns or passes these typed records; the
CLI and the bot turn them into Korean (`retrieval.wording`), and a log line is their `str()`,
in English like every log (quoting an error's own message, Korean, where one carries it). Keeping them typed lets an edge choose what to show: the bot's
`/reindex` reply leaves out what names a server's files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WaitingForWriter:
    """Another process holds the index's writer lock; this run waits for it."""

    folder: Path

    def __str__(self) -> str:
        return f"waiting for another writer of {self.folder}"


@dataclass(frozen=True)
class BuildingFirst:
    """No index yet: one is built from the articles before the first answer."""

    index_dir: Path
    articles: Path

    def __str__(self) -> str:
        return f"no index at {self.index_dir}: building it from {self.articles}"


@dataclass(frozen=True)
class FileSkipped:
    """An article file (or a line of one) that could not be read; `reason` is the message of
    the `UnreadableError` that said why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


@dataclass(frozen=True)
class KeptPrevious:
    """An article whose file cannot be read now: what was indexed of it is kept."""

    article_id: str

    def __str__(self) -> str:
        return f"{self.article_id} unreadable now: its indexed content is kept"


@dataclass(frozen=True)
class ModelMissing:
    """The embedding model could not be loaded: this run searches lexically only."""

    model: str

    def __str__(self) -> str:
        return f"model {self.model} unavailable: lexical search only"


@dataclass(frozen=True)
class VectorsDropped:
    """An update asked for no model (`--model none`) on an index with vectors: they were
    dropped, as README says they are, and the index now searches lexically only."""

    model: str | None  # whose vectors they were

    def __str__(self) -> str:
        return f"no model asked: the vectors of {self.model} were dropped"


@dataclass(frozen=True)
class OtherPrecision:
    """Questions are encoded at another precision than the index's vectors (still found, less
    well)."""

    indexed: str
    precision: str

    def __str__(self) -> str:
        return f"index vectors are {self.indexed}, questions encoded as {self.precision}"


@dataclass(frozen=True)
class KeptIndexReleased:
    """The disk filled up: the previous generations kept for readers were removed to commit."""

    generations: tuple[str, ...]

    def __str__(self) -> str:
        return f"disk full: released kept generations {', '.join(self.generations)}"


@dataclass(frozen=True)
class PolicyUnreadable:
    """The index's calibrated policy file cannot be used; the default policy answers.
    `reason` is the `PolicyError`'s message."""

    reason: str

    def __str__(self) -> str:
        return f"calibrated policy unusable ({self.reason}): default policy"


@dataclass(frozen=True)
class PolicyForOtherModel:
    """The index's calibrated policy was fitted for another model; the default one answers."""

    path: Path
    model: str | None

    def __str__(self) -> str:
        return f"policy {self.path} fitted for model {self.model}: default policy"


@dataclass(frozen=True)
class RetiredSetting:
    """A NEWSQA_* variable still set that no longer does anything (the answer policy decides
    what it used to)."""

    name: str

    def __str__(self) -> str:
        return f"{self.name} is retired: the answer policy decides"


@dataclass(frozen=True)
class UpdateFailed:
    """A watched update failed in a way the user can act on; the watch goes on. `error` is
    one `retrieval.errors.user_message` can word."""

    error: BaseException

    def __str__(self) -> str:
        return f"update failed: {type(self.error).__name__}: {self.error}"


Notice = (
    WaitingForWriter
    | BuildingFirst
    | FileSkipped
    | KeptPrevious
    | ModelMissing
    | VectorsDropped
    | OtherPrecision
    | KeptIndexReleased
    | PolicyUnreadable
    | PolicyForOtherModel
    | RetiredSetting
    | UpdateFailed
)

Say = Callable[[Notice], None]  # tells the user something now; each edge words it

"""What the bot remembers across restarts: answers (for buttons and follow-ups) and the
feedback log.

Answers live in SQLite so a button under a week-old message still works after a restart, and
so does a reply to it: each answer's Discord message and channel (a thread, often) are kept
beside it. Feedback is an append-only JSONL file, one vote per line, with hashed user ids only.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from retrieval.types import Answer


class AnswerStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, created REAL, body TEXT)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS posts (message INTEGER PRIMARY KEY, channel INTEGER, "
            "answer TEXT, created REAL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS posts_by_channel ON posts (channel, created)")

    def add(self, answer: Answer) -> str:
        answer_id = uuid.uuid4().hex[:16]
        body = json.dumps(answer.to_dict(), ensure_ascii=False)
        with self._lock:
            self._db.execute("INSERT INTO answers VALUES (?, ?, ?)", (answer_id, time.time(), body))
        return answer_id

    def get(self, answer_id: str) -> Answer | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return Answer.from_dict(json.loads(row[0])) if row else None

    def posted(self, answer_id: str, message_id: int, channel_id: int) -> None:
        """Where the answer was posted: a reply to that message, or a later question in that
        thread, continues it (`bot.client`)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)",
                (message_id, channel_id, answer_id, time.time()),
            )

    def answer_in(self, message_id: int) -> Answer | None:
        """The answer the bot posted as message `message_id` (None: not one of its answers)."""
        with self._lock:
            row = self._db.execute(
                "SELECT answer FROM posts WHERE message = ?", (message_id,)
            ).fetchone()
        return self.get(row[0]) if row else None

    def last_in(self, channel_id: int) -> Answer | None:
        """The latest answer the bot posted in a channel or thread."""
        with self._lock:
            row = self._db.execute(
                "SELECT answer FROM posts WHERE channel = ? ORDER BY created DESC, rowid DESC "
                "LIMIT 1",
                (channel_id,),
            ).fetchone()
        return self.get(row[0]) if row else None

    def continued(self, replied_to: int | None, thread_id: int | None) -> Answer | None:
        """The answer a question continues, looked up in one call (one trip to a thread): the
        answer it replies to, else the latest in its thread, else the answer the thread was
        started from (a thread has its first message's id)."""
        answer = self.answer_in(replied_to) if replied_to is not None else None
        if answer is None and thread_id is not None:
            answer = self.last_in(thread_id)
        if answer is None and thread_id is not None:
            answer = self.answer_in(thread_id)
        return answer

    def close(self) -> None:
        with self._lock:
            self._db.close()


class FeedbackLog:
    """Appends {time, answer_id, question, articles, vote, user} lines; `user` is a salted hash."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._salt = _salt(path.parent / "feedback.salt")

    def user_hash(self, user_id: int) -> str:
        return hashlib.sha256(self._salt + str(user_id).encode()).hexdigest()[:16]

    def record(
        self, answer_id: str, answer: Answer | None, vote: str, user_id: int
    ) -> dict[str, Any]:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "answer_id": answer_id,
            "question": answer.question if answer else None,
            "articles": [s.article_id for s in answer.sources] if answer else [],
            "vote": vote,
            "user": self.user_hash(user_id),
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        return entry


def _salt(path: Path) -> bytes:
    """A per-installation secret, so hashed ids cannot be reversed by hashing known user ids."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(16))
    return path.read_bytes()

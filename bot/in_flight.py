"""Work the bot finishes before it closes its store at shutdown: an answer until the place it
was posted is remembered, a vote until it is written. Without it, a vote clicked (and thanked)
as the bot stops, or an answer sent as it stops, found the store already closed and was lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger("newsqa.bot")


class InFlight:
    """A count of work under way, and a way to wait (bounded) until there is none."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def settled(self, seconds: float) -> None:
        """Wait until nothing is under way, or `seconds` (what is left is logged)."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            log.warning("%d answers or votes still under way at shutdown", self._count)

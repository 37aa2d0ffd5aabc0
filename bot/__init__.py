"""Discord front end for newsqa. It holds no retrieval logic: it calls `retrieval.Pipeline`.

`bot.run(settings, limits, sync=…, guild=…)` starts it (`newsqa bot` and `python -m bot`).
"""

from __future__ import annotations

from bot.launch import run

__all__ = ["run"]

"""The bot's service layer without Discord: off-loop answering, limits, reindex and index swap."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from bot.config import BotSettings, Secret, load_bot_settings
from bot.service import Busy, QAService
from retrieval.config import SettingsError
from retrieval.pipeline import Pipeline, build_index


def limits(**changes) -> BotSettings:
    base = {
        "concurrency": 2,
        "max_waiting": 10,
        "timeout_s": 5.0,
        "cooldown_s": 0,
        "reload_s": 0.05,
    }
    return BotSettings(**(base | changes))


@pytest.fixture
def slow_ask(monkeypatch):
    """Make every question take `delay` seconds in its worker thread; count threads at once."""
    state = {"delay": 0.3, "running": 0, "peak": 0}
    lock = threading.Lock()
    real = Pipeline.ask

    def ask(self, question):
        with lock:
            state["running"] += 1
            state["peak"] = max(state["peak"], state["running"])
        time.sleep(state["delay"])
        with lock:
            state["running"] -= 1
        return real(self, question)

    monkeypatch.setattr(Pipeline, "ask", ask)
    return state


@pytest.mark.asyncio
async def test_questions_run_in_threads_with_bounded_concurrency(settings, slow_ask) -> None:
    slow_ask["delay"] = 1.0
    service = QAService(settings, limits(concurrency=2))
    await service.start()
    gaps: list[float] = []

    async def ticker():
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(service.ask("지아이랩의 대표는 누구인가요?") for _ in range(4))
    )
    took = time.perf_counter() - started
    tick.cancel()
    await service.close()
    assert all(a.answered for a in answers)
    assert slow_ask["peak"] == 2  # never more than the limit at once
    assert 1.95 < took < 6.0  # two rounds of 1 s (wide: this VM stalls at times)
    assert gaps and max(gaps) < 0.8  # the loop never stalled for a question's 1 s


@pytest.mark.asyncio
async def test_too_many_waiting_questions_are_refused(settings, slow_ask) -> None:
    service = QAService(settings, limits(concurrency=1, max_waiting=1))
    await service.start()
    tasks = [asyncio.create_task(service.ask("지아이랩의 대표는?")) for _ in range(3)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    await service.close()
    assert sum(isinstance(r, Busy) for r in results) == 1


@pytest.mark.asyncio
async def test_slow_questions_time_out(settings, slow_ask) -> None:
    slow_ask["delay"] = 1.0
    service = QAService(settings, limits(timeout_s=1.0))
    await service.start()
    service.limits = limits(timeout_s=0.2)
    with pytest.raises(TimeoutError):
        await service.ask("지아이랩의 대표는?")
    await service.close()


@pytest.mark.asyncio
async def test_new_index_generation_is_swapped_in_without_dropping_a_question(
    settings, seeds, slow_ask
) -> None:
    service = QAService(settings, limits())
    await service.start()
    old = service.pipeline
    in_flight = asyncio.create_task(service.ask("지아이랩의 대표는 누구인가요?"))
    await asyncio.sleep(0.05)
    (seeds / "new.txt").write_text(
        "광주시는 양자컴퓨터 연구소를 새로 연다고 밝혔다. 연구소는 내년에 문을 연다.",
        encoding="utf-8",
    )
    await asyncio.to_thread(build_index, settings)  # what `newsqa index` does from another process
    for _ in range(100):  # the watcher polls every 0.05 s
        if service.pipeline is not old:
            break
        await asyncio.sleep(0.05)
    assert service.pipeline is not old and "new" in service.pipeline.index.articles
    assert (await in_flight).answered  # the question that started on the old index finished
    answer = await service.ask("양자컴퓨터 연구소는 언제 문을 여나요?")
    assert answer.answered and answer.sources[0].article_id == "new"
    await service.close()


@pytest.mark.asyncio
async def test_reindex_reports_and_switches(settings, seeds) -> None:
    service = QAService(settings, limits(reload_s=60))
    await service.start()
    (seeds / "004_ecd383afc86f028b.txt").unlink()
    report = await service.reindex()
    assert report.summary.removed == 1
    assert "004_ecd383afc86f028b" not in service.pipeline.index.articles
    await service.close()


def test_token_is_never_shown(monkeypatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.secret-token")
    settings = load_bot_settings()
    assert isinstance(settings.token, Secret)
    for shown in (str(settings.token), repr(settings.token), repr(settings), f"{settings.token}"):
        assert "secret-token" not in shown
    assert settings.token.reveal() == "MTIz.secret-token"


def test_bad_bot_settings_are_refused(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_BOT_CHANNELS", "123,abc")
    with pytest.raises(SettingsError):
        load_bot_settings()


@pytest.mark.asyncio
async def test_timed_out_questions_do_not_hide_the_backlog(settings, slow_ask, caplog) -> None:
    """Abandoned work still counts until a worker finishes it, so Busy keeps protecting users."""
    caplog.set_level(logging.INFO, logger="newsqa.bot")
    slow_ask["delay"] = 0.8
    service = QAService(settings, limits(concurrency=1, max_waiting=1, timeout_s=5.0))
    await service.start()
    service.limits = limits(concurrency=1, max_waiting=1, timeout_s=0.2)
    results = await asyncio.gather(
        *(service.ask("지아이랩의 대표는?") for _ in range(3)), return_exceptions=True
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Busy", "TimeoutError", "TimeoutError"]
    assert service.busy >= 1  # the running one is still being worked on
    await service.drain(3.0)
    assert service.busy == 0
    outcomes = [r.getMessage() for r in caplog.records if "outcome=" in r.getMessage()]
    assert len(outcomes) == 3 and all("latency_ms=" in o for o in outcomes)
    await service.close()


def test_threads_under_an_allowed_channel_are_allowed(tmp_path) -> None:
    from types import SimpleNamespace

    from bot.client import QABot

    bot = QABot.__new__(QABot)
    bot.limits = limits(channels=frozenset({10}))
    assert bot.channel_allowed(SimpleNamespace(id=10))
    assert bot.channel_allowed(SimpleNamespace(id=99, parent_id=10))
    assert not bot.channel_allowed(SimpleNamespace(id=99, parent_id=11))

"""The bot's service layer without Discord: off-loop answering, limits, reindex and index swap."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator

import pytest

from bot.config import BotSettings, Secret, load_bot_settings
from bot.service import Busy, QAService
from retrieval.errors import SettingsError
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


class HeldAsks:
    """Every question waits in its worker thread until `release` is set; counts threads at once.

    Tests wait for states, never for durations, so a loaded machine cannot change what they see.
    """

    def __init__(self) -> None:
        self.release = threading.Event()
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)

    def leave(self) -> None:
        with self._lock:
            self.running -= 1


@pytest.fixture
def held(monkeypatch) -> Iterator[HeldAsks]:
    state = HeldAsks()
    real = Pipeline.ask

    def ask(self, question, follow_up=None):
        state.enter()
        try:
            state.release.wait(60)  # bounded: a test that never releases fails, not hangs
            return real(self, question, follow_up)
        finally:
            state.leave()

    monkeypatch.setattr(Pipeline, "ask", ask)
    yield state
    state.release.set()  # no worker left waiting when the test ends


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll the event loop until `condition` holds; the timeout only bounds a failure."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_questions_run_in_threads_with_bounded_concurrency(settings, held) -> None:
    """While two questions are held in workers the loop still runs (it sees them: it could not,
    were they on it), the other two wait, and no third starts."""
    service = QAService(settings, limits(concurrency=2))
    await service.start()
    asked = [asyncio.create_task(service.ask("지아이랩의 대표는 누구인가요?")) for _ in range(4)]
    await until(lambda: held.running == 2 and service.busy == 4)
    held.release.set()
    answers = await asyncio.gather(*asked)
    await service.close()
    assert all(a.answered for a in answers)
    assert held.peak == 2  # never more than the limit at once


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_too_many_waiting_questions_are_refused(settings, held) -> None:
    service = QAService(settings, limits(concurrency=1, max_waiting=1))
    await service.start()
    tasks = [asyncio.create_task(service.ask("지아이랩의 대표는?")) for _ in range(3)]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    assert [type(t.exception()) for t in done] == [Busy]  # one running, one waiting, one refused
    held.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    await service.close()
    assert sum(isinstance(r, Busy) for r in results) == 1


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_slow_questions_time_out(settings, held) -> None:
    service = QAService(settings, limits(timeout_s=0.2))
    await service.start()
    with pytest.raises(TimeoutError):
        await service.ask("지아이랩의 대표는?")
    held.release.set()
    await service.close()


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_new_index_generation_is_swapped_in_without_dropping_a_question(
    settings, seeds, held
) -> None:
    service = QAService(settings, limits())
    await service.start()
    old = service.pipeline
    in_flight = asyncio.create_task(service.ask("지아이랩의 대표는 누구인가요?"))
    await until(lambda: held.running == 1)
    (seeds / "new.txt").write_text(
        "광주시는 양자컴퓨터 연구소를 새로 연다고 밝혔다. 연구소는 내년에 문을 연다.",
        encoding="utf-8",
    )
    await asyncio.to_thread(build_index, settings)  # what `newsqa index` does from another process
    await until(lambda: service.pipeline is not old)  # the watcher polls every 0.05 s
    assert "new" in service.pipeline.index.articles
    assert not in_flight.done()  # swapped while the question was still running
    held.release.set()
    assert (await in_flight).answered  # the question that started on the old index finished
    answer = await service.ask("양자컴퓨터 연구소는 언제 문을 여나요?")
    assert answer.answered and answer.sources[0].article_id == "new"
    await service.close()


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
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
@pytest.mark.usefixtures("seeds_indexed")
async def test_timed_out_questions_do_not_hide_the_backlog(settings, held, caplog) -> None:
    """Abandoned work still counts until a worker finishes it, so Busy keeps protecting users."""
    caplog.set_level(logging.INFO, logger="newsqa.bot")
    service = QAService(settings, limits(concurrency=1, max_waiting=1, timeout_s=0.2))
    await service.start()
    results = await asyncio.gather(
        *(service.ask("지아이랩의 대표는?") for _ in range(3)), return_exceptions=True
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Busy", "TimeoutError", "TimeoutError"]
    assert service.busy >= 1  # the running one is still being worked on
    held.release.set()
    await until(lambda: service.busy == 0)
    outcomes = [r.getMessage() for r in caplog.records if "outcome=" in r.getMessage()]
    assert len(outcomes) == 3 and all("latency_ms=" in o for o in outcomes)
    await service.close()


def test_threads_under_an_allowed_channel_are_allowed(settings, tmp_path) -> None:
    from types import SimpleNamespace

    from bot.client import QABot
    from bot.records import AnswerStore, FeedbackLog

    allowed = limits(channels=frozenset({10}), data_dir=tmp_path / "bot-data")
    answers = AnswerStore(allowed.answers_db)
    bot = QABot(
        QAService(settings, allowed),
        allowed,
        answers,
        FeedbackLog(allowed.feedback_log),
        start_service=False,
    )
    try:
        assert bot.channel_allowed(SimpleNamespace(id=10))
        assert bot.channel_allowed(SimpleNamespace(id=99, parent_id=10))
        assert not bot.channel_allowed(SimpleNamespace(id=99, parent_id=11))
    finally:
        answers.close()


@pytest.mark.slow  # real filesystem events; the watch waits for each file to settle
@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_with_the_watch_on_a_dropped_file_is_answered_with_no_command(
    settings, seeds
) -> None:
    """NEWSQA_BOT_WATCH=1: no `newsqa index`, no /reindex. The poll for new generations is
    slowed to a minute, so the switch seen here is the one the watch's commit asks for."""
    service = QAService(settings, limits(reload_s=60, watch=True))
    await service.start()
    try:
        (seeds / "quantum.txt").write_text(
            "광주시는 양자컴퓨터 연구소를 연다고 밝혔다. 연구소는 첨단3지구에 들어선다.",
            encoding="utf-8",
        )
        await until(lambda: "quantum" in service.pipeline.index.articles, timeout=60)
        answer = await service.ask("양자컴퓨터 연구소는 어디에 들어서나요?")
        assert answer.answered and answer.sources[0].article_id == "quantum"
        (seeds / "quantum.txt").unlink()
        await until(lambda: "quantum" not in service.pipeline.index.articles, timeout=60)
    finally:
        await service.close()
    watching = [t for t in threading.enumerate() if t.name == "newsqa-article-watch"]
    assert watching == []  # stopped with the service, not left running


@pytest.mark.asyncio
@pytest.mark.usefixtures("seeds_indexed")
async def test_a_listing_is_read_once_for_its_pages_and_again_for_a_new_index(
    settings, seeds, monkeypatch
) -> None:
    import bot.service

    calls: list[str | None] = []
    real = bot.service.list_articles

    def counted(index, since, query):
        calls.append(query)
        return real(index, since, query)

    monkeypatch.setattr(bot.service, "list_articles", counted)
    service = QAService(settings, limits(reload_s=60))
    await service.start()
    try:
        first = await service.listing("광주")
        assert await service.listing("광주") == first and calls == ["광주"]  # a page button
        (seeds / "004_ecd383afc86f028b.txt").unlink()
        await service.reindex()
        after = await service.listing("광주")
        assert calls == ["광주", "광주"] and len(after) == len(first) - 1
        assert [key[1] for key in service._listings] == ["광주"]  # the old index's is gone
    finally:
        await service.close()

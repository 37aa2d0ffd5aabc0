"""The bot through the real discord.py client, against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.client import QABot
from bot.config import BotSettings
from bot.records import AnswerStore, FeedbackLog
from bot.service import Busy, QAService
from fake_discord import FakeDiscord, Recorded, running
from retrieval.config import Settings
from retrieval.pipeline import Pipeline, build_index
from retrieval.types import Answer, FollowUp, Quote, Source

ORIGINAL = f"/webhooks/{FakeDiscord.APP_ID}/"
CHANNEL_MESSAGES = f"/channels/{FakeDiscord.CHANNEL_ID}/messages"
MENTION = f"<@{FakeDiscord.BOT_ID}>"
EPHEMERAL = 64

# End to end: each test starts the bot (building its index) and talks to it through discord.py.
pytestmark = pytest.mark.slow


def limits(tmp_path: Path, **changes) -> BotSettings:
    base = {
        "concurrency": 2,
        "max_waiting": 20,
        "timeout_s": 10.0,
        "cooldown_s": 0.0,
        "reload_s": 0.1,
        "data_dir": tmp_path / "bot-data",
    }
    return BotSettings(**(base | changes))


def make_bot(settings: Settings, bot_limits: BotSettings) -> QABot:
    return QABot(
        QAService(settings, bot_limits),
        bot_limits,
        AnswerStore(bot_limits.answers_db),
        FeedbackLog(bot_limits.feedback_log),
        guild_ready_timeout=0.05,
    )


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def bot_limits(tmp_path: Path) -> BotSettings:
    return limits(tmp_path)


@pytest_asyncio.fixture
async def qabot(
    fake: FakeDiscord, settings: Settings, bot_limits: BotSettings
) -> AsyncIterator[QABot]:
    async with running(make_bot(settings, bot_limits)) as bot:
        yield bot


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll the event loop until `condition` holds; the timeout only bounds a failure."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


def edited(interaction) -> callable:
    return lambda r: r.method == "PATCH" and r.path == interaction.original_path and r.status == 200


def callback_of(fake: FakeDiscord, interaction) -> Recorded:
    return next(r for r in fake.requests if r.path == interaction.callback_path)


def embed_of(record: Recorded) -> dict:
    (embed,) = record.json["embeds"]
    return embed


def custom_ids(record: Recorded) -> list[str]:
    return [c["custom_id"] for row in record.json.get("components", []) for c in row["components"]]


@pytest.mark.asyncio
async def test_login_and_ready_without_privileged_intents(fake: FakeDiscord, qabot: QABot) -> None:
    privileged = discord.Intents(members=True, presences=True, message_content=True).value
    assert fake.identify["intents"] == discord.Intents.default().value
    assert fake.identify["intents"] & privileged == 0  # as sent by the bot, not the library
    assert qabot.service.pipeline is not None


@pytest.mark.asyncio
async def test_ask_defers_then_edits_with_embed_and_buttons(
    fake: FakeDiscord, qabot: QABot
) -> None:
    interaction = await fake.slash("ask", {"question": "벤처기업협회의 회원사는 몇 개인가요?"})
    edit = await fake.wait_for(edited(interaction), timeout=10)
    assert callback_of(fake, interaction).json["type"] == 5  # deferred first
    embed = embed_of(edit)
    assert "1만8200" in embed["description"] and embed["description"].startswith("> ")
    assert embed["fields"][0]["name"] == "출처 1" and "뉴스21" in embed["fields"][0]["value"]
    assert edit.json["allowed_mentions"] == {"parse": []}
    ids = custom_ids(edit)
    assert [i.split(":")[1] for i in ids] == ["vote", "vote", "sources"]


@pytest.mark.asyncio
async def test_mention_gets_a_reply_with_the_same_answer(fake: FakeDiscord, qabot: QABot) -> None:
    question_id = await fake.message(f"{MENTION} 지아이랩의 대표는 누구인가요?", mention_bot=True)
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES, timeout=10
    )
    assert int(reply.json["message_reference"]["message_id"]) == question_id
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert "전창호" in embed_of(reply)["description"]
    assert any(r.path.endswith("/typing") for r in fake.requests)


@pytest.mark.asyncio
async def test_plain_messages_and_other_bots_are_ignored(fake: FakeDiscord, qabot: QABot) -> None:
    await fake.message("지아이랩의 대표는 누구인가요?")
    await fake.message(
        f"{MENTION} 봇끼리는 대화하지 않는다", mention_bot=True, author_id=FakeDiscord.BOT_ID
    )
    # Events are handled in order: once a later mention is answered, the two before it were
    # seen, and anything the bot did for them (typing, answering) had begun before.
    asked = await fake.message(f"{MENTION} 지아이랩의 대표는 누구인가요?", mention_bot=True)
    await fake.wait_for(lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES, timeout=10)
    replies = [r for r in fake.requests if r.method == "POST" and r.path == CHANNEL_MESSAGES]
    assert [int(r.json["message_reference"]["message_id"]) for r in replies] == [asked]
    assert sum(r.path.endswith("/typing") for r in fake.requests) == 1


@pytest.mark.asyncio
async def test_not_found_is_a_short_sentence_without_sources(
    fake: FakeDiscord, qabot: QABot
) -> None:
    interaction = await fake.slash(
        "ask", {"question": "코스피가 5000포인트를 돌파한 날은 언제인가요?"}
    )
    edit = await fake.wait_for(edited(interaction), timeout=10)
    assert edit.json["content"].startswith("관련 기사를 찾지 못했습니다")
    assert not edit.json.get("embeds")
    assert all(not i.startswith("newsqa:sources") for i in custom_ids(edit))


@pytest.mark.asyncio
async def test_everyone_and_markdown_in_articles_do_not_ping_or_break(
    fake: FakeDiscord, qabot: QABot, seeds: Path, settings: Settings
) -> None:
    (seeds / "ping.txt").write_text(
        "@everyone 광주시는 *특별* 양자컴퓨터 연구소를 _새로_ 연다고 밝혔다. <@&123456789012345678> 역할과 <@234567890123456789> 사용자도 언급됐다.",
        encoding="utf-8",
    )
    await qabot.service.reindex()
    interaction = await fake.slash("ask", {"question": "광주시는 어떤 양자컴퓨터 연구소를 여나요?"})
    edit = await fake.wait_for(edited(interaction), timeout=10)
    description = embed_of(edit)["description"]
    assert edit.json["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in description and "@\u200beveryone" in description
    assert (
        "<@&123456789012345678>" not in description and "<@234567890123456789>" not in description
    )
    assert "\\*특별\\*" in description and "\\_새로\\_" in description


@pytest.mark.asyncio
async def test_cooldown_gets_an_ephemeral_korean_message(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    async with running(make_bot(settings, limits(tmp_path, cooldown_s=60))):
        first = await fake.slash("ask", {"question": "지아이랩의 대표는 누구인가요?"})
        await fake.wait_for(edited(first), timeout=10)
        second = await fake.slash("ask", {"question": "체인브리지의 대표이사는 누구인가요?"})
        reply = await fake.wait_for(lambda r: r.path == second.callback_path, timeout=10)
        assert reply.json["type"] == 4 and reply.json["data"]["flags"] == EPHEMERAL
        assert "초 뒤에 다시" in reply.json["data"]["content"]


@pytest.mark.asyncio
async def test_a_very_long_answer_stays_inside_every_limit(
    fake: FakeDiscord, qabot: QABot, monkeypatch
) -> None:
    long_quote = "광주시는 인공지능 산업을 키운다고 밝혔다. " * 400
    source = Source(
        1, "x", "긴 제목 " * 80, "언론사 " * 30, "2024-03-07", "https://news.example/" + "a" * 450
    )
    answer = Answer(
        question="긴 질문",
        answered=True,
        quotes=tuple(Quote(long_quote, "x", 0, 1, 1.0, 1) for _ in range(3)),
        sources=(source,),
        mode="lexical",
        took_ms=1.0,
    )

    async def ask(question: str, follow_up: FollowUp | None = None) -> Answer:
        return answer

    monkeypatch.setattr(qabot.service, "ask", ask)
    interaction = await fake.slash("ask", {"question": "아무 질문 " * 50})
    embed = embed_of(await fake.wait_for(edited(interaction), timeout=10))
    total = (
        len(embed["title"])
        + len(embed["description"])
        + len(embed["footer"]["text"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert all(len(f["value"]) <= 1024 for f in embed["fields"]) and total <= 6000
    assert embed["description"].endswith("**[1]**")


@pytest.mark.asyncio
async def test_feedback_click_after_a_restart_is_logged(
    fake: FakeDiscord, settings: Settings, bot_limits: BotSettings
) -> None:
    async with running(make_bot(settings, bot_limits)):
        interaction = await fake.slash("ask", {"question": "지아이랩의 대표는 누구인가요?"})
        edit = await fake.wait_for(edited(interaction), timeout=10)
    down = next(i for i in custom_ids(edit) if i.startswith("newsqa:vote:down"))
    sources = next(i for i in custom_ids(edit) if i.startswith("newsqa:sources"))
    async with running(make_bot(settings, bot_limits)):  # a new process: it never saw that message
        click = await fake.click(down, message_id=987654321, user_id=FakeDiscord.OTHER_USER_ID)
        thanks = await fake.wait_for(lambda r: r.path == click.callback_path, timeout=10)
        more = await fake.click(sources, message_id=987654322)
        followup = f"/webhooks/{FakeDiscord.APP_ID}/{more.token}"
        listing = await fake.wait_for(
            lambda r: r.method == "POST" and r.path == followup, timeout=10
        )
        # The vote is written after the thanks (the 3 s deadline comes first): wait for it.
        for _ in range(200):
            if bot_limits.feedback_log.exists() and bot_limits.feedback_log.read_text():
                break
            await asyncio.sleep(0.05)
    assert (
        thanks.json["data"]["flags"] == EPHEMERAL
        and "의견 고맙습니다" in thanks.json["data"]["content"]
    )
    assert callback_of(fake, more).json["data"]["flags"] == EPHEMERAL  # deferred, ephemeral
    assert listing.json["flags"] == EPHEMERAL
    assert listing.json["embeds"][0]["title"] == "출처 더보기"
    (entry,) = [json.loads(line) for line in bot_limits.feedback_log.read_text().splitlines()]
    assert entry["vote"] == "down" and entry["question"] == "지아이랩의 대표는 누구인가요?"
    assert entry["articles"] == ["003_9ef72064848059dd"]
    assert entry["user"] != str(FakeDiscord.OTHER_USER_ID) and len(entry["user"]) == 16


@pytest.mark.asyncio
async def test_sync_payload_carries_korean_localizations(fake: FakeDiscord, qabot: QABot) -> None:
    guild = discord.Object(id=FakeDiscord.GUILD_ID)
    qabot.tree.copy_global_to(guild=guild)
    await qabot.tree.sync(guild=guild)
    put = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
    commands = {c["name"]: c for c in put.json}
    assert commands["ask"]["name_localizations"] == {"ko": "질문"}
    assert commands["ask"]["options"][0]["name_localizations"] == {"ko": "질문내용"}
    assert commands["ask"]["description_localizations"]["ko"] == commands["ask"]["description"]
    assert commands["reindex"]["name_localizations"] == {"ko": "재색인"}
    assert commands["help"]["name_localizations"] == {"ko": "도움말"}
    assert commands["articles"]["name_localizations"] == {"ko": "기사"}
    assert commands["articles"]["options"][0]["name_localizations"] == {"ko": "검색어"}
    assert commands["articles"]["options"][0]["max_length"] == 50
    assert (
        int(commands["reindex"]["default_member_permissions"])
        == discord.Permissions(manage_guild=True).value
    )


@pytest.mark.asyncio
async def test_index_updated_on_disk_is_picked_up_while_running(
    fake: FakeDiscord, qabot: QABot, seeds: Path, settings: Settings
) -> None:
    old = qabot.service.pipeline
    (seeds / "quantum.txt").write_text(
        "광주시는 양자컴퓨터 연구소를 내년에 연다고 밝혔다. 연구소는 첨단3지구에 들어선다.",
        encoding="utf-8",
    )
    await asyncio.to_thread(build_index, settings)  # `newsqa index` from another process
    await until(lambda: qabot.service.pipeline is not old)
    interaction = await fake.slash("ask", {"question": "양자컴퓨터 연구소는 어디에 들어서나요?"})
    edit = await fake.wait_for(edited(interaction), timeout=10)
    assert "첨단3지구" in embed_of(edit)["description"]


@pytest.mark.asyncio
async def test_a_429_on_send_is_retried(fake: FakeDiscord, qabot: QABot) -> None:
    fake.rate_limit_next_messages = 1
    await fake.message(f"{MENTION} 지아이랩의 대표는 누구인가요?", mention_bot=True)
    sent = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES and r.status == 200, timeout=10
    )
    statuses = [
        r.status for r in fake.requests if r.method == "POST" and r.path == CHANNEL_MESSAGES
    ]
    assert statuses == [429, 200] and "전창호" in embed_of(sent)["description"]


@pytest.mark.asyncio
async def test_concurrent_asks_are_all_acknowledged_before_any_answer_is_ready(
    fake: FakeDiscord, settings: Settings, tmp_path: Path, monkeypatch
) -> None:
    """Every question is held in its worker until all five interactions were acknowledged: a
    bot that answered before deferring would never be acknowledged, whatever the machine's
    speed. Then all five are answered, never more than two at once."""
    real = Pipeline.ask
    active, peak, lock, release = [0], [0], threading.Lock(), threading.Event()

    def held(self, question, follow_up=None):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        release.wait(60)
        with lock:
            active[0] -= 1
        return real(self, question, follow_up)

    monkeypatch.setattr(Pipeline, "ask", held)
    async with running(make_bot(settings, limits(tmp_path, concurrency=2))):
        try:
            interactions = [
                await fake.slash(
                    "ask",
                    {"question": "지아이랩의 대표는 누구인가요?"},
                    user_id=FakeDiscord.USER_ID + n,
                )
                for n in range(5)
            ]
            for interaction in interactions:
                await fake.wait_for(lambda r, i=interaction: r.path == i.callback_path, timeout=10)
        finally:
            release.set()
        edits = [await fake.wait_for(edited(i), timeout=15) for i in interactions]
    assert all(callback_of(fake, i).status == 200 for i in interactions)  # no 10062
    assert all(callback_of(fake, i).json["type"] == 5 for i in interactions)  # deferred
    assert all("전창호" in embed_of(e)["description"] for e in edits)
    assert peak[0] == 2


@pytest.mark.asyncio
async def test_reindex_is_admin_only_and_reports_a_summary(fake: FakeDiscord, qabot: QABot) -> None:
    refused = await fake.slash("reindex")
    reply = await fake.wait_for(lambda r: r.path == refused.callback_path, timeout=10)
    assert reply.json["data"]["flags"] == EPHEMERAL and "관리 권한" in reply.json["data"]["content"]
    manage_guild = str(discord.Permissions(manage_guild=True).value)
    allowed = await fake.slash("reindex", member_permissions=manage_guild)
    edit = await fake.wait_for(edited(allowed), timeout=20)
    assert callback_of(fake, allowed).json["data"]["flags"] == EPHEMERAL
    assert edit.json["content"].startswith("색인 완료") and "변경 없음 5건" in edit.json["content"]


@pytest.mark.asyncio
async def test_channel_allow_list(fake: FakeDiscord, settings: Settings, tmp_path: Path) -> None:
    async with running(
        make_bot(settings, limits(tmp_path, channels=frozenset({FakeDiscord.CHANNEL_ID})))
    ):
        other = await fake.slash(
            "ask", {"question": "지아이랩의 대표는?"}, channel_id=FakeDiscord.OTHER_CHANNEL_ID
        )
        reply = await fake.wait_for(lambda r: r.path == other.callback_path, timeout=10)
        assert (
            reply.json["data"]["flags"] == EPHEMERAL and "이 채널" in reply.json["data"]["content"]
        )


def test_missing_token_is_one_line_and_exit_2(capsys) -> None:
    from bot.__main__ import main

    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "DISCORD_TOKEN" in err


@pytest.mark.asyncio
async def test_rejected_token_is_one_line_and_never_logged(
    fake: FakeDiscord, monkeypatch, capsys, caplog, tmp_path: Path, seeds: Path
) -> None:
    from bot import __main__ as entry
    from bot import launch

    fake.accepted_token = "the-right-token"
    monkeypatch.setenv("DISCORD_TOKEN", "wrong-secret-token")
    monkeypatch.setenv("NEWSQA_ARTICLES", str(seeds))
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("NEWSQA_MODEL", "none")
    monkeypatch.setenv("NEWSQA_BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(launch.asyncio, "run", lambda coro: _run_here(coro))
    handlers = list(logging.getLogger().handlers)
    try:
        code = await asyncio.to_thread(entry.main, [])
    finally:  # the entry point installs discord.py's log handler on the root logger
        logging.getLogger().handlers[:] = handlers
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == launch.BAD_TOKEN  # one sentence after the log lines
    assert "wrong-secret-token" not in err + caplog.text


@pytest.mark.asyncio
async def test_slash_questions_are_as_long_as_the_setting_allows(
    fake: FakeDiscord, monkeypatch, capsys, tmp_path: Path
) -> None:
    """NEWSQA_MAX_QUESTION_CHARS, which the CLI and mentions obey, is the longest question
    Discord's client lets users type into /ask, through `python -m bot --sync`."""
    from bot import __main__ as entry
    from bot import launch

    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("NEWSQA_MAX_QUESTION_CHARS", "800")
    monkeypatch.setenv("NEWSQA_BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(launch.asyncio, "run", lambda coro: _run_here(coro))
    handlers = list(logging.getLogger().handlers)
    try:
        code = await asyncio.to_thread(entry.main, ["--sync", "--guild", str(FakeDiscord.GUILD_ID)])
    finally:  # the entry point installs discord.py's log handler on the root logger
        logging.getLogger().handlers[:] = handlers
    assert code == 0, capsys.readouterr().err
    ask = next(c for c in fake.commands[FakeDiscord.GUILD_ID] if c["name"] == "ask")
    (question,) = ask["options"]
    assert (question["min_length"], question["max_length"]) == (1, 800)


_LOOP: list[asyncio.AbstractEventLoop] = []


def _run_here(coro):
    """Run the entry point's coroutine on the test's loop (the fake lives there)."""
    return asyncio.run_coroutine_threadsafe(coro, _LOOP[0]).result(60)


@pytest_asyncio.fixture(autouse=True)
async def _loop_for_entry():
    _LOOP[:] = [asyncio.get_running_loop()]
    yield


@pytest.mark.asyncio
async def test_sigterm_closes_the_bot_gracefully(
    fake: FakeDiscord, settings: Settings, bot_limits
) -> None:
    import os
    import signal

    from bot.launch import serve

    bot = make_bot(settings, bot_limits)
    task = asyncio.create_task(serve(bot, "fake-token"))
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    loop = asyncio.get_running_loop()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, 10)  # serve() returns instead of the process dying
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    assert bot.is_closed()
    with pytest.raises(sqlite3.ProgrammingError):  # serve() returned after the store closed
        bot.answers.get("0123456789abcdef")


@pytest.mark.allow_errors
@pytest.mark.asyncio
async def test_unexpected_failure_on_a_mention_gets_a_korean_reply(
    fake: FakeDiscord, qabot: QABot, monkeypatch
) -> None:
    async def broken(question: str, follow_up: FollowUp | None = None) -> Answer:
        raise RuntimeError("boom")

    monkeypatch.setattr(qabot.service, "ask", broken)
    await fake.message(f"{MENTION} 지아이랩의 대표는 누구인가요?", mention_bot=True)
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES, timeout=10
    )
    assert reply.json["content"] == "답을 찾는 중에 문제가 생겼습니다. 잠시 후 다시 질문해 주세요."


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("failure", "said"), [(TimeoutError, "너무 오래 걸려"), (Busy, "지금 질문이 많아")]
)
async def test_a_slow_or_busy_moment_is_said_to_the_asker_alone(
    fake: FakeDiscord, qabot: QABot, monkeypatch, failure: type[Exception], said: str
) -> None:
    async def refused(question: str, follow_up: FollowUp | None = None) -> Answer:
        raise failure()

    monkeypatch.setattr(qabot.service, "ask", refused)
    interaction = await fake.slash("ask", {"question": "지아이랩의 대표는 누구인가요?"})
    followup = f"/webhooks/{FakeDiscord.APP_ID}/{interaction.token}"
    sent = await fake.wait_for(lambda r: r.method == "POST" and r.path == followup, timeout=10)
    assert sent.json["flags"] == EPHEMERAL and said in sent.json["content"]
    deleted = [r for r in fake.requests if r.method == "DELETE"]
    assert [r.path for r in deleted] == [interaction.original_path]  # no public "thinking…"


@pytest.mark.asyncio
async def test_sync_registers_commands_without_loading_the_index(
    fake: FakeDiscord, settings: Settings, bot_limits: BotSettings
) -> None:
    from bot.launch import sync_commands

    bot = QABot(
        QAService(settings, bot_limits),
        bot_limits,
        AnswerStore(bot_limits.answers_db),
        FeedbackLog(bot_limits.feedback_log),
        start_service=False,
    )
    message = await sync_commands(bot, "fake-token", FakeDiscord.GUILD_ID)
    assert (
        "4개" in message and len(fake.commands[FakeDiscord.GUILD_ID]) == 4
    )  # ask, articles, help, reindex
    assert not settings.index_dir.exists() and bot.service.pipeline is None


PHISH_LINK = "[여기서 지원금 신청](https://phish.example/apply)"
LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


@pytest.mark.asyncio
async def test_article_text_carries_no_live_link_or_discord_syntax(
    fake: FakeDiscord, qabot: QABot, seeds: Path
) -> None:
    body = (
        f"광주시는 청년 지원금을 [공식 안내](https://gov.example/a) 이후 {PHISH_LINK} 에서 받는다고 "
        "밝혔다. 신청은 <#123456789012345678> 채널과 </신청:123456789012345678> 명령으로 "
        "<t:1700000000:R>까지 받는다 <:pepe:123456789012345678>.\u202e 다음\u2066 달\x00부터다."
    )
    outlet = f"광주뉴스 [공식](https://gov.example) {PHISH_LINK}"
    record = {"id": "phish", "title": "지원금 안내", "body": body, "outlet": outlet}
    (seeds / "phish.jsonl").write_text(json.dumps(record), encoding="utf-8")  # \u0000 kept
    await qabot.service.reindex()
    interaction = await fake.slash("ask", {"question": "광주시 청년 지원금은 어디서 받나요?"})
    embed = embed_of(await fake.wait_for(edited(interaction), timeout=10))
    shown = embed["description"] + "".join(f["value"] for f in embed["fields"])
    assert "여기서 지원금 신청" in embed["description"] and "광주뉴스" in shown
    assert not LIVE_MASKED_LINK.search(shown) and "https://" not in shown
    assert not re.search(r"(?<!\\)<", shown)  # channel, command, timestamp, emoji syntax
    assert not {"\u202e", "\u2066", "\x00"} & set(shown)


def manage_guild() -> str:
    return str(discord.Permissions(manage_guild=True).value)


@pytest.mark.asyncio
async def test_reindex_reply_names_no_file_and_no_server_path(
    fake: FakeDiscord, qabot: QABot, seeds: Path
) -> None:
    (seeds / "고객명단_비밀.jsonl").write_text("{not json\n", encoding="utf-8")
    (seeds / "빈파일.txt").write_text("", encoding="utf-8")
    (seeds / "004_ecd383afc86f028b.txt").write_bytes(b"\x00\x01\x02 binary")  # indexed before
    interaction = await fake.slash("reindex", member_permissions=manage_guild())
    content = (await fake.wait_for(edited(interaction), timeout=20)).json["content"]
    assert content.startswith("색인 완료") and "건너뛴 항목이 3개" in content
    for leaked in ("고객명단", "빈파일", "004_ecd383afc86f028b", str(seeds), "/tmp"):
        assert leaked not in content, leaked


@pytest.mark.asyncio
@pytest.mark.parametrize("greeting", ["안녕", "ㅎㅇ", "도움말", "뭐 할 수 있어?"])
async def test_a_greeting_by_mention_gets_help_not_a_search(
    fake: FakeDiscord, qabot: QABot, greeting: str
) -> None:
    await fake.message(f"{MENTION} {greeting}", mention_bot=True)
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES, timeout=10
    )
    content = reply.json["content"]
    assert "관련 기사를 찾지 못했습니다" not in content and not reply.json.get("embeds")
    assert "뉴스 기사 5건" in content and "2024년 10월 2일" in content  # from the open index
    assert "/질문" in content and "예:" in content


@pytest.mark.asyncio
async def test_help_via_ask_and_the_help_command(fake: FakeDiscord, qabot: QABot) -> None:
    for name, options in (("ask", {"question": "안녕하세요!"}), ("help", None)):
        interaction = await fake.slash(name, options)
        edit = await fake.wait_for(edited(interaction), timeout=10)
        assert callback_of(fake, interaction).json["data"]["flags"] == EPHEMERAL
        assert "뉴스 기사 5건" in edit.json["content"] and "/질문" in edit.json["content"]


@pytest.mark.asyncio
async def test_help_figures_follow_a_new_index(
    fake: FakeDiscord, qabot: QABot, seeds: Path
) -> None:
    (seeds / "new.txt").write_text(
        "---\ndate: 2025-01-15\n---\n광주시는 새 연구소를 연다고 밝혔다.", encoding="utf-8"
    )
    await qabot.service.reindex()
    interaction = await fake.slash("help")
    content = (await fake.wait_for(edited(interaction), timeout=10)).json["content"]
    assert "뉴스 기사 6건" in content and "2025년 1월 15일" in content


@pytest.mark.asyncio
async def test_repeated_greetings_post_help_once_and_questions_still_get_answers(
    fake: FakeDiscord, qabot: QABot
) -> None:
    """Help by mention is public: a user repeating "안녕" gets it once, not a channel of it;
    greeting first does not hold back the user's question."""
    for text in ("안녕", "ㅎㅇ", "벤처기업협회의 회원사는 몇 개인가요?"):
        await fake.message(f"{MENTION} {text}", mention_bot=True)
    await fake.wait_for(
        lambda r: r.path == CHANNEL_MESSAGES and bool(r.json.get("embeds")), timeout=20
    )
    posts = [r.json for r in fake.requests if r.method == "POST" and r.path == CHANNEL_MESSAGES]
    helps = [p for p in posts if "/질문" in (p.get("content") or "")]
    assert len(helps) == 1 and len(posts) == 2


THREAD_MESSAGES = f"/channels/{FakeDiscord.THREAD_ID}/messages"


GILAB_SOURCE = "이용섭 시장 “AI 생태계 조성 지원 통한 일자리 창출에 역량 집중할 것”"  # seed 003


def first_quote_source(record: Recorded) -> str:
    """The source the answer card's first quote cites: a follow-up carried from an answer
    about seed 003 quotes that article first. (Which quote holds the fact it asks for,
    인코어드P&P, is the ranking's business, measured by `benchmarks/followups.py`: pair fu15.)"""
    embed = embed_of(record)
    number = int(re.findall(r"\*\*\[(\d+)\]\*\*", embed["description"])[0])
    return str(embed["fields"][number - 1]["value"])


def shown(record: Recorded) -> str:
    """What the user reads: a not-found sentence, or the answer card's text."""
    return record.json.get("content") or embed_of(record)["description"]


def bot_message_id(fake: FakeDiscord, record: Recorded) -> int:
    """The id the fake gave the message the bot posted with `record` (its request body)."""
    sent = [m for m in fake.messages.values() if m["author"]["id"] == str(FakeDiscord.BOT_ID)]
    return int(next(m["id"] for m in reversed(sent) if m["embeds"] == record.json["embeds"]))


@pytest.mark.asyncio
async def test_a_reply_to_an_answer_is_a_follow_up_about_its_subject(
    fake: FakeDiscord, qabot: QABot
) -> None:
    posts = lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES  # noqa: E731
    await fake.message(f"{MENTION} 강기정 시장은 CES 2023에서 어디를 방문했어?", mention_bot=True)
    first = await fake.wait_for(posts, timeout=10)
    assert "C랩 전시관" in embed_of(first)["description"]
    answer_id = bot_message_id(fake, first)

    since = len(fake.requests)
    await fake.message(f"{MENTION} 거기서 누구를 만났어?", mention_bot=True)  # not a reply
    alone = shown(await fake.wait_for(posts, timeout=10, since=since))
    since = len(fake.requests)
    # A reply with the ping on: Discord puts the bot in `mentions`, and no <@id> in the text.
    await fake.message("거기서 누구를 만났어?", mention_bot=True, reply_to=answer_id)
    followed = embed_of(await fake.wait_for(posts, timeout=10, since=since))

    assert "앞 질문" not in alone and "스타트업 대표들" not in alone
    assert followed["description"].startswith(
        "↪ 앞 질문 「강기정 시장은 CES 2023에서 어디를 방문했어?」에 이어서 찾아봤습니다."
    )
    assert "스타트업 대표들" in followed["description"]
    assert "오마이뉴스" in followed["fields"][0]["value"]


@pytest.mark.asyncio
async def test_questions_in_a_thread_follow_the_last_answer_there(
    fake: FakeDiscord, qabot: QABot
) -> None:
    interaction = await fake.slash(
        "ask",
        {"question": "지아이랩과의 협약은 몇 번째 업무협약이었어?"},
        channel_id=FakeDiscord.THREAD_ID,
    )
    first = embed_of(await fake.wait_for(edited(interaction), timeout=10))
    assert "50번째" in first["description"] and "앞 질문" not in first["description"]
    await fake.message(
        f"{MENTION} 첫 협약은 어느 기업과 맺었어?",
        mention_bot=True,
        channel_id=FakeDiscord.THREAD_ID,
    )
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == THREAD_MESSAGES, timeout=10
    )
    description = embed_of(reply)["description"]
    assert description.startswith("↪ 앞 질문 「지아이랩과의 협약은 몇 번째 업무협약이었어?」")
    assert first_quote_source(reply).startswith(GILAB_SOURCE)
    # The same question in the channel the thread hangs off is a new question.
    interaction = await fake.slash("ask", {"question": "첫 협약은 어느 기업과 맺었어?"})
    outside = await fake.wait_for(edited(interaction), timeout=10)
    assert "앞 질문" not in shown(outside)


@pytest.mark.asyncio
async def test_a_thread_started_from_an_answer_follows_that_answer(
    fake: FakeDiscord, qabot: QABot
) -> None:
    posts = lambda r: r.method == "POST" and r.path == CHANNEL_MESSAGES  # noqa: E731
    await fake.message(f"{MENTION} 지아이랩과의 협약은 몇 번째 업무협약이었어?", mention_bot=True)
    answer_id = bot_message_id(fake, await fake.wait_for(posts, timeout=10))
    thread = await fake.start_thread(answer_id)  # the bot has posted nothing in it yet
    await fake.message(
        f"{MENTION} 첫 협약은 어느 기업과 맺었어?", mention_bot=True, channel_id=thread
    )
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == f"/channels/{thread}/messages", timeout=10
    )
    description = embed_of(reply)["description"]
    assert description.startswith("↪ 앞 질문 「지아이랩과의 협약은 몇 번째 업무협약이었어?」")
    assert first_quote_source(reply).startswith(GILAB_SOURCE)


def article_file(folder: Path, n: int, title: str, date: str, url: str | None = None) -> None:
    link = f"url: {url}\n" if url else ""
    (folder / f"list{n:02d}.txt").write_text(
        f"---\ntitle: '{title}'\noutlet: 목록일보\ndate: {date}\n{link}---\n"
        f"광주시는 목록 시험 {n}번 사업을 시작한다고 밝혔다. 사업은 내년까지 이어진다.",
        encoding="utf-8",
    )


def listing_lines(record: Recorded) -> list[str]:
    return embed_of(record)["description"].split("\n")


@pytest.mark.asyncio
async def test_articles_lists_the_newest_first_privately(fake: FakeDiscord, qabot: QABot) -> None:
    interaction = await fake.slash("articles")
    edit = await fake.wait_for(edited(interaction), timeout=10)
    assert callback_of(fake, interaction).json["data"]["flags"] == EPHEMERAL
    embed = embed_of(edit)
    assert embed["title"] == "색인된 기사 5건 (최신순)" and not edit.json.get("components")
    lines = listing_lines(edit)
    assert len(lines) == 5 and [line.split(".**")[0] for line in lines] == [
        f"**{n}" for n in range(1, 6)
    ]
    shown_dates = [re.search(r"(\d{4})년 (\d+)월", line) for line in lines]
    dated = [(int(m[1]), int(m[2])) for m in shown_dates if m]
    assert dated == sorted(dated, reverse=True) and len(dated) >= 2  # newest first
    assert "벤처기업협회" in lines[dated.index((2024, 3))]


@pytest.mark.asyncio
async def test_articles_with_a_word_lists_only_the_matching_ones(
    fake: FakeDiscord, qabot: QABot
) -> None:
    interaction = await fake.slash("articles", {"query": "벤처기업협회"})
    embed = embed_of(await fake.wait_for(edited(interaction), timeout=10))
    assert embed["title"] == "'벤처기업협회' 기사 1건 (최신순)"
    (line,) = embed["description"].split("\n")
    assert "벤처기업협회와 손잡고" in line and "2024년 3월 7일" in line
    interaction = await fake.slash("articles", {"query": "*양자역학*"})
    none = await fake.wait_for(edited(interaction), timeout=10)
    assert not none.json.get("embeds") and "'\\*양자역학\\*'" in none.json["content"]


@pytest.mark.asyncio
async def test_a_long_listing_is_paged_with_buttons(
    fake: FakeDiscord, qabot: QABot, seeds: Path
) -> None:
    for n in range(1, 15):  # 14 more, dated 2025-01-01 … 2025-01-14: 19 in all
        article_file(
            seeds, n, f"목록 시험 기사 {n}호", f"2025-01-{n:02d}", f"https://news.example/{n}"
        )
    await qabot.service.reindex()
    interaction = await fake.slash("articles")
    first = await fake.wait_for(edited(interaction), timeout=10)
    assert embed_of(first)["title"] == "색인된 기사 19건 (최신순)"
    assert embed_of(first)["footer"]["text"] == "1/2쪽"
    lines = listing_lines(first)
    assert (
        len(lines) == 10 and "목록 시험 기사 14호" in lines[0] and "목록 시험 기사 5호" in lines[9]
    )
    assert "[목록 시험 기사 14호](https://news.example/14)" in lines[0]
    (row,) = first.json["components"]
    buttons = [(b["label"], b.get("disabled", False)) for b in row["components"]]
    assert buttons == [("◀ 이전", True), ("다음 ▶", False)]

    since = len(fake.requests)
    click = await fake.click(row["components"][1]["custom_id"], message_id=interaction.original_id)
    second = await fake.wait_for(
        lambda r: r.method == "PATCH" and r.path == click.original_path, timeout=10, since=since
    )
    assert callback_of(fake, click).json["type"] == 6  # deferred update: the same message
    assert embed_of(second)["footer"]["text"] == "2/2쪽"
    lines = listing_lines(second)
    assert len(lines) == 9 and lines[0].startswith("**11.** ") and "목록 시험 기사 4호" in lines[0]
    (row,) = second.json["components"]
    assert [b.get("disabled", False) for b in row["components"]] == [False, True]
    since = len(fake.requests)
    back = await fake.click(row["components"][0]["custom_id"], message_id=interaction.original_id)
    again = await fake.wait_for(
        lambda r: r.method == "PATCH" and r.path == back.original_path, timeout=10, since=since
    )
    assert listing_lines(again) == listing_lines(first)


@pytest.mark.asyncio
async def test_article_titles_and_names_in_a_listing_are_escaped(
    fake: FakeDiscord, qabot: QABot, seeds: Path
) -> None:
    (seeds / "evil.txt").write_text(
        "---\ntitle: '@everyone *굵게* [가짜](https://evil.example) <@234567890123456789>'\n"
        "outlet: '__밑줄__일보'\ndate: 2025-02-01\nurl: 'javascript:alert(1)'\n---\n"
        "광주시는 악성 제목 시험을 한다고 밝혔다.",
        encoding="utf-8",
    )
    await qabot.service.reindex()
    interaction = await fake.slash("articles", {"query": "굵게"})
    line = embed_of(await fake.wait_for(edited(interaction), timeout=10))["description"]
    assert "@everyone" not in line and "<@234567890123456789>" not in line
    assert "\\*굵게\\*" in line and "\\[가짜\\]" in line and "https\\://evil" in line
    assert "\\_\\_밑줄\\_\\_일보" in line and "javascript" not in line  # no link for that url


@pytest.mark.asyncio
async def test_a_vote_clicked_as_the_bot_stops_is_still_written(
    fake: FakeDiscord, settings: Settings, bot_limits: BotSettings, monkeypatch
) -> None:
    """The thanks goes out before the vote is written; a shutdown in between waits for the
    write instead of closing the store under it."""
    async with running(make_bot(settings, bot_limits)):
        interaction = await fake.slash("ask", {"question": "지아이랩의 대표는 누구인가요?"})
        up = next(
            i
            for i in custom_ids(await fake.wait_for(edited(interaction), timeout=10))
            if i.startswith("newsqa:vote:up")
        )
    slow_get = AnswerStore.get

    def get(store: AnswerStore, answer_id: str) -> Answer | None:
        time.sleep(0.5)  # the bot closes meanwhile
        return slow_get(store, answer_id)

    monkeypatch.setattr(AnswerStore, "get", get)
    async with running(make_bot(settings, bot_limits)):
        click = await fake.click(up)
        await fake.wait_for(lambda r: r.path == click.callback_path, timeout=10)
    (entry,) = [json.loads(line) for line in bot_limits.feedback_log.read_text().splitlines()]
    assert entry["vote"] == "up" and entry["question"] == "지아이랩의 대표는 누구인가요?"


@pytest.mark.asyncio
async def test_an_answer_sent_while_shutting_down_is_not_an_error(
    settings: Settings, bot_limits: BotSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """The reply to a mention goes out, then the bot closes (and its store) before the answer's
    place is written: that is shutdown, not a fault (a warning, no ERROR record)."""
    from types import SimpleNamespace

    bot = make_bot(settings, bot_limits)
    bot.closing = True
    bot.answers.close()
    message = SimpleNamespace(id=1, channel=SimpleNamespace(id=2))
    await bot.posted("0123456789abcdef", message)
    assert [r.levelno for r in caplog.records if r.name == "newsqa.bot"] == [logging.WARNING]

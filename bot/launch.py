"""Starting the bot: `run` serves Discord, or registers the slash commands (`sync`), and turns
what can go wrong on the way (no token, a rejected one, no network) into one Korean sentence.

`newsqa bot` and `python -m bot` both call `run` with settings they have read.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys

import aiohttp
import discord

from bot.client import QABot
from bot.config import BotSettings
from bot.records import AnswerStore, FeedbackLog
from bot.service import QAService
from retrieval.config import Settings
from retrieval.errors import user_message

log = logging.getLogger("newsqa.bot")
NO_TOKEN = "DISCORD_TOKEN이 설정되지 않았습니다. .env 파일이나 환경 변수에 봇 토큰을 넣어 주세요."
BAD_TOKEN = "디스코드가 봇 토큰을 거부했습니다. DISCORD_TOKEN 값이 맞는지 확인해 주세요."
INTENTS = "디스코드가 요청한 권한(intent)을 거부했습니다. 개발자 포털의 봇 설정을 확인해 주세요."
NO_NETWORK = "디스코드 서버에 연결하지 못했습니다. 인터넷 연결과 DNS·방화벽 설정을 확인한 뒤 다시 실행해 주세요."
# Failing to reach Discord (DNS, refused, reset, TLS, timeouts): socket errors are OSErrors, and
# must not be explained as a file that could not be read or written.
NETWORK_ERRORS = (
    aiohttp.ClientConnectionError,
    socket.gaierror,
    ConnectionRefusedError,
    ConnectionResetError,
    ConnectionAbortedError,
    discord.GatewayNotFound,
)


def make_bot(settings: Settings, limits: BotSettings, *, start_service: bool = True) -> QABot:
    """The bot and what it owns; `start_service=False` (registering commands) loads no index."""
    return QABot(
        QAService(settings, limits),
        limits,
        AnswerStore(limits.answers_db),
        FeedbackLog(limits.feedback_log),
        start_service=start_service,
    )


def unreachable(exc: BaseException) -> bool:
    """Whether `exc`, or an exception it was raised from, is a failure to reach Discord."""
    seen: BaseException | None = exc
    for _ in range(10):  # a chain of causes, never a cycle
        if seen is None:
            return False
        if isinstance(seen, NETWORK_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def configure_logging() -> None:
    """One console handler: `newsqa bot` arrives with the CLI's `basicConfig` handler on the root
    logger, and with discord.py's coloured one beside it every line was printed twice."""
    root = logging.getLogger()
    consoles = {sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__}
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and handler.stream in consoles:
            root.removeHandler(handler)
    discord.utils.setup_logging(level=logging.INFO)


async def sync_commands(bot: QABot, token: str, guild_id: int | None) -> str:
    async with bot:
        await bot.login(token)
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            return f"서버 {guild_id}에 슬래시 명령 {len(synced)}개를 등록했습니다."
        synced = await bot.tree.sync()
        return f"슬래시 명령 {len(synced)}개를 전역으로 등록했습니다 (반영까지 최대 1시간)."


async def serve(bot: QABot, token: str) -> None:
    """Run until Discord closes us or SIGTERM/SIGINT asks us to stop."""
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []  # keep a reference: an unreferenced task may vanish
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: closing.append(loop.create_task(bot.close())))
    async with bot:
        await bot.start(token)
    # start() returns once the gateway is closed, while close() still lets the work under way
    # finish and closes the store: wait for it, or asyncio.run would cancel it.
    await asyncio.gather(*closing)


def run(
    settings: Settings, limits: BotSettings, *, sync: bool = False, guild: int | None = None
) -> int:
    """Serve until stopped, or with `sync` register the slash commands (in `guild` at once, else
    in `limits.dev_guild`, else globally) and return; the exit status for the shell."""
    if limits.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging()
    bot = make_bot(settings, limits, start_service=not sync)
    token = limits.token.reveal()
    try:
        if sync:
            print(asyncio.run(sync_commands(bot, token, guild or limits.dev_guild)))
        else:
            asyncio.run(serve(bot, token))
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(INTENTS, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - user-facing problems become one sentence
        message = NO_NETWORK if unreachable(exc) else user_message(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1
    return 0

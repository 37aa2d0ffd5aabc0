"""`newsqa bot` / `python -m bot`: run the Discord bot, or register its slash commands (--sync)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys

import aiohttp
import discord

from bot.client import QABot
from bot.config import BotSettings, load_bot_settings
from bot.records import AnswerStore, FeedbackLog
from bot.service import QAService
from retrieval.config import load_env_file, load_settings, retired_settings
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsqa bot", description="디스코드 질의응답 봇을 실행합니다."
    )
    parser.add_argument(
        "--sync",
        action="store_true",
        help="슬래시 명령을 디스코드에 등록하고 끝냅니다 (명령을 바꾼 뒤 한 번)",
    )
    parser.add_argument(
        "--guild",
        type=int,
        help="--sync와 함께: 이 서버(ID)에만 바로 등록합니다 (기본: NEWSQA_BOT_DEV_GUILD)",
    )
    return parser


def make_bot(limits: BotSettings, **options: object) -> QABot:
    settings = load_settings()
    for notice in retired_settings():
        log.warning("%s", notice)
    return QABot(
        QAService(settings, limits),
        limits,
        AnswerStore(limits.answers_db),
        FeedbackLog(limits.feedback_log),
        **options,
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_env_file()  # once, here: the library reads only the environment
    try:
        load_settings()  # validated before the bot's own settings
        limits = load_bot_settings()
    except Exception as exc:  # noqa: BLE001
        message = user_message(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    if limits.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging()
    bot = make_bot(limits, start_service=not args.sync)
    try:
        if args.sync:
            guild = args.guild or limits.dev_guild
            print(asyncio.run(sync_commands(bot, limits.token.reveal(), guild)))
        else:
            asyncio.run(serve(bot, limits.token.reveal()))
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


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot`: run the Discord bot, or register its slash commands (--sync)."""

from __future__ import annotations

import argparse
import sys

from bot.config import load_bot_settings
from bot.launch import run
from retrieval.cli_parser import KoreanArgumentParser
from retrieval.config import load_env_file, load_settings, retired_settings
from retrieval.errors import SettingsError
from retrieval.wording import notice_text


def build_parser() -> argparse.ArgumentParser:
    parser = KoreanArgumentParser(
        prog="python -m bot", description="디스코드 질의응답 봇을 실행합니다."
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_env_file()
    try:
        settings, limits = load_settings(), load_bot_settings()
    except SettingsError as exc:
        print(exc.sentence(), file=sys.stderr)
        return 2
    for notice in retired_settings():
        print(notice_text(notice), file=sys.stderr)
    return run(settings, limits, sync=args.sync, guild=args.guild)


if __name__ == "__main__":
    sys.exit(main())

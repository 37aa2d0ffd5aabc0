"""`newsqa bot` at its edge: one readable log, and a Discord it cannot reach said as such."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import discord
import pytest

from bot import __main__ as entry
from bot import launch

ROOT = Path(__file__).resolve().parents[1]
# `newsqa bot` in a fresh process (the CLI's logging setup included), with discord.py's REST
# base pointed at `url` the way the fake Discord points it at itself.
RUN_BOT = (
    "import sys, discord.http; discord.http.Route.BASE = sys.argv[1]; "
    "from retrieval.cli import main; sys.exit(main(['bot']))"
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def unreachable_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """`newsqa bot` against a port nobody listens on: it logs in, fails, and says why."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env |= {
        "DISCORD_TOKEN": "fake-token",
        "NEWSQA_MODEL": "none",
        "NEWSQA_ARTICLES": str(ROOT / "seeds"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-c", RUN_BOT, f"http://127.0.0.1:{closed_port()}/api/v10"],
        cwd=tmp_path_factory.mktemp("bot-run"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_every_log_line_appears_once_and_no_voice_warnings(
    unreachable_run: subprocess.CompletedProcess[str],
) -> None:
    err = unreachable_run.stderr
    assert err.count("logging in using static token") == 1, err
    assert "voice will NOT be supported" not in err and "PyNaCl" not in err, err


@pytest.mark.slow
def test_a_discord_that_cannot_be_reached_is_said_as_such(
    unreachable_run: subprocess.CompletedProcess[str],
) -> None:
    assert unreachable_run.returncode == 1
    assert unreachable_run.stderr.strip().splitlines()[-1] == launch.NO_NETWORK
    assert "경로와 권한" not in unreachable_run.stderr and "Traceback" not in unreachable_run.stderr


def test_an_unknown_discord_host_is_said_as_such(monkeypatch, capsys, tmp_path: Path) -> None:
    """ "Name or service not known": the DNS failure aiohttp raises at login."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "discord.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(discord.http.Route, "BASE", "http://discord.invalid/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("NEWSQA_MODEL", "none")
    monkeypatch.setenv("NEWSQA_BOT_DATA_DIR", str(tmp_path / "data"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        code = entry.main([])
    finally:  # the entry point installs its log handler on the root logger
        root.handlers[:], root.level = handlers, level
    err = capsys.readouterr().err
    assert code == 1 and err.strip().splitlines()[-1] == launch.NO_NETWORK
    assert "경로와 권한" not in err


def test_only_network_failures_are_taken_for_an_unreachable_discord() -> None:
    dns = aiohttp.ClientConnectorDNSError(
        SimpleNamespace(host="discord.com", port=443, ssl=True),  # the connection key's fields
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    )
    assert launch.unreachable(dns) and launch.unreachable(ConnectionRefusedError(111, "refused"))
    wrapped = RuntimeError("login failed")
    wrapped.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert launch.unreachable(wrapped)
    assert not launch.unreachable(FileNotFoundError(2, "No such file", "/srv/idx"))
    assert not launch.unreachable(PermissionError(13, "Permission denied"))


@pytest.fixture
def started(monkeypatch) -> list[dict[str, object]]:
    """`bot.run` replaced by a recorder: what each entry point would start the bot with."""
    import bot

    calls: list[dict[str, object]] = []

    def run(settings, limits, *, sync: bool = False, guild: int | None = None) -> int:
        calls.append({"settings": settings, "limits": limits, "sync": sync, "guild": guild})
        return 0

    monkeypatch.setattr(bot, "run", run)
    monkeypatch.setattr(entry, "run", run)
    return calls


def test_newsqa_bot_starts_the_bot_through_bot_run(started, monkeypatch) -> None:
    from retrieval.cli import main

    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("NEWSQA_TOP_K", "2")
    monkeypatch.setenv("NEWSQA_BOT_COOLDOWN", "3")
    assert main(["bot", "--sync", "--guild", "42"]) == 0
    (call,) = started
    assert call["sync"] is True and call["guild"] == 42
    assert call["settings"].top_k == 2 and call["limits"].cooldown_s == 3.0
    assert call["limits"].token.reveal() == "fake-token"


@pytest.mark.parametrize("command", ["newsqa bot", "python -m bot"])
def test_both_entry_points_read_dotenv(started, tmp_path: Path, command: str) -> None:
    from retrieval.cli import main

    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-dotenv\nNEWSQA_MAX_QUESTION_CHARS=900\n")
    assert (main(["bot"]) if command == "newsqa bot" else entry.main([])) == 0
    (call,) = started
    assert call["limits"].token.reveal() == "from-dotenv"
    assert call["settings"].max_question_chars == 900

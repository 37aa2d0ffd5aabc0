"""The slash commands: `/ask` (`/질문`), `/articles` (`/기사`), `/help` (`/도움말`) and
`/reindex` (`/재색인`).

They only turn an interaction into calls to the bot (`bot.client.QABot`) and its replies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.help import is_help_request
from bot.listing import QUERY_CHARS
from retrieval.errors import user_message
from retrieval.kiwi_analyser import typed

if TYPE_CHECKING:
    from bot.client import QABot

DISCORD_MAX_OPTION = 6000  # the longest text Discord lets a slash command option take


def ask_command(
    answer: Callable[[discord.Interaction, str], Awaitable[None]], max_chars: int
) -> app_commands.Command[Any, ..., None]:
    """`/ask`, whose question Discord's client keeps within `max_chars` (the setting
    NEWSQA_MAX_QUESTION_CHARS, which the CLI and mentions obey too). A setting, so the command
    is made with the bot rather than declared at import."""

    async def ask(interaction: discord.Interaction, question: str) -> None:
        await answer(interaction, question)

    longest = min(max_chars, DISCORD_MAX_OPTION)
    ask.__annotations__["question"] = app_commands.Range[str, 1, longest]
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name="ask", description="뉴스 기사에서 답을 찾아 원문 그대로 인용합니다", callback=ask
    )
    return app_commands.describe(question="궁금한 내용 (예: 벤처기업협회의 회원사는 몇 개인가요?)")(
        command
    )


class QACog(commands.Cog):
    def __init__(self, bot: QABot) -> None:
        self.bot = bot

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """`/ask` (see `ask_command`)."""
        bot = self.bot
        if not bot.channel_allowed(interaction.channel):
            await interaction.response.send_message(render.CHANNEL_TEXT, ephemeral=True)
            return
        if is_help_request(question):  # a greeting or "도움말": no search, no cooldown
            await self.send_help(interaction)
            return
        wait = bot.retry_after(interaction.user.id)
        if wait:
            await interaction.response.send_message(render.cooldown_text(wait), ephemeral=True)
            return
        async with bot.in_flight():  # finished before the store closes at shutdown
            await interaction.response.defer(thinking=True)
            follow_up = await bot.follow_up_for(interaction.channel, None)  # in a thread: its last
            answer, problem = await bot.answer(question, interaction.user.id, follow_up)
            if answer is None:
                await interaction.delete_original_response()
                await interaction.followup.send(problem or render.ERROR_TEXT, ephemeral=True)
                return
            answer_id, payload = await bot.message_for(answer)
            sent = await interaction.edit_original_response(
                **payload, allowed_mentions=discord.AllowedMentions.none()
            )
            await bot.posted(answer_id, sent)

    @app_commands.command(
        name="articles",
        description="색인된 기사를 최신순으로 보여 줍니다 (검색어: 제목·언론사·기자 이름에서 찾기)",
    )
    @app_commands.describe(query="제목·언론사·기자 이름에서 찾을 단어 (예: 벤처기업협회)")
    async def articles(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, QUERY_CHARS] | None = None,
    ) -> None:
        """Only the asker sees the listing: a list to browse, not an answer for the channel."""
        if not self.bot.channel_allowed(interaction.channel):
            await interaction.response.send_message(render.CHANNEL_TEXT, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        words = typed(query or "")[:QUERY_CHARS]
        await self.bot.show_articles(interaction, words or None)

    @app_commands.command(
        name="help", description="이 봇이 무엇을 하는지, 어떻게 질문하는지 알려 줍니다"
    )
    async def help_command(self, interaction: discord.Interaction) -> None:
        await self.send_help(interaction)

    async def send_help(self, interaction: discord.Interaction) -> None:
        """Deferred first: the first help after a start may wait for the article count."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(
            content=await self.bot.help_message(), allowed_mentions=discord.AllowedMentions.none()
        )

    @app_commands.command(
        name="reindex", description="기사 폴더에서 바뀐 기사만 다시 색인합니다 (관리자 전용)"
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reindex(self, interaction: discord.Interaction) -> None:
        owners = self.bot.limits.owners
        if owners and interaction.user.id not in owners:
            await interaction.response.send_message(render.OWNERS_ONLY_TEXT, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.service.reindex()
        except Exception as exc:  # noqa: BLE001 - user-facing problems become one sentence
            message = user_message(exc)
            if message is None:
                raise
            text = render.server_text(message)
            await interaction.edit_original_response(content=text[: render.CONTENT_LIMIT])
            return
        await interaction.edit_original_response(content=render.reindex_text(report))

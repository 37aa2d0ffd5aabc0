"""Buttons under answers. DynamicItems: they are matched by custom_id, so they keep working on
messages sent before a restart; the answer they refer to is looked up by its id."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot import render

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger("newsqa.bot")


def _bot(interaction: discord.Interaction) -> QABot:
    return interaction.client  # type: ignore[return-value]


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"newsqa:vote:(?P<vote>up|down):(?P<answer>[0-9a-f]{1,32})",
):
    def __init__(self, vote: str, answer_id: str) -> None:
        self.vote = vote
        self.answer_id = answer_id
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if vote == "up" else "👎",
                custom_id=f"newsqa:vote:{vote}:{answer_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["vote"], match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Thank the user first (the 3 s deadline), then write the vote down."""
        bot = _bot(interaction)
        text = render.THANKS_UP if self.vote == "up" else render.THANKS_DOWN
        async with bot.in_flight():  # thanked and written before the store closes at shutdown
            await interaction.response.send_message(text, ephemeral=True)
            try:
                answer = await bot.records_call(bot.answers.get, self.answer_id)
                await bot.records_call(
                    bot.feedback.record, self.answer_id, answer, self.vote, interaction.user.id
                )
            except Exception:  # noqa: BLE001 - a lost vote is logged, the user got thanks
                log.exception("recording feedback for answer %s failed", self.answer_id)
                return
        log.info("feedback vote=%s answer=%s", self.vote, self.answer_id)


class MoreSourcesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"newsqa:sources:(?P<answer>[0-9a-f]{1,32})",
):
    def __init__(self, answer_id: str) -> None:
        self.answer_id = answer_id
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label="출처 더보기",
                custom_id=f"newsqa:sources:{answer_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MoreSourcesButton:
        return cls(match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            answer = await bot.records_call(bot.answers.get, self.answer_id)
        except Exception:  # noqa: BLE001
            log.exception("reading answer %s failed", self.answer_id)
            await interaction.followup.send(render.ERROR_TEXT, ephemeral=True)
            return
        if answer is None:
            await interaction.followup.send(render.EXPIRED_TEXT, ephemeral=True)
            return
        await interaction.followup.send(embed=render.more_sources_embed(answer), ephemeral=True)


class ArticlesPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"newsqa:articles:(?P<page>[0-9]{1,9}):(?P<query>.*)",
):
    """A page of `/기사`: the page and the search word ride in the id, and the listing is read
    again from the index answering now (so the buttons work after a restart too)."""

    def __init__(self, page: int, query: str, label: str, disabled: bool = False) -> None:
        self.page = page
        self.query = query
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label=label,
                disabled=disabled,
                custom_id=f"newsqa:articles:{page}:{query}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ArticlesPageButton:
        return cls(int(match["page"]), match["query"], "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # the listing is read off the loop
        await _bot(interaction).show_articles(interaction, self.query or None, self.page)


def listing_view(query: str | None, page: int, pages: int) -> discord.ui.View | None:
    """◀ / ▶ under a listing of more than one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    word = query or ""
    # At either end the button stays, disabled, with the current page as its (unique) id.
    view.add_item(ArticlesPageButton(max(page - 1, 0), word, "◀ 이전", page == 0))
    last = page + 1 == pages
    view.add_item(ArticlesPageButton(page if last else page + 1, word, "다음 ▶", last))
    return view


def answer_view(answer_id: str, answered: bool) -> discord.ui.View:
    """👍 / 👎 under every answer; "출처 더보기" only when there are sources."""
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("up", answer_id))
    view.add_item(FeedbackButton("down", answer_id))
    if answered:
        view.add_item(MoreSourcesButton(answer_id))
    return view

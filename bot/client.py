"""The Discord client: `@봇 질문`, the answer buttons, and the slash commands of `bot.commands`
(`/ask` `/질문`, `/articles` `/기사`, `/help` `/도움말`, `/reindex` `/재색인`). A reply to an answer, or a question in
a thread the bot answered in or started from an answer, is a follow-up of that answer
(`retrieval.carry`).

All retrieval happens in `QAService`; this module only turns Discord events into calls to it
and answers into messages.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import listing, render
from bot.commands import QACog, ask_command
from bot.config import BotSettings
from bot.help import is_help_request
from bot.in_flight import InFlight
from bot.records import AnswerStore, FeedbackLog
from bot.service import Busy, QAService
from bot.translator import KoreanTranslator
from bot.views import (
    ArticlesPageButton,
    FeedbackButton,
    MoreSourcesButton,
    answer_view,
    listing_view,
)
from retrieval import carry
from retrieval.errors import QuestionError
from retrieval.types import Answer, FollowUp

log = logging.getLogger("newsqa.bot")
T = TypeVar("T")
COOLDOWN_PRUNE_AT = 1000
HELP_EVERY_S = 60.0  # a mention's public help, at most this often per user


class QABot(commands.Bot):
    """Owns the command tree; its dependencies come in through the constructor."""

    def __init__(
        self,
        service: QAService,
        limits: BotSettings,
        answers: AnswerStore,
        feedback: FeedbackLog,
        start_service: bool = True,
        **options: Any,
    ) -> None:
        # The bot uses no voice: discord.py's "PyNaCl/davey is not installed, voice will NOT be
        # supported" warnings (its own warn-once flags) would only alarm whoever reads the log.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),  # no privileged intent: mentions carry their content
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.service = service
        self.limits = limits
        self.answers = answers
        self.feedback = feedback
        self._cooldowns: dict[int, app_commands.Cooldown] = {}
        self._help_shown: dict[int, app_commands.Cooldown] = {}  # public help, per user
        self.start_service = start_service  # False for `--sync`: no index needed to register
        self.closing = False
        self.in_flight = InFlight()  # what `close` lets finish before closing the store
        self._closed = asyncio.Event()

    async def setup_hook(self) -> None:
        await self.tree.set_translator(KoreanTranslator())
        self.add_dynamic_items(FeedbackButton, MoreSourcesButton, ArticlesPageButton)
        cog = QACog(self)
        await self.add_cog(cog)
        self.tree.add_command(ask_command(cog.ask, self.service.settings.max_question_chars))
        self.tree.error(self.on_app_command_error)
        if self.start_service:
            await self.service.start()

    async def close(self) -> None:
        """Stop taking questions, let those in flight finish (bounded), then disconnect."""
        if self.closing:
            await self._closed.wait()  # a second caller returns when the first is done
            return
        self.closing = True
        try:
            # Answers being found or posted and votes being written finish first (bounded),
            # and whatever began while the gateway closed: the store closes last.
            await self.in_flight.settled(min(self.limits.timeout_s, 10.0))
            await self.service.close()
            await super().close()
            await self.in_flight.settled(5.0)
            self.answers.close()
        finally:
            self._closed.set()

    async def records_call(self, function: Callable[..., T], *args: Any) -> T:
        """SQLite and the feedback file are touched in a thread, never on the event loop."""
        async with self.in_flight():
            return await asyncio.to_thread(function, *args)

    def retry_after(self, user_id: int) -> float:
        """Seconds the user must wait before the next question (0: go ahead)."""
        if self.limits.cooldown_s <= 0:
            return 0.0
        if len(self._cooldowns) > COOLDOWN_PRUNE_AT:  # forget users whose window has passed
            self._cooldowns = {u: b for u, b in self._cooldowns.items() if b.get_retry_after() > 0}
        bucket = self._cooldowns.setdefault(
            user_id, app_commands.Cooldown(1, self.limits.cooldown_s)
        )
        return bucket.update_rate_limit() or 0.0

    def may_show_help(self, user_id: int) -> bool:
        """A mention's help is posted in the channel for all to see: once per user per
        HELP_EVERY_S, so "안녕" repeated can't fill a channel (slash-command help is private)."""
        if len(self._help_shown) > COOLDOWN_PRUNE_AT:
            self._help_shown = {u: b for u, b in self._help_shown.items() if b.get_retry_after()}
        bucket = self._help_shown.setdefault(user_id, app_commands.Cooldown(1, HELP_EVERY_S))
        return not bucket.update_rate_limit()

    def refund(self, user_id: int) -> None:
        """A question that was never answered (busy, rejected) does not count against the user."""
        bucket = self._cooldowns.get(user_id)
        if bucket is not None:
            bucket.reset()

    def channel_allowed(self, channel: object) -> bool:
        """Allowed channels include the threads under them."""
        if not self.limits.channels:
            return True
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return bool(ids & self.limits.channels)

    async def answer(
        self, question: str, user_id: int, follow_up: FollowUp | None = None
    ) -> tuple[Answer | None, str | None]:
        """The answer, or a short Korean sentence saying why there is none."""
        if self.closing:
            return None, render.busy_text(self.limits.timeout_s)
        try:
            return await self.service.ask(question, follow_up), None
        except QuestionError as exc:
            self.refund(user_id)
            return None, exc.sentence()
        except Busy:
            self.refund(user_id)
            return None, render.busy_text(self.limits.timeout_s)
        except TimeoutError:
            log.warning("question timed out after %.0fs", self.limits.timeout_s)
            return None, render.TIMEOUT_TEXT

    async def help_message(self) -> str:
        """The help text, with the open index's article count and newest date when known."""
        try:
            facts = await self.service.facts()
        except Exception:  # noqa: BLE001 - help without figures beats no help
            log.exception("reading the index's figures for the help message failed")
            facts = None
        mention = self.user.mention if self.user is not None else "@봇"
        return render.help_text(facts, mention)

    async def message_for(self, answer: Answer) -> tuple[str, dict[str, Any]]:
        """The id the answer is stored under, and its message."""
        answer_id = await self.records_call(self.answers.add, answer)
        view = answer_view(answer_id, answer.answered)
        if answer.answered:
            return answer_id, {"content": None, "embed": render.answer_embed(answer), "view": view}
        return answer_id, {"content": render.not_found_text(answer), "embed": None, "view": view}

    async def posted(self, answer_id: str, message: discord.Message) -> None:
        """Remember where an answer went: a reply to it, or a later question in its thread,
        is a follow-up of it (`follow_up_for`)."""
        try:
            await self.records_call(self.answers.posted, answer_id, message.id, message.channel.id)
        except Exception:  # noqa: BLE001 - the answer is out; only its follow-ups lose context
            if self.closing:  # the store closed under it at shutdown: expected, not a fault
                log.warning("answer %s was sent as the bot shut down; not remembered", answer_id)
                return
            log.exception("remembering where answer %s was posted failed", answer_id)

    async def follow_up_for(self, channel: object, replied_to: int | None) -> FollowUp | None:
        """The exchange a question continues: the bot's answer it replies to, else the latest
        answer in the thread it is asked in, else the answer the thread was started from (such
        a thread has its message's id, the answer itself is in the parent channel); none for a
        new question in a channel."""
        thread = channel.id if isinstance(channel, discord.Thread) else None
        if replied_to is None and thread is None:
            return None
        answer = await self.records_call(self.answers.continued, replied_to, thread)
        return carry.follow_up_after(answer) if answer is not None else None

    async def show_articles(
        self, interaction: discord.Interaction, query: str | None, page: int = 0
    ) -> None:
        """`/기사` and its page buttons: a page of the listing, edited into the deferred reply."""
        items = await self.service.listing(query)
        none = discord.AllowedMentions.none()
        if not items:
            text = listing.nothing_text(query)
            await interaction.edit_original_response(
                content=text, embed=None, view=None, allowed_mentions=none
            )
            return
        embed, page, pages = listing.listing_embed(items, query, page)
        view = listing_view(query, page, pages)
        await interaction.edit_original_response(
            content=None, embed=embed, view=view, allowed_mentions=none
        )

    async def on_message(self, message: discord.Message) -> None:
        """`@봇 질문`: a reply with the same answer as `/ask` (no prefix commands here)."""
        if message.author.bot or self.user is None or self.user not in message.mentions:
            return
        if not self.channel_allowed(message.channel):
            return
        question = re.sub(rf"<@!?{self.user.id}>", " ", message.content).strip()
        reference = message.to_reference(fail_if_not_exists=False)  # the question may be deleted

        async def reply(**payload: Any) -> discord.Message:
            return await message.channel.send(
                **payload,
                reference=reference,
                mention_author=False,
                allowed_mentions=discord.AllowedMentions.none(),
            )

        async with self.in_flight():  # finished before the store closes at shutdown
            try:
                if not question:
                    await reply(content=render.EMPTY_MENTION_TEXT)
                    return
                if is_help_request(question):  # a greeting or "도움말": no search, no cooldown
                    if self.may_show_help(message.author.id):
                        await reply(content=await self.help_message())
                    return
                wait = self.retry_after(message.author.id)
                if wait:
                    await reply(content=render.cooldown_text(wait), delete_after=min(wait, 30))
                    return
                replied_to = message.reference.message_id if message.reference else None
                async with message.channel.typing():
                    follow_up = await self.follow_up_for(message.channel, replied_to)
                    answer, problem = await self.answer(question, message.author.id, follow_up)
                if answer is None:
                    await reply(content=problem or render.ERROR_TEXT)
                    return
                answer_id, payload = await self.message_for(answer)
                await self.posted(answer_id, await reply(**payload))
            except Exception:  # noqa: BLE001 - the user hears a sentence, the log gets the record
                log.exception("answering a mention failed")
                try:
                    await reply(content=render.ERROR_TEXT)
                except discord.HTTPException:
                    pass

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Short ephemeral Korean for the user; the full record in the log."""
        if isinstance(error, app_commands.MissingPermissions):
            text = render.ADMIN_ONLY_TEXT
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = "이 명령은 서버 채널에서만 쓸 수 있습니다."
        else:
            log.error(
                "command %s failed",
                interaction.command and interaction.command.name,
                exc_info=error,
            )
            text = render.ERROR_TEXT
        await send_ephemeral(interaction, text)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    try:
        if interaction.response.is_done():
            if interaction.command is not None and interaction.command.name == "ask":
                await interaction.delete_original_response()  # no public "thinking…" left behind
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:  # the interaction may have expired meanwhile
        log.warning("could not tell the user about an error: %s", exc)

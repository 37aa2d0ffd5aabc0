"""The fake Discord in tests/fake_discord.py, driven through the real discord.py client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import discord
import pytest
import pytest_asyncio
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from fake_discord import FakeDiscord, Recorded, running

CHANNEL_MESSAGES = f"/channels/{FakeDiscord.CHANNEL_ID}/messages"
MENTION = f"<@{FakeDiscord.BOT_ID}>"


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"vote:(?P<answer>\d+)"):
    """A button that survives restarts: its state lives in the custom_id."""

    def __init__(self, answer: int) -> None:
        super().__init__(discord.ui.Button(label="👍", custom_id=f"vote:{answer}"))
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["answer"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.votes.append(self.answer)  # type: ignore[attr-defined]
        await interaction.response.send_message("고마워요", ephemeral=True)


class PingBot(commands.Bot):
    """Just enough bot to exercise every feature of the fake."""

    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.votes: list[int] = []
        self.late_codes: asyncio.Queue[int] = asyncio.Queue()
        self.seen: asyncio.Queue[discord.Message] = asyncio.Queue()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)

        @self.tree.command(description="Defers, then edits the original response.")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            view = discord.ui.View(timeout=None)
            view.add_item(VoteButton(7))
            await interaction.edit_original_response(content="pong", view=view)

        @self.tree.command(description="Answers after the deadline.")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await interaction.response.send_message("늦었어요")
            except discord.NotFound as exc:
                await self.late_codes.put(exc.code)

    async def on_message(self, message: discord.Message) -> None:
        await self.seen.put(message)
        if message.author.bot or self.user not in message.mentions:
            return
        async with message.channel.typing():
            await message.reply(f"답: {message.content}", mention_author=False)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    patched = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    server = FakeDiscord()
    try:
        await server.start()
        yield server
    finally:
        await server.stop()
        assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == patched


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[PingBot]:
    async with running(PingBot()) as started:
        yield started


def is_post(path: str) -> Callable[[Recorded], bool]:
    return lambda r: r.method == "POST" and r.path == path and r.status == 200


@pytest.mark.asyncio
async def test_login_ready_and_identify(fake: FakeDiscord, bot: PingBot) -> None:
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert fake.identify is not None
    assert fake.identify["intents"] == discord.Intents.default().value
    assert bot.user is not None and bot.user.id == FakeDiscord.BOT_ID
    assert bot.application_id == FakeDiscord.APP_ID
    guild = bot.get_guild(FakeDiscord.GUILD_ID)
    assert guild is not None and guild.preferred_locale is discord.Locale.korean
    assert isinstance(guild.get_channel(FakeDiscord.OTHER_CHANNEL_ID), discord.TextChannel)
    assert guild.me is not None and guild.default_role.id == FakeDiscord.GUILD_ID


@pytest.mark.asyncio
async def test_slash_defers_then_edits_original(fake: FakeDiscord, bot: PingBot) -> None:
    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"ping", "slow"}
    interaction = await fake.slash("ping")
    edit = await fake.wait_for(
        lambda r: r.method == "PATCH" and r.path == interaction.original_path
    )
    callback = await fake.wait_for(lambda r: r.path == interaction.callback_path)
    assert callback.json == {"type": 5}
    assert fake.requests.index(callback) < fake.requests.index(edit)
    assert edit.json is not None and edit.json["content"] == "pong"
    button = edit.json["components"][0]["components"][0]
    assert button["custom_id"] == "vote:7"


@pytest.mark.asyncio
async def test_mention_gets_a_reply_and_other_messages_are_blank(
    fake: FakeDiscord, bot: PingBot
) -> None:
    await fake.message("멘션 없는 메시지")
    assert (await asyncio.wait_for(bot.seen.get(), 2)).content == ""  # no MESSAGE_CONTENT intent

    question = await fake.message(f"{MENTION} 오늘 뉴스?", mention_bot=True)
    reply = await fake.wait_for(is_post(CHANNEL_MESSAGES))
    assert reply.json is not None
    assert reply.json["content"] == f"답: {MENTION} 오늘 뉴스?"
    assert str(reply.json["message_reference"]["message_id"]) == str(question)
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert any(r.path == f"/channels/{FakeDiscord.CHANNEL_ID}/typing" for r in fake.requests)


@pytest.mark.asyncio
async def test_rate_limited_send_is_retried(
    fake: FakeDiscord, bot: PingBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.rate_limit_next_messages = 1
    await fake.message(f"{MENTION} 질문", mention_bot=True)
    await fake.wait_for(is_post(CHANNEL_MESSAGES))
    statuses = [r.status for r in fake.requests if r.path == CHANNEL_MESSAGES]
    assert statuses == [429, 200]
    assert "rate limited" in caplog.text


@pytest.mark.asyncio
async def test_privileged_intent_without_permission_is_refused(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    async with PingBot(intents) as refused:
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(refused.start("fake-token"), 5)
    assert fake.identify is not None and fake.identify["intents"] & (1 << 15)


@pytest.mark.asyncio
async def test_privileged_intent_when_allowed_keeps_content(fake: FakeDiscord) -> None:
    fake.privileged_allowed = True
    intents = discord.Intents.default()
    intents.message_content = True
    async with running(PingBot(intents)) as allowed:
        await fake.message("멘션 없는 메시지")
        assert (await asyncio.wait_for(allowed.seen.get(), 2)).content == "멘션 없는 메시지"


@pytest.mark.asyncio
async def test_click_on_unknown_message_reaches_dynamic_item(
    fake: FakeDiscord, bot: PingBot
) -> None:
    interaction = await fake.click("vote:42", message_id=1_234_567_890_123_456_789)
    callback = await fake.wait_for(lambda r: r.path == interaction.callback_path)
    assert callback.json is not None and callback.json["type"] == 4
    assert callback.json["data"]["content"] == "고마워요"
    assert callback.json["data"]["flags"] == 64  # ephemeral
    assert bot.votes == [42]


@pytest.mark.asyncio
async def test_click_on_sent_message_after_slash(fake: FakeDiscord, bot: PingBot) -> None:
    first = await fake.slash("ping")
    await fake.wait_for(lambda r: r.method == "PATCH" and r.path == first.original_path)
    click = await fake.click("vote:7")
    assert click.message_id is not None and click.message_id in fake.messages
    await fake.wait_for(lambda r: r.path == click.callback_path)
    assert bot.votes == [7]


@pytest.mark.asyncio
async def test_late_response_gets_unknown_interaction(fake: FakeDiscord, bot: PingBot) -> None:
    fake.interaction_deadline = 0.1
    interaction = await fake.slash("slow")
    callback = await fake.wait_for(lambda r: r.path == interaction.callback_path)
    assert callback.status == 404
    assert await asyncio.wait_for(bot.late_codes.get(), 2) == 10062


@pytest.mark.asyncio
async def test_dropped_gateway_resumes_and_bot_still_answers(
    fake: FakeDiscord, bot: PingBot
) -> None:
    await fake.drop_connection()
    await fake.message(f"{MENTION} 아직 있어?", mention_bot=True)
    await fake.wait_for(is_post(CHANNEL_MESSAGES))
    assert (fake.identify_count, fake.resume_count) == (1, 1)


@pytest.mark.asyncio
async def test_unknown_route_is_a_404_and_wait_for_lists_requests(
    fake: FakeDiscord, bot: PingBot
) -> None:
    with pytest.raises(discord.NotFound):
        await bot.fetch_guild(FakeDiscord.GUILD_ID)
    assert fake.requests[-1] == Recorded("GET", f"/guilds/{FakeDiscord.GUILD_ID}", None, 404)
    with pytest.raises(AssertionError, match="/users/@me"):
        await fake.wait_for(lambda r: r.method == "DELETE", timeout=0.05)

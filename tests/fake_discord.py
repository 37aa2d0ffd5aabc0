"""A fake Discord (REST + gateway) on 127.0.0.1 that the real discord.py client talks to.

Tests drive it (`slash`, `click`, `message`, `drop_connection`) and assert on what the bot sent
(`requests`, `wait_for`). It knows Discord, not the bot under test (shared notes §2.5).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

JSON = dict[str, Any]
Reply = tuple[int, Any]  # (HTTP status, JSON body); 204 has no body
EPHEMERAL, LOADING = 1 << 6, 1 << 7  # message flags
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | MESSAGE_CONTENT  # members, presences, content
SEND_MESSAGE = re.compile(r"/channels/\d+/messages")
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
).value


@dataclass(frozen=True)
class Recorded:
    """One REST call the bot made: `json` is its body (or a multipart form's `payload_json`)."""

    method: str
    path: str
    json: JSON | list[Any] | None
    status: int = 200


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and how the bot has answered it so far."""

    id: int
    token: str
    type: int  # 2: application command, 3: message component
    channel_id: int
    message_id: int | None  # the clicked message, for component interactions
    dispatched_at: float  # loop time; the deadline counts from here
    responded: bool = False
    original_id: int | None = None  # the message `@original` refers to

    @property
    def callback_path(self) -> str:
        return f"/interactions/{self.id}/{self.token}/callback"

    @property
    def original_path(self) -> str:
        return f"/webhooks/{FakeDiscord.APP_ID}/{self.token}/messages/@original"


class FakeDiscord:
    """An aiohttp server imitating the parts of Discord a small bot uses."""

    APP_ID = 1_300_000_000_000_000_001
    BOT_ID = 1_300_000_000_000_000_002
    BOT_ROLE_ID = 1_300_000_000_000_000_003
    GUILD_ID = 1_300_000_000_000_000_010
    CHANNEL_ID = 1_300_000_000_000_000_011
    OTHER_CHANNEL_ID = 1_300_000_000_000_000_012
    THREAD_ID = 1_300_000_000_000_000_013  # a public thread under CHANNEL_ID
    USER_ID = 1_300_000_000_000_000_020
    OTHER_USER_ID = 1_300_000_000_000_000_021
    OWNER_ID = 1_300_000_000_000_000_022

    def __init__(
        self, *, privileged_allowed: bool = False, interaction_deadline: float = 3.0
    ) -> None:
        self.privileged_allowed = privileged_allowed
        self.interaction_deadline = interaction_deadline
        self.rate_limit_next_messages = 0
        self.accepted_token: str | None = None  # when set, any other token gets 401
        self.requests: list[Recorded] = []
        self.identify: JSON | None = None
        self.identify_count = 0
        self.resume_count = 0
        self.messages: dict[int, JSON] = {}  # every message the fake knows, by id
        self.threads = {self.THREAD_ID}  # public threads under CHANNEL_ID
        self.commands: dict[int | None, list[JSON]] = {}  # last PUT per guild id (None: global)
        self.port = 0
        self._users = {
            self.BOT_ID: _user(self.BOT_ID, "fake-bot", "Fake Bot", bot=True),
            self.USER_ID: _user(self.USER_ID, "user", "사용자"),
            self.OTHER_USER_ID: _user(self.OTHER_USER_ID, "other-user", "다른 사용자"),
            self.OWNER_ID: _user(self.OWNER_ID, "owner", "서버 주인"),
        }
        self._interactions: dict[int, FakeInteraction] = {}
        self._ids = itertools.count(1)
        self._seq = 0
        self._session_id = ""
        self._ws: web.WebSocketResponse | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._session_live = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Bind a free loopback port and point discord.py's REST and gateway URLs at it."""
        assert self._runner is None, "FakeDiscord.start() called twice"
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"http://127.0.0.1:{self.port}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    async def stop(self) -> None:
        """Close every socket and restore the patched class attributes (safe to call twice)."""
        try:
            for ws in list(self._sockets):
                await asyncio.wait_for(ws.close(code=1001), 2)
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None
        finally:
            if self._saved is not None:
                http, gateway = self._saved
                discord.http.Route.BASE = http
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
                self._saved = None

    # ------------------------------------------------------------ test helpers

    async def wait_for(
        self, predicate: Callable[[Recorded], bool], timeout: float = 5.0, *, since: int = 0
    ) -> Recorded:
        """The first request in `requests[since:]` that matches, waiting for it if needed."""

        def found() -> Recorded | None:
            return next((r for r in self.requests[since:] if predicate(r)), None)

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: found() is not None)
        except TimeoutError:
            seen = "\n  ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests)
            raise AssertionError(
                f"no matching request within {timeout}s; recorded:\n  {seen or '(none)'}"
            ) from None
        return found()  # type: ignore[return-value]

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send an op 0 frame once a session is live (so it waits out a RESUME)."""
        await self._wait_session(event)
        await self._send(event, data)

    async def slash(
        self,
        name: str,
        options: dict[str, object] | None = None,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "ko",
        member_permissions: str = "0",
    ) -> FakeInteraction:
        """Dispatch a chat-input command (INTERACTION_CREATE type 2) from a guild member."""
        guild_id, command = self._find_command(name)
        data: JSON = {"id": command.get("id") or str(self._new_id()), "name": name, "type": 1}
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        if options:
            data["options"] = [_option(key, value) for key, value in options.items()]
        member = {**self._member(user_id or self.USER_ID), "permissions": member_permissions}
        return await self._interact(2, data, member, channel_id or self.CHANNEL_ID, None, locale)

    async def click(
        self, custom_id: str, *, message_id: int | None = None, user_id: int | None = None
    ) -> FakeInteraction:
        """Click a button on a message the bot sent, or on a synthetic one (as after a restart).

        Without `message_id` the latest known message carrying `custom_id` is used.
        """
        message = self.messages.get(message_id) if message_id else self._last_with(custom_id)
        if message is None:
            message = self._synthetic_message(message_id or self._new_id(), custom_id)
        elif custom_id not in _custom_ids(message["components"]):
            found = _custom_ids(message["components"])
            raise AssertionError(f"message {message['id']} has no {custom_id!r}, only {found}")
        data = {"custom_id": custom_id, "component_type": 2}
        member = {**self._member(user_id or self.USER_ID), "permissions": "0"}
        channel_id = int(message["channel_id"])
        return await self._interact(3, data, member, channel_id, copy.deepcopy(message), "ko")

    async def message(
        self,
        content: str,
        *,
        mention_bot: bool = False,
        author_id: int | None = None,
        channel_id: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Dispatch MESSAGE_CREATE from a human and return its id.

        `<@id>` in the content mentions that user; `mention_bot` mentions the bot without it
        (a reply ping). Without the MESSAGE_CONTENT intent the bot gets "" unless mentioned.
        `reply_to`: the message it replies to (Discord sends the reference and that message).
        """
        author_id = author_id or self.USER_ID
        mentioned = {int(m) for m in re.findall(r"<@!?(\d+)>", content) if int(m) in self._users}
        if mention_bot:
            mentioned.add(self.BOT_ID)
        intents = (self.identify or {}).get("intents", 0)
        if not intents & MESSAGE_CONTENT and self.BOT_ID not in mentioned:
            content = ""
        payload: JSON = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to)}
        message = self._new_message(channel_id or self.CHANNEL_ID, payload, author_id)
        message["mentions"] = [
            {**self._user(uid), "member": self._member(uid, with_user=False)}
            for uid in sorted(mentioned)
        ]
        member = self._member(author_id, with_user=False)
        await self.dispatch(
            "MESSAGE_CREATE", {**message, "guild_id": str(self.GUILD_ID), "member": member}
        )
        return int(message["id"])

    async def start_thread(self, message_id: int) -> int:
        """A user starts a public thread from a message in CHANNEL_ID: as on Discord, the
        thread takes the message's id. Dispatches THREAD_CREATE and returns the thread's id."""
        self.threads.add(message_id)
        await self.dispatch("THREAD_CREATE", {**self._thread(message_id), "newly_created": True})
        return message_id

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket; discord.py reconnects and RESUMEs, dispatches wait for it."""
        ws, self._ws = self._ws, None
        self._session_live.clear()
        if ws is not None:
            await ws.close(code=code, message=b"fake: dropped")

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for frame in ws:
                if frame.type is not web.WSMsgType.TEXT:
                    break
                payload = json.loads(frame.data)
                if payload["op"] == 1:
                    await ws.send_json({"op": 11})
                elif payload["op"] == 2:
                    await self._on_identify(ws, payload["d"])
                elif payload["op"] == 6:
                    await self._on_resume(ws, payload["d"])
        finally:
            self._sockets.discard(ws)
            if ws is self._ws:  # the bot went away: later dispatches wait for a new session
                self._ws = None
                self._session_live.clear()
        return ws

    async def _on_identify(self, ws: web.WebSocketResponse, d: JSON) -> None:
        self.identify = d
        self.identify_count += 1
        if d.get("intents", 0) & PRIVILEGED_INTENTS and not self.privileged_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._ws, self._seq, self._session_id = ws, 0, f"fake-session-{self._new_id()}"
        ready: JSON = {
            "v": 10,
            "user": {**self._users[self.BOT_ID], "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(self.GUILD_ID), "unavailable": True}],
            "session_id": self._session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.APP_ID), "flags": 0},
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        await self._send("READY", ready)
        await self._send("GUILD_CREATE", self._guild())
        self._session_live.set()

    async def _on_resume(self, ws: web.WebSocketResponse, d: JSON) -> None:
        if d.get("session_id") != self._session_id:
            await ws.send_json({"op": 9, "d": False})  # invalid session: identify again
            return
        self.resume_count += 1
        self._ws = ws
        await self._send("RESUMED", {})
        self._session_live.set()

    async def _wait_session(self, event: str) -> None:
        try:
            await asyncio.wait_for(self._session_live.wait(), 5)
        except TimeoutError:
            raise AssertionError(f"no live gateway session to dispatch {event} to") from None

    async def _send(self, event: str, data: JSON) -> None:
        assert self._ws is not None
        self._seq += 1
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def _interact(
        self,
        kind: int,
        data: JSON,
        member: JSON,
        channel_id: int,
        message: JSON | None,
        locale: str,
    ) -> FakeInteraction:
        iid = self._new_id()
        message_id = int(message["id"]) if message else None
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.APP_ID),
            "type": kind,
            "data": data,
            "guild_id": str(self.GUILD_ID),
            "guild": {"id": str(self.GUILD_ID), "locale": "ko", "features": []},
            "channel_id": str(channel_id),
            "channel": self._channel(channel_id),
            "member": member,
            "token": f"fake-token-{iid}",
            "version": 1,
            "locale": locale,
            "guild_locale": "ko",
            "app_permissions": str(BOT_PERMISSIONS),
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        await self._wait_session("INTERACTION_CREATE")
        # Registered before sending: the bot may answer before _send returns.
        now = asyncio.get_running_loop().time()
        interaction = FakeInteraction(iid, payload["token"], kind, channel_id, message_id, now)
        self._interactions[iid] = interaction
        await self._send("INTERACTION_CREATE", payload)
        return interaction

    # --------------------------------------------------------------------- REST

    async def _rest(self, request: web.Request) -> web.Response:
        """Record every call, then answer it; JSON bodies carry exactly `application/json`."""
        method, path = request.method, "/" + request.match_info["tail"]
        body = await _read_body(request)
        headers: dict[str, str] = {}
        if (
            self.accepted_token
            and request.headers.get("Authorization") != f"Bot {self.accepted_token}"
        ):
            status, reply = _error(401, 0, "401: Unauthorized")
        elif method == "POST" and SEND_MESSAGE.fullmatch(path) and self.rate_limit_next_messages:
            self.rate_limit_next_messages -= 1
            (status, reply), headers = _rate_limited()
        else:
            status, reply = self._route(method, path, body, request.query)
        async with self._changed:
            self.requests.append(Recorded(method, path, body, status))
            self._changed.notify_all()
        if status == 204:
            return web.Response(status=204, headers=headers)
        # discord.py parses JSON only for exactly this type (web.json_response adds a charset)
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(reply).encode(), headers=headers)

    def _route(self, method: str, path: str, body: Any, query: Any) -> Reply:
        parts = path.strip("/").split("/")
        app = str(self.APP_ID)
        channels = {str(self.CHANNEL_ID), str(self.OTHER_CHANNEL_ID)}
        channels |= {str(thread) for thread in self.threads}
        match method, parts:
            case "GET", ["users", "@me"]:
                return 200, self._users[self.BOT_ID]
            case "GET", ["oauth2", "applications", "@me"]:
                return 200, self._application()
            case "GET", ["gateway"]:
                return 200, {"url": self.gateway_url}
            case "GET", ["gateway", "bot"]:
                limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
                return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
            case "POST", ["channels", cid, "typing"] if cid in channels:
                return 204, None
            case "POST", ["channels", cid, "messages"] if cid in channels:
                return 200, self._new_message(int(cid), body, self.BOT_ID)
            case _, ["channels", cid, "messages", mid] if cid in channels:
                return self._message_op(method, _int(mid), body)
            case "POST", ["interactions", iid, token, "callback"]:
                return self._callback(_int(iid), token, body, query)
            case _, ["webhooks", app_id, token, *rest] if app_id == app:
                return self._webhook(method, token, rest, body, query)
            case "PUT", ["applications", app_id, "commands"] if app_id == app:
                return 200, self._store_commands(None, body)
            case "PUT", ["applications", app_id, "guilds", gid, "commands"] if app_id == app:
                return 200, self._store_commands(_int(gid), body)
            case "GET", ["applications", app_id, "commands"] if app_id == app:
                return 200, self.commands.get(None, [])
            case "GET", ["applications", app_id, "guilds", gid, "commands"] if app_id == app:
                return 200, self.commands.get(_int(gid), [])
        return _error(404, 0, "fake: unknown route")

    def _message_op(self, method: str, mid: int, body: Any) -> Reply:
        if mid not in self.messages:
            return _error(404, 10008, "Unknown Message")
        if method == "GET":
            return 200, self.messages[mid]
        if method == "PATCH":
            return 200, self._edit_message(mid, body)
        if method == "DELETE":
            del self.messages[mid]
            return 204, None
        return _error(405, 0, "405: Method Not Allowed")

    def _callback(self, iid: int, token: str, body: JSON, query: Any) -> Reply:
        """Initial response: 10062 after the deadline, 40060 when already acknowledged."""
        interaction = self._interactions.get(iid)
        now = asyncio.get_running_loop().time()
        if interaction is None or interaction.token != token:
            return _error(404, 10062, "Unknown interaction")
        if now - interaction.dispatched_at > self.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        if interaction.responded:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        interaction.responded = True
        kind, data, channel_id = body["type"], body.get("data") or {}, interaction.channel_id
        message = None
        if kind == 4:  # CHANNEL_MESSAGE_WITH_SOURCE
            message = self._new_message(channel_id, data, self.BOT_ID, webhook=True)
        elif kind == 5:  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: a "thinking…" message
            flags = LOADING | (data.get("flags", 0) & EPHEMERAL)
            message = self._new_message(channel_id, {"flags": flags}, self.BOT_ID, webhook=True)
        elif kind == 7 and interaction.message_id in self.messages:  # UPDATE_MESSAGE
            message = self._edit_message(interaction.message_id, data)
        if message is not None:
            interaction.original_id = int(message["id"])
        elif kind == 6:  # DEFERRED_UPDATE_MESSAGE: @original is the clicked message
            interaction.original_id = interaction.message_id
        if query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: JSON = {
            "id": str(iid),
            "type": interaction.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
        }
        if interaction.original_id is not None:
            info["response_message_id"] = str(interaction.original_id)
        resource: JSON = {"type": kind}
        if message is not None and kind in (4, 7):
            resource["message"] = message
        return 200, {"interaction": info, "resource": resource}

    def _webhook(self, method: str, token: str, rest: list[str], body: Any, query: Any) -> Reply:
        """Follow-ups and the @original response; they need an acknowledged interaction."""
        interaction = next((p for p in self._interactions.values() if p.token == token), None)
        if interaction is None or not interaction.responded:
            return _error(404, 10015, "Unknown Webhook")
        if method == "POST" and not rest:
            message = self._new_message(interaction.channel_id, body, self.BOT_ID, webhook=True)
            return (200, message) if query.get("wait") in ("1", "true", "True") else (204, None)
        if len(rest) == 2 and rest[0] == "messages":
            mid = interaction.original_id if rest[1] == "@original" else _int(rest[1])
            return self._message_op(method, -1 if mid is None else mid, body)
        return _error(404, 0, "fake: unknown route")

    # ----------------------------------------------------------------- payloads

    def _new_id(self) -> int:
        """A snowflake for now (so `created_at` makes sense), unique within this fake."""
        millis = int(time.time() * 1000) - 1_420_070_400_000
        return (millis << 22) | (next(self._ids) & 0x3FFFFF)

    def _new_message(
        self,
        channel_id: int,
        payload: JSON | None,
        author_id: int,
        *,
        webhook: bool = False,
        message_id: int | None = None,
    ) -> JSON:
        """Build, store and return a full message object echoing what the sender asked for."""
        payload = payload or {}
        message: JSON = {
            "id": str(message_id or self._new_id()),
            "channel_id": str(channel_id),
            "type": 0,
            "content": payload.get("content") or "",
            "author": self._user(author_id),
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "attachments": self._attachments(payload.get("attachments")),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(payload.get("tts")),
            "timestamp": discord.utils.utcnow().isoformat(),
            "edited_timestamp": None,
            "flags": payload.get("flags") or 0,
        }
        if webhook:  # interaction responses and follow-ups come from the app's webhook
            message["webhook_id"] = message["application_id"] = str(self.APP_ID)
        if reference := payload.get("message_reference"):
            message["type"] = 19  # REPLY
            message["message_reference"] = {"type": 0, "channel_id": str(channel_id), **reference}
            if referenced := self.messages.get(int(reference.get("message_id") or 0)):
                message["referenced_message"] = copy.deepcopy(referenced)
        self.messages[int(message["id"])] = message
        return message

    def _edit_message(self, mid: int, payload: JSON | None) -> JSON:
        message, payload = self.messages[mid], payload or {}
        old_flags = message["flags"]
        for key, empty in (("content", ""), ("embeds", []), ("components", []), ("flags", 0)):
            if key in payload:
                message[key] = empty if payload[key] is None else payload[key]
        if "attachments" in payload:
            message["attachments"] = self._attachments(payload["attachments"])
        # Editing a deferred ("thinking…") response makes it a normal message; ephemeral stays.
        message["flags"] = (message["flags"] & ~LOADING) | (old_flags & EPHEMERAL)
        message["edited_timestamp"] = discord.utils.utcnow().isoformat()
        return message

    def _attachments(self, stubs: list[JSON] | None) -> list[JSON]:
        """Attachment objects for the sender's stubs (kept ones already are objects)."""
        result = []
        for stub in stubs or []:
            if "url" not in stub:  # a new upload: {"id": index, "filename": ...}
                url = f"https://cdn.example.invalid/{stub.get('filename', 'file')}"
                stub = {**stub, "id": str(self._new_id()), "size": 0, "url": url, "proxy_url": url}
            result.append(stub)
        return result

    def _synthetic_message(self, message_id: int, custom_id: str) -> JSON:
        """A bot message with one button, as if an earlier process had sent it."""
        button = {"type": 2, "style": 2, "label": "button", "custom_id": custom_id}
        payload = {"components": [{"type": 1, "components": [button]}]}
        return self._new_message(self.CHANNEL_ID, payload, self.BOT_ID, message_id=message_id)

    def _last_with(self, custom_id: str) -> JSON | None:
        messages = reversed(self.messages.values())
        return next((m for m in messages if custom_id in _custom_ids(m["components"])), None)

    def _find_command(self, name: str) -> tuple[int | None, JSON]:
        """Where the bot synced `name` (guild commands first); ({}, None) if it never did."""
        for guild_id in (self.GUILD_ID, None):
            for command in self.commands.get(guild_id, []):
                if command["name"] == name:
                    return guild_id, command
        return None, {}

    def _store_commands(self, guild_id: int | None, body: list[JSON]) -> list[JSON]:
        ids: JSON = {"application_id": str(self.APP_ID), "version": str(self._new_id())}
        if guild_id is not None:
            ids["guild_id"] = str(guild_id)
        stored = [{**command, **ids, "id": str(self._new_id())} for command in body]
        self.commands[guild_id] = stored
        return stored

    def _user(self, user_id: int) -> JSON:
        """A known user, or a new one for an id a test made up."""
        if user_id not in self._users:
            self._users[user_id] = _user(user_id, f"user-{user_id}", f"사용자 {user_id}")
        return self._users[user_id]

    def _member(self, user_id: int, *, with_user: bool = True) -> JSON:
        member: JSON = {
            "roles": [str(self.BOT_ROLE_ID)] if user_id == self.BOT_ID else [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        return {**member, "user": self._user(user_id)} if with_user else member

    def _channel(self, channel_id: int) -> JSON:
        if channel_id in self.threads:
            return self._thread(channel_id)
        main = channel_id == self.CHANNEL_ID
        return {
            "id": str(channel_id),
            "type": 0,  # GUILD_TEXT
            "guild_id": str(self.GUILD_ID),
            "name": "일반" if main else "잡담",
            "position": 0 if main else 1,
            "permission_overwrites": [],
            "parent_id": None,
        }

    def _thread(self, thread_id: int | None = None) -> JSON:
        """An active public thread under CHANNEL_ID, which a user started."""
        return {
            "id": str(thread_id or self.THREAD_ID),
            "type": 11,  # PUBLIC_THREAD
            "guild_id": str(self.GUILD_ID),
            "parent_id": str(self.CHANNEL_ID),
            "owner_id": str(self.USER_ID),
            "name": "이어서 묻기",
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-01-01T00:00:00+00:00",
                "locked": False,
            },
        }

    def _guild(self) -> JSON:
        everyone = {"id": str(self.GUILD_ID), "name": "@everyone", "permissions": "0"}
        bot_role = {
            "id": str(self.BOT_ROLE_ID),
            "name": "fake-bot",
            "permissions": str(BOT_PERMISSIONS),
            "position": 1,
            "managed": True,
            "tags": {"bot_id": str(self.BOT_ID)},
        }
        members = [self._member(user_id) for user_id in self._users]
        return {
            "id": str(self.GUILD_ID),
            "name": "가짜 뉴스룸",
            "icon": None,
            "owner_id": str(self.OWNER_ID),
            "preferred_locale": "ko",
            "roles": [everyone, bot_role],
            "channels": [self._channel(self.CHANNEL_ID), self._channel(self.OTHER_CHANNEL_ID)],
            "members": members,
            "member_count": len(members),
            "large": False,
            "unavailable": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [self._thread(thread) for thread in sorted(self.threads)],
        }

    def _application(self) -> JSON:
        return {
            "id": str(self.APP_ID),
            "name": "fake-app",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self._users[self.OWNER_ID],
            "flags": 0,
            "team": None,
        }


def _int(text: str) -> int:
    """A path segment as an id, or -1 (never an id) when it is not a number."""
    return int(text) if text.isdigit() else -1


def _user(user_id: int, username: str, global_name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": username,
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


def _option(name: str, value: object) -> JSON:
    """A slash option: bool/int/float map to Discord's BOOLEAN/INTEGER/NUMBER, the rest to STRING."""
    kind = {bool: 5, int: 4, float: 10}.get(type(value), 3)
    return {"name": name, "type": kind, "value": value if kind != 3 else str(value)}


def _custom_ids(components: list[JSON]) -> list[str]:
    """Every custom_id in a (possibly nested) component tree."""
    found: list[str] = []
    for component in components:
        if "custom_id" in component:
            found.append(component["custom_id"])
        found += _custom_ids(component.get("components", []))
        if isinstance(component.get("accessory"), dict):
            found += _custom_ids([component["accessory"]])
    return found


def _error(status: int, code: int, message: str) -> Reply:
    return status, {"message": message, "code": code}


def _rate_limited(retry_after: float = 0.05) -> tuple[Reply, dict[str, str]]:
    """A per-route 429. Without `Via`, discord.py takes it for a Cloudflare ban and gives up."""
    headers = {
        "Via": "1.1 google",
        "Retry-After": "1",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fake-messages",
        "X-RateLimit-Scope": "user",
    }
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return (429, body), headers


async def _read_body(request: web.Request) -> Any:
    """The JSON body, or a multipart form's `payload_json` (files themselves are dropped)."""
    if request.content_type.startswith("multipart/"):
        raw = (await request.post()).get("payload_json")
        return json.loads(raw) if isinstance(raw, str) else None
    text = await request.text()
    return json.loads(text) if text else None


@asynccontextmanager
async def running(
    bot: Any, token: str = "fake-token", ready_timeout: float = 30
) -> AsyncIterator[Any]:
    """Start a discord.py client against the fake; always close it and collect its task."""
    async with bot:
        task = asyncio.create_task(bot.start(token))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), ready_timeout)
            yield bot
        finally:
            await bot.close()
            await asyncio.wait_for(task, 10)

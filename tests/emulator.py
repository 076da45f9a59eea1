"""A small, strict Telegram Bot API server for end-to-end tests (loopback only).

It serves the Bot API's HTTP interface (``POST /bot<token>/<method>``, form or JSON bodies,
keep-alive) with ``aiohttp.web``, and behaves like Telegram where a bot can get it wrong:

- ``getUpdates`` long-polls, and an update is delivered again until a later call confirms it
  with ``offset``; a second concurrent ``getUpdates`` ends the first with 409 Conflict (unless
  the first one's client has hung up).
- ``sendMessage`` / ``editMessageText`` parse HTML like Telegram and refuse what it refuses
  ("can't parse entities": unknown or unclosed tags, stray ``<``/``>``/``&``, unknown entities),
  text over 4,096 characters after parsing, unknown chats, replies to missing messages,
  inline keyboards with callback data over 64 bytes, and unchanged edits.
- ``answerCallbackQuery`` and ``answerInlineQuery`` accept each query once, within a deadline;
  inline answers take at most 50 unique, valid article results.
- ``setMyCommands`` validates command names, descriptions and scopes.
- ``deleteMessage(s)`` delete as Telegram lets a bot: any message of a private chat, its own in
  groups, none older than 48 hours; ``deleted`` lists what went. ``choose_inline`` sends the
  ``chosen_inline_result`` Telegram sends when inline feedback is on.
- ``setWebhook`` (to 127.0.0.1 only) makes it post each update to the bot's webhook, with the
  secret in ``X-Telegram-Bot-Api-Secret-Token``, until the bot answers 200 (retried up to
  `WEBHOOK_ATTEMPTS` times); meanwhile ``getUpdates`` is refused with 409, as Telegram does,
  until ``deleteWebhook``. ``post_webhook`` sends a request of the test's own making.
- ``fail(...)`` makes the next calls answer 429 (with ``retry_after``) or a 5xx.

The server runs its own event loop in a background thread. Tests drive it with the plain
methods (thread-safe); benchmarks can run coroutines inside its loop with ``run``.
It is stricter than Telegram in one place: it follows the documented rule that every ``<``,
``>`` and ``&`` outside tags and entities must be escaped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import itertools
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web

from tests.loopthread import LoopThread

T = TypeVar("T")
#: The request being dispatched (each request is handled in its own task).
_CLIENT: contextvars.ContextVar[web.BaseRequest | None] = contextvars.ContextVar("client", default=None)

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50
#: Telegram: a bot deletes messages younger than this only.
DELETABLE_SECONDS = 48 * 3600
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Times one update is posted to a webhook that does not answer 200 before it is given up.
WEBHOOK_ATTEMPTS = 100
#: Seconds between those attempts.
WEBHOOK_RETRY_DELAY = 0.1
_BUTTON_KINDS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}


class ApiError(Exception):
    """An error answer: HTTP status plus Telegram's description."""

    def __init__(self, description: str, code: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad(description: str) -> ApiError:
    return ApiError(f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


# --- HTML, as Telegram parses it ---------------------------------------------------------------

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN = re.compile(r"[^<>&]*")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _cant_parse(what: str) -> ApiError:
    return bad(f"can't parse entities: {what}")


class _ByteOffset:
    """A position shown as Telegram shows it (UTF-8 bytes), computed only if an error needs it."""

    def __init__(self, text: str, index: int) -> None:
        self.text, self.index = text, index

    def __str__(self) -> str:
        return str(len(self.text[: self.index].encode()))


def _decode_entity(text: str, pos: int) -> tuple[str, int]:
    """The character of the HTML entity at ``text[pos]`` (an '&') and where it ends."""
    match = _ENTITY.match(text, pos)
    offset = _ByteOffset(text, pos)
    if not match:
        raise _cant_parse(f"Character '&' must be escaped as &amp; at byte offset {offset}")
    decimal, hexa, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise _cant_parse(f'Unsupported HTML entity "&{name};" at byte offset {offset}')
        return _NAMED_ENTITIES[name], match.end()
    number = int(decimal) if decimal is not None else int(hexa, 16)
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        raise _cant_parse(f"Invalid character code in HTML entity at byte offset {offset}")
    return chr(number), match.end()


def _unescape(value: str) -> str:
    out, i = [], 0
    while (amp := value.find("&", i)) != -1:
        out.append(value[i:amp])
        char, i = _decode_entity(value, amp)
        out.append(char)
    out.append(value[i:])
    return "".join(out)


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "tg", "mailto") or (
        parts.scheme.startswith("http") and not parts.netloc
    ):
        raise bad(f"invalid URL in a link: {url!r}")
    return url


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities (UTF-16 offsets) of a Telegram HTML message, or ApiError."""
    out: list[str] = []
    length = 0  # UTF-16 length of the text so far
    stack: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        plain = _PLAIN.match(source, i)
        if plain.end() > i:  # a run of ordinary characters
            out.append(plain.group(0))
            length += utf16_len(plain.group(0))
            i = plain.end()
            continue
        char = source[i]
        if char == "&":
            decoded, i = _decode_entity(source, i)
            out.append(decoded)
            length += utf16_len(decoded)
            continue
        if char == ">":
            offset = _ByteOffset(source, i)
            raise _cant_parse(f"Character '>' must be escaped as &gt; at byte offset {offset}")
        offset = _ByteOffset(source, i)
        close = source.find(">", i)
        if close == -1:
            raise _cant_parse(f"Unclosed start tag at byte offset {offset}")
        inside = source[i + 1 : close]
        i = close + 1
        if inside.startswith("/"):
            name = inside[1:].strip().lower()
            if not stack:
                raise _cant_parse(f"Unexpected end tag at byte offset {offset}")
            open_name, start, entity = stack.pop()
            if name != open_name:
                raise _cant_parse(
                    f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", found "</{name}>"'
                )
            if length > start:
                entity.update(offset=start, length=length - start)
                entities.append(entity)
            continue
        match = re.match(r"[a-zA-Z][a-zA-Z0-9-]*", inside)
        name = match.group(0).lower() if match else ""
        if name not in _TAGS:
            raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {offset}')
        attributes: dict[str, str] = {}
        rest = inside[len(name) :]
        position = 0
        while rest[position:].strip():
            attribute = _ATTRIBUTE.match(rest, position)
            if not attribute or attribute.end() == position:
                raise _cant_parse(f'Invalid attribute in tag "{name}" at byte offset {offset}')
            key, *values = attribute.groups()
            value = next((v for v in values if v is not None), "")
            attributes[key.lower()] = _unescape(value)
            position = attribute.end()
        entity: dict[str, Any] = {"type": _TAGS[name]}
        if name == "a":
            href = attributes.get("href", "")
            if not href:
                raise _cant_parse(f'Tag "a" needs an href attribute at byte offset {offset}')
            entity["url"] = _checked_url(href)
        elif name == "span" and attributes.get("class") != "tg-spoiler":
            raise _cant_parse(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        elif name == "tg-emoji":
            if not attributes.get("emoji-id", "").isdigit():
                raise _cant_parse(f'Tag "tg-emoji" needs a numeric emoji-id at byte offset {offset}')
            entity["custom_emoji_id"] = attributes["emoji-id"]
        elif name == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        stack.append((name, length, entity))
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def check_text(text: str | None, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text as sendMessage does; returns plain text and entities."""
    if text is None or text == "":
        raise bad("message text is empty")
    if parse_mode is None or parse_mode == "":
        plain, entities = text, []
    elif parse_mode.upper() == "HTML":
        plain, entities = parse_html(text)
    else:
        raise ApiError(f"emulator: parse mode {parse_mode!r} is not implemented (use HTML)", 400)
    if not plain.strip():
        raise bad("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad("message is too long")
    return plain, entities


def check_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard as Telegram does (only inline keyboards are supported)."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise bad("emulator supports only inline_keyboard reply markup")
    count = 0
    for row in markup["inline_keyboard"]:
        if not isinstance(row, list):
            raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        if len(row) > 8:
            raise bad("too many buttons in a row")
        for button in row:
            count += 1
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad("text buttons are unallowed in the inline keyboard")
            kinds = _BUTTON_KINDS & set(button)
            if len(kinds) != 1:
                raise bad("inline keyboard button must have exactly one action")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad("BUTTON_DATA_INVALID")
            if "url" in button:
                _checked_url(str(button["url"]))
    if count > 100:
        raise bad("too many buttons")
    return markup


# --- state ---------------------------------------------------------------------------------------


@dataclass
class Chat:
    """A chat the emulator knows, with every message in it (by message id)."""

    id: int
    type: str
    title: str | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1


@dataclass
class Call:
    """One request the bot made, and what the emulator answered."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any
    at: float
    injected: bool = False


@dataclass
class Fault:
    method: str | None
    status: int
    times: int
    retry_after: int


@dataclass
class Webhook:
    """The webhook a bot set: where updates go and the secret each request carries."""

    url: str
    secret: str | None
    max_connections: int


@dataclass
class _Query:
    created: float
    answer: dict[str, Any] | None = None
    answered: bool = False


class Emulator(LoopThread):
    """The Bot API server; one bot token, any number of users, chats and queries."""

    thread_name = "bot-api-emulator"

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        username: str = "exile_desk_bot",
        first_name: str = "Exile Desk",
        query_deadline: float = 10.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.query_deadline = query_deadline
        self.calls: list[Call] = []
        self.chats: dict[int, Chat] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.deleted: list[tuple[int, int]] = []  #: (chat id, message id) the bot deleted
        self._updates: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []  #: every update ever pushed
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._callbacks: dict[str, _Query] = {}
        self._inline: dict[str, _Query] = {}
        self._faults: list[Fault] = []
        self._chat_waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._allowed_updates: list[str] | None = None
        self._poller: asyncio.Future[None] | None = None
        self._poller_client: web.BaseRequest | None = None  # the long poll's request
        self._runner: web.AppRunner | None = None
        self.webhook: Webhook | None = None
        self.webhook_posts: list[tuple[int, int]] = []  #: (update_id, HTTP status; 0: no answer)
        self._deliverer: asyncio.Task[None] | None = None
        self._changed: asyncio.Condition | None = None
        self._new_update: asyncio.Event | None = None
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL to give the bot as TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    async def _open(self) -> None:
        self._changed = asyncio.Condition()
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        # A client hanging up cancels its request's handler: that is how an abandoned long poll ends.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        sock = socket.create_server(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- running things inside the emulator's loop -----------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine in the emulator's loop (thread-safe) and return its result."""
        assert self._loop is not None, "emulator not started"
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError("timed out waiting for the bot") from None

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async def inside() -> T:
            return fn(*args, **kwargs)

        return self.run(inside(), timeout=10)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Inside the loop: wait until ``predicate()`` is truthy and return its value."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            while not (value := predicate()):
                await self._changed.wait()
            return value

    async def bot_reply(self, chat_id: int, after_id: int, timeout: float = 10.0) -> dict[str, Any]:
        """Inside the loop: the bot's first message in a chat after message `after_id`."""
        assert self._loop is not None
        async with asyncio.timeout(timeout):
            while True:
                chat = self.chats.get(chat_id)
                for message_id in range(after_id + 1, chat.next_id if chat else 0):
                    message = chat.messages.get(message_id) if chat else None
                    if message and message["from"]["id"] == self.bot_id:
                        return message
                waiter: asyncio.Future[None] = self._loop.create_future()
                self._chat_waiters.setdefault(chat_id, []).append(waiter)
                await waiter

    def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """From a test: wait until ``predicate()`` (evaluated in the loop) is truthy."""
        return self.run(self.until(predicate, timeout), timeout + 5)

    # --- users, chats and updates (call from tests) ---------------------------------------

    @staticmethod
    def user(user_id: int, first_name: str = "Test", language_code: str | None = "en") -> dict:
        """A Telegram user object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def private_message(self, user: dict, text: str) -> dict[str, Any]:
        """The user writes `text` to the bot in their private chat; returns the message."""
        return self._call(self.post_private, user, text)

    def post_private(self, user: dict, text: str) -> dict[str, Any]:
        """Inside the loop (e.g. from a benchmark coroutine): like `private_message`."""
        return self._user_message(user, user["id"], "private", None, text, None)

    def group_message(
        self,
        user: dict,
        chat_id: int,
        text: str,
        reply_to: int | None = None,
        title: str = "Test group",
    ) -> dict[str, Any]:
        """The user writes `text` in a group the bot is in (optionally replying to a message)."""
        return self._call(self._user_message, user, chat_id, "supergroup", title, text, reply_to)

    def press(self, user: dict, message: dict, data: str) -> str:
        """The user presses the inline button with `data` under a bot message; returns query id."""
        return self._call(self._press, user, message, data)

    def media_message(self, user: dict, chat_id: int, fields: dict[str, Any], kind: str = "private") -> dict:
        """The user sends a message without text (sticker, photo, location...) described by `fields`."""
        return self._call(self._media_message, user, chat_id, kind, fields)

    def forged_press(self, user: dict, message: dict, data: str) -> str:
        """A callback query with `data` that no button under `message` carries (a forged client)."""
        return self._call(self._forged_press, user, message, data)

    def inline_query(self, user: dict, query: str, chat_type: str = "sender") -> str:
        """The user types ``@bot query`` in some chat; returns the inline query id."""
        return self._call(self._inline_query, user, query, chat_type)

    def choose_inline(self, user: dict, query_id: str, result_id: str) -> None:
        """The user picks result `result_id` of the bot's answer to inline query `query_id`."""
        self._call(self._choose_inline, user, query_id, result_id)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message still in a chat (the user's and the bot's), oldest first."""
        return self._call(lambda: [_public(m) for m in self.chats[chat_id].messages.values()])

    def fail(
        self, method: str | None = None, status: int = 429, times: int = 1, retry_after: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` (any method if None) with an error."""
        self._call(self._faults.append, Fault(method, status, times, retry_after))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent (or edited) in a chat, oldest first."""
        return self._call(self._bot_messages, chat_id)

    def inline_answer(self, query_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the bot's answer to an inline query."""
        return self.wait_for(lambda: self._inline[query_id].answer, timeout)

    def callback_answer(self, query_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the bot's answer to a callback query."""
        return self.wait_for(lambda: self._callbacks[query_id].answer, timeout)

    def reply_to(self, message: dict, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the bot's message that replies to `message` (or is the next one in a chat)."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]

        def find() -> dict[str, Any] | None:
            for sent in self._bot_messages(chat_id):
                reply = sent.get("reply_to_message")
                if sent["message_id"] > message_id and (reply is None or reply["message_id"] == message_id):
                    return sent
            return None

        return self.wait_for(find, timeout)

    def rejected(self) -> list[Call]:
        """Calls the emulator refused for a reason other than an injected fault."""
        return [c for c in self._call(list, self.calls) if c.status != 200 and not c.injected]

    def post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        """POST `update` to the bot's webhook with `secret` in the header (None: no header); the status."""
        assert self.webhook is not None, "the bot set no webhook"

        async def post() -> int:
            async with aiohttp.ClientSession() as session:
                return await _post(session, self.webhook.url, update, secret)  # type: ignore[union-attr]

        return self.run(post(), timeout=15)

    def unsent_private(self, user: dict, text: str) -> dict[str, Any]:
        """An update with `text` from `user` in their private chat, not delivered (for `post_webhook`)."""

        def make() -> dict[str, Any]:
            chat = self._chat(user["id"], "private", None, user)
            message = {
                "date": int(time.time()),
                "chat": self._chat_json(chat, user),
                "from": user,
                "text": text,
            }
            self._add_message(chat, message)
            return {"update_id": next(self._update_ids), "message": _public(message)}

        return self._call(make)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return self._call(len, self._updates)

    # --- state changes, inside the loop ------------------------------------------------------

    def _chat(self, chat_id: int, kind: str, title: str | None, user: dict) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id, kind, title)
        return chat

    def _chat_json(self, chat: Chat, user: dict | None = None) -> dict[str, Any]:
        if chat.type == "private":
            return {"id": chat.id, "type": "private", "first_name": (user or {}).get("first_name")}
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def _add_message(self, chat: Chat, message: dict[str, Any]) -> dict[str, Any]:
        message["message_id"] = chat.next_id
        chat.next_id += 1
        chat.messages[message["message_id"]] = message
        return message

    def _push(self, kind: str, payload: dict[str, Any]) -> None:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self.history.append(update)
        assert self._new_update is not None
        self._new_update.set()

    def _user_message(
        self,
        user: dict,
        chat_id: int,
        kind: str,
        title: str | None,
        text: str,
        reply_to: int | None,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if entities := _user_entities(text):
            fields["entities"] = entities
        if reply_to is not None:
            replied = dict(self.chats[chat_id].messages[reply_to])
            replied.pop("reply_to_message", None)
            fields["reply_to_message"] = _public(replied)
        return self._media_message(user, chat_id, kind, fields, title)

    def _media_message(
        self, user: dict, chat_id: int, kind: str, fields: dict[str, Any], title: str | None = None
    ) -> dict[str, Any]:
        """A user's message made of `fields` (text, photo, sticker...), delivered as an update."""
        chat = self._chat(chat_id, kind, title or (None if kind == "private" else "Test group"), user)
        message = {"date": int(time.time()), "chat": self._chat_json(chat, user), "from": user, **fields}
        self._add_message(chat, message)
        self._push("message", _public(message))
        return _public(message)

    def _press(self, user: dict, message: dict, data: str) -> str:
        current = self.chats[message["chat"]["id"]].messages[message["message_id"]]
        if not any(b.get("callback_data") == data for row in _keyboard(current) for b in row):
            raise AssertionError(f"no button with callback data {data!r} under that message")
        return self._forged_press(user, message, data)

    def _forged_press(self, user: dict, message: dict, data: str) -> str:
        query_id = str(next(self._query_ids) * 7919)
        self._callbacks[query_id] = _Query(created=time.monotonic())
        chat = self.chats[message["chat"]["id"]]
        current = chat.messages[message["message_id"]]
        payload = {"id": query_id, "from": user, "message": _public(current),
                   "chat_instance": str(chat.id * 31), "data": data}  # fmt: skip
        self._push("callback_query", payload)
        return query_id

    def _inline_query(self, user: dict, query: str, chat_type: str) -> str:
        query_id = str(next(self._query_ids) * 104729)
        self._inline[query_id] = _Query(created=time.monotonic())
        self._push(
            "inline_query",
            {"id": query_id, "from": user, "query": query, "offset": "", "chat_type": chat_type},
        )
        return query_id

    def _choose_inline(self, user: dict, query_id: str, result_id: str) -> None:
        answer = self._inline[query_id].answer
        if answer is None or result_id not in [r["id"] for r in answer["results"]]:
            raise AssertionError(f"inline query {query_id} offered no result {result_id!r}")
        query = next(u for u in self.history if u.get("inline_query", {}).get("id") == query_id)
        self._push("chosen_inline_result",
                   {"result_id": result_id, "from": user, "query": query["inline_query"]["query"]})  # fmt: skip

    def _bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m["from"]["id"] == self.bot_id]

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        _CLIENT.set(request)
        status, payload = await self._dispatch(
            request.path, request.query_string, request.content_type, await request.read()
        )
        return web.json_response(payload, status=status, dumps=_dumps)

    async def _dispatch(
        self, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        handler = getattr(self, f"api_{method.lower()}", None)
        call = Call(method, {}, 200, None, time.monotonic())
        fault = self._take_fault(method)
        try:
            call.params = params = _params(query, content_type, body)
            if fault is not None:
                call.injected = True
                raise fault
            if handler is None:
                raise ApiError("Not Found", 404)
            result = handler(params)
            if isinstance(result, Awaitable):
                result = await result
            call.result = result
            payload: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as error:
            call.status, call.result = error.code, error.description
            payload = error.payload()
        self.calls.append(call)
        await self._notify()
        return call.status, payload

    def _take_fault(self, method: str) -> ApiError | None:
        for fault in self._faults:
            if fault.method in (None, method) and fault.times > 0:
                fault.times -= 1
                if fault.status == 429:
                    return ApiError(
                        f"Too Many Requests: retry after {fault.retry_after}",
                        429,
                        fault.retry_after,
                    )
                return ApiError("Internal Server Error", fault.status)
        return None

    # --- Bot API methods -------------------------------------------------------------------

    def api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def api_deletewebhook(self, params: dict[str, Any]) -> bool:
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    def api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:  # Telegram: an empty URL removes the webhook
            return self.api_deletewebhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad("bad webhook: invalid URL")
        if parts.hostname != "127.0.0.1":
            raise bad("emulator: webhooks go to 127.0.0.1 only")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise bad("secret token contains unallowed characters")
        max_connections = _int(params, "max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            self._allowed_updates = _json(params, "allowed_updates") or None
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        self.webhook = Webhook(url, secret, max_connections)
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.ensure_future(self._deliver())
        assert self._new_update is not None
        self._new_update.set()
        return True

    def api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook.url if self.webhook else "",
                                "has_custom_certificate": False, "pending_update_count": len(self._updates)}  # fmt: skip
        if self.webhook:
            info["max_connections"] = self.webhook.max_connections
            info["allowed_updates"] = self._allowed_updates or []
        return info

    async def _deliver(self) -> None:
        """Post the pending updates, oldest first, to the webhook while one is set."""
        assert self._new_update is not None
        attempts: dict[int, int] = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while (hook := self.webhook) is not None:
                ready = self._deliverable(1)
                if not ready:
                    self._new_update.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1):  # then look again: was the webhook deleted?
                            await self._new_update.wait()
                    continue
                update = ready[0]
                status = await _post(session, hook.url, update, hook.secret)
                self.webhook_posts.append((update["update_id"], status))
                await self._notify()
                tries = attempts[update["update_id"]] = attempts.get(update["update_id"], 0) + 1
                if status == 200 or tries >= WEBHOOK_ATTEMPTS:
                    if update in self._updates:
                        self._updates.remove(update)
                else:
                    await asyncio.sleep(WEBHOOK_RETRY_DELAY)

    async def api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params, "offset")
        limit = _int(params, "limit") or 100
        timeout = _int(params, "timeout") or 0
        if not 1 <= limit <= 100:
            raise bad("limit must be between 1 and 100")
        if self.webhook is not None:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
                "to delete the webhook first",
                409,
            )
        if "allowed_updates" in params:
            allowed = _json(params, "allowed_updates")
            self._allowed_updates = allowed or None
        if offset is not None:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # A long poll whose client has already hung up is not a conflict, only not cleaned up yet.
        if self._poller is not None and not self._poller.done() and not _gone(self._poller_client):
            self._poller.set_exception(
                ApiError(
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                    409,
                )
            )
        assert self._new_update is not None
        deadline = time.monotonic() + timeout
        while not (ready := self._deliverable(limit)) and time.monotonic() < deadline:
            poller: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._poller, self._poller_client = poller, _CLIENT.get()
            self._new_update.clear()
            waiter = asyncio.ensure_future(self._new_update.wait())
            try:
                await asyncio.wait(
                    {poller, waiter},
                    timeout=deadline - time.monotonic(),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                waiter.cancel()
                if self._poller is poller:
                    self._poller = None
            if poller.done():
                poller.result()  # raises the 409
        return ready

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        return [u for u in self._updates if allowed is None or _kind(u) in allowed][:limit]

    def api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        text, entities = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_keyboard(_json(params, "reply_markup"))
        message: dict[str, Any] = {
            "date": int(time.time()),
            "chat": self._chat_json(chat),
            "from": self.bot_user,
            "text": text,
            "html": params.get("text"),
        }
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        previews = _json(params, "link_preview_options") or {}
        message["link_preview_disabled"] = bool(previews.get("is_disabled")) or _bool(
            params, "disable_web_page_preview"
        )
        reply = _json(params, "reply_parameters") or {}
        reply_id = reply.get("message_id") or _int(params, "reply_to_message_id")
        if reply_id:
            replied = chat.messages.get(int(reply_id))
            if replied is None:
                if not reply.get("allow_sending_without_reply"):
                    raise bad("message to be replied not found")
            else:
                message["reply_to_message"] = _public(replied)
        message["received_at"] = time.monotonic()
        self._add_message(chat, message)
        for waiter in self._chat_waiters.pop(chat.id, []):
            if not waiter.done():
                waiter.set_result(None)
        return _public(message)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's own message an edit call names, as Telegram checks it."""
        if params.get("inline_message_id"):
            raise bad("emulator: inline messages cannot be edited here")
        chat = self._known_chat(params)
        message = chat.messages.get(_int(params, "message_id") or 0)
        if message is None:
            raise bad("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad("message can't be edited")
        return message

    def api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._editable(params)
        text, entities = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_keyboard(_json(params, "reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.update(text=text, html=params.get("text"), edit_date=int(time.time()))
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        return _public(message)

    def api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._editable(params)
        markup = check_keyboard(_json(params, "reply_markup"))
        if markup == message.get("reply_markup"):
            raise bad("message is not modified: specified new message content and reply markup are "
                      "exactly the same as a current content and reply markup of the message")  # fmt: skip
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return _public(message)

    def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query = self._fresh(self._callbacks, params.get("callback_query_id"))
        text = params.get("text") or ""
        if utf16_len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        query.answer = {"text": text, "show_alert": _bool(params, "show_alert")}
        query.answered = True
        return True

    def api_answerinlinequery(self, params: dict[str, Any]) -> bool:
        query = self._fresh(self._inline, params.get("inline_query_id"))
        results = _json(params, "results")
        if not isinstance(results, list):
            raise bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        checked = []
        for result in results:
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if result.get("type") != "article":
                raise bad(f"emulator: result type {result.get('type')!r} is not implemented")
            if not str(result.get("title", "")).strip():
                raise bad("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            text, entities = check_text(content.get("message_text"), content.get("parse_mode"))
            check_keyboard(result.get("reply_markup"))
            checked.append({**result, "text": text, "entities": entities})
        next_offset = params.get("next_offset") or ""
        if len(next_offset.encode()) > 64:
            raise bad("NEXT_OFFSET_INVALID")
        query.answer = {
            "results": checked,
            "cache_time": _int(params, "cache_time"),
            "is_personal": _bool(params, "is_personal"),
            "next_offset": next_offset,
        }
        query.answered = True
        return True

    def api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = _json(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands must be a list of at most 100 commands")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad("command description must be 1-256 characters")
        self.commands[(self._scope_key(params), params.get("language_code") or "")] = commands
        return True

    def api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get((self._scope_key(params), params.get("language_code") or ""), [])

    def api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((self._scope_key(params), params.get("language_code") or ""), None)
        return True

    def api_deletemessage(self, params: dict[str, Any]) -> bool:
        chat = self._known_chat(params)
        message_id = _int(params, "message_id") or 0
        if message_id not in chat.messages:
            raise bad("message to delete not found")
        self._delete(chat, message_id)
        return True

    def api_deletemessages(self, params: dict[str, Any]) -> bool:
        chat = self._known_chat(params)
        ids = _json(params, "message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad("message_ids must list 1-100 messages")
        found = [int(i) for i in ids if int(i) in chat.messages]
        if not found:
            raise bad("message to delete not found")
        for message_id in found:  # Telegram skips what it cannot find
            self._delete(chat, message_id)
        return True

    def _delete(self, chat: Chat, message_id: int) -> None:
        message = chat.messages[message_id]
        if chat.type != "private" and message["from"]["id"] != self.bot_id:
            raise bad("message can't be deleted")
        if time.time() - message["date"] > DELETABLE_SECONDS:
            raise bad("message can't be deleted for everyone")
        del chat.messages[message_id]
        self.deleted.append((chat.id, message_id))

    def api_sendchataction(self, params: dict[str, Any]) -> bool:
        self._known_chat(params)
        return True

    # --- helpers -----------------------------------------------------------------------------

    def _known_chat(self, params: dict[str, Any]) -> Chat:
        chat_id = params.get("chat_id")
        try:
            chat = self.chats.get(int(chat_id))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad("chat not found")
        return chat

    def _scope_key(self, params: dict[str, Any]) -> str:
        scope = _json(params, "scope") or {"type": "default"}
        kind = scope.get("type")
        plain = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
        if kind in plain:
            return kind
        if kind in ("chat", "chat_administrators", "chat_member"):
            self._known_chat(scope)
            return f"{kind}:{scope['chat_id']}"
        raise bad("BOT_COMMAND_SCOPE_INVALID")

    def _fresh(self, queries: dict[str, _Query], query_id: Any) -> _Query:
        query = queries.get(str(query_id))
        if query is None or query.answered:
            raise bad(QUERY_TOO_OLD)
        if time.monotonic() - query.created > self.query_deadline:
            query.answered = True
            raise bad(QUERY_TOO_OLD)
        return query  # the caller marks it answered once the answer is valid


# --- module helpers --------------------------------------------------------------------------


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the Bot API shows it (without the emulator's own fields)."""
    hidden = ("html", "link_preview_disabled", "received_at")
    return {k: v for k, v in message.items() if k not in hidden}


def _keyboard(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return (message.get("reply_markup") or {}).get("inline_keyboard", [])


def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


def _user_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's clients mark in a user's text: a leading command, @mentions."""
    entities = []
    for match in re.finditer(r"(?<![\w/@])(/[A-Za-z0-9_]{1,32}(?:@\w+)?|@\w{3,32})", text):
        kind = "bot_command" if match.group(0).startswith("/") else "mention"
        if kind == "bot_command" and match.start() != 0:
            continue
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def _params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if not body:
        return params
    if content_type.startswith("application/json"):
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ApiError("Bad Request: parameters must be a JSON object")
        params.update(decoded)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    else:
        raise ApiError(f"emulator: unsupported content type {content_type!r}")
    return params


def _json(params: dict[str, Any], key: str) -> Any:
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad(f"can't parse {key} JSON object") from None
    return value


def _int(params: dict[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad(f"{key} must be a number") from None


def _bool(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    return value is True or str(value).lower() in ("true", "1")


async def _post(session: aiohttp.ClientSession, url: str, update: dict[str, Any], secret: str | None) -> int:
    """POST one update as Telegram does; the HTTP status, 0 if nothing answered."""
    headers = {} if secret is None else {SECRET_HEADER: secret}
    try:
        async with session.post(
            url, data=_dumps(update), headers={"Content-Type": "application/json", **headers}
        ) as response:
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


def _gone(client: web.BaseRequest | None) -> bool:
    """Whether the client of this request has hung up (closed or reset its connection)."""
    return client is not None and (client.transport is None or client.transport.is_closing())


_dumps = functools.partial(json.dumps, ensure_ascii=False)

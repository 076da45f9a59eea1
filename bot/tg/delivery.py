"""Outgoing Bot API calls: Telegram's flood limits, and retries while the API is unavailable.

`PatientRateLimiter` is PTB's `AIORateLimiter` (30 messages a second overall, 20 a minute per
group) with its one retry loop for 429s: a 429's ``retry_after`` pauses every call, then the call
is sent again, up to `RETRY_AFTER_RETRIES` times. On top of it, replies are retried after
failures that are not the request's fault: a 5xx answer, a refused or dropped connection, a
timeout. Those back off exponentially and are given up after `give_up_after` seconds, so a long
outage cannot hold handlers forever. A 4xx other than 429 is never retried: sending the same
request again would fail the same way.

A send to a group may wait for the group's limit (20 messages a minute): it waits outside its
update's concurrency slot (`concurrency.outside_slot`), so other chats' updates go on meanwhile.
At shutdown `stop_retrying` ends the waits between retries: a reply not out by then is given up
as if its update were cancelled (no row, no apology; its question is answered after the
restart, see `journal`).

A retried timeout, or a connection dropped after the request was sent, is at-least-once: if
Telegram did receive the request but its answer was lost, the reply is sent twice. The other
retried failures (5xx and 429 answers, refused connections, no free connection) never reached
the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram.constants import MessageLimit
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

from bot.tg.concurrency import outside_slot, sending

_LOG = logging.getLogger(__name__)

#: Calls that deliver a reply and are worth retrying; others (getMe, getUpdates...) have their own.
RETRIED = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "answerInlineQuery"})
#: Seconds to keep retrying one reply after 5xx answers, network errors and timeouts.
GIVE_UP_AFTER = 300.0
FIRST_DELAY = 0.5
MAX_DELAY = 10.0
#: Retries of one call after 429s (each waits the ``retry_after`` Telegram asks for).
RETRY_AFTER_RETRIES = 10

Callback = Callable[..., Coroutine[Any, Any, Any]]


class PatientRateLimiter(AIORateLimiter):
    """`AIORateLimiter` that also retries replies after 5xx answers, network errors and timeouts."""

    def __init__(
        self,
        overall_max_rate: float = 30,
        *,
        give_up_after: float = GIVE_UP_AFTER,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=RETRY_AFTER_RETRIES)
        self.give_up_after = give_up_after
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.retries = 0  #: failed attempts retried here (429s are retried inside AIORateLimiter)
        #: Told of every call that succeeded: (endpoint, its result as JSON), e.g. to note the
        #: ids of messages sent; it must not raise.
        self.on_sent: Callable[[str, Any], None] | None = None
        self.given_up = 0  #: replies abandoned after `give_up_after`
        self._stopping = asyncio.Event()

    def stop_retrying(self) -> None:
        """Shutdown: no more retries; calls waiting to be retried fail now."""
        self._stopping.set()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send through the flood limits; retry a reply until it goes out or time is up."""
        attempt = functools.partial(
            super().process_request, _marked(callback), args, kwargs, endpoint, data, rate_limit_args
        )
        if _is_group(data.get("chat_id")):
            async with outside_slot():
                return await self._send(attempt, endpoint)
        return await self._send(attempt, endpoint)

    async def _send(self, attempt: Callable[[], Coroutine[Any, Any, Any]], endpoint: str) -> Any:
        deadline = time.monotonic() + self.give_up_after
        delay = self.first_delay
        while True:
            try:
                result = await attempt()
            except NetworkError as exc:  # a RetryAfter is no NetworkError: AIORateLimiter's alone
                if endpoint not in RETRIED or isinstance(exc, BadRequest):
                    raise
                if time.monotonic() + delay > deadline:
                    self._give_up(endpoint, f"after {self.give_up_after:.0f} s of failures", exc)
                    raise
                self.retries += 1
                _LOG.warning("%s failed (%s); retrying in %.1f s", endpoint, exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                if self._stopping.is_set():
                    # Not a failure of the update: it is left, unanswered and unlogged, for the
                    # next start (the journal keeps it), as if cancelled a moment later.
                    self._give_up(endpoint, "at shutdown", exc)
                    raise asyncio.CancelledError(f"{endpoint} given up at shutdown") from exc
                delay = min(self.max_delay, delay * 2)
                continue
            if self.on_sent is not None:
                self.on_sent(endpoint, result)
            return result

    def _give_up(self, endpoint: str, when: str, exc: Exception) -> None:
        self.given_up += 1
        _LOG.error("%s: giving up %s: %s", endpoint, when, exc)


def _is_group(chat_id: object) -> bool:
    """Whether a call goes to a group or channel (as AIORateLimiter tells them: @name or < 0)."""
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


def _marked(callback: Callback) -> Callback:
    """`callback`, marking its update as sending while the request is on its way."""

    async def send(*args: Any, **kwargs: Any) -> Any:
        with sending():
            return await callback(*args, **kwargs)

    return send


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_lines(lines: Iterable[str], limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Whole lines packed into as few messages of at most `limit` characters as they fit in.

    Lengths are measured on the HTML as sent, which is never shorter than the text Telegram
    counts. A single line longer than `limit` (callers keep lines short) is cut.
    """
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if utf16_len(line) > limit:
            line = line.encode("utf-16-le")[: (limit - 1) * 2].decode("utf-16-le", "ignore") + "…"
        extra = utf16_len(line) + (1 if current else 0)
        if current and size + extra > limit:
            messages.append("\n".join(current))
            current, size, extra = [], 0, utf16_len(line)
        current.append(line)
        size += extra
    if current:
        messages.append("\n".join(current))
    return messages

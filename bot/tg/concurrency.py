"""How updates share the bot: one at a time per chat, a bounded number at once, and fairly.

An update first waits for its chat's turn, holding nothing; only then does it take one of the
`max_concurrent_updates` slots. A handler that must wait for Telegram's flood limit of a group
(20 messages a minute) gives its slot back while it waits (`outside_slot`, used by the delivery
layer), so a flooded group delays only itself: its backlog waits in its own queue and never
holds the slots other chats' updates need.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates PTB lets in at once, queued per chat included (its own bound; ours is the slots).
ACCEPTED_UPDATES = 100_000


class _Slot:
    """One update's claim on a concurrency slot, which it may give back and take again."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self.slots, self.held = slots, False
        self.sending = False  # a request is on its way to Telegram

    async def take(self) -> None:
        await self.slots.acquire()
        self.held = True

    def give(self) -> None:
        if self.held:
            self.held = False
            self.slots.release()


_CURRENT: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("update_slot", default=None)


@contextlib.asynccontextmanager
async def outside_slot() -> AsyncIterator[None]:
    """Within a handler: give its concurrency slot back while the block waits, then take it again."""
    slot = _CURRENT.get()
    if slot is None or not slot.held:
        yield
        return
    slot.give()
    try:
        yield
    finally:
        await slot.take()


@contextlib.contextmanager
def sending() -> Iterator[None]:
    """Within a handler: a request is on its way (`PerChatOrder.cancel_all` spares it, if asked)."""
    slot = _CURRENT.get()
    if slot is None:
        yield
        return
    slot.sending = True
    try:
        yield
    finally:
        slot.sending = False


class PerChatOrder(BaseUpdateProcessor):
    """Handle updates concurrently, but one at a time within a chat, so replies keep order.

    Inline queries are not tied to a chat and never wait behind messages. `on_done` hears of
    each update handled to the end (not of one cancelled at shutdown); `cancel_all` ends the
    updates still waiting or running.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(ACCEPTED_UPDATES)
        self.slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._tasks: dict[asyncio.Task[Any], _Slot | None] = {}
        self.on_done: Callable[[object], None] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers after earlier updates of the same chat, in a slot."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks[task] = None
        chat = update.effective_chat if isinstance(update, Update) else None
        try:
            if chat is None:
                await self._in_slot(coroutine)
            else:
                await self._in_chat_order(chat.id, coroutine)
        except asyncio.CancelledError:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: no "was never awaited" warning
            raise
        finally:
            if task is not None:
                self._tasks.pop(task, None)
        if self.on_done is not None:
            self.on_done(update)

    async def _in_chat_order(self, chat_id: int, coroutine: Awaitable[Any]) -> None:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                await self._in_slot(coroutine)
        finally:
            self._users[chat_id] -= 1
            if not self._users[chat_id]:
                del self._users[chat_id], self._locks[chat_id]

    async def _in_slot(self, coroutine: Awaitable[Any]) -> None:
        slot = _Slot(self.slots)
        task = asyncio.current_task()
        if task in self._tasks:
            self._tasks[task] = slot
        await slot.take()
        token = _CURRENT.set(slot)
        try:
            await coroutine
        finally:
            _CURRENT.reset(token)
            slot.give()

    @property
    def waiting(self) -> int:
        """Updates accepted and not yet finished (running or waiting for their chat)."""
        return len(self._tasks)

    def cancel_all(self, spare_sending: bool = False) -> int:
        """Cancel every update still waiting or running (but those sending, if asked); how many."""
        cancelled = 0
        for task, slot in list(self._tasks.items()):
            if not (spare_sending and slot is not None and slot.sending):
                cancelled += task.cancel()
        return cancelled

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

"""Inline mode sends one query per keystroke ("n", "na", … "navalny"): log only the one settled on.

A user's latest inline query waits in memory (at most `settle` seconds, one per user typing). It
is logged once: when the user picks one of its results (``chosen_inline_result``, sent when
inline feedback is on in @BotFather), or when no newer query came for `settle` seconds, or at
shutdown (`flush`). A newer query replaces the waiting one unlogged.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.querylog.store import QueryLog

if TYPE_CHECKING:
    from bot.answers.result import Result


@dataclass
class _Typed:
    text: str
    result: Result
    chat_type: str | None
    latency_ms: float
    timer: asyncio.TimerHandle | None = None


class InlineLog:
    """The inline queries waiting to be logged, one per user."""

    def __init__(self, querylog: QueryLog, settle: float) -> None:
        self.querylog = querylog
        self.settle = settle
        self._waiting: dict[int, _Typed] = {}  # by user id, for at most `settle` seconds

    def __len__(self) -> int:
        return len(self._waiting)

    def typed(self, user: int, text: str, result: Result, chat_type: str | None, started: float) -> None:
        """A user's inline query was answered: it waits to see whether they go on typing."""
        latency = (time.perf_counter() - started) * 1000
        previous = self._waiting.pop(user, None)
        if previous is not None and previous.timer is not None:
            previous.timer.cancel()
        typed = _Typed(text, result, chat_type, latency)
        typed.timer = asyncio.get_running_loop().call_later(self.settle, self._log, user, None)
        self._waiting[user] = typed

    def chosen(self, user: int, query: str, result_id: str) -> None:
        """The user picked result `result_id` of `query`: log it now, with the entry picked."""
        typed = self._waiting.get(user)
        if typed is not None and typed.text == query.strip():
            self._log(user, result_id)

    def flush(self) -> None:
        """Log every waiting query (at shutdown)."""
        for user in list(self._waiting):
            self._log(user, None)

    def _log(self, user: int, chosen: str | None) -> None:
        typed = self._waiting.pop(user, None)
        if typed is None:
            return
        if typed.timer is not None:
            typed.timer.cancel()
        fields = typed.result.log_fields()
        if chosen is not None:
            fields.update(outcome="answer", chosen_id=chosen)
        self.querylog.log(
            front="inline",
            chat_type=typed.chat_type,
            text=typed.text,
            latency_ms=typed.latency_ms,
            user=user,
            **fields,
        )

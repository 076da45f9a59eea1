"""What the Telegram handlers share: the bot's state, each user's choices, the reports being
written, and the context type."""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.answers.engine import Engine
    from bot.config import Settings
    from bot.querylog.conversation import Conversation
    from bot.querylog.store import QueryLog, Question
    from bot.tg.health import Heartbeat
    from bot.tg.inlinelog import InlineLog
    from bot.tg.journal import Journal
    from bot.tg.ratelimit import RateLimit

#: Seconds a "write what is wrong" step waits for the message.
REPORT_WAIT = 15 * 60
#: Steps remembered at once; past it the oldest is forgotten (memory stays bounded).
MAX_WAITING = 10_000

Key = tuple[int, int]  #: (chat id, user id)


class BotState:
    """What every handler shares, as ``context.bot_data`` (filled in by ``build_application``)."""

    settings: Settings
    engine: Engine
    querylog: QueryLog
    journal: Journal  #: fetched messages until handled (at-least-once across crashes)
    conversation: Conversation  #: message ids of private chats, auto-delete settings
    inline_log: InlineLog  #: inline queries waiting to be logged once settled
    rate_limit: RateLimit  #: questions, commands and buttons, per user
    inline_rate_limit: RateLimit  #: inline queries, per user
    heartbeat: Heartbeat  #: the status file for `python -m bot health`
    pending_reports: PendingReports  #: feedback reports being written

    def __init__(self) -> None:
        self.reload_lock = asyncio.Lock()  #: held while the knowledge is swapped (/reload, fixes)
        self.last_error_notice = -1e9
        #: Users with a /lang choice, least recently seen first (bounds PTB's user_data).
        self.recent_users: collections.OrderedDict[int, None] = collections.OrderedDict()
        #: Each admin's language, from their latest update (kept in the query log across restarts).
        self.admin_langs: dict[int, str] = {}
        #: The unanswered questions shown with fix buttons, by the token their buttons carry.
        self.fix_offers: collections.OrderedDict[str, FixOffer] = collections.OrderedDict()


@dataclass(frozen=True)
class FixOffer:
    """An unanswered question as /unanswered showed it: its wording and keys, and the ids of the
    entries its buttons add it to, in the order shown."""

    question: str
    keys: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Waiting:
    """A report being written: about which answer, with which verdict, until when."""

    question: Question
    entry_id: str
    verdict: str  #: "not_helpful" or "error"
    lang: str  #: the user's interface language
    prompt_id: int  #: the bot's "write what is wrong" message
    until: float


class PendingReports:
    """The reports being written, one per (chat, user), each for at most `wait` seconds."""

    def __init__(self, wait: float = REPORT_WAIT, limit: int = MAX_WAITING) -> None:
        self.wait = wait
        self.limit = limit
        self._waiting: collections.OrderedDict[Key, Waiting] = collections.OrderedDict()

    def start(
        self, key: Key, question: Question, entry_id: str, verdict: str, lang: str, prompt_id: int
    ) -> None:
        """Wait for `key`'s next message as the report (replacing a step already waiting)."""
        self._waiting.pop(key, None)
        self._waiting[key] = Waiting(
            question, entry_id, verdict, lang, prompt_id, time.monotonic() + self.wait
        )
        while len(self._waiting) > self.limit:
            self._waiting.popitem(last=False)

    def get(self, key: Key) -> Waiting | None:
        """The step waiting for `key`, if it has not expired."""
        waiting = self._waiting.get(key)
        if waiting is not None and waiting.until < time.monotonic():
            del self._waiting[key]
            return None
        return waiting

    def pop(self, key: Key) -> Waiting | None:
        """End `key`'s step, returning it if it was still waiting."""
        waiting = self.get(key)
        self._waiting.pop(key, None)
        return waiting


@dataclass
class UserPrefs:
    """Per-user choices, as ``context.user_data`` (kept in memory only)."""

    lang: str | None = None


Context = CallbackContext[ExtBot[None], UserPrefs, dict, BotState]

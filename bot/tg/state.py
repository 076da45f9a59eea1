"""What the Telegram handlers share: the bot's state, each user's choices, and the context type."""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.answers.engine import Engine
    from bot.config import Settings
    from bot.querylog.store import QueryLog
    from bot.tg.health import Heartbeat
    from bot.tg.journal import Journal
    from bot.tg.ratelimit import RateLimit


class BotState:
    """What every handler shares, as ``context.bot_data`` (filled in by ``build_application``)."""

    settings: Settings
    engine: Engine
    querylog: QueryLog
    journal: Journal  #: fetched messages until handled (at-least-once across crashes)
    rate_limit: RateLimit  #: questions, commands and buttons, per user
    inline_rate_limit: RateLimit  #: inline queries, per user
    heartbeat: Heartbeat  #: the status file for `python -m bot health`

    def __init__(self) -> None:
        self.reload_lock = asyncio.Lock()
        self.last_error_notice = -1e9
        #: Users with a /lang choice, least recently seen first (bounds PTB's user_data).
        self.recent_users: collections.OrderedDict[int, None] = collections.OrderedDict()
        #: Each admin's language, from their latest update (notices without one use it).
        self.admin_langs: dict[int, str] = {}


@dataclass
class UserPrefs:
    """Per-user choices, as ``context.user_data`` (kept in memory only)."""

    lang: str | None = None


Context = CallbackContext[ExtBot[None], UserPrefs, dict, BotState]

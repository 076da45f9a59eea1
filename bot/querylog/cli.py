"""Terminal reports from the query log: ``python -m bot stats`` and ``python -m bot unanswered``."""

from __future__ import annotations

import asyncio

from bot.config import ConfigError, Settings
from bot.querylog import reports
from bot.querylog.reports import Words
from bot.querylog.store import QueryLog


def _check(settings: Settings) -> None:
    if not settings.database.exists():
        raise ConfigError(
            f"no query log at {settings.database} (set BOT_DATABASE or `database:` in the config)"
        )


async def _stats(settings: Settings, words: Words) -> str:
    async with QueryLog(settings.database, settings.hash_secret) as log:
        windows = [await log.stats(days=1), await log.stats(days=7)]
    return reports.stats_text(windows, words)


async def _unanswered(settings: Settings, words: Words, as_csv: bool, limit: int) -> str:
    async with QueryLog(settings.database, settings.hash_secret) as log:
        rows = await log.unanswered(limit=limit)
    return reports.unanswered_csv(rows) if as_csv else reports.unanswered_text(rows, words)


def stats(settings: Settings, words: Words) -> str:
    """Questions, outcome rates and top (unanswered) questions over 1 and 7 days, in `words`."""
    _check(settings)
    return asyncio.run(_stats(settings, words))


def unanswered(settings: Settings, words: Words, csv: bool = False, limit: int = 100) -> str:
    """Recent questions with no answer (as CSV with ``csv``), most recent first."""
    _check(settings)
    return asyncio.run(_unanswered(settings, words, csv, limit))

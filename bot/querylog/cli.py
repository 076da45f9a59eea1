"""Terminal reports from the query log: ``python -m bot stats | unanswered | feedback``."""

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
        worst = await log.helpfulness(days=reports.HELPFULNESS_DAYS, limit=reports.WORST_ENTRIES)
    return reports.stats_text(windows, words, worst)


async def _unanswered(settings: Settings, words: Words, as_csv: bool, limit: int) -> str:
    async with QueryLog(settings.database, settings.hash_secret) as log:
        rows = await log.unanswered(limit=limit)
    return reports.unanswered_csv(rows) if as_csv else reports.unanswered_text(rows, words)


async def _feedback(settings: Settings, words: Words, as_csv: bool, days: int, unhandled: bool) -> str:
    async with QueryLog(settings.database, settings.hash_secret) as log:
        if unhandled:
            _count, rows = await log.unhandled()
            return reports.feedback_csv(rows) if as_csv else reports.unhandled_text(rows, words)
        rows = await log.feedback_rows(days)
        entries = [] if as_csv else await log.helpfulness(days)
    return reports.feedback_csv(rows) if as_csv else reports.feedback_text(days, entries, rows, words)


def stats(settings: Settings, words: Words) -> str:
    """Questions, outcome rates and top (unanswered) questions over 1 and 7 days, in `words`."""
    _check(settings)
    return asyncio.run(_stats(settings, words))


def unanswered(settings: Settings, words: Words, csv: bool = False, limit: int = 100) -> str:
    """Recent questions with no answer (as CSV with ``csv``), most recent first."""
    _check(settings)
    return asyncio.run(_unanswered(settings, words, csv, limit))


def feedback(
    settings: Settings,
    words: Words,
    csv: bool = False,
    days: int = reports.HELPFULNESS_DAYS,
    unhandled: bool = False,
) -> str:
    """Users' verdicts on answers over `days` days, in `words`: per entry, then every report
    (every verdict as CSV with ``csv``); with `unhandled`, every report no admin has marked
    handled, whatever its age."""
    _check(settings)
    return asyncio.run(_feedback(settings, words, csv, days, unhandled))

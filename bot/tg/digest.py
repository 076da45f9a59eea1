"""For admins: `/stale` (the facts that may be out of date) and the weekly digest.

The digest is a list of sections (`SECTIONS`); each is a coroutine that reads the bot's state and
returns its HTML lines in an admin's language, a bold heading first. Adding a section is adding
one function to the list. Each admin gets the digest in their language (`admin.admin_lang`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Job, JobQueue

from bot.answers import stale_report, wording
from bot.config import WEEKDAYS, Settings
from bot.knowledge.stale import stale_facts
from bot.querylog import reports
from bot.tg.admin import admin_lang
from bot.tg.delivery import split_lines
from bot.tg.handlers import ui_lang
from bot.tg.phrases import say
from bot.tg.state import BotState, Context

_LOG = logging.getLogger(__name__)

JOB_NAME = "digest"
#: Stale facts the digest lists before pointing to /stale for the rest.
DIGEST_STALE = 20
#: Unanswered questions the digest lists (the most asked over `DIGEST_DAYS`).
DIGEST_UNANSWERED = 10
DIGEST_DAYS = 7
#: Reports not yet handled that the digest quotes (the most recent), and characters of each
#: question and report quoted.
DIGEST_REPORTS = 5
DIGEST_QUOTED = 120
#: How a report line shows its verdict.
VERDICT_MARKS = {"error": "⚠️", "not_helpful": "👎"}
#: Where the whole list of reports not yet handled is.
UNHANDLED_COMMAND = "python -m bot feedback --unhandled"

#: A section: (state, language) -> its HTML lines.
Section = Callable[[BotState, str], Awaitable[list[str]]]


def _stale_lines(state: BotState, lang: str, limit: int | None = None) -> list[str]:
    months = state.settings.stale_months
    facts = stale_facts(state.engine.knowledge, months)
    lines = stale_report.html_lines(facts, months, lang)
    if limit is not None and len(facts) > limit:
        lines = [*lines[: limit + 1], say("digest_more_stale", lang, n=len(facts) - limit)]
    return lines


async def stale_section(state: BotState, lang: str) -> list[str]:
    """Facts reported longer ago than `stale_months` (the first `DIGEST_STALE`)."""
    return _stale_lines(state, lang, DIGEST_STALE)


async def unanswered_section(state: BotState, lang: str) -> list[str]:
    """The questions asked most often over the last week that got no answer."""
    log = state.querylog
    await log.flush(timeout=2)
    stats = await log.stats(days=DIGEST_DAYS, top=DIGEST_UNANSWERED)
    head = say("digest_unanswered", lang, days=DIGEST_DAYS)
    return [head, *(reports.ranked(stats.top_unanswered, as_html=True) or [say("digest_none", lang)])]


async def reports_section(state: BotState, lang: str) -> list[str]:
    """Error reports (and comments on unhelpful answers) no admin has marked handled: how many,
    and the most recent `DIGEST_REPORTS`."""
    log = state.querylog
    await log.flush(timeout=2)
    count, recent = await log.unhandled(limit=DIGEST_REPORTS)
    lines = [say("digest_reports_heading", lang)]
    if not count:
        return [*lines, say("digest_reports_none", lang)]
    lines.append(say("digest_reports_count", lang, n=count))
    for n, row in enumerate(recent, 1):
        values = {"n": n, "mark": VERDICT_MARKS.get(row.verdict, ""), "entry": row.entry_id,
                  "report": wording.shorten(row.text or "", DIGEST_QUOTED)}  # fmt: skip
        if row.query:
            lines.append(
                say("digest_report_line", lang, question=wording.shorten(row.query, DIGEST_QUOTED), **values)
            )
        else:  # the question is no longer stored, or was stored without its text
            lines.append(say("digest_report_line_unasked", lang, **values))
    if count > len(recent):
        lines.append(say("digest_reports_more", lang, n=count - len(recent), command=UNHANDLED_COMMAND))
    return lines


#: The digest, in order. Another section is one more coroutine here.
SECTIONS: list[Section] = [stale_section, reports_section, unanswered_section]


async def digest_messages(state: BotState, today: dt.date | None = None, lang: str = "en") -> list[str]:
    """The digest in `lang` as messages within Telegram's length limit."""
    today = today or dt.datetime.now(dt.UTC).date()
    lines = [say("digest_title", lang, date=wording.date(today, lang))]
    for section in SECTIONS:
        try:
            body = await section(state, lang)
        except Exception as exc:  # one broken section must not cost the admins the others
            _LOG.exception("digest section %s failed", section.__name__)
            body = [say("digest_section_failed", lang, section=section.__name__, error=type(exc).__name__)]
        lines += ["", *body]
    return split_lines(lines)


async def send_digest(context: Context) -> None:
    """Job: send the digest to every admin, in their language (made once per language)."""
    state = context.bot_data
    made: dict[str, list[str]] = {}
    for admin_id in state.settings.admin_ids:
        lang = admin_lang(state, admin_id)
        if lang not in made:
            made[lang] = await digest_messages(state, lang=lang)
        for message in made[lang]:
            try:
                await context.bot.send_message(admin_id, message)
            except TelegramError as exc:  # e.g. the admin never opened the chat: the others still get it
                _LOG.warning("could not send the digest to admin %s: %s", admin_id, exc)
                break


def schedule(job_queue: JobQueue, settings: Settings) -> Job | None:
    """Schedule the weekly digest as the settings say (none if it is off or there are no admins)."""
    if not settings.digest_enabled or not settings.admin_ids:
        return None
    day = (WEEKDAYS.index(settings.digest_day) + 1) % 7  # PTB counts from Sunday = 0
    at = dt.time(settings.digest_hour, tzinfo=dt.UTC)
    return job_queue.run_daily(send_digest, at, days=(day,), name=JOB_NAME)


async def stale_command(update: Update, context: Context) -> None:
    """/stale: every fact reported longer ago than `stale_months`, in as many messages as it takes."""
    assert update.effective_message is not None
    for message in split_lines(_stale_lines(context.bot_data, ui_lang(update, context))):
        await update.effective_message.reply_html(message)

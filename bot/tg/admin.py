"""Admin side of the bot: /reload, /stats, SIGHUP reloads, notices and the error handler (/unanswered: fixes.py).

Admin commands are only wired for the configured user ids in private chats; anyone else gets the
same reply as for any unknown command.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.answers.engine import Engine
from bot.knowledge.load import READ_TIMEOUT, KnowledgeError, being_read
from bot.querylog import reports
from bot.tg import redact
from bot.tg.handlers import ui_lang
from bot.tg.phrases import knowledge_counts, say, words
from bot.tg.state import BotState, Context

_LOG = logging.getLogger(__name__)

#: Seconds a reload may take (a file on a hung mount must not hold /reload or shutdown forever).
RELOAD_TIMEOUT = READ_TIMEOUT
#: Seconds between two error notices to admins (one failure often comes with many more).
ERROR_NOTICE_INTERVAL = 60.0
#: The language of notices to an admin who has not written to the bot since it started.
DEFAULT_ADMIN_LANG = "en"


@dataclass(frozen=True)
class Reload:
    """What a reload did: swapped in new knowledge (`ok`), or kept the old for `problems`."""

    ok: bool
    took: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def text(self, lang: str, on_signal: bool = False) -> str:
        """The HTML report for an admin reading `lang`."""
        if self.ok:
            return say("reloaded", lang, took=max(0.1, round(self.took, 1)), **knowledge_counts(self.counts))
        head = say("reload_failed_signal" if on_signal else "reload_failed", lang)
        return problems_html(head, self.problems, lang)


def problems_html(head: str, problems: Iterable[object], lang: str, limit: int = reports.MAX_REPORT) -> str:
    """`head`, then the problems one a line (as many as fit one message)."""
    head += "\n<pre>"
    lines = [html.escape(str(p), quote=False) for p in problems]
    kept: list[str] = []
    for number, line in enumerate(lines):
        more = say("and_more", lang, n=len(lines) - number)
        if len(head) + sum(len(k) + 1 for k in kept) + len(line) + len(more) + 8 > limit:
            kept.append(more)
            break
        kept.append(line)
    return head + "\n".join(kept) + "</pre>"


async def reload_knowledge(state: BotState) -> Reload:
    """Validate the knowledge files and swap them in; on any error keep the old engine."""
    async with state.reload_lock:
        started = time.perf_counter()
        readers: list[threading.Thread] = []
        try:
            load = functools.partial(
                Engine.from_dir, state.settings.knowledge_dir, state.settings.stale_months
            )
            engine = await _in_daemon_thread(load, readers)
        except TimeoutError:
            where = being_read(readers[0].ident if readers else None) or state.settings.knowledge_dir
            _LOG.error("reload gave up after %.0f s: %s not read in time", RELOAD_TIMEOUT, where)
            problem = (f"{where}: reading the knowledge files took over "
                       f"{RELOAD_TIMEOUT:.0f} s (a file on a hung mount, or one that never ends?)")  # fmt: skip
            return Reload(False, problems=(problem,))
        except KnowledgeError as exc:
            _LOG.warning("reload refused: %d problem(s) in the knowledge files", len(exc.problems))
            return Reload(False, problems=tuple(map(str, exc.problems)))
        except Exception as exc:  # a reload must never take the bot down
            _LOG.exception("reload failed")
            return Reload(False, problems=(f"{type(exc).__name__}: {exc}",))
        state.engine = engine  # one assignment: handlers see the old or the new snapshot
        took = time.perf_counter() - started
        _LOG.info(
            "knowledge reloaded in %.1f s: %s", took, ", ".join(f"{n} {k}" for k, n in engine.counts.items())
        )
        return Reload(True, took, dict(engine.counts))


async def _in_daemon_thread(function: Callable[[], Engine], threads: list[threading.Thread]) -> Engine:
    """`function()` in a daemon thread (added to `threads`), given up after `RELOAD_TIMEOUT` s.

    Not `asyncio.to_thread`: a worker stuck in a read could never be joined, and the interpreter
    joins the default executor's workers at exit, so a hung read would also hang the shutdown.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Engine] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not done.done():
            outcome()

    def work() -> None:
        try:
            outcome = functools.partial(done.set_result, function())
        except BaseException as exc:
            outcome = functools.partial(done.set_exception, exc)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, outcome)

    threads.append(threading.Thread(target=work, name="knowledge-reload", daemon=True))
    threads[-1].start()
    return await asyncio.wait_for(done, RELOAD_TIMEOUT)


def admin_lang(state: BotState, admin_id: int) -> str:
    """The language to write to an admin in: as they last wrote to the bot (before a restart
    too), else the default."""
    return state.admin_langs.get(admin_id, DEFAULT_ADMIN_LANG)


async def tell_admins(
    bot: Bot,
    state: BotState,
    text: Callable[[str], str],
    markup: Callable[[str], InlineKeyboardMarkup | None] | None = None,
) -> None:
    """Send each admin the HTML notice `text(lang)` in their language (with the buttons
    `markup(lang)`); an admin who never opened the chat, or whose text is empty, is skipped."""
    for admin in state.settings.admin_ids:
        lang = admin_lang(state, admin)
        message = text(lang)
        if not message:
            continue
        try:
            await bot.send_message(admin, message, reply_markup=markup(lang) if markup else None)
        except TelegramError as exc:
            _LOG.warning("could not notify admin %s: %s", admin, exc)


async def reload_on_signal(bot: Bot, state: BotState) -> None:
    """SIGHUP: the same reload as /reload; admins hear how it went."""
    report = await reload_knowledge(state)
    await tell_admins(bot, state, lambda lang: report.text(lang, on_signal=True))


def querylog_trouble(what: str, values: dict[str, object]) -> Callable[[str], str]:
    """The admins' notice for the query log's `on_trouble` report."""
    return lambda lang: say(f"log_{what}", lang, **values)


# --- handlers ------------------------------------------------------------------------------


async def remember_language(update: Update, context: Context) -> None:
    """Any update from an admin: note the language to write their notices in (stored when it
    changes, so that notices and the digest after a restart are in it too)."""
    user, state = update.effective_user, context.bot_data
    if user is not None and user.id in state.settings.admin_ids:
        lang = ui_lang(update, context)
        if state.admin_langs.get(user.id) != lang:
            state.admin_langs[user.id] = lang
            state.querylog.set_admin_lang(user.id, lang)


async def reload_command(update: Update, context: Context) -> None:
    """/reload: validate and swap in the knowledge files, or report file:line errors."""
    assert update.effective_message is not None
    report = await reload_knowledge(context.bot_data)
    await update.effective_message.reply_html(report.text(ui_lang(update, context)))


async def stats_command(update: Update, context: Context) -> None:
    """/stats: volume, outcome rates, top and top unanswered questions over 1 and 7 days."""
    assert update.effective_message is not None
    log = context.bot_data.querylog
    await log.flush(timeout=2)
    windows = [await log.stats(days=1), await log.stats(days=7)]
    worst = await log.helpfulness(days=reports.HELPFULNESS_DAYS, limit=reports.WORST_ENTRIES)
    text = reports.stats_text(windows, words(ui_lang(update, context)), worst, as_html=True)
    await update.effective_message.reply_html(text)


async def on_error(update: object, context: Context) -> None:
    """Log the error first, apologise to the user in a private chat, then tell the admins."""
    _LOG.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await context.bot.send_message(update.effective_chat.id, say("error", ui_lang(update, context)))
        except TelegramError as exc:
            _LOG.warning("could not apologise to the user: %s", exc)
    state, now = context.bot_data, time.monotonic()
    if now - state.last_error_notice >= ERROR_NOTICE_INTERVAL:
        state.last_error_notice = now
        error = context.error
        secrets = redact.secret_parts(state.settings.token)
        text = redact.redact(f"{type(error).__name__}: {error}", secrets)[:500]
        await tell_admins(context.bot, state, lambda lang: say("bot_error", lang, error=text))

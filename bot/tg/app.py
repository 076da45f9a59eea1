"""The Telegram application: wiring in one place, lifecycle, and ``python -m bot run``."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.answers.engine import Engine
from bot.config import Settings
from bot.knowledge.load import KnowledgeError
from bot.querylog.conversation import Conversation
from bot.querylog.store import QueryLog, QueryLogError, check_writable
from bot.tg import (
    admin,
    digest,
    feedback,
    fixes,
    handlers,
    health,
    keyboards,
    logs,
    phrases,
    privacy,
    redact,
    webhook,
)
from bot.tg.concurrency import PerChatOrder
from bot.tg.delivery import PatientRateLimiter
from bot.tg.inlinelog import InlineLog
from bot.tg.journal import Journal, JournalingRequest, journal_path
from bot.tg.ratelimit import RateLimit
from bot.tg.state import BotState, Context, PendingReports, UserPrefs

_LOG = logging.getLogger(__name__)

#: Updates handled at once (across chats; one chat's updates are handled in order).
MAX_CONCURRENT_UPDATES = 64
#: Outgoing Bot API calls in flight at once, over PTB's stock transport (httpx; why not a faster
#: one: docs/reliability.md, "Measured"). Telegram takes about 30 messages a second from a bot,
#: so 8 keep-alive connections cover round trips of up to 250 ms.
CONNECTION_POOL_SIZE = 8
#: Seconds a call may wait for a free connection before it fails.
POOL_TIMEOUT = 10.0
#: Users whose /lang choice is kept in memory; the least recently seen beyond are forgotten.
MAX_REMEMBERED_USERS = 10_000
#: Seconds a shutdown waits for updates being handled before leaving them for the next start.
SHUTDOWN_GRACE = 3.0
#: Seconds more for replies already on their way (cancelled, they would be sent again after the
#: restart); then those are left too.
SEND_GRACE = 1.5
#: Seconds a shutdown waits for the query log to write its queued rows.
CLOSE_TIMEOUT = 3.0
#: Read timeout of getUpdates beyond a long poll's own timeout: short, so that a shutdown's last
#: getUpdates cannot hold it long when the API does not answer.
POLL_REQUEST_TIMEOUT = 2.0
RETENTION_JOB_INTERVAL = dt.timedelta(hours=24)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.CHOSEN_INLINE_RESULT]
#: Messages that carry no words to answer: in private chats they get a request to type instead.
NOT_TEXT = (
    filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
    | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
    | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL
)  # fmt: skip

App = Application[Any, Context, UserPrefs, dict, BotState, Any]


class ExileApp(Application):  # type: ignore[type-arg]
    """PTB's application, with a shutdown bounded in time.

    After `SHUTDOWN_GRACE` s of stopping, updates still waiting or running are cancelled (those
    sending a reply `SEND_GRACE` s later) and replies being retried are given up: their messages
    stay in the journal and are answered after the next start.
    """

    async def stop(self) -> None:
        """Stop; give up what is not done after the grace period."""
        loop = asyncio.get_running_loop()
        timers = [loop.call_later(SHUTDOWN_GRACE, self._give_up_pending, True),
                  loop.call_later(SHUTDOWN_GRACE + SEND_GRACE, self._give_up_pending, False)]  # fmt: skip
        try:
            await super().stop()
        finally:
            for timer in timers:
                timer.cancel()

    def _give_up_pending(self, spare_sending: bool) -> None:
        """Cancel the updates not finished (but those sending a reply, if `spare_sending`)."""
        processor = self.update_processor
        cancelled = processor.cancel_all(spare_sending) if isinstance(processor, PerChatOrder) else 0
        limiter = self.bot.rate_limiter
        if isinstance(limiter, PatientRateLimiter):
            limiter.stop_retrying()
        if cancelled:
            _LOG.warning("shutdown: %d updates not finished in time are left for the next start", cancelled)


def add_handlers(app: App, admin_ids: frozenset[int]) -> None:
    """All handlers, in the order they are tried (the first match wins).

    Handlers that reply to anyone sit behind the sender's rate limit (`limited`); what reaches
    none of them costs nothing.
    """
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    messages = filters.UpdateType.MESSAGE
    limited = handlers.limited
    # Every message of a private chat is noted first (for /forget and /autodelete), then handled;
    # a group of its own, as only one handler of a group runs.
    app.add_handler(TypeHandler(Update, privacy.track_incoming, block=True), group=-2)
    # Admin commands exist only for admins, in private chats; others fall through to "unknown".
    is_admin = filters.User(user_id=admin_ids, allow_empty=False) & private
    app.add_handler(TypeHandler(Update, admin.remember_language), group=-1)  # and on to the rest
    app.add_handler(CommandHandler("reload", admin.reload_command, is_admin & messages))
    app.add_handler(CommandHandler("stats", admin.stats_command, is_admin & messages))
    app.add_handler(CommandHandler("unanswered", fixes.unanswered_command, is_admin & messages))
    app.add_handler(CommandHandler("stale", digest.stale_command, is_admin & messages))
    # Commands for everyone, in any chat.
    app.add_handler(CommandHandler("start", limited(handlers.start), messages))
    app.add_handler(CommandHandler("help", limited(handlers.help_command), messages))
    app.add_handler(CommandHandler("about", limited(handlers.about), messages))
    app.add_handler(CommandHandler("lang", limited(handlers.lang), messages))
    app.add_handler(CommandHandler("ask", limited(handlers.ask), messages))
    app.add_handler(CommandHandler("forget", limited(privacy.forget_command), private & messages))
    app.add_handler(CommandHandler("autodelete", limited(privacy.autodelete_command), private & messages))
    app.add_handler(CallbackQueryHandler(limited(privacy.forget_button), pattern=privacy.FORGET_PATTERN))
    # Private chats: other commands get a pointer to /help; the text a report waits for is that
    # report; any other text is a question.
    app.add_handler(MessageHandler(private & messages & filters.COMMAND, limited(handlers.unknown_command)))
    awaited = private & messages & filters.TEXT & feedback.AwaitingReport(app.bot_data.pending_reports)
    app.add_handler(MessageHandler(awaited, limited(feedback.report)))
    app.add_handler(MessageHandler(private & messages & filters.TEXT, limited(handlers.private_question)))
    app.add_handler(MessageHandler(private & messages & NOT_TEXT, limited(handlers.not_text)))
    # Groups: only replies to the bot and mentions of it; everything else is ignored.
    addressed = groups & messages & filters.TEXT & ~filters.COMMAND & handlers.AddressedToBot()
    app.add_handler(MessageHandler(addressed, limited(handlers.group_question)))
    # Fix buttons under /unanswered and "mark as handled" under report notices (admins only,
    # checked by the handlers); feedback buttons; then
    # did-you-mean and related-entry buttons; inline mode.
    app.add_handler(CallbackQueryHandler(limited(fixes.fix_button), pattern=fixes.PATTERN))
    app.add_handler(CallbackQueryHandler(limited(feedback.mark_handled), pattern=keyboards.HANDLED_PATTERN))
    app.add_handler(CallbackQueryHandler(limited(feedback.cancel), pattern=f"^{keyboards.CANCEL_REPORT}$"))
    app.add_handler(CallbackQueryHandler(limited(feedback.press), pattern=r"^f:"))
    app.add_handler(CallbackQueryHandler(limited(handlers.button)))
    app.add_handler(InlineQueryHandler(limited(handlers.inline_query)))
    app.add_handler(ChosenInlineResultHandler(handlers.chosen_inline))
    app.add_error_handler(admin.on_error)


async def register_commands(app: App) -> None:
    """Command menus in each language (English is the default): everyone's, and the admins' in
    their own chats."""
    bot = app.bot
    for lang in phrases.LANGS:
        code = None if lang == "en" else lang
        menu = [BotCommand(c, d) for c, d in phrases.menu(lang)]
        await bot.set_my_commands(menu, BotCommandScopeDefault(), code)
        admin_menu = [BotCommand(c, d) for c, d in phrases.menu(lang, admin=True)]
        for admin_id in app.bot_data.settings.admin_ids:
            try:
                await bot.set_my_commands(admin_menu, BotCommandScopeChat(admin_id), code)
            except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
                _LOG.warning("no admin command menu (%s) for %s: %s", lang, admin_id, exc)


async def purge_old_rows(context: Context) -> None:
    """Job: delete query log rows past the retention period."""
    state = context.bot_data
    removed = await state.querylog.purge(state.settings.retention_days)
    if removed:
        _LOG.info("query log: purged %d rows older than %d days", removed, state.settings.retention_days)


async def _post_init(app: App) -> None:
    """Open the query log, register commands, schedule retention and the digest, reload on SIGHUP."""
    state = app.bot_data
    await state.querylog.start()
    state.admin_langs.update(await state.querylog.load_admin_langs(state.settings.admin_ids))
    await state.journal.open()
    for data in await state.journal.pending():  # fetched before a crash, never answered
        await app.update_queue.put(Update.de_json(data, app.bot))
    await state.conversation.load()
    await register_commands(app)
    assert app.job_queue is not None
    app.job_queue.run_repeating(purge_old_rows, RETENTION_JOB_INTERVAL, first=0, name="retention")
    digest.schedule(app.job_queue, state.settings)
    privacy.schedule(app, first=0)
    await state.heartbeat.write(state)  # a health check right after start-up finds the file
    app.job_queue.run_repeating(
        state.heartbeat.beat, health.HEARTBEAT_INTERVAL, first=health.HEARTBEAT_INTERVAL, name="heartbeat"
    )
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals on this platform
        loop.add_signal_handler(signal.SIGHUP, _sighup_handler(app))
    _QUIET_START.active = False
    _LOG.info(
        "@%s is up: %s", app.bot.username, ", ".join(f"{n} {k}" for k, n in state.engine.counts.items())
    )


def _sighup_handler(app: App) -> Callable[[], None]:
    """SIGHUP: reload, at most one at a time (a burst of signals is one reload); none when stopping."""
    running: list[asyncio.Task[None]] = []

    def on_sighup() -> None:
        if not app.running:
            _LOG.warning("SIGHUP while stopping: ignored")
        elif running and not running[-1].done():
            _LOG.info("SIGHUP: a reload is already under way")
        else:
            running[:] = [app.create_task(admin.reload_on_signal(app.bot, app.bot_data))]

    return on_sighup


async def _post_shutdown(app: App) -> None:
    """Write the remaining query log rows and close the database."""
    app.bot_data.inline_log.flush()
    app.bot_data.heartbeat.clear()
    await app.bot_data.querylog.close(CLOSE_TIMEOUT)
    await app.bot_data.journal.close()
    log = app.bot_data.querylog
    if log.file_lost:
        _LOG.error("query log closed: %s was deleted and could not be recreated; %d rows lost with it, "
                   "%d dropped", log.path, log.written, log.dropped)  # fmt: skip
    else:
        _LOG.info("query log closed: %d rows written, %d dropped", log.written, log.dropped)
    # Only now, after the last row: until the process ends a SIGHUP is ignored (its default kills).
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        ignore_sighup()


def ignore_sighup() -> None:
    """While the bot starts and stops (no loop to reload in), a SIGHUP must not end it."""
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)


def build_application(settings: Settings, engine: Engine, querylog: QueryLog | None = None) -> App:
    """The PTB application for these settings, serving `engine`, logging to `querylog`."""
    if not settings.token:
        raise ValueError("no bot token")
    journal = Journal(journal_path(settings.database), settings.token)
    processor = PerChatOrder(MAX_CONCURRENT_UPDATES)
    heartbeat = health.Heartbeat(settings)
    app: App = (
        ApplicationBuilder()
        .application_class(ExileApp)
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .defaults(
            # A question deleted before its answer goes out still gets the answer, unquoted.
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .context_types(ContextTypes(bot_data=BotState, user_data=UserPrefs))
        .concurrent_updates(processor)
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(POOL_TIMEOUT)
        .get_updates_request(JournalingRequest(heartbeat.poll_clock, journal, POLL_REQUEST_TIMEOUT))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .rate_limiter(delivery := PatientRateLimiter(settings.send_rate_per_second))
        .build()
    )
    delivery.on_sent = lambda endpoint, result: privacy.track_sent(app.bot_data, endpoint, result)
    state = app.bot_data
    state.settings = settings
    state.engine = engine
    state.journal = journal
    processor.on_done = lambda update: _handled(app, update)
    state.heartbeat = heartbeat
    state.querylog = querylog or QueryLog(
        settings.database, settings.hash_secret, private_text=settings.log_private_text
    )
    state.conversation = Conversation(state.querylog)
    state.inline_log = InlineLog(state.querylog, settings.inline_settle_seconds)
    state.querylog.on_trouble = lambda what, values: _warn_admins(app, admin.querylog_trouble(what, values))
    state.rate_limit = RateLimit(settings.rate_limit_per_minute)
    state.inline_rate_limit = RateLimit(settings.rate_limit_per_minute * handlers.INLINE_ALLOWANCE)
    state.pending_reports = PendingReports()
    add_handlers(app, settings.admin_ids)
    return app


def _handled(app: App, update: object) -> None:
    """An update was handled to the end: its journal entry is done, its user's state trimmed."""
    if not isinstance(update, Update):
        return
    if update.message is not None:
        app.bot_data.journal.mark_done(update.update_id)
    if update.effective_user is not None:
        _trim_user_data(app, update.effective_user.id)


def _trim_user_data(app: App, user_id: int) -> None:
    """Keep PTB's per-user state bounded: nothing for users with no choice of their own, and only
    the `MAX_REMEMBERED_USERS` most recently seen of those who chose (the others fall back to
    their Telegram language)."""
    prefs, recent = app.user_data.get(user_id), app.bot_data.recent_users
    if prefs is None:
        return
    if prefs == UserPrefs():
        app.drop_user_data(user_id)
        recent.pop(user_id, None)
        return
    recent[user_id] = None
    recent.move_to_end(user_id)
    while len(recent) > MAX_REMEMBERED_USERS:
        forgotten, _ = recent.popitem(last=False)
        app.drop_user_data(forgotten)


def _warn_admins(app: App, text: Callable[[str], str]) -> None:
    """Tell the admins about trouble (from sync code), while the bot is running."""
    if app.running:
        app.create_task(admin.tell_admins(app.bot, app.bot_data, text))


class _NoTracebacksWhileStarting(logging.Filter):
    """Until the bot is up, PTB's errors are logged without their tracebacks: a start that fails
    ends with one ``error:`` line saying why, not pages of PTB's retry loop."""

    active = True

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the traceback of a PTB record while starting; never drops a record."""
        if self.active and record.name.startswith("telegram") and record.exc_info:
            record.exc_info, record.exc_text = None, None
        return True


_QUIET_START = _NoTracebacksWhileStarting()


def _fail(message: str, token: str | None = None) -> int:
    print(f"error: {redact.redact(message, redact.secret_parts(token))}", file=sys.stderr)
    return 1


def run(settings: Settings) -> int:
    """``python -m bot run``: long polling (or a webhook) until SIGINT / SIGTERM. Returns the exit status."""
    ignore_sighup()  # first of all: a SIGHUP during start-up must not end the process
    if not settings.token:
        return _fail("no bot token: set BOT_TOKEN (or `token:` in the config file)")
    logs.configure(settings.log_format, settings.token)  # the token redacted: messages may quote it
    for handler in logging.getLogger().handlers:
        handler.addFilter(_QUIET_START)
    try:
        check_writable(settings.database)
    except QueryLogError as exc:
        return _fail(f"database (`database:` or BOT_DATABASE): {exc}")
    try:
        engine = Engine.from_dir(settings.knowledge_dir, settings.stale_months)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(exc.problems)} problem(s) in {settings.knowledge_dir}; not starting")
    app = build_application(settings, engine)
    try:
        if settings.webhook_url:
            webhook.run(app, settings, ALLOWED_UPDATES, app.bot_data.journal)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=health.POLL_TIMEOUT)
    except webhook.ListenError as exc:
        return _fail(str(exc))
    except InvalidToken:
        return _fail(
            f"the Bot API server at {settings.api_base_url} refused the token (BOT_TOKEN or `token:`)"
        )
    except NetworkError as exc:
        return _fail(f"cannot reach the Bot API server at {settings.api_base_url}: {exc}", settings.token)
    except (TelegramError, TypeError, KeyError, ValueError) as exc:  # e.g. getMe answered garbage
        return _fail(
            f"the Bot API server at {settings.api_base_url} did not answer as the Bot API does: "
            f"{type(exc).__name__}: {exc}",
            settings.token,
        )
    except (QueryLogError, sqlite3.Error, OSError) as exc:
        return _fail(f"query log {settings.database}: {exc}")
    return 0

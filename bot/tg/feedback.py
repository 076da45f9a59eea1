"""Feedback on answers: the 👍 / 👎 / "report an error" buttons, the one-message report, admins told.

A press names the question row (its `ref`, in the button's data), so it works whatever happened
since the answer was sent, a restart included. 👍 and 👎 are stored at once; 👎 and "report an
error" then ask for one message saying what is wrong: the next text from that user in that chat
(`state.PendingReports`, in memory: the one step that may be forgotten, after `REPORT_WAIT` seconds or
a restart). An error report is stored when its text arrives, and every written report goes to the
admins with the question, the entry and buttons to open the entry and to mark the report
handled (`mark_handled`: the notice then says so, and the weekly digest no longer lists it; which
admin did it is not stored). A user's later press or report on the same answer replaces their
earlier one (the query log keeps one row per user and answer, under the keyed hash).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import filters

from bot.answers.wording import shorten
from bot.querylog.store import GONE
from bot.tg import admin, handlers, phrases
from bot.tg.keyboards import (
    cancel_keyboard,
    decode_feedback,
    decode_handled,
    report_notice_keyboard,
    without_handled,
)
from bot.tg.state import Context, PendingReports, Waiting

_LOG = logging.getLogger(__name__)

#: Characters of the question and of the report quoted in the admins' notice: with HTML escapes
#: (at most 5 characters each) and the title, it stays one message.
MAX_QUOTED = 300
MAX_QUOTED_REPORT = 600


class AwaitingReport(filters.MessageFilter):
    """Messages from a user whose report the bot is waiting for in that chat."""

    def __init__(self, pending: PendingReports) -> None:
        super().__init__(name="AwaitingReport")
        self.pending = pending

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and self.pending.get((message.chat.id, user.id)) is not None


async def press(update: Update, context: Context) -> None:
    """👍, 👎 or "report an error" under an answer."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    assert query is not None
    state, lang = context.bot_data, handlers.ui_lang(update, context)
    chosen = decode_feedback(query.data)
    question = None
    if chosen is not None and chat is not None and user is not None:  # not a forged inline message
        try:
            question = await state.querylog.question(chosen.ref)
        except sqlite3.Error as exc:  # the database cannot be read now: say so, like a gone answer
            _LOG.warning("feedback: cannot read the question row: %s", exc)
    if chosen is None or chat is None or user is None or question is None or question.chosen_id is None:
        await query.answer(phrases.say("feedback_gone", lang))
        return
    entry_id = question.chosen_id
    if chosen.verdict != "error":  # an error report is stored with its text
        state.querylog.feedback(
            query_id=question.id, entry_id=entry_id, verdict=chosen.verdict, user=user.id, chat_type=chat.type
        )
    if chosen.verdict == "helpful":
        state.pending_reports.pop((chat.id, user.id))
        await query.answer(phrases.say("thanks_helpful", lang))
        return
    await query.answer()
    card = query.message.message_id if query.message else None
    prompt = await context.bot.send_message(
        chat.id,
        phrases.say(f"ask_{chosen.verdict}", lang),
        reply_markup=cancel_keyboard(lang),
        reply_parameters=ReplyParameters(card, allow_sending_without_reply=True) if card else None,
    )
    state.pending_reports.start(
        (chat.id, user.id), question, entry_id, chosen.verdict, lang, prompt.message_id
    )


async def cancel(update: Update, context: Context) -> None:
    """The way out of writing a report: nothing more is stored (a 👎 already given stays)."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    assert query is not None
    lang = handlers.ui_lang(update, context)
    if chat is None or user is None or context.bot_data.pending_reports.pop((chat.id, user.id)) is None:
        await query.answer(phrases.say("nothing_to_cancel", lang))
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(phrases.say("report_cancelled", lang))


async def report(update: Update, context: Context) -> None:
    """The message a user was asked for: store it as their report and tell the admins."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    state = context.bot_data
    waiting = state.pending_reports.pop((message.chat.id, user.id))
    if waiting is None:  # expired between the filter and now: it is a question after all
        await handlers.private_question(update, context)
        return
    text = message.text.strip()
    ref = state.querylog.feedback(
        query_id=waiting.question.id,
        entry_id=waiting.entry_id,
        verdict=waiting.verdict,
        user=user.id,
        chat_type=message.chat.type,
        text=text,
    )
    try:
        await message.reply_html(phrases.say("thanks_report", waiting.lang))
        try:  # the prompt's Cancel button has done its work
            await context.bot.edit_message_reply_markup(message.chat.id, waiting.prompt_id, reply_markup=None)
        except TelegramError as exc:  # cosmetic: e.g. the user deleted the prompt
            _LOG.info("could not remove the Cancel button: %s", exc)
    finally:
        notice, markup = admin_notice(context, waiting, text, ref)
        await admin.tell_admins(context.bot, state, notice, markup)


def admin_notice(
    context: Context, waiting: Waiting, text: str, ref: str | None
) -> tuple[Callable[[str], str], Callable[[str], InlineKeyboardMarkup | None]]:
    """The admins' message about a report, in an admin's language (HTML, one message: a long
    report is cut here, stored whole), and its buttons: "mark as handled" (for the stored report
    `ref`) and "open the entry"."""
    engine = context.bot_data.engine

    def notice(lang: str) -> str:
        opened = engine.open(waiting.entry_id, lang)
        title = opened.answer.title if opened.answer else phrases.say("notice_entry_gone", lang)
        values = {"title": title, "entry": waiting.entry_id, "question": shorten(waiting.question.query, MAX_QUOTED),
                  "report": shorten(text, MAX_QUOTED_REPORT)}  # fmt: skip
        return (
            phrases.say(f"notice_{waiting.verdict}", lang) + "\n" + phrases.say("notice_body", lang, **values)
        )

    def markup(lang: str) -> InlineKeyboardMarkup | None:
        exists = engine.open(waiting.entry_id, lang).answer is not None
        return report_notice_keyboard(lang, waiting.entry_id if exists else None, ref)

    return notice, markup


async def mark_handled(update: Update, context: Context) -> None:
    """An admin's "mark as handled" under a report notice: stored (when, not who), and the notice
    says so; a report already handled or no longer stored says that instead."""
    query, user = update.callback_query, update.effective_user
    assert query is not None
    state, lang = context.bot_data, handlers.ui_lang(update, context)
    ref = decode_handled(query.data)
    if user is None or user.id not in state.settings.admin_ids or ref is None:
        await query.answer(phrases.say("admins_only", lang), show_alert=True)
        return
    try:
        found = await state.querylog.mark_handled(ref)
    except sqlite3.Error as exc:  # the database cannot be written now: nothing changed, say so
        _LOG.warning("feedback: cannot mark a report handled: %s", exc)
        await query.answer(phrases.say("handled_failed", lang), show_alert=True)
        return
    await query.answer(phrases.say(f"handled_toast_{found}", lang), show_alert=found == GONE)
    message = query.message
    # A notice that still offers the button says what became of the report (once: an edited one no longer does).
    if (
        isinstance(message, Message)
        and message.text is not None
        and without_handled(message.reply_markup) != message.reply_markup
    ):
        note = phrases.say("notice_report_gone" if found == GONE else "notice_handled", lang)
        try:
            await message.edit_text(
                f"{message.text_html}\n\n{note}", reply_markup=without_handled(message.reply_markup)
            )
        except TelegramError as exc:  # cosmetic: the mark is stored either way
            _LOG.info("could not update the report notice: %s", exc)

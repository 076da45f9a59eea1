"""The "more" button under a short card: it expands the same message to the full card in place."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import InlineKeyboardButtonLimit
from telegram.error import BadRequest

from bot.answers import render
from bot.answers.content import word
from bot.answers.result import Result
from bot.tg import phrases
from bot.tg.state import Context

_LOG = logging.getLogger(__name__)

#: Callback data of a "more" button: ``m:<lang>:<entry or list id>``.
PREFIX = "m:"


def button(result: Result) -> InlineKeyboardButton | None:
    """The "more" button for a short card, or None when the card is already whole."""
    answer = result.answer
    if answer is None or not answer.has_more:
        return None
    data = f"{PREFIX}{result.lang}:{answer.id}"
    if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        return None
    return InlineKeyboardButton(word("more", result.lang), callback_data=data)


def decode(data: str | None) -> tuple[str, str] | None:
    """(lang, id) of a "more" button's data, or None if it is not one."""
    if not data or not data.startswith(PREFIX):
        return None
    lang, _, entry_id = data.removeprefix(PREFIX).partition(":")
    return (lang, entry_id) if lang in phrases.LANGS and entry_id else None


async def expand(
    update: Update, context: Context, keyboard: Callable[[Result, bool], InlineKeyboardMarkup | None]
) -> None:
    """Edit the short card into the full one (a new message if it can no longer be edited);
    `keyboard(result, expanded)` gives the buttons under it."""
    query = update.callback_query
    assert query is not None
    choice = decode(query.data)
    result = context.bot_data.engine.open(choice[1], choice[0]) if choice else None
    if result is None or result.answer is None:
        lang = choice[0] if choice else phrases.user_lang(None)
        await query.answer(phrases.say("unknown_entry", lang))
        return
    await query.answer()
    text, markup = render.html(result, full=True), keyboard(result, True)
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except BadRequest as exc:  # too old to edit, or already expanded
            _LOG.info("could not expand a card in place (%s); sending it anew", exc)
    if message is not None:
        await context.bot.send_message(message.chat.id, text, reply_markup=markup)

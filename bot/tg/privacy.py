"""What a user can remove: /forget, /autodelete, and the records they act on.

Every message of a private chat, the user's (`track_incoming`) and the bot's (`track_sent`, told by
the delivery layer), is recorded under the user's private-domain hash (`bot.querylog.conversation`).
/forget asks first, then deletes what Telegram lets a bot delete of the chat (messages up to 48
hours old) and every row kept about the user, and says how many of each went. /autodelete N has
a job (`autodelete_job`) delete each message of the chat N minutes after it was sent, and the
user's private questions with it; the setting is stored only under the keyed hash and survives
restarts.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.querylog.conversation import MAX_AUTODELETE_MINUTES, Due
from bot.querylog.store import DOMAINS
from bot.tg import phrases
from bot.tg.handlers import ui_lang
from bot.tg.state import BotState, Context

_LOG = logging.getLogger(__name__)

#: Seconds between two runs of the auto-delete job (a message goes at most this late).
AUTODELETE_CHECK_SECONDS = 10.0
#: Messages one deleteMessages call takes (Telegram's limit).
DELETE_BATCH = 100
FORGET_YES, FORGET_NO = "forget:yes", "forget:no"
#: Callback data of the /forget buttons (routed to `forget_button`).
FORGET_PATTERN = r"^forget:(yes|no)$"


async def track_incoming(update: Update, context: Context) -> None:
    """Record a user's message in their private chat with the bot (before any handler)."""
    message, user = update.message, update.effective_user
    if message is not None and user is not None and message.chat.type == ChatType.PRIVATE:
        context.bot_data.conversation.record(user.id, message.message_id)


def track_sent(state: BotState, endpoint: str, result: Any) -> None:
    """Record a message the bot sent to a private chat (the chat id is the user's id)."""
    if endpoint != "sendMessage" or not isinstance(result, dict):
        return
    chat = result.get("chat") or {}
    if chat.get("type") == ChatType.PRIVATE and isinstance(result.get("message_id"), int):
        state.conversation.record(int(chat["id"]), result["message_id"])


async def forget_command(update: Update, context: Context) -> None:
    """/forget (private chats): say what will be deleted and ask to confirm with a button."""
    assert update.effective_message is not None
    lang = ui_lang(update, context)
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(phrases.say("forget_yes", lang), callback_data=FORGET_YES)],
            [InlineKeyboardButton(phrases.say("forget_no", lang), callback_data=FORGET_NO)],
        ]
    )
    await update.effective_message.reply_html(phrases.say("forget_ask", lang), reply_markup=buttons)


async def forget_button(update: Update, context: Context) -> None:
    """The /forget buttons: cancel, or delete the chat's messages and the user's rows."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    lang = ui_lang(update, context)
    if query.data != FORGET_YES or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer()
        if query.message is not None:
            await context.bot.edit_message_text(
                phrases.say("forget_cancelled", lang), query.message.chat.id, query.message.message_id
            )
        return
    await query.answer(phrases.say("forget_working", lang))
    state = context.bot_data
    tracked = await state.conversation.tracked(user.id)
    deleted = await delete_messages(context, user.id, tracked.deletable)
    counts = await state.conversation.forget(user.id, DOMAINS)
    state.admin_langs.pop(user.id, None)  # an admin's stored language went too (noted again when they write)
    text = phrases.say(
        "forget_done",
        lang,
        messages=deleted,
        questions=counts["queries"],
    )
    if tracked.too_old:
        text += "\n\n" + phrases.say(
            "forget_too_old",
            lang,
            older=tracked.too_old,
        )
    await context.bot.send_message(user.id, text)


async def delete_messages(context: Context, chat_id: int, message_ids: list[int]) -> int:
    """Delete these messages of a chat, many per call; returns how many went."""
    deleted = 0
    for start in range(0, len(message_ids), DELETE_BATCH):
        batch = message_ids[start : start + DELETE_BATCH]
        try:
            await context.bot.delete_messages(chat_id, batch)
            deleted += len(batch)
        except BadRequest:  # one of them is gone or too old: the others one by one
            for message_id in batch:
                try:
                    await context.bot.delete_message(chat_id, message_id)
                    deleted += 1
                except BadRequest as exc:
                    _LOG.info("a message could not be deleted: %s", exc)
    return deleted


async def autodelete_command(update: Update, context: Context) -> None:
    """``/autodelete N`` (minutes), ``/autodelete off``, or ``/autodelete`` to see the setting."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang, conversation = ui_lang(update, context), context.bot_data.conversation
    choice = (context.args or [""])[0].strip().lower()
    if choice in ("off", "выкл", "0"):
        await conversation.set_autodelete(user.id, None)
        await message.reply_html(phrases.say("autodelete_off", lang))
        return
    if not choice:
        minutes = conversation.autodelete(user.id)
        key = "autodelete_is_on" if minutes else "autodelete_is_off"
        await message.reply_html(phrases.say(key, lang, minutes=minutes or 0))
        return
    if not choice.isdigit() or not 1 <= int(choice) <= MAX_AUTODELETE_MINUTES:
        await message.reply_html(phrases.say("autodelete_usage", lang, most=MAX_AUTODELETE_MINUTES))
        return
    await conversation.set_autodelete(user.id, int(choice))
    await message.reply_html(phrases.say("autodelete_on", lang, minutes=int(choice)))


async def autodelete_job(context: Context) -> None:
    """Job: delete the messages whose auto-delete time has come (and those users' old questions)."""
    conversation = context.bot_data.conversation
    due = await conversation.due()
    done: list[Due] = []
    by_chat: dict[int, list[Due]] = collections.defaultdict(list)
    for item in due:
        if item.chat_id:
            by_chat[item.chat_id].append(item)
        else:  # sealed under another secret: it can never be deleted, so it is only forgotten
            done.append(item)
    for chat_id, items in by_chat.items():
        try:
            await delete_messages(context, chat_id, [i.message_id for i in items])
        except TelegramError as exc:  # the API is away: these stay due and are tried again
            _LOG.warning("auto-delete: %d messages wait (%s)", len(items), exc)
            continue
        done += items
    await conversation.finish(done)


def schedule(app: Any, first: float = AUTODELETE_CHECK_SECONDS) -> None:
    """Run `autodelete_job` every `AUTODELETE_CHECK_SECONDS`."""
    app.job_queue.run_repeating(
        autodelete_job, dt.timedelta(seconds=AUTODELETE_CHECK_SECONDS), first=first, name="autodelete"
    )

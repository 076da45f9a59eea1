"""Telegram handlers for everyone: questions in private chats and groups, buttons, inline mode.

Each handler is small: find the question, ask the engine, send the composer's reply, log a row.
An update flows handler -> engine -> composer -> reply (+ query log row), never back up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
import unicodedata
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import InlineQueryResultArticle, InputTextMessageContent, Message, Update
from telegram.constants import CallbackQueryLimit, ChatType
from telegram.error import BadRequest
from telegram.ext import filters

from bot.answers import render, wording
from bot.querylog.store import new_ref
from bot.tg import more, phrases
from bot.tg.keyboards import answer_keyboard, decode_button, deep_link_keyboard, ref_under, shared_entry
from bot.tg.ratelimit import Verdict
from bot.tg.state import Context

if TYPE_CHECKING:
    from bot.answers.result import Result

_LOG = logging.getLogger(__name__)

#: Inline results offered for one query (Telegram allows up to 50; more than 10 is noise).
MAX_INLINE_RESULTS = 10
#: Characters of an unknown deep-link payload quoted back to the user.
MAX_QUOTED_LINK = 64
INLINE_CACHE_SECONDS = 60
#: Inline queries arrive one per keystroke: each user may send this many times the question limit.
INLINE_ALLOWANCE = 5

Handler = Callable[[Update, Context], Awaitable[None]]


# --- helpers -------------------------------------------------------------------------------


def visible(text: str) -> bool:
    """Whether `text` has anything to read: not only spaces, invisible or control characters."""
    return any(not unicodedata.category(c).startswith(("Z", "C")) for c in text)


def ui_lang(update: Update, context: Context) -> str:
    """The language to talk to this user in: their /lang choice, else their Telegram language."""
    chosen = context.user_data.lang if context.user_data else None
    user = update.effective_user
    return chosen or phrases.user_lang(user.language_code if user else None)


def _answer_lang(context: Context) -> str | None:
    """A forced answer language (/lang), or None to follow the question's language."""
    return context.user_data.lang if context.user_data else None


def sender_id(update: Update) -> int | None:
    """Who sent an update, for limits and hashes: the chat an anonymous admin or a channel posts
    as (Telegram gives them all one shared user id), else the user."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    return update.effective_user.id if update.effective_user else None


def _log(
    context: Context,
    update: Update,
    front: str,
    question: str,
    result: Result,
    started: float,
    ref: str | None = None,
) -> None:
    chat = update.effective_chat
    context.bot_data.querylog.log(
        front=front,
        chat_type=chat.type if chat else None,
        text=question,
        latency_ms=(time.perf_counter() - started) * 1000,
        user=sender_id(update),
        ref=ref,
        **result.log_fields(),
    )
    if update.message is not None:
        # The row is the question's record: from now on a restart must not answer it again, even
        # if the update is cancelled before it is handled to the end (e.g. in the error handler).
        context.bot_data.journal.mark_done(update.update_id)


def card_ref(update: Update, result: Result) -> str | None:
    """A handle for the question row when its reply gets feedback buttons: answers in private
    chats. Groups get none: a row of buttons under every answer clutters a shared conversation,
    and the one-message report could not work there (privacy mode hides ordinary messages)."""
    chat = update.effective_chat
    return new_ref() if result.answer and chat is not None and chat.type == ChatType.PRIVATE else None


async def reply_with(
    update: Update, context: Context, result: Result, front: str, question: str, started: float
) -> None:
    """Send the composer's reply to a result (with its buttons) and log the question."""
    message = update.effective_message
    assert message is not None
    ref = card_ref(update, result)
    try:
        await message.reply_html(render.html(result), reply_markup=answer_keyboard(result, ref))
    except asyncio.CancelledError:  # shutdown: answered, and logged, after the restart (journal)
        raise
    except Exception:
        _log(context, update, front, question, result, started, ref)
        raise
    _log(context, update, front, question, result, started, ref)


async def answer_question(update: Update, context: Context, question: str, front: str) -> None:
    """Ask the engine and reply; the row goes to the query log even if sending fails."""
    started = time.perf_counter()
    question = question.strip()
    if not visible(question):
        return
    result = context.bot_data.engine.ask(question, _answer_lang(context))
    await reply_with(update, context, result, front, question, started)


class AddressedToBot(filters.MessageFilter):
    """Group messages meant for the bot: replies to its messages, or mentions of it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return mention_of(message, bot.username) is not None


def mention_of(message: Message, username: str) -> str | None:
    """The ``@username`` mention of the bot in a message, if there is one."""
    wanted = f"@{username}".casefold()
    for text in message.parse_entities(["mention"]).values():
        if text.casefold() == wanted:
            return text
    return None


# --- handlers ------------------------------------------------------------------------------


def limited(handler: Handler) -> Handler:
    """Put a handler that replies behind the sender's limit: over it, one notice, then silence.

    Only handlers the filters chose are wrapped, so what counts against the limit is exactly
    what the bot acts on; admins are not limited.
    """

    @functools.wraps(handler)
    async def gated(update: Update, context: Context) -> None:
        if await _held_back(update, context):
            return
        await handler(update, context)

    return gated


async def _held_back(update: Update, context: Context) -> bool:
    """Whether the sender is over their limit (and was told so once)."""
    sender, state = sender_id(update), context.bot_data
    if sender is None or sender in state.settings.admin_ids:
        return False
    limit = state.inline_rate_limit if update.inline_query else state.rate_limit
    verdict = limit.check(sender)
    if verdict is Verdict.ALLOW:
        return False
    notice = None
    if verdict is Verdict.NOTICE:
        seconds = max(1, math.ceil(limit.retry_in(sender)))
        notice = phrases.say("rate_limited", ui_lang(update, context), limit=limit.limit, seconds=seconds)
    if update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.callback_query:  # always answered, or the button keeps spinning
        await update.callback_query.answer(
            wording.shorten(notice, CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH) if notice else None
        )
    elif notice and update.effective_message:
        await update.effective_message.reply_html(notice)
    return True


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice message, location... in a private chat: ask for words."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(phrases.say("text_only", ui_lang(update, context)))


async def start(update: Update, context: Context) -> None:
    """Greet with example questions; ``/start <entry-id>`` (a deep link) opens that entry."""
    message = update.effective_message
    assert message is not None
    lang = ui_lang(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    greeting = phrases.start(lang, name)
    if context.args:
        started = time.perf_counter()
        entry_id = context.args[0]
        result = context.bot_data.engine.open(entry_id, _answer_lang(context) or lang)
        if result.outcome != "none":
            front = "private" if message.chat.type == ChatType.PRIVATE else "group"
            await reply_with(update, context, result, front, f"/start {entry_id}", started)
            return
        quoted = entry_id if len(entry_id) <= MAX_QUOTED_LINK else entry_id[: MAX_QUOTED_LINK - 1] + "…"
        greeting = phrases.say("unknown_link", lang, entry=quoted) + "\n\n" + greeting
    await message.reply_html(greeting)


async def help_command(update: Update, context: Context) -> None:
    """How to ask, in private chats, groups and inline mode."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        phrases.say("help", ui_lang(update, context), username=context.bot.username)
    )


async def about(update: Update, context: Context) -> None:
    """What the bot covers, how sources and "as of" work, what is logged and for how long."""
    assert update.effective_message is not None
    state = context.bot_data
    counts = phrases.knowledge_counts(state.engine.counts)
    lang = ui_lang(update, context)
    kept = phrases.part("about_text_kept" if state.settings.log_private_text else "about_text_not_kept", lang)
    await update.effective_message.reply_html(
        phrases.say("about", lang, **counts)
        + "\n\n"
        + phrases.say("about_privacy", lang, days=state.settings.retention_days, text=kept)
    )


async def lang(update: Update, context: Context) -> None:
    """``/lang en|ru|auto``: the language of answers and of the bot's own texts; with no
    argument, which one is in effect and how to change it."""
    message, prefs = update.effective_message, context.user_data
    assert message is not None and prefs is not None
    choice = (context.args or [""])[0].lower()
    if not choice:
        key = "lang_chosen" if prefs.lang else "lang_following"
        await message.reply_html(phrases.say(key, ui_lang(update, context)))
    elif choice == phrases.AUTO:
        prefs.lang = None
        await message.reply_html(phrases.say("lang_auto", ui_lang(update, context)))
    elif choice in phrases.LANGS:
        prefs.lang = choice
        await message.reply_html(phrases.say("lang_set", choice))
    else:
        await message.reply_html(phrases.say("lang_usage", ui_lang(update, context)))


async def ask(update: Update, context: Context) -> None:
    """``/ask <question>``: the way to ask in groups (works in private chats too)."""
    assert update.effective_message is not None
    question = " ".join(context.args or [])
    if not question.strip():
        await update.effective_message.reply_html(phrases.say("ask_usage", ui_lang(update, context)))
        return
    front = "private" if update.effective_message.chat.type == ChatType.PRIVATE else "group"
    await answer_question(update, context, question, front)


async def private_question(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    assert update.effective_message is not None
    await answer_question(update, context, update.effective_message.text or "", "private")


async def group_question(update: Update, context: Context) -> None:
    """A group message replying to the bot or mentioning it: the question is the rest."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    mention = mention_of(message, context.bot.username)
    if mention:
        text = text.replace(mention, " ", 1)
    await answer_question(update, context, text, "group")


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know (or one this user may not use), in a private chat."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(phrases.say("unknown_command", ui_lang(update, context)))


async def button(update: Update, context: Context) -> None:
    """A did-you-mean or related-entry button: acknowledge it, then answer that entry ("more": expand)."""
    query = update.callback_query
    assert query is not None
    if more.decode(query.data):  # the expanded card keeps the short one's feedback buttons
        ref = ref_under(query.message)
        await more.expand(update, context, lambda result, expanded: answer_keyboard(result, ref, expanded))
        return
    started = time.perf_counter()
    choice = decode_button(query.data)
    lang = (choice.lang if choice else None) or ui_lang(update, context)
    result = context.bot_data.engine.open(choice.entry_id, lang) if choice else None
    if choice is None or result is None or result.outcome == "none":
        await query.answer(phrases.say("unknown_entry", lang))
        return
    await query.answer()
    ref = card_ref(update, result)
    text, markup = render.html(result), answer_keyboard(result, ref)
    title = result.answer.title if result.answer else choice.entry_id
    try:
        message = query.message
        if choice.kind == "s" and isinstance(message, Message):
            try:
                await message.edit_text(text, reply_markup=markup)
                return
            except BadRequest as exc:  # too old to edit, or already showing this answer
                _LOG.info("could not edit a did-you-mean message (%s); sending a new one", exc)
        if message is not None:
            await context.bot.send_message(message.chat.id, text, reply_markup=markup)
    finally:
        _log(context, update, "callback", title, result, started, ref)


async def inline_query(update: Update, context: Context) -> None:
    """``@bot <query>``: up to 10 sourced answers to pick from; featured entries when empty.

    What a share button types (an entry id and a language) shows that entry first. Each card
    sent carries a button that opens the entry in a private chat with the bot (a deep link).
    """
    query = update.inline_query
    assert query is not None
    started = time.perf_counter()
    engine = context.bot_data.engine
    text = query.query.strip()
    shared = shared_entry(text)
    opened = engine.open(*shared) if shared else None
    if not visible(text):
        results = engine.featured(ui_lang(update, context))
    else:
        asked = opened if opened and opened.outcome != "none" else engine.ask(text, _answer_lang(context))
        ids = [s.id for s in asked.suggestions]
        if asked.answer:
            ids = [i for i, _ in asked.answer.related]
        results = [asked] + [engine.open(i, asked.lang) for i in ids]
    articles: list[InlineQueryResultArticle] = []
    seen: set[str] = set()
    for result in results:
        answer = result.answer
        if answer is None or answer.id in seen or len(articles) == MAX_INLINE_RESULTS:
            continue
        seen.add(answer.id)
        link = (
            None
            if answer.type == "list"
            else deep_link_keyboard(context.bot.username, answer.id, result.lang)
        )
        articles.append(
            InlineQueryResultArticle(
                id=answer.id,
                title=answer.title,
                description=render.description(result),
                input_message_content=InputTextMessageContent(render.html(result)),
                reply_markup=link,
            )
        )
    try:
        await query.answer(articles, cache_time=INLINE_CACHE_SECONDS, is_personal=True)
    finally:
        if visible(text):  # logged once the user settles on a query (bot.tg.inlinelog)
            context.bot_data.inline_log.typed(query.from_user.id, text, asked, query.chat_type, started)


async def chosen_inline(update: Update, context: Context) -> None:
    """The user sent one of the inline results (inline feedback on): log that query now."""
    chosen = update.chosen_inline_result
    assert chosen is not None
    context.bot_data.inline_log.chosen(chosen.from_user.id, chosen.query, chosen.result_id)

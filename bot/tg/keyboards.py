"""Inline keyboards under the bot's replies, and what their buttons' callback data means.

`answer_keyboard` is the one place a reply's buttons are put together: did-you-mean choices, or
under an answer its related entries and, in private chats, the feedback and share rows. Every
button's data fits Telegram's `InlineKeyboardButtonLimit.MAX_CALLBACK_DATA` and names all a press
needs (an entry id, or the question row's `ref` in the query log), so presses work after a restart.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage
from telegram.constants import InlineKeyboardButtonLimit, InlineQueryLimit

from bot.answers.wording import shorten
from bot.tg import more, phrases

if TYPE_CHECKING:
    from bot.answers.result import Result

#: Longest button label before it is cut (Telegram's own limit is far above what fits a screen).
MAX_BUTTON_TEXT = 60
MAX_RELATED_BUTTONS = 3
#: Feedback buttons' verdicts by the letter in their data (``f:<letter>:<ref>``).
VERDICT_CODES = {"h": "helpful", "n": "not_helpful", "e": "error"}
#: The data of the button that withdraws a report being written.
CANCEL_REPORT = "f:c"
#: An admin's "mark as handled" under a report notice: ``fh:<the report's ref>``.
HANDLED_PREFIX = "fh:"
HANDLED_PATTERN = rf"^{HANDLED_PREFIX}."
#: What a share button types after ``@bot``: an entry id and the card's language.
_SHARE_QUERY = re.compile(r"([a-z][a-z0-9_]*) (en|ru)")


class Button(NamedTuple):
    """What an inline button opens: `kind` "s" (a suggestion: edit in place) or "r" (related)."""

    kind: str
    lang: str | None
    entry_id: str


class FeedbackPress(NamedTuple):
    """A feedback button: the verdict, and the `ref` of the question row the answer was for."""

    verdict: str
    ref: str


def encode_button(kind: str, lang: str, entry_id: str) -> str:
    """Callback data for a button, always within Telegram's 64 bytes (ids are at most 64)."""
    data = f"{kind}:{lang}:{entry_id}"
    return data if len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA else entry_id


def decode_button(data: str | None) -> Button | None:
    """The button behind callback data, or None if it is not ours."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) == 1:
        return Button("r", None, parts[0])
    if len(parts) == 3 and parts[0] in ("s", "r") and parts[1] in phrases.LANGS and parts[2]:
        return Button(parts[0], parts[1], parts[2])
    return None


def encode_feedback(verdict: str, ref: str) -> str:
    """Callback data of a feedback button (a ref is 12 characters: far within 64 bytes)."""
    code = next(c for c, v in VERDICT_CODES.items() if v == verdict)
    return f"f:{code}:{ref}"


def decode_feedback(data: str | None) -> FeedbackPress | None:
    """The feedback button behind callback data, or None if it is not one."""
    parts = (data or "").split(":")
    if len(parts) == 3 and parts[0] == "f" and parts[1] in VERDICT_CODES and parts[2]:
        return FeedbackPress(VERDICT_CODES[parts[1]], parts[2])
    return None


def share_query(result: Result) -> str | None:
    """What the share button types after ``@bot`` so that inline mode shows exactly this answer:
    the entry id and language, or for a computed list the question itself (None if too long)."""
    answer = result.answer
    if answer is None:
        return None
    if answer.type != "list":
        return f"{answer.id} {result.lang}"
    return result.query if len(result.query) <= InlineQueryLimit.MAX_QUERY_LENGTH else None


def shared_entry(query: str) -> tuple[str, str] | None:
    """(entry id, language) if an inline query is what a share button types, else None."""
    found = _SHARE_QUERY.fullmatch(query)
    return (found[1], found[2]) if found else None


def deep_link(username: str, entry_id: str) -> str:
    """``https://t.me/<bot>?start=<entry id>``: opens the entry in a private chat with the bot."""
    return f"https://t.me/{username}?start={entry_id}"


def _label(title: str) -> str:
    return shorten(title, MAX_BUTTON_TEXT)


def answer_keyboard(
    result: Result, ref: str | None = None, expanded: bool = False
) -> InlineKeyboardMarkup | None:
    """The buttons under a reply: did-you-mean choices for a suggestion; under an answer, "more"
    (a short card, unless `expanded`), a few related entries, then, given the question row's `ref`
    (private chats), the feedback and share rows."""
    if result.outcome == "suggest":
        rows = _rows("s", result.lang, tuple((s.id, s.title) for s in result.suggestions))
    elif result.answer is not None:
        expand = None if expanded else more.button(result)
        rows = ((expand,),) if expand else ()
        rows += _rows("r", result.lang, result.answer.related[:MAX_RELATED_BUTTONS])
        if ref is not None:
            rows += _feedback_rows(result, ref)
    else:
        return None
    return InlineKeyboardMarkup(rows) if rows else None


def ref_under(message: MaybeInaccessibleMessage | None) -> str | None:
    """The question row's `ref` in the feedback buttons under a message, if it has them."""
    markup = getattr(message, "reply_markup", None)
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            press = decode_feedback(button.callback_data if isinstance(button.callback_data, str) else None)
            if press is not None:
                return press.ref
    return None


@functools.lru_cache(maxsize=4096)
def _rows(
    kind: str, lang: str, choices: tuple[tuple[str, str], ...]
) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
    # PTB's buttons are immutable, so the ones built for a reply can go under every such reply.
    return tuple(
        (InlineKeyboardButton(_label(title), callback_data=encode_button(kind, lang, id_)),)
        for id_, title in choices
    )


def _feedback_rows(result: Result, ref: str) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
    """👍 / 👎, then "report an error" and "share" (when the answer can be shared)."""
    lang = result.lang

    def press(verdict: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            phrases.say(f"button_{verdict}", lang), callback_data=encode_feedback(verdict, ref)
        )

    last = [press("error")]
    query = share_query(result)
    if query is not None:
        last.append(InlineKeyboardButton(phrases.say("button_share", lang), switch_inline_query=query))
    return (press("helpful"), press("not_helpful")), tuple(last)


def cancel_keyboard(lang: str) -> InlineKeyboardMarkup:
    """The way out under "write what is wrong"."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(phrases.say("button_cancel", lang), callback_data=CANCEL_REPORT)]]
    )


def report_notice_keyboard(lang: str, entry_id: str | None, ref: str | None) -> InlineKeyboardMarkup | None:
    """Under an admin's report notice: "mark as handled" (given the report's `ref`), then "open
    the entry" (given an entry that is still in the knowledge base)."""
    rows = []
    if ref is not None:
        label = phrases.say("button_mark_handled", lang)
        rows.append([InlineKeyboardButton(label, callback_data=HANDLED_PREFIX + ref)])
    if entry_id is not None:
        label = phrases.say("button_open_entry", lang)
        rows.append([InlineKeyboardButton(label, callback_data=encode_button("r", lang, entry_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def decode_handled(data: str | None) -> str | None:
    """The report's `ref` behind a "mark as handled" button, or None if it is not one."""
    if data and data.startswith(HANDLED_PREFIX) and len(data) > len(HANDLED_PREFIX):
        return data[len(HANDLED_PREFIX) :]
    return None


def without_handled(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """A notice's buttons once its report is handled: all but "mark as handled"."""
    rows = [
        row
        for row in (markup.inline_keyboard if markup else ())
        if not any(decode_handled(b.callback_data if isinstance(b.callback_data, str) else None) for b in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


@functools.lru_cache(maxsize=4096)
def deep_link_keyboard(username: str, entry_id: str, lang: str) -> InlineKeyboardMarkup:
    """Under a card sent through inline mode: open the entry in a private chat with the bot."""
    label = phrases.say("button_open_in_bot", lang, username=username)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=deep_link(username, entry_id))]])

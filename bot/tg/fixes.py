"""/unanswered for admins: each unanswered question (near-duplicates grouped) with one-tap fixes.

Under every question are buttons for the entries the matcher ranks best for it ("add as a
question of ...", "add as an alias of ...") and "dismiss". A fix adds the question to that
entry's YAML file (`Engine.add_to`: validated with the whole folder first, written in one step),
swaps in the engine built from the new files under the same lock as /reload, and says what
changed, in which file, and what the bot answers now. A dismissed question is stored and not
listed again. Only admins' presses do anything.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit

from bot.answers.engine import Engine
from bot.answers.result import Target
from bot.answers.wording import shorten
from bot.knowledge.edit import EditError
from bot.querylog import reports, triage
from bot.tg.admin import problems_html
from bot.tg.handlers import ui_lang
from bot.tg.keyboards import MAX_BUTTON_TEXT
from bot.tg.phrases import knowledge_counts, say, words
from bot.tg.state import BotState, Context, FixOffer

_LOG = logging.getLogger(__name__)

#: Unanswered questions read from the log (before grouping) and groups shown with buttons.
READ_ROWS = 300
SHOWN_WITH_BUTTONS = 8
#: Offers whose buttons still work (older ones say "send /unanswered again").
MAX_OFFERS = 200
#: Callback data prefix: ``fix:<token>:<n>`` adds to the n-th target, ``fix:<token>:d`` dismisses.
PREFIX = "fix"
PATTERN = rf"^{PREFIX}:"
#: What a press adds, by `Target.adds`: the phrase keys of its line and of its button.
ADDS = {"question": ("fix_as_question", "fix_button_question"), "alias": ("fix_as_alias", "fix_button_alias")}


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _label(text: str) -> str:
    return shorten(text, MAX_BUTTON_TEXT)


def open_groups(engine: Engine, groups: list[triage.Group]) -> list[triage.Group]:
    """The groups the engine still does not answer (a fix or an edit by hand may have answered them)."""
    return [g for g in groups if engine.ask(g.query).outcome == "none"]


def describe(target: Target, engine: Engine, lang: str = "en") -> str:
    """A target in one line: what a press adds, to which entry, in which file (plain text)."""
    where = engine.knowledge.where[target.id].file
    return words(lang, as_html=False)(ADDS[target.adds][0], entry=target.id, title=target.title, path=where)


def _offer(state: BotState, offer: FixOffer) -> str:
    token = secrets.token_urlsafe(6)
    state.fix_offers[token] = offer
    while len(state.fix_offers) > MAX_OFFERS:
        state.fix_offers.popitem(last=False)
    return token


def _group_message(engine: Engine, group: triage.Group, targets: tuple[Target, ...], lang: str) -> str:
    lines = [f"<b>{_esc(group.query)}</b>", _esc(reports.question_line(group))]
    lines += [f"{n}. {_esc(describe(t, engine, lang))}" for n, t in enumerate(targets, 1)]
    if not targets:
        lines.append(say("fix_no_target", lang))
    return "\n".join(lines)[: MessageLimit.MAX_TEXT_LENGTH]


async def unanswered_command(update: Update, context: Context) -> None:
    """/unanswered: the list of unanswered questions, then the most recent ones with fix buttons."""
    message = update.effective_message
    assert message is not None
    state = context.bot_data
    log = state.querylog
    await log.flush(timeout=2)
    engine = state.engine
    lang = ui_lang(update, context)
    plain = words(lang, as_html=False)  # button labels are plain text
    groups = open_groups(engine, triage.group(await log.unanswered(limit=READ_ROWS), await log.dismissed()))
    await message.reply_html(reports.unanswered_text(groups, words(lang), as_html=True))
    for group in groups[:SHOWN_WITH_BUTTONS]:
        targets = engine.targets(group.query)
        token = _offer(state, FixOffer(group.query, group.keys, tuple(t.id for t in targets)))
        rows = [
            [
                InlineKeyboardButton(
                    _label(plain(ADDS[t.adds][1], n=n, title=t.title)), callback_data=f"{PREFIX}:{token}:{n}"
                )
            ]
            for n, t in enumerate(targets, 1)
        ]
        rows.append([InlineKeyboardButton(plain("fix_button_dismiss"), callback_data=f"{PREFIX}:{token}:d")])
        # Quoting the command ties each question to this /unanswered, not to a later command.
        await message.reply_html(
            _group_message(engine, group, targets, lang),
            reply_markup=InlineKeyboardMarkup(rows),
            do_quote=True,
        )


async def fix_button(update: Update, context: Context) -> None:
    """A fix or dismiss button under /unanswered: only admins' presses do anything."""
    query = update.callback_query
    assert query is not None
    state = context.bot_data
    user = update.effective_user
    lang = ui_lang(update, context)
    if user is None or user.id not in state.settings.admin_ids:
        await query.answer(say("admins_only", lang), show_alert=True)
        return
    _prefix, token, choice = (query.data or "::").split(":", 2)
    offer = state.fix_offers.get(token)
    message = query.message if isinstance(query.message, Message) else None
    if offer is None or message is None:
        await query.answer(say("fix_out_of_date", lang), show_alert=True)
        return
    if choice == "d":
        await state.querylog.dismiss(offer.keys)
        state.fix_offers.pop(token, None)
        await query.answer(say("fix_dismissed_short", lang))
        await message.edit_text(say("fix_dismissed", lang, question=offer.question))
        return
    if not choice.isdigit() or not 1 <= int(choice) <= len(offer.targets):
        await query.answer(say("fix_unknown_button", lang), show_alert=True)
        return
    entry_id = offer.targets[int(choice) - 1]
    await query.answer(say("fix_checking", lang))
    ok, report = await apply_fix(state, entry_id, offer.question, lang)
    if ok:
        state.fix_offers.pop(token, None)
        await message.edit_text(report)
    else:
        await message.reply_html(report)


async def apply_fix(state: BotState, entry_id: str, question: str, lang: str = "en") -> tuple[bool, str]:
    """Add `question` to an entry's file and swap in the new knowledge, under the reload lock.

    Returns (ok, an HTML report in `lang`: what changed, where, and what the bot answers now; or why not).
    """
    async with state.reload_lock:
        engine = state.engine
        try:
            change, new = await asyncio.to_thread(engine.add_to, entry_id, question)
        except EditError as exc:
            _LOG.warning("fix refused: %s", exc)
            return False, problems_html(say("fix_refused", lang, entry=entry_id), exc.problems, lang)
        state.engine = new
    _LOG.info("knowledge edited and swapped in: %s", change)
    now = new.ask(question)
    if now.answer is not None:
        answered = say("fix_answered", lang, title=now.answer.title, entry=now.answer.id)
    else:
        answered = say("fix_still_unanswered", lang, outcome=now.outcome)
    added = say(
        "fix_added", lang, path=f"{change.file}:{change.line}", entry=change.entry_id, field=change.field,
        question=change.value, **knowledge_counts(new.counts),
    )  # fmt: skip
    return True, f"{added}\n{answered}"

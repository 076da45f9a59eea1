"""Render a Result for a front end: Telegram HTML (at most one message), plain text, a one-line description.

A chat shows the short card first (`html`) and the full one when "more" is pressed (`html(full=True)`);
both name outlets, linked to a page of each. The terminal (`plain`) shows the full card with every
source's title and URL.
"""

from __future__ import annotations

import functools
import html as html_lib
from collections.abc import Sequence

from telegram.constants import MessageLimit

from bot.answers import cases, wording
from bot.answers.content import footer, word
from bot.answers.result import Answer, Result, Suggestion
from bot.matching.candidates import left_bound

#: Longest description under an inline result: about two lines on a phone.
DESCRIPTION = 120


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _answer_html(a: Answer, lang: str, body: str) -> str:
    """The card: its title and body as the engine typeset them, and the footer, typeset here."""
    names = [wording.typeset(name, lang) for name, _ in a.outlets]
    links = [
        f'<a href="{html_lib.escape(url, quote=True)}">{_esc(name)}</a>'
        for name, (_, url) in zip(names, a.outlets, strict=True)
    ]
    sources, checked = footer([], a.as_of, lang)
    label, checked = wording.typeset(sources.split(": ", 1)[0], lang), wording.typeset(checked, lang)
    line = f"<b>{_esc(label)}:</b> " + " · ".join(links) if links else f"<b>{_esc(label)}</b>"
    return f"<b>{_esc(a.title)}</b>\n\n{_esc(body)}\n\n{line}\n<i>{_esc(checked)}</i>"


def html(result: Result, full: bool = False) -> str:
    """The Telegram reply (HTML parse mode), at most 4,096 characters: the short card, or with
    `full` the whole one ("more")."""
    return _html(
        result.lang,
        result.answer,
        result.suggestions,
        result.small_talk,
        full,
        result.unknown_name,
        result.nobody,
    )


@functools.lru_cache(maxsize=4096)
def _html(
    lang: str,
    answer: Answer | None,
    suggestions: tuple[Suggestion, ...],
    small_talk: str | None,
    full: bool,
    unknown_name: str = "",
    nobody: tuple[str, str] | None = None,
) -> str:
    if answer:
        body = answer.text if full or not answer.short else answer.short
        text = _answer_html(answer, lang, body)
        while len(text) > MessageLimit.MAX_TEXT_LENGTH and len(body) > 1:  # a safety net: content fits
            body = wording.shorten(body, len(body) - (len(text) - MessageLimit.MAX_TEXT_LENGTH) - 1)
            text = _answer_html(answer, lang, body)
        return text
    if suggestions:
        lines = [f"{i}. {_esc(s.title)}" for i, s in enumerate(suggestions, 1)]
        return _esc(_did_you_mean(suggestions, lang)) + "\n" + "\n".join(lines)
    return _esc(_nothing(lang, small_talk, unknown_name, nobody))


def _did_you_mean(suggestions: Sequence[object], lang: str) -> str:
    return wording.typeset(word("did_you_mean_one" if len(suggestions) == 1 else "did_you_mean", lang), lang)


def _nothing(lang: str, small_talk: str | None, name: str = "", nobody: tuple[str, str] | None = None) -> str:
    """What to say when there is no entry to show: a short reply to small talk, that nobody of
    ours is based in the place or left Russia in the years asked about, or "I don't know" (naming
    the name asked about, when the question named someone we have no entry on)."""
    if small_talk:
        return wording.typeset(word(f"chat_{small_talk}", lang), lang)
    if nobody and nobody[0] == "left":
        bound, year = left_bound(nobody[1])
        return wording.typeset(word("nobody_left", lang, when=wording.date(year, lang, bound)), lang)  # type: ignore[arg-type]
    if nobody:
        return wording.typeset(_nobody_based(nobody[1], lang), lang)
    missing = word("unknown_name", lang, name=name) if name else word("unknown", lang)
    return wording.typeset(f"{missing} {word('scope', lang)}", lang)


def _nobody_based(place: str, lang: str) -> str:
    """ "As far as we know, nobody … lives in Tbilisi." / «В Тбилиси, по нашим данным, никто…»; in
    Russian the name first, with a colon, when its case form cannot be made."""
    if lang == "en":
        return word("nobody_based", lang, place=wording.en_place(place))
    form = cases.in_place(place)
    if form is None:
        return word("nobody_based", lang, place=place)
    return word("nobody_based_in", lang, place=form[:1].upper() + form[1:])


def plain(result: Result) -> str:
    """The full reply as plain text, for the terminal: every source with its title and URL."""
    lang = result.lang
    if result.answer:
        a = result.answer
        links = "\n".join(f"• {wording.typeset(t, lang)}{wording.NBSP}— {url}" for t, url in a.sources)
        checked = wording.typeset(footer([], a.as_of, lang)[1], lang)
        return f"{a.title}\n\n{a.text}\n\n{word('sources', lang)}:\n{links}\n\n{checked}"
    if result.suggestions:
        lines = [f"{i}. {s.title}" for i, s in enumerate(result.suggestions, 1)]
        return _did_you_mean(result.suggestions, lang) + "\n" + "\n".join(lines)
    return _nothing(lang, result.small_talk, result.unknown_name, result.nobody)


def description(result: Result) -> str:
    """One line (at most 120 characters) describing a reply, for inline results."""
    if result.answer:
        first = (result.answer.short or result.answer.text).strip().split("\n", 1)[0]
    elif result.suggestions:
        first = (
            _did_you_mean(result.suggestions, result.lang)
            + " "
            + ", ".join(s.title for s in result.suggestions)
        )
    else:
        first = _nothing(result.lang, result.small_talk, result.unknown_name, result.nobody)
    return wording.shorten(first, DESCRIPTION)

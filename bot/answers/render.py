"""Render a Result for a front end: Telegram HTML (at most one message), plain text, a one-line description."""

from __future__ import annotations

import functools
import html as html_lib
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from telegram.constants import MessageLimit

from bot.answers.content import when, word
from bot.answers.result import Answer, Result, Suggestion

#: Longest description under an inline result: about two lines on a phone.
DESCRIPTION = 120


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _site(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.").removeprefix("m.")


def source_labels(sources: Iterable[tuple[str, str]]) -> list[str]:
    """Short link texts for sources: the site, numbered when a site gives several."""
    sites = [_site(url) for _, url in sources]
    seen: Counter[str] = Counter()
    labels = []
    for site in sites:
        seen[site] += 1
        labels.append(site if sites.count(site) == 1 else f"{site} ({seen[site]})")
    return labels


def _answer_html(a: Answer, lang: str, max_sources: int, max_text: int) -> str:
    # In a chat the sources are one line of links named by site; the terminal and JSON keep titles.
    sources = a.sources[:max_sources]
    body = a.text if len(a.text) <= max_text else a.text[: max_text - 1].rstrip() + "…"
    links = [
        f'<a href="{html_lib.escape(url, quote=True)}">{_esc(label)}</a>'
        for (_, url), label in zip(sources, source_labels(sources), strict=True)
    ]
    more = ""
    if len(sources) < len(a.sources):
        more = " " + _esc(word("more_sources", lang, n=str(len(a.sources) - len(sources))))
    return (
        f"<b>{_esc(a.title)}</b>\n\n{_esc(body)}\n\n<b>{word('sources', lang)}:</b> "
        + " · ".join(links)
        + more
        + f"\n<i>{word('as_of', lang)} {when(a.as_of, lang)}</i>"
    )


def html(result: Result) -> str:
    """The whole Telegram reply (HTML parse mode), at most 4,096 characters."""
    return _html(result.lang, result.answer, result.suggestions, result.small_talk)


@functools.lru_cache(maxsize=4096)
def _html(
    lang: str, answer: Answer | None, suggestions: tuple[Suggestion, ...], small_talk: str | None
) -> str:
    if answer:
        a = answer
        sources, max_text = len(a.sources), len(a.text)
        text = _answer_html(a, lang, sources, max_text)
        while (
            len(text) > MessageLimit.MAX_TEXT_LENGTH and sources > 1
        ):  # fewer links first, then a shorter body
            sources -= 1
            text = _answer_html(a, lang, sources, max_text)
        while len(text) > MessageLimit.MAX_TEXT_LENGTH and max_text > 1:
            max_text = max(1, max_text - (len(text) - MessageLimit.MAX_TEXT_LENGTH) - 1)
            text = _answer_html(a, lang, sources, max_text)
        return text
    if suggestions:
        lines = [f"{i}. {_esc(s.title)}" for i, s in enumerate(suggestions, 1)]
        return _esc(word("did_you_mean", lang)) + "\n" + "\n".join(lines)
    return _esc(_nothing(lang, small_talk))


def _nothing(lang: str, small_talk: str | None) -> str:
    """What to say when there is no entry to show: a short reply to small talk, or "I don't know"."""
    return word(f"chat_{small_talk}" if small_talk else "unknown", lang)


def plain(result: Result) -> str:
    """The same reply as plain text, for the terminal."""
    lang = result.lang
    if result.answer:
        a = result.answer
        links = "\n".join(f"• {t} — {url}" for t, url in a.sources)
        return f"{a.title}\n\n{a.text}\n\n{word('sources', lang)}:\n{links}\n\n{word('as_of', lang)} {when(a.as_of, lang)}"
    if result.suggestions:
        lines = [f"{i}. {s.title}" for i, s in enumerate(result.suggestions, 1)]
        return word("did_you_mean", lang) + "\n" + "\n".join(lines)
    return _nothing(lang, result.small_talk)


def description(result: Result) -> str:
    """One line (at most 120 characters) describing a reply, for inline results."""
    if result.answer:
        first = result.answer.text.strip().split("\n", 1)[0]
    elif result.suggestions:
        first = word("did_you_mean", result.lang) + " " + ", ".join(s.title for s in result.suggestions)
    else:
        first = _nothing(result.lang, result.small_talk)
    return first if len(first) <= DESCRIPTION else first[: DESCRIPTION - 1].rstrip() + "…"

"""Query-log reports for admins: /stats and /unanswered in Telegram, and the terminal commands."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence

from bot.querylog.store import OUTCOMES, Stats, Unanswered

#: What a report says, in the reader's language: ``words(key, **values)`` is the text of `key`
#: with `values` in it, escaped for the output (the bot's phrase table: `bot.tg.phrases.words`).
Words = Callable[..., str]
#: Room left under Telegram's 4,096-character limit.
MAX_REPORT = 4000
_QUESTION_WIDTH = 80


def _short(text: str) -> str:
    return text if len(text) <= _QUESTION_WIDTH else text[: _QUESTION_WIDTH - 1] + "…"


def _markup(as_html: bool) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(escape, bold) for HTML or plain text."""
    if as_html:
        return (lambda s: html.escape(s, quote=False)), (lambda s: f"<b>{s}</b>")
    return (lambda s: s), (lambda s: s)


def _fit(lines: list[str], limit: int | None) -> str:
    text = "\n".join(lines)
    if limit is None or len(text) <= limit:
        return text
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > limit - 2:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


def stats_text(windows: Sequence[Stats], words: Words, as_html: bool = False) -> str:
    """Counts, outcome rates, and top (and top unanswered) questions for each window."""
    esc, bold = _markup(as_html)
    lines: list[str] = []
    for stats in windows:
        day = "_day" if stats.days == 1 else ""
        if not stats.total:
            lines += [bold(words(f"stats_empty{day}", days=stats.days)), ""]
            continue
        lines.append(bold(words(f"stats_window{day}", days=stats.days, total=stats.total, users=stats.users)))
        lines.append(" · ".join(f"{words(f'outcome_{o}')} {stats.rate(o):.0%}" for o in OUTCOMES))
        fronts = sorted(stats.fronts.items(), key=lambda x: -x[1])
        lines.append(
            words("stats_fronts", fronts=" · ".join(f"{words(f'front_{f}')} {n}" for f, n in fronts))
        )
        for title, rows in (
            ("stats_top", stats.top_questions),
            ("stats_top_unanswered", stats.top_unanswered),
        ):
            if rows:
                lines.append(words(title))
                lines += [esc(f"{i}. {_short(q)} ({n})") for i, (q, n) in enumerate(rows, 1)]
        lines.append("")
    return _fit(lines[:-1], MAX_REPORT if as_html else None)


def unanswered_text(rows: Sequence[Unanswered], words: Words, as_html: bool = False) -> str:
    """The admins' to-do list: questions with no answer, most recent first."""
    esc, bold = _markup(as_html)
    if not rows:
        return words("unanswered_none")
    lines = [bold(words("unanswered_heading", n=len(rows)))]
    for row in rows:
        times = f" ×{row.count}" if row.count > 1 else ""
        lines.append(esc(f"{row.last_asked[:16].replace('T', ' ')} [{row.lang or '?'}]{times} ")
                     + esc(_short(row.query)))  # fmt: skip
    return _fit(lines, MAX_REPORT if as_html else None)


def unanswered_csv(rows: Sequence[Unanswered]) -> str:
    """The same list as CSV: last_asked, count, lang, query."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["last_asked", "count", "lang", "query"])
    for row in rows:
        writer.writerow([row.last_asked, row.count, row.lang or "", row.query])
    return out.getvalue()

"""Query-log reports for admins: /stats and /unanswered in Telegram, and the terminal commands
(``stats``, ``unanswered``, ``feedback``)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence

from bot.querylog.store import OUTCOMES, Feedback, Helpfulness, Stats, Unanswered
from bot.querylog.triage import Group

#: What a report says, in the reader's language: ``words(key, **values)`` is the text of `key`
#: with `values` in it, escaped for the output (the bot's phrase table: `bot.tg.phrases.words`).
Words = Callable[..., str]
#: Room left under Telegram's 4,096-character limit.
MAX_REPORT = 4000
_QUESTION_WIDTH = 80
#: /stats shows the `WORST_ENTRIES` least helpful entries over `HELPFULNESS_DAYS` days.
HELPFULNESS_DAYS = 7
WORST_ENTRIES = 10


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


def ranked(rows: Sequence[tuple[str, int]], as_html: bool = False) -> list[str]:
    """Questions with how often each was asked: `1. where is X? (4)`."""
    esc, _bold = _markup(as_html)
    return [esc(f"{i}. {_short(q)} ({n})") for i, (q, n) in enumerate(rows, 1)]


def stats_text(
    windows: Sequence[Stats], words: Words, worst: Sequence[Helpfulness] = (), as_html: bool = False
) -> str:
    """Counts, outcome rates, and top (and top unanswered) questions for each window; then the
    least helpful entries by users' verdicts (`worst`), if any."""
    _esc, bold = _markup(as_html)
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
                lines += ranked(rows, as_html)
        lines.append("")
    if worst:
        lines += [
            bold(words("stats_least_helpful", days=HELPFULNESS_DAYS)),
            *_helpfulness_lines(worst, words),
            "",
        ]
    return _fit(lines[:-1], MAX_REPORT if as_html else None)


def _helpfulness_lines(rows: Sequence[Helpfulness], words: Words) -> list[str]:
    return [
        words("helpfulness_line", n=i, entry=row.entry_id, share=f"{row.share:.0%}", helpful=row.helpful,
              not_helpful=row.not_helpful, errors=row.errors)
        for i, row in enumerate(rows, 1)
    ]  # fmt: skip


def feedback_text(days: int, entries: Sequence[Helpfulness], rows: Sequence[Feedback], words: Words) -> str:
    """For the terminal: helpfulness per entry (least helpful first), then what users wrote."""
    if not entries:
        return words("feedback_none", days=days)
    lines = [words("feedback_heading", days=days), *_helpfulness_lines(entries, words)]
    written = [row for row in rows if row.text]
    if written:
        lines += ["", words("feedback_reports", n=len(written))]
        lines += _report_lines(written)
    return "\n".join(lines)


def unhandled_text(rows: Sequence[Feedback], words: Words) -> str:
    """For the terminal: the reports no admin has marked handled, most recent first."""
    if not rows:
        return words("feedback_unhandled_none")
    return "\n".join([words("feedback_unhandled_heading", n=len(rows)), *_report_lines(rows)])


def _report_lines(rows: Sequence[Feedback]) -> list[str]:
    """Each report in two lines: when, verdict, entry and question; then what the user wrote."""
    lines = []
    for row in rows:
        asked = f" to “{_short(row.query)}”" if row.query else ""
        handled = f" (handled {row.handled_at[:16].replace('T', ' ')})" if row.handled_at else ""
        lines += [
            f"{row.at[:16].replace('T', ' ')} {row.verdict} on {row.entry_id}{asked}{handled}:",
            f"    {row.text}",
        ]
    return lines


def feedback_csv(rows: Sequence[Feedback]) -> str:
    """Every verdict as CSV: at, entry_id, verdict, lang, question, text, handled_at."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["at", "entry_id", "verdict", "lang", "question", "text", "handled_at"])
    for row in rows:
        writer.writerow([row.at, row.entry_id, row.verdict, row.lang or "", row.query or "", row.text or "",
                         row.handled_at or ""])  # fmt: skip
    return out.getvalue()


def unanswered_text(rows: Sequence[Unanswered], words: Words, as_html: bool = False) -> str:
    """The admins' to-do list: questions with no answer, most recent first."""
    esc, bold = _markup(as_html)
    if not rows:
        return words("unanswered_none")
    lines = [bold(words("unanswered_heading", n=len(rows)))]
    lines += [esc(question_line(row)) for row in rows]
    return _fit(lines, MAX_REPORT if as_html else None)


def question_line(row: Unanswered | Group) -> str:
    """An unanswered question (or group) in one line: when last asked, language, how often, wording."""
    times = f" ×{row.count}" if row.count > 1 else ""
    return f"{row.last_asked[:16].replace('T', ' ')} [{row.lang or '?'}]{times} {_short(row.query)}"


def unanswered_csv(rows: Sequence[Unanswered]) -> str:
    """The same list as CSV: last_asked, count, lang, query."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["last_asked", "count", "lang", "query"])
    for row in rows:
        writer.writerow([row.last_asked, row.count, row.lang or "", row.query])
    return out.getvalue()

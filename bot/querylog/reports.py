"""Query-log reports for admins: /stats and /unanswered in Telegram, and the terminal commands
(``stats``, ``unanswered``, ``feedback``)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence

from bot.querylog.store import OUTCOMES, Feedback, Helpfulness, Stats, Unanswered

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


def stats_text(windows: Sequence[Stats], worst: Sequence[Helpfulness] = (), as_html: bool = False) -> str:
    """Counts, outcome rates, and top (and top unanswered) questions for each window; then the
    least helpful entries by users' verdicts (`worst`), if any."""
    esc, bold = _markup(as_html)
    lines: list[str] = []
    for stats in windows:
        period = "day" if stats.days == 1 else f"{stats.days} days"
        lines.append(bold(esc(f"Last {period}: {stats.total} questions from {stats.users} users")))
        if stats.total:
            rates = " · ".join(f"{o} {stats.rate(o):.0%}" for o in OUTCOMES)
            fronts = ", ".join(f"{f} {n}" for f, n in sorted(stats.fronts.items(), key=lambda x: -x[1]))
            lines += [esc(rates), esc(f"by front end: {fronts}")]
        for title, rows in (
            ("Top questions", stats.top_questions),
            ("Top unanswered", stats.top_unanswered),
        ):
            if rows:
                lines.append(esc(f"{title}:"))
                lines += [esc(f"{i}. {_short(q)} ({n})") for i, (q, n) in enumerate(rows, 1)]
        lines.append("")
    if worst:
        lines += [
            bold(esc(f"Least helpful entries, last {HELPFULNESS_DAYS} days:")),
            *_helpfulness_lines(worst, esc),
            "",
        ]
    return _fit(lines[:-1], MAX_REPORT if as_html else None)


def _helpfulness_lines(rows: Sequence[Helpfulness], esc: Callable[[str], str]) -> list[str]:
    return [
        esc(
            f"{i}. {row.entry_id}: {row.share:.0%} helpful (👍 {row.helpful} · 👎 {row.not_helpful} · ⚠️ {row.errors})"
        )
        for i, row in enumerate(rows, 1)
    ]


def feedback_text(days: int, entries: Sequence[Helpfulness], rows: Sequence[Feedback]) -> str:
    """For the terminal: helpfulness per entry (least helpful first), then what users wrote."""
    if not entries:
        return f"No feedback in the last {days} days."
    lines = [
        f"Helpfulness per entry, last {days} days, least helpful first:",
        *_helpfulness_lines(entries, str),
    ]
    written = [row for row in rows if row.text]
    if written:
        lines += ["", f"Reports ({len(written)}), most recent first:"]
        for row in written:
            asked = f" to “{_short(row.query)}”" if row.query else ""
            lines += [
                f"{row.at[:16].replace('T', ' ')} {row.verdict} on {row.entry_id}{asked}:",
                f"    {row.text}",
            ]
    return "\n".join(lines)


def feedback_csv(rows: Sequence[Feedback]) -> str:
    """Every verdict as CSV: at, entry_id, verdict, lang, question, text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["at", "entry_id", "verdict", "lang", "question", "text"])
    for row in rows:
        writer.writerow([row.at, row.entry_id, row.verdict, row.lang or "", row.query or "", row.text or ""])
    return out.getvalue()


def unanswered_text(rows: Sequence[Unanswered], as_html: bool = False) -> str:
    """The admins' to-do list: questions with no answer, most recent first."""
    esc, bold = _markup(as_html)
    if not rows:
        return "No unanswered questions."
    lines = [bold(f"Unanswered questions ({len(rows)}), most recent first:")]
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

"""The stale-fact list as editors and admins read it: `validate` warnings, `python -m bot stale`,
`/stale` and the weekly digest. In English only so far (other admin texts follow the admin's language)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence

from bot.answers.wording import NBSP, count
from bot.knowledge.stale import DatedFact

_MONTHS = ("month", "months"), ("месяц", "месяца", "месяцев")
_FACTS = ("stale fact", "stale facts"), ("устаревший факт", "устаревших факта", "устаревших фактов")
_ENTRIES = ("entry", "entries"), ("запись", "записи", "записей")


def warning(fact: DatedFact, months: int) -> str:
    """`file:line: field: reported 2021, older than 12 months (based in Vilnius, Lithuania)`."""
    if fact.reported is None:
        what = "no date says this still holds: add `as_of` (the year a source reports it for)"
    else:
        what = f"reported {fact.reported}, older than {count(months, 'en', *_MONTHS)}"
    return f"{fact.file}:{fact.line}: {fact.field}: {what} ({fact.fact})"


def count_line(facts: Sequence[DatedFact], months: int) -> str:
    """`3 stale facts in 2 entries (reported more than 12 months ago, or undated)`."""
    entries = len({f.entry for f in facts})
    return (f"{count(len(facts), 'en', *_FACTS)} in {count(entries, 'en', *_ENTRIES)} "
            f"(reported more than {count(months, 'en', *_MONTHS)} ago, or undated)")  # fmt: skip


def text(facts: Sequence[DatedFact], months: int) -> str:
    """The list for the terminal: one warning a line, then the count line (plain spaces, so that
    grep finds "12 months")."""
    lines = [*(warning(f, months) for f in facts), count_line(facts, months)]
    return "".join(line.replace(NBSP, " ") + "\n" for line in lines)


def html_lines(facts: Sequence[DatedFact], months: int) -> list[str]:
    """The list for Telegram: a bold count line, then one escaped line a fact."""
    head = f"<b>{html.escape(count_line(facts, months), quote=False)}</b>"
    return [head, *(html.escape(warning(f, months), quote=False) for f in facts)]


def as_csv(facts: Sequence[DatedFact]) -> str:
    """The facts as CSV: file, line, entry, field, reported, fact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "line", "entry", "field", "reported", "fact"])
    for f in facts:
        writer.writerow([f.file, f.line, f.entry, f.field, f.reported or "", f.fact])
    return out.getvalue()

"""The stale-fact list as editors and admins read it: `validate` warnings, `python -m bot stale`
(English, for the terminal), `/stale` and the weekly digest (in the admin's language)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence

from bot.answers.wording import NBSP, count, date
from bot.knowledge.stale import DatedFact

_FACTS = ("stale fact", "stale facts"), ("устаревший факт", "устаревших факта", "устаревших фактов")
# English "12 months"; Russian genitive, as after «старше»: «старше 1 месяца», «старше 12 месяцев».
_MONTHS = ("month", "months"), ("месяца", "месяцев", "месяцев")
# English "2 entries"; Russian prepositional, as after «в»: «в 1 записи», «в 2 записях».
_ENTRIES = ("entry", "entries"), ("записи", "записях", "записях")


def warning(fact: DatedFact, months: int, lang: str = "en") -> str:
    """`file:line: field: reported 2021, older than 12 months (based in Vilnius, Lithuania)`."""
    months_text = count(months, lang, *_MONTHS)
    if lang == "ru":
        if fact.reported is None:
            what = "нет даты, которая подтверждала бы, что это так и сейчас: добавьте `as_of` (год, о котором пишет источник)"
        else:
            what = f"сведения на {date(fact.reported, 'ru')}, они старше {months_text}"
    elif fact.reported is None:
        what = "no date says this still holds: add `as_of` (the year a source reports it for)"
    else:
        what = f"reported {fact.reported}, older than {months_text}"
    return f"{fact.file}:{fact.line}: {fact.field}: {what} ({fact.says(lang)})"


def count_line(facts: Sequence[DatedFact], months: int, lang: str = "en") -> str:
    """`3 stale facts in 2 entries (reported more than 12 months ago, or undated)`."""
    entries = len({f.entry for f in facts})
    n, where, age = (
        count(len(facts), lang, *_FACTS),
        count(entries, lang, *_ENTRIES),
        count(months, lang, *_MONTHS),
    )
    if lang == "ru":
        return f"{n} в{NBSP}{where} (сведения старше {age} или без даты)"
    return f"{n} in {where} (reported more than {age} ago, or undated)"


def text(facts: Sequence[DatedFact], months: int) -> str:
    """The list for the terminal: one warning a line, then the count line (plain spaces, so that
    grep finds "12 months")."""
    lines = [*(warning(f, months) for f in facts), count_line(facts, months)]
    return "".join(line.replace(NBSP, " ") + "\n" for line in lines)


def html_lines(facts: Sequence[DatedFact], months: int, lang: str = "en") -> list[str]:
    """The list for Telegram in `lang`: a bold count line, then one escaped line a fact."""
    head = f"<b>{html.escape(count_line(facts, months, lang), quote=False)}</b>"
    return [head, *(html.escape(warning(f, months, lang), quote=False) for f in facts)]


def as_csv(facts: Sequence[DatedFact]) -> str:
    """The facts as CSV: file, line, entry, field, reported, fact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "line", "entry", "field", "reported", "fact"])
    for f in facts:
        writer.writerow([f.file, f.line, f.entry, f.field, f.reported or "", f.fact])
    return out.getvalue()

"""The changeable dated facts of a knowledge base, and which of them may be out of date.

A changeable fact is one that holds now and may stop holding: where a person or organisation is
based (`based_in`, reported for its `as_of`), a membership of a person and a leading post in an
organisation that have no `until` (reported for their `as_of`, else their `since`; see
`model.Current`). Designations are not among them: each records a state action on its date,
which stays true; a lifted one is written down as what happened next. Family ties and milestones
are history too. How editors date facts: docs/knowledge-style.md, "How to date a fact".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from bot.knowledge.freshness import STALE_MONTHS, is_stale
from bot.knowledge.load import Knowledge, Path_, field_name, line_for
from bot.knowledge.model import Current, Entity, Organisation, Person, Words


@dataclass(frozen=True)
class DatedFact:
    """One changeable fact: where it is written, what it says, and the date it is reported for."""

    file: str
    line: int
    entry: str
    field: str  #: the field that dates it (`based_in.as_of`, `organisations[2].since`), or the fact's
    fact: str  #: what it says, in English, for editors: "based in Vilnius, Lithuania"
    reported: str | None  #: None: nothing dates it
    fact_ru: str = ""  #: the same in Russian: «местонахождение — Вильнюс, Литва»

    def says(self, lang: str) -> str:
        """What the fact says in `lang` (English where there is no Russian)."""
        return self.fact_ru if lang == "ru" and self.fact_ru else self.fact


def _name(k: Knowledge, entry_id: str | None, fallback: Words | None = None, lang: str = "en") -> str:
    if entry_id in k.entities:
        return getattr(k.entities[entry_id].name, lang)
    return getattr(fallback, lang) if fallback else (entry_id or "?")


def _span(k: Knowledge, entity: Entity, path: Path_, span: Current, fact: str, fact_ru: str) -> DatedFact:
    lines, at = k.lines.get(entity.id, {}), k.where[entity.id]
    date_field = "as_of" if span.as_of is not None else "since" if span.since is not None else None
    full = (*path, date_field) if date_field else path
    return DatedFact(
        at.file, line_for(lines, full), entity.id, field_name(full), fact, span.reported, fact_ru
    )


#: Leading posts as a Russian editor names them (the cards' names live in bot/answers/content.py).
_POST_RU = {
    "leader": "руководитель", "chair": "председатель", "co_chair": "сопредседатель",
    "board_chair": "председатель совета директоров", "management_board_chair": "председатель правления",
    "director": "директор", "executive_director": "исполнительный директор", "president": "президент",
    "editor_in_chief": "главный редактор",
}  # fmt: skip


def dated_facts(k: Knowledge) -> list[DatedFact]:
    """Every changeable fact that still holds, by file and line."""
    return sorted(_facts(k), key=lambda f: (f.file, f.line))


def _facts(k: Knowledge) -> Iterator[DatedFact]:
    for entity in k.entities.values():
        lines, at = k.lines.get(entity.id, {}), k.where[entity.id]
        place = entity.based_in
        if place is not None:
            where = ", ".join(w.en for w in (place.city, place.country) if w is not None)
            where_ru = ", ".join(w.ru for w in (place.city, place.country) if w is not None)
            path: Path_ = ("based_in", "as_of")
            yield DatedFact(
                at.file,
                line_for(lines, path),
                entity.id,
                field_name(path),
                f"based in {where}",
                place.as_of,
                f"местонахождение\u00a0— {where_ru}",
            )
        if isinstance(entity, Person):
            for i, member in enumerate(entity.organisations):
                if member.until is None:
                    fact = f"{member.role.en}, {_name(k, member.org)}"
                    fact_ru = f"{_name(k, member.org, lang='ru')}: {member.role.ru}"
                    yield _span(k, entity, ("organisations", i), member, fact, fact_ru)
        if isinstance(entity, Organisation):
            for i, post in enumerate(entity.leadership):
                if post.until is None:
                    fact = f"{post.post.replace('_', ' ')}: {_name(k, post.person, post.name)}"
                    fact_ru = f"{_POST_RU[post.post]}: {_name(k, post.person, post.name, 'ru')}"
                    yield _span(k, entity, ("leadership", i), post, fact, fact_ru)


def stale_facts(k: Knowledge, months: int = STALE_MONTHS, today: dt.date | None = None) -> list[DatedFact]:
    """The changeable facts reported for a date more than `months` months before `today` (UTC
    today by default), and those nothing dates."""
    today = today or dt.datetime.now(dt.UTC).date()
    return [f for f in dated_facts(k) if f.reported is None or is_stale(f.reported, today, months)]

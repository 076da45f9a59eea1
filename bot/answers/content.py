"""What an answer says: its title, the facts it states and its text, in the reply language."""

from __future__ import annotations

from collections.abc import Iterable

from bot.knowledge.load import Knowledge
from bot.knowledge.model import Designation, Entity, Event, Organisation, Person, Source
from bot.matching.index import Hit

MAX_LIST_SOURCES = 8
#: A list answer names at most this many people.
MAX_LIST = 40

_MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}
_MONTHS_ALONE_RU = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()

_DESIGNATIONS = {
    "foreign_agent": ("foreign agent", "иностранный агент"),
    "undesirable": ("undesirable organisation", "нежелательная организация"),
    "extremist": ("extremist designation", "признание экстремистским"),
    "terrorist": ("terrorist designation", "признание террористическим"),
    "terrorist_extremist_list": (
        "Rosfinmonitoring list of terrorists and extremists",
        "перечень террористов и экстремистов Росфинмониторинга",
    ),
    "wanted": ("wanted list", "розыск"),
    "arrested_in_absentia": ("arrest in absentia", "заочный арест"),
    "convicted_in_absentia": ("sentence in absentia", "заочный приговор"),
    "criminal_case": ("criminal case", "уголовное дело"),
}

_WORDS = {
    "sources": ("Sources", "Источники"),
    "as_of": ("As of", "По состоянию на"),
    "did_you_mean": ("Did you mean:", "Возможно, вы имели в виду:"),
    "unknown": (
        "I don't have an answer to that. I answer questions about Russian opposition figures in exile, "
        "their organisations and related events, for example “Where does Kasparov live?” or “What is FBK?”.",
        "На этот вопрос у меня нет ответа. Я отвечаю на вопросы о российских оппозиционерах в эмиграции, "
        "их организациях и связанных событиях, например: «Где живёт Каспаров?» или «Что такое ФБК?».",
    ),
    "chat_greeting": (
        "Hello! Ask me about Russian opposition figures in exile, their organisations and the events "
        "around them, for example “Where does Kasparov live?”.",
        "Здравствуйте! Спросите меня о российских оппозиционерах в эмиграции, их организациях и событиях "
        "вокруг них, например: «Где живёт Каспаров?»",
    ),
    "chat_thanks": ("You're welcome. Ask any time.", "Пожалуйста. Спрашивайте ещё."),
    "chat_bye": ("Goodbye!", "До свидания!"),
    "chat_about_bot": (
        "I'm exile-desk: I answer questions about Russian opposition figures in exile from a checked, "
        "sourced knowledge base. /help shows how to ask; /about says what I keep.",
        "Я exile-desk: отвечаю на вопросы о российских оппозиционерах в эмиграции по проверенной базе "
        "с источниками. Как спрашивать, расскажет /help; что я храню — /about.",
    ),
    "no_place": (
        "Our knowledge base has no verified information on where {name} lives now.",
        "В нашей базе нет проверенных сведений о том, где сейчас находится {name}.",
    ),
    "place": ("{name}: {place} (as of {year}).", "{name}: {place} (данные на {year} год)."),
    "place_since": (
        "{name}: {place}, since {since} (as of {year}).",
        "{name}: {place}, с {since} (данные на {year} год).",
    ),
    "no_left": (
        "Our knowledge base has no verified information on when or why {name} left Russia.",
        "В нашей базе нет проверенных сведений о том, когда и почему {name} покинул(а) Россию.",
    ),
    "left": ("Left Russia: {year}. {why}.", "Отъезд из России: {year}. {why}."),
    "roles": ("Roles", "Роли"),
    "role": ("Role", "Роль"),
    "born": ("Born: {born}.", "Год рождения: {born}."),
    "died": ("Died: {died}.", "Дата смерти: {died}."),
    "founded": ("Founded: {founded}.", "Основание: {founded}."),
    "date": ("Date: {date}.", "Дата: {date}."),
    "designations": (
        "Russian state designations and cases",
        "Статусы и дела, назначенные российскими властями",
    ),
    "no_designations": (
        "Our knowledge base records no Russian state designation for {name}.",
        "В нашей базе не отмечено статусов или дел, назначенных {name} российскими властями.",
    ),
    "list_place": (
        "People in our knowledge base based in {what}",
        "Кто из людей в нашей базе живёт здесь: {what}",
    ),
    "list_org": ("People linked to {what} in our knowledge base", "Люди из нашей базы, связанные с «{what}»"),
    "list_event": (
        "People in our knowledge base tied to {what}",
        "Люди из нашей базы, связанные с событием «{what}»",
    ),
    "list_designation": (
        "People in our knowledge base with a Russian state designation: {what}",
        "Люди из нашей базы, в отношении которых российские власти применили меру: {what}",
    ),
    "list_left": (
        "People in our knowledge base who left Russia in {what}",
        "Кто из нашей базы уехал из России в {what} году",
    ),
    "more_sources": ("(and {n} more in the individual entries)", "(и ещё {n} в отдельных записях)"),
    "more_people": ("…and {n} more", "…и ещё {n}"),
}


def word(key: str, lang: str, **values: str) -> str:
    """A fixed phrase of the bot in the reply language."""
    text = _WORDS[key][0 if lang == "en" else 1]
    return text.format(**values) if values else text


def when(value: str, lang: str) -> str:
    """'2022-05-20' -> '20 May 2022' / '20 мая 2022'; '2025-10' -> 'October 2025'; '2013' stays."""
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[lang][int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        month = _MONTHS["en"][int(parts[1]) - 1] if lang == "en" else _MONTHS_ALONE_RU[int(parts[1]) - 1]
        return f"{month} {parts[0]}"
    return value


def pick(pair: object, lang: str) -> str:
    """The `en` or `ru` side of a bilingual field."""
    return getattr(pair, lang)


def title(k: Knowledge, entry_id: str, lang: str) -> str:
    """How an entry is named in the reply language."""
    if entry_id in k.faq:
        return pick(k.faq[entry_id].questions, lang)[0]
    return pick(k.entities[entry_id].name, lang)


# --- the body of an answer -------------------------------------------------------------------


def _designation_line(d: Designation, lang: str) -> str:
    label = _DESIGNATIONS[d.kind][0 if lang == "en" else 1]
    detail = f": {pick(d.detail, lang)}" if d.detail else ""
    return f"• {when(d.date, lang)} — {label}{detail}"


def _roles(k: Knowledge, person: Person, lang: str) -> list[str]:
    lines = []
    for m in person.organisations:
        org = k.entities.get(m.org)
        span = ""
        if m.since or m.until:
            span = (
                f" ({m.since or ''}–{m.until or ''})"
                if m.until
                else (f" (since {m.since})" if lang == "en" else f" (с {m.since})")
            )
        lines.append(f"• {pick(m.role, lang)}, {pick(org.name, lang) if org else m.org}{span}")
    return lines


def _place(entity: Entity, lang: str) -> str:
    name = pick(entity.name, lang)
    if not entity.based_in:
        return word("no_place", lang, name=name)
    p = entity.based_in
    place = ", ".join(pick(x, lang) for x in (p.city, p.country) if x)
    if p.since:
        return word(
            "place_since", lang, name=name, place=place, since=when(p.since, lang), year=when(p.as_of, lang)
        )
    return word("place", lang, name=name, place=place, year=when(p.as_of, lang))


def _facts(k: Knowledge, entity: Entity, intents: frozenset[str], lang: str) -> list[str]:
    """Lines of structured facts, the ones asked for first."""
    name = pick(entity.name, lang)
    lines: list[str] = []
    if "where" in intents:
        lines.append(_place(entity, lang))
    if "left" in intents and isinstance(entity, Person):
        if entity.left_russia:
            dep = entity.left_russia
            lines.append(word("left", lang, year=when(dep.year, lang), why=pick(dep.why, lang).rstrip(".")))
        else:
            lines.append(word("no_left", lang, name=name))
    if "org" in intents and isinstance(entity, Person):
        roles = _roles(k, entity, lang)
        lines.append(f"{word('role', lang)}: {pick(entity.role, lang)}.")
        if roles:
            lines += [f"{word('roles', lang)}:", *roles]
    if "designation" in intents:
        if entity.designations:
            lines.append(f"{word('designations', lang)}:")
            lines += [_designation_line(d, lang) for d in entity.designations]
        else:
            lines.append(word("no_designations", lang, name=name))
    if "born" in intents and isinstance(entity, Person) and entity.born:
        lines.append(word("born", lang, born=when(entity.born, lang)))
        if entity.died:
            lines.append(word("died", lang, died=when(entity.died, lang)))
    return lines


def _overview(k: Knowledge, entity: Entity, lang: str) -> list[str]:
    """The short card shown when a question asks nothing in particular."""
    lines: list[str] = []
    if isinstance(entity, Person):
        lines.append(f"{word('role', lang)}: {pick(entity.role, lang)}.")
        if entity.died:
            lines.append(word("died", lang, died=when(entity.died, lang)))
        elif entity.based_in:
            lines.append(_place(entity, lang))
    elif isinstance(entity, Organisation):
        lines.append(f"{pick(entity.kind, lang)}.")
        if entity.founded:
            lines.append(word("founded", lang, founded=when(entity.founded, lang)))
        if entity.based_in:
            lines.append(_place(entity, lang))
    elif isinstance(entity, Event):
        lines.append(word("date", lang, date=when(entity.date, lang)))
    return lines


def entity_text(k: Knowledge, entity: Entity, intents: frozenset[str], lang: str) -> str:
    """An entry's answer: the facts asked for, then the summary in our own words."""
    facts = _facts(k, entity, intents, lang) or _overview(k, entity, lang)
    return "\n".join(facts) + "\n\n" + pick(entity.summary, lang)


def _list_heading(k: Knowledge, hit: Hit, lang: str) -> str:
    kind, key = hit.filter[:2]
    if kind == "place":  # ("place", key, English name, Russian name)
        what = hit.filter[2 if lang == "en" else 3]
    elif kind == "designation":
        what = _DESIGNATIONS[key][0 if lang == "en" else 1]
    elif kind == "left":
        what = key
    else:
        what = pick(k.entities[key].name, lang)
    return word(f"list_{kind}", lang, what=what)


def _member_line(k: Knowledge, hit: Hit, person_id: str, lang: str) -> str:
    person = k.entities[person_id]
    kind, key = hit.filter[:2]
    name = pick(person.name, lang)
    detail = ""
    if kind == "place" and person.based_in:
        detail = f"{when(person.based_in.as_of, lang)}"
        detail = f"as of {detail}" if lang == "en" else f"данные на {detail}"
    elif kind == "org" and isinstance(person, Person):
        roles = [pick(m.role, lang) for m in person.organisations if m.org == key]
        detail = "; ".join(roles)
    elif kind == "event":
        texts = [pick(m.text, lang) for m in person.events if m.event == key]
        detail = "; ".join(texts)
    elif kind == "designation":
        found = [d for d in person.designations if d.kind == key]
        detail = "; ".join(
            when(d.date, lang) + (f": {pick(d.detail, lang)}" if d.detail else "") for d in found
        )
    elif kind == "left" and isinstance(person, Person) and person.left_russia:
        detail = pick(person.left_russia.why, lang)
    return f"• {name} — {detail}" if detail else f"• {name}"


def list_text(k: Knowledge, hit: Hit, lang: str) -> tuple[str, str]:
    """(title, body) of a list answer."""
    heading = _list_heading(k, hit, lang)
    lines = [_member_line(k, hit, m, lang) for m in hit.members[:MAX_LIST]]
    if len(hit.members) > MAX_LIST:
        lines.append(word("more_people", lang, n=str(len(hit.members) - MAX_LIST)))
    return heading, "\n".join(lines)


def sources_of(k: Knowledge, ids: Iterable[str]) -> list[Source]:
    """The sources of several entries, each URL once: every entry's first source, then its second..."""
    per_entry = [(k.faq.get(i) or k.entities[i]).sources for i in ids]
    seen: dict[str, Source] = {}
    for rank in range(max((len(s) for s in per_entry), default=0)):
        for sources in per_entry:
            if rank < len(sources):
                seen.setdefault(sources[rank].url, sources[rank])
    return list(seen.values())

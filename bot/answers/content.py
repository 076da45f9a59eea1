"""What an answer says, in the reply language: its title, its cards (short and full) and outlets.

Every reply template lives here, in both languages, written to the house rules of
docs/knowledge-style.md ("Replies"): no "Field: value" labels where a sentence reads better, no
name where Russian needs a case ending the template cannot make, every date through
`wording.date`/`wording.span`, every count through `wording.count`.

A card comes in two sizes: the short one a reply shows first (at most `SHORT` visible characters
with its title, outlets and check date) and the full profile that "more" expands it to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram.constants import MessageLimit

from bot.answers import cases, wording
from bot.answers.wording import NBSP
from bot.knowledge.freshness import STALE_MONTHS, is_stale
from bot.knowledge.load import Knowledge
from bot.knowledge.model import (
    Current,
    Designation,
    Entity,
    Event,
    Membership,
    Organisation,
    Outlet,
    Person,
    Place,
    Post,
    Source,
    Span,
)
from bot.matching.candidates import left_bound
from bot.matching.index import Hit
from bot.matching.intents import KIND_ASKED

#: Sources a list answer gives the terminal and JSON (the card names outlets).
MAX_LIST_SOURCES = 8
#: A list answer names at most this many people.
MAX_LIST = 40
#: Visible characters of a short card, title to check date.
SHORT = 900
#: Visible characters of a full card ("more"); the HTML with its tags must fit one message too.
FULL = MessageLimit.MAX_TEXT_LENGTH - 300
#: Visible characters of one line of a list answer.
LIST_LINE = 120
#: Outlets a card names.
MAX_OUTLETS = 4
#: Which outlets a chat names first: an answer's few links should be newsrooms the reader knows,
#: not the encyclopedia or a regional site that happens to be cited first.
OUTLET_RANK = {kind: rank for rank, kind in enumerate(
    ("independent_media", "wire_agency", "official", "court_or_register", "ngo", "other_media", "reference",
     "state_media")
)}  # fmt: skip
#: Sentences of a summary a short card keeps at most.
SHORT_SENTENCES = 3

_DESIGNATIONS = {
    # What happened on the line's date, a sentence after it: «20 мая 2022 года. Статус «иностранного агента».»
    "foreign_agent": ('"foreign agent" status', "статус «иностранного агента»"),
    "undesirable": ('"undesirable organisation" status', "статус «нежелательной организации»"),
    "extremist": ('declared "extremist"', "признание «экстремистской организацией»"),
    "terrorist": ('declared "terrorist"', "признание «террористической организацией»"),
    "terrorist_extremist_list": (
        'added to Rosfinmonitoring\'s list of "terrorists and extremists"',
        "внесение в перечень «террористов и экстремистов» Росфинмониторинга",
    ),
    "wanted": ("put on the wanted list", "объявление в розыск"),
    "arrested_in_absentia": ("arrest in absentia", "заочный арест"),
    "convicted_in_absentia": ("sentence in absentia", "заочный приговор"),
    "criminal_case": ("criminal case", "уголовное дело"),
}

#: Headings of lists of people with a designation.
_DESIGNATION_LISTS = {
    "foreign_agent": (
        'Who is on the Justice Ministry\'s register of "foreign agents"',
        "Кого Минюст признал «иноагентами»",
    ),
    "undesirable": (
        'Who is tied to an "undesirable" status',
        "Кого коснулся статус «нежелательной организации»",
    ),
    "extremist": ('Who has been declared "extremist"', "Кого в России признали «экстремистами»"),
    "terrorist": ('Who has been declared "terrorist"', "Кого в России признали «террористами»"),
    "terrorist_extremist_list": (
        'Who is on Rosfinmonitoring\'s list of "terrorists and extremists"',
        "Кого Росфинмониторинг внёс в перечень «террористов и экстремистов»",
    ),
    "wanted": ("Who is on Russia's wanted list", "Кого в России объявили в розыск"),
    "arrested_in_absentia": (
        "Who has been arrested in absentia by Russian courts",
        "Кого российские суды заочно арестовали",
    ),
    "convicted_in_absentia": ("Who has been sentenced in absentia in Russia", "Кого в России заочно осудили"),
    "criminal_case": (
        "Who faces a criminal case in Russia",
        "Против кого в России возбуждены уголовные дела",
    ),
}

_POSTS = {
    "leader": ("leader", "руководитель"),
    "chair": ("chair", "председатель"),
    "co_chair": ("co-chair", "сопредседатель"),
    "board_chair": ("chair of the board of directors", "председатель совета директоров"),
    "management_board_chair": ("chair of the board", "председатель правления"),  # «Мемориал»
    "director": ("director", "директор"),
    "executive_director": ("executive director", "исполнительный директор"),
    "president": ("president", "президент"),
    "editor_in_chief": ("editor-in-chief", "главный редактор"),
}

_WORDS = {
    "sources": ("Sources", "Источники"),
    "checked": ("Checked {date}", "Проверено {date}"),
    "more": ("More", "Подробнее"),
    "did_you_mean": ("Did you mean one of these?", "Возможно, вы имели в виду:"),
    "did_you_mean_one": ("Did you mean this?", "Возможно, вы имели в виду:"),
    "unknown": ("I don't have an answer to that.", "На этот вопрос у меня нет ответа."),
    "unknown_name": ("I have no entry on {name}.", "{name}: такой записи в моей базе нет."),
    "scope": (
        "I answer questions about Russian opposition figures in exile, their organisations and the "
        "events around them, for example, “Where does Kasparov live?” or “What is FBK?”",
        "Я отвечаю на вопросы о российских оппозиционерах в эмиграции, их организациях и связанных с "
        "ними событиях, например: «Где живёт Каспаров?» или «Что такое ФБК?»",
    ),
    "chat_greeting": (
        "Hello! Ask me about Russian opposition figures in exile, their organisations and the events "
        "around them, for example, “Where does Kasparov live?”",
        "Здравствуйте! Спросите меня о российских оппозиционерах в эмиграции, их организациях и связанных "
        "с ними событиях, например: «Где живёт Каспаров?»",
    ),
    "chat_how_are_you": (
        "Fine, thank you! Ask me about Russian opposition figures in exile, their organisations and the "
        "events around them, for example, “Where does Kasparov live?”",
        "Спасибо, хорошо! Спросите меня о российских оппозиционерах в эмиграции, их организациях и "
        "связанных с ними событиях, например: «Где живёт Каспаров?»",
    ),
    # Asked who lives in a place where nobody of ours is based; the name first, so no case to form.
    "nobody_based": (
        "As far as we know, nobody in our knowledge base lives in {place}.",
        "{place}: по нашим данным, никто из людей в базе там не живёт.",
    ),
    # …and in Russian, when the place's case form can be made: «В Тбилиси, по нашим данным, …».
    "nobody_based_in": (
        "As far as we know, nobody in our knowledge base lives in {place}.",
        "{place}, по нашим данным, никто из людей в базе не живёт.",
    ),
    # Asked who left Russia in (or after, before…) a year when nobody of ours did.
    "nobody_left": (
        "As far as we know, nobody in our knowledge base left Russia {when}.",
        "По нашим данным, {when} никто из людей в базе не уезжал из России.",
    ),
    "chat_thanks": ("You're welcome. Ask any time.", "Пожалуйста. Спрашивайте ещё."),
    "chat_bye": ("Goodbye!", "До свидания!"),
    "chat_about_bot": (
        "I'm exile-desk: I answer questions about Russian opposition figures in exile from a checked, "
        "sourced knowledge base. /help shows how to ask; /about says what I keep.",
        f"Я exile-desk: отвечаю на вопросы о российских оппозиционерах в эмиграции по проверенной базе "
        f"с источниками. Как спрашивать, расскажет /help; что я храню{NBSP}— /about.",
    ),
    # Facts: {place} is "Vilnius, Lithuania" / «в Литве, в Вильнюсе»; {when} a date with its frame.
    "lives": ("Lives in {place}", "Живёт {place}"),
    "lives_plain": ("Lives in {place}", f"Место жительства{NBSP}— {{place}}"),
    "based": ("Based in {place}", "Базируется {place}"),
    "based_plain": ("Based in {place}", f"Местонахождение{NBSP}— {{place}}"),
    # English needs the perfect before "since"; Russian keeps the present («Живёт в Литве с 2019 года»).
    "lives_since": ("Has lived in {place}", "Живёт {place}"),
    "based_since": ("Has been based in {place}", "Базируется {place}"),
    # The mark after a fact that may change: its year, and whether it may be out of date.
    "reported": ("as of {when}", "по данным на {when}"),
    "stale": ("as of {when}; may have changed", "по данным на {when}; возможно, это уже не так"),
    # A post or membership dated only by its start, which the line already shows ("since 2021").
    "stale_since": ("may have changed", "возможно, это уже не так"),
    "undated": ("undated; may have changed", "сведения без даты, могли устареть"),
    "no_place": (
        "We have no verified information on where {name} is now.",
        "Проверенных сведений о том, где сейчас {name}, у нас нет.",
    ),
    "left_male": ("Left Russia {when}.", "Уехал из России {when}."),
    "left_female": ("Left Russia {when}.", "Уехала из России {when}."),
    "left_none": ("Left Russia {when}.", f"Отъезд из России{NBSP}— {{when}}."),
    "no_left": (
        "We have no verified information on when or why {name} left Russia.",
        "Проверенных сведений об отъезде из России у нас нет.",
    ),
    "born_male": ("Born {when}.", "Родился {when}."),
    "born_female": ("Born {when}.", "Родилась {when}."),
    "born_none": ("Born {when}.", f"Дата рождения{NBSP}— {{when}}."),
    "died_male": ("Died {when}.", "Умер {when}."),
    "died_female": ("Died {when}.", "Умерла {when}."),
    "died_none": ("Died {when}.", f"Дата смерти{NBSP}— {{when}}."),
    "founded": ("Founded {when}.", f"Дата основания{NBSP}— {{when}}."),
    # Founders: all of them when the entry says `all_founders`, else "among them" (never a sole founder).
    "founders_all": ("Founded by {names}.", f"Основатели{NBSP}— {{names}}."),
    "founder_all_male": ("Founded by {names}.", f"Основатель{NBSP}— {{names}}."),
    "founder_all_female": ("Founded by {names}.", f"Основательница{NBSP}— {{names}}."),
    "founder_all_none": ("Founded by {names}.", f"Основатель{NBSP}— {{names}}."),
    "founders_some": ("Its founders include {names}.", f"Среди основателей{NBSP}— {{names}}."),
    "organisations": ("In organisations:", "Участие в организациях:"),
    "leadership": ("Leadership:", "Руководство:"),
    "designations": ("Russian state designations and cases:", "Статусы и уголовные дела в России:"),
    # Asked yes or no about a kind of designation the entry has none of: «Ходорковский в розыске?».
    "no_foreign_agent": (
        'We have no record of a "foreign agent" listing.',
        "Сведений о статусе «иностранного агента» у нас нет.",
    ),
    "no_undesirable": (
        'We have no record of an "undesirable" designation.',
        "Сведений о признании «нежелательной» у нас нет.",
    ),
    "no_terrorist_extremist_list": (
        'We have no record of a listing by Rosfinmonitoring as a "terrorist or extremist".',
        "Сведений о внесении в перечень «террористов и экстремистов» у нас нет.",
    ),
    "no_wanted": ("We have no record of a wanted listing.", "Сведений об объявлении в розыск у нас нет."),
    "no_arrested_in_absentia": (
        "We have no record of an arrest in absentia.",
        "Сведений о заочном аресте у нас нет.",
    ),
    "no_convicted_in_absentia": (
        "We have no record of a sentence in absentia.",
        "Сведений о заочном приговоре у нас нет.",
    ),
    "no_criminal_case": ("We have no record of a criminal case.", "Сведений об уголовном деле у нас нет."),
    "no_designations": (
        "We have no record of a Russian state designation or case against {name}.",
        "Сведений о статусах и уголовных делах в России у нас нет.",
    ),
    "no_born": (
        "We have no verified date of birth for {name}.",
        "Проверенных сведений о дате рождения у нас нет.",
    ),
    "timeline": ("Timeline:", "Хроника:"),
    # List headings: {what} in the nominative, first, with a colon, where Russian would need a case.
    "list_place": ("Who lives in {what}", "Кто живёт {what}"),
    "list_place_plain": ("{what}: who lives here", "{what}: кто здесь живёт"),
    "list_org": ("{what}: people we cover", "{what}: люди из нашей базы"),
    "list_event": ("{what}: people we cover", "{what}: люди из нашей базы"),
    "list_left": ("Who left Russia {what}", "Кто покинул Россию {what}"),
    "more_people": ("…plus {n}", "…и ещё {n}"),
}

_PEOPLE = ("person", "people"), ("человек", "человека", "человек")


def word(key: str, lang: str, **values: str) -> str:
    """A fixed phrase of the bot in the reply language."""
    text = _WORDS[key][0 if lang == "en" else 1]
    return text.format(**values) if values else text


def pick(pair: object, lang: str) -> str:
    """The `en` or `ru` side of a bilingual field."""
    return getattr(pair, lang)


def title(k: Knowledge, entry_id: str, lang: str) -> str:
    """How an entry is named in the reply language."""
    if entry_id in k.faq:
        return pick(k.faq[entry_id].questions, lang)[0]
    return pick(k.entities[entry_id].name, lang)


@dataclass(frozen=True)
class Freshness:
    """When facts count as possibly out of date: `months` before `today`."""

    today: dt.date
    months: int = STALE_MONTHS

    def stale(self, value: str) -> bool:
        return is_stale(value, self.today, self.months)


@dataclass(frozen=True)
class Card:
    """What an answer states: the short card's body, the full one's, and the outlets it names."""

    short: str
    full: str
    outlets: tuple[tuple[str, str], ...]


# --- the frame around a card: the sources line and the check date -----------------------------


#: A bracketed note of an outlet's name longer than this is left off a card ("(incl. Radio Svoboda…)").
OUTLET_NOTE = 16


def outlet_name(name: str) -> str:
    """An outlet as a card names it: the registry's name, without a long bracketed note."""
    base, _, note = name.partition(" (")
    return name if note and len(note) <= OUTLET_NOTE else base


def _outlet_name(outlet: Outlet, lang: str) -> str:
    """The outlet's name in the reply language: in Russian its `name_ru` (which is the Latin brand
    where Russian media keep it: «Reuters»), else its name without an English note."""
    if lang == "ru":
        return outlet.name_ru or outlet.name.partition(" (")[0]
    return outlet_name(outlet.name)


def outlets(
    k: Knowledge, sources: Iterable[Source], state_actions: bool, lang: str = "en"
) -> tuple[tuple[str, str], ...]:
    """Up to `MAX_OUTLETS` distinct outlets (name in `lang`, first URL) of `sources`: newsrooms and
    agencies first, then official pages and registers, then the rest, each in the sources' order.

    Pages cited only for the date of a state action count when the card states one.
    """
    found: dict[str, tuple[str, str]] = {}  # family -> (name, url)
    ranked = sorted(sources, key=lambda source: _rank(k.outlet(source.url)))
    for source in ranked:
        if source.state_action and not state_actions:
            continue
        outlet = k.outlet(source.url)
        name = _outlet_name(outlet, lang) if outlet else _host(source.url)
        family = (outlet.part_of or outlet.id) if outlet else name
        found.setdefault(family, (name, source.url))
        if len(found) == MAX_OUTLETS:
            break
    return tuple(found.values())


def _rank(outlet: Outlet | None) -> int:
    return OUTLET_RANK.get(outlet.kind, len(OUTLET_RANK)) if outlet else len(OUTLET_RANK)


def _host(url: str) -> str:
    host = url.split("//", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def footer(outlet_names: Sequence[str], as_of: str, lang: str) -> tuple[str, str]:
    """The last two lines of a card: its outlets and the day an editor last checked it."""
    sources = f"{word('sources', lang)}: " + " · ".join(outlet_names)
    return sources, word("checked", lang, date=wording.date(as_of, lang))


def markup_length(shown: Sequence[tuple[str, str]]) -> int:
    """Characters a card's HTML adds to its visible text: the outlets' links and the tags."""
    return sum(len(f'<a href="{url}"></a>') for _, url in shown) + len("<b></b><b></b><i></i>") + 40


def frame_length(heading: str, outlet_names: Sequence[str], as_of: str, lang: str) -> int:
    """Visible characters of a card without its body (title, blank lines, footer)."""
    sources, checked = footer(outlet_names, as_of, lang)
    return len(heading) + len(sources) + len(checked) + 5  # "\n\n" body "\n\n" sources "\n"


# --- summaries cut to sentences --------------------------------------------------------------

# Words a period follows without ending the sentence: «(род. 1975)», «ст. 278», "St. Petersburg", "No. 159".
_ABBREVIATIONS = frozenset(
    "род г гг им ул т е д св см ср напр ст ч п пп St Dr Mr Mrs Ms Jr Sr Gen Lt Col Prof art arts".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[»\"”)]?\s+(?=[«\"“(A-ZА-ЯЁ0-9])")


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (abbreviations and initials do not end one)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start()].rstrip('.!?…»"”)')
        last = before.rsplit(None, 1)[-1].lstrip('(«"') if before.strip() else ""
        nxt = text[m.end() : m.end() + 1]
        if (
            last in _ABBREVIATIONS
            or (len(last) == 1 and last.isupper())
            or (last in ("No", "no") and nxt.isdigit())
        ):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def lead(text: str, budget: int) -> str:
    """The first sentences of `text` (at most `SHORT_SENTENCES`) within `budget` characters.

    At least one sentence; a first sentence over the budget is cut at a word boundary.
    """
    kept: list[str] = []
    for sentence in sentences(text)[:SHORT_SENTENCES]:
        if kept and len(" ".join([*kept, sentence])) > budget:
            break
        kept.append(sentence)
    shown = " ".join(kept)
    return shown if len(shown) <= budget else wording.shorten(shown, max(budget, 80))


# --- facts -----------------------------------------------------------------------------------


def _gendered(key: str, entity: Entity, lang: str, **values: str) -> str:
    gender = getattr(entity, "gender", None) or "none"
    return word(f"{key}_{gender}", lang, **values)


def _reported(value: str, fresh: Freshness, lang: str) -> str:
    key = "stale" if fresh.stale(value) else "reported"
    return word(key, lang, when=wording.date(value, lang))  # «сведения на 2024 год»


def _holds(span: Current, fresh: Freshness, lang: str, since_shown: bool = True) -> str:
    """The mark after a post or membership that may still hold: its year, and whether it may be out
    of date (" (reported 2024; may have changed)"); nothing for one that ended."""
    reported = span.reported
    if span.until is not None:
        return ""
    if reported is None:
        return f" ({word('undated', lang)})"
    if span.as_of is None and since_shown:
        # The line already shows "since 2021": say only when that is too old to vouch for it now.
        return f" ({word('stale_since', lang)})" if fresh.stale(reported) else ""
    return f" ({_reported(reported, fresh, lang)})"


def _place(entity: Entity, p: Place, fresh: Freshness, lang: str) -> str:
    """ "Has lived in Vilnius, Lithuania, since 2019 (as of 2025)." / «Живёт в Литве, в Вильнюсе, с…»"""
    verb = "lives" if isinstance(entity, Person) else "based"
    names = [pick(x, lang) for x in (p.city, p.country) if x]
    if lang == "en":
        place, key = wording.en_place(", ".join(names)), f"{verb}_since" if p.since else verb
    else:
        forms = [cases.in_place(n) for n in reversed(names)]  # «в Литве, в Вильнюсе»
        if all(forms):
            place, key = ", ".join(forms), verb  # type: ignore[arg-type]
        else:
            place, key = ", ".join(names), f"{verb}_plain"
    text = word(key, lang, place=place)
    if p.since:
        # «Живёт в Литве, в Вильнюсе, с 2019 года» but «Живёт в Болгарии с 2019 года».
        text += f"{',' if len(names) > 1 else ''} {wording.date(p.since, lang, 'since')}"
    return f"{text} ({_reported(p.as_of, fresh, lang)})."


def _no_place(entity: Entity, lang: str) -> str:
    if isinstance(entity, Person) and entity.died:
        # "Where does he live" of someone who died: the date he died (or the role that says it).
        return _role(entity, lang) if _role_dates_death(entity) else _died(entity, lang)
    return word("no_place", lang, name=pick(entity.name, lang))


#: A closing clause of a departure that says where someone lives now («; сейчас живёт в Лондоне»).
_LIVES_NOW = (
    re.compile(r"[;,]\s*(?:(?:he|she|they)\s+)?now\s+lives?\b[^;.]*$", re.IGNORECASE),
    re.compile(r"[;,]\s*(?:сейчас|теперь)\s+(?:живёт|живет)\b[^;.]*$", re.IGNORECASE),
)
#: Share of a departure's words that one summary sentence must hold to count as saying the same.
SAME_DEPARTURE = 0.8


def _left(person: Person, lang: str, place_shown: bool = False) -> str:
    """ "In 2013 he left for Paris after…" / «В 2013 году уехал в Париж после того…»: the date, then
    the reason as the file words it, without a second "left Russia" before it; without its closing
    «сейчас живёт в Лондоне» when the card's place line says where they live."""
    dep = person.left_russia
    assert dep is not None
    why = pick(dep.why, lang).rstrip(".")
    if place_shown:
        why = _LIVES_NOW[0 if lang == "en" else 1].sub("", why)
    if str(wording.year(dep.year)) in why and cases.says_departure(dep.why.ru):
        return f"{why}."  # the reason names the year and says they left
    if str(wording.year(dep.year)) in why:  # it names the year but only what came before leaving
        return _gendered("left", person, lang, when=wording.date(dep.year, lang, "in")) + f" {why}."
    when = _capital(wording.date(dep.year, lang, "in"))
    pronoun = {"male": "he", "female": "she"}.get(person.gender or "") if lang == "en" else ""
    if cases.starts_with_verb(dep.why.ru) and pronoun is not None:
        subject = f" {pronoun}" if pronoun else ""
        return f"{when}{subject} {why[:1].lower()}{why[1:]}."
    return _gendered("left", person, lang, when=wording.date(dep.year, lang, "in")) + f" {why}."


def _born(person: Person, lang: str, died: bool = True) -> list[str]:
    lines = []
    if person.born:
        lines.append(_gendered("born", person, lang, when=wording.date(person.born, lang, "in")))
    if person.died and died:
        lines.append(_died(person, lang))
    return lines


def _died(person: Person, lang: str) -> str:
    return _gendered("died", person, lang, when=wording.date(person.died, lang, "in"))  # type: ignore[arg-type]


def _role_dates_death(person: Person) -> bool:
    """Whether the role ends by stating the death («…; погиб в российской колонии»): then the card
    states it once, the role with its date («…; погиб в российской колонии 16 февраля 2024 года»),
    and no second «Умер 16 февраля 2024 года» under it."""
    if not person.died:
        return False
    ru, en = (pick(person.role, lang).rstrip(".").rsplit(";", 1)[-1] for lang in ("ru", "en"))
    return cases.says_death(ru) and bool(re.search(r"\b(?:died|killed|murdered)\b", en))


def _founded(org: Organisation, lang: str) -> str:
    frame = "in" if lang == "en" else "plain"
    return word("founded", lang, when=wording.date(org.founded, lang, frame))  # type: ignore[arg-type]


def _event_date(event: Event, lang: str) -> str:
    """A dateline: "30 April 2023, Berlin, Germany." / «30 апреля 2023 года, Берлин, Германия.»; in
    the nominative, as the file writes the place, so there is no case ending to get wrong. A law or
    a listing has a date, not a place."""
    when = _capital(wording.date(event.date, lang))
    if not event.place or event.category != "event":
        return f"{when}."
    return f"{when}, {pick(event.place, lang).rstrip('.')}."


def _capital(text: str) -> str:
    """A line that opens with a month ("август 2020 года") starts with a capital, after any opening
    quote ('"Foreign agent" status')."""
    at = next((i for i, ch in enumerate(text) if ch.isalnum()), 0)
    return text[:at] + text[at : at + 1].upper() + text[at + 1 :]


#: A detail that says this itself («Внесён Минюстом в реестр «иностранных агентов»») needs no label over it.
_NAMES_KIND = {
    "foreign_agent": (r"foreign[- ]agent", r"иноагент|иностранн\w* агент"),
    "undesirable": (r"undesirable", r"нежелательн"),
    "extremist": (r"extremist", r"экстремистск"),
    "terrorist": (r"terrorist", r"террористическ"),
    "terrorist_extremist_list": (r"Rosfinmonitoring", r"Росфинмониторинг"),
    "wanted": (r"wanted list", r"розыск"),
    "arrested_in_absentia": (
        r"arrest\w*(?: \w+){0,2} in absentia",
        r"заочно арест|арестова\w*(?: \w+){0,2} заочно",
    ),
    "convicted_in_absentia": (
        r"(?:sentenced|convicted)(?: \w+){0,2} in absentia",
        r"заочно (?:приговор|осужд)|(?:приговор|осужд)\w*(?: \w+){0,2} заочно",
    ),
    "criminal_case": (r"\bcases?\b", r"\bдел(?:о|а|у|ом|е)\b"),
}
#: A criminal case whose detail opens with the verdict is shown as one ("Sentence", «Приговор»).
_VERDICT = (r"^[^;]*\b(?:sentenced|convicted)", r"^[^;]*(?:приговор|осужд)")
_VERDICT_LABEL = ("sentence", "приговор")


def _designation(d: Designation, lang: str, detail: bool) -> str:
    """ "• 11 June 2025. Sentence in absentia. 18 years from…": the date, then what happened, each a
    sentence like a chronicle line; the detail only in full, and alone after the date when it names
    the designation itself: «• 10 марта 2023 года. Внесён Минюстом в реестр «иностранных агентов»»."""
    side = 0 if lang == "en" else 1
    text = pick(d.detail, lang).rstrip(".") if d.detail else ""
    label = _DESIGNATIONS[d.kind][side]
    if d.kind == "criminal_case" and re.search(_VERDICT[side], text, re.IGNORECASE):
        label = _VERDICT_LABEL[side]
        names_it = True
    else:
        names_it = bool(re.search(_NAMES_KIND[d.kind][side], text, re.IGNORECASE))
    if detail and text:
        if names_it and _is_clause(text, lang):  # a caption («Реестр СМИ-иноагентов Минюста») keeps the label
            return f"• {_capital(wording.date(d.date, lang))}. {text}."
        return f"• {_capital(wording.date(d.date, lang))}. {_capital(label)}. {text}."
    return f"• {_capital(wording.date(d.date, lang))}. {_capital(label)}."


def _is_clause(text: str, lang: str) -> bool:
    """Whether a text is a sentence with a verb, not a caption (a noun phrase)."""
    return cases.has_verb(text) if lang == "ru" else bool(_EN_VERB.search(text))


#: Kinds that answer a question about another, so that no "we have no record" line denies it: a
#: court's "extremist" ruling for «экстремисты?», an arrest in absentia for «в розыске?».
_IMPLIED = {
    "terrorist_extremist_list": {"extremist", "terrorist"},
    "wanted": {"arrested_in_absentia", "convicted_in_absentia"},
    "criminal_case": {"arrested_in_absentia", "convicted_in_absentia"},
}


def _designations(entity: Entity, lang: str, detail: bool, asked: Iterable[str] = ()) -> list[str]:
    """The status lines, in date order; asked about kinds it has none of ("Is X wanted?"), a line
    saying so for each."""
    if not entity.designations:
        return [word("no_designations", lang, name=pick(entity.name, lang))]
    dated = sorted(entity.designations, key=lambda d: str(d.date))  # in date order, whatever the file's
    held = {d.kind for d in entity.designations}
    missing = [word(f"no_{kind}", lang) for kind in asked if not ({kind} | _IMPLIED.get(kind, set())) & held]
    return [word("designations", lang), *(_designation(d, lang, detail) for d in dated), *missing]


def _held(role: str, since: str | None, until: str | None, lang: str) -> str:
    """A role with its period: «директор с 2018 года по сентябрь 2025 года», "director since 2018",
    "director, 2018–2025"; the role alone when nothing dates it."""
    span = wording.span(since, until, lang)
    if not span:
        return role
    joined = lang == "ru" or span.startswith(("since", "until", "from"))
    return f"{role}{' ' if joined else ', '}{span}"


def _recent_first(spans: Iterable[Span]) -> list[Span]:
    """Spans that still hold first (the latest begun first), then those that ended (latest first)."""

    def key(s: Span) -> tuple[int, tuple[int, ...]]:
        current = s.until is None
        at = s.since if current else s.until
        parts = wording.parts(at) if at is not None else (0, 0, 0)
        return (0 if current else 1, tuple(-(p or 0) for p in parts))

    return sorted(spans, key=key)


def _org_name(k: Knowledge, org_id: str, lang: str) -> str:
    org = k.entities.get(org_id)
    return pick(org.name, lang) if org else org_id


def _membership(m: Membership, fresh: Freshness, lang: str) -> str:
    """A role in an organisation with its period and mark; a founding with its year only, as an
    event: «основатель (2011)», "co-founder (2014)"."""
    role = pick(m.role, lang)
    if m.founding:
        return f"{role} ({wording.year(m.since)})" if m.since else role
    return f"{_held(role, m.since, m.until, lang)}{_holds(m, fresh, lang)}"


def _memberships(k: Knowledge, person: Person, fresh: Freshness, lang: str) -> list[str]:
    if not person.organisations:
        return []
    lines = [f"• {_org_name(k, m.org, lang)}: {_membership(m, fresh, lang)}" for m in person.organisations]
    return [word("organisations", lang), *lines]


def _holder(k: Knowledge, post: Post, lang: str) -> str:
    if post.person and post.person in k.entities:
        return pick(k.entities[post.person].name, lang)
    return pick(post.name, lang) if post.name else post.person or ""


def _posts(posts: Sequence[Post], fresh: Freshness, lang: str) -> str:
    """One person's posts, a post once with all its periods: «главный редактор с 2016 года по
    2018 год и с марта 2019 года; …»."""
    terms: dict[str, list[Post]] = {}
    for post in posts:
        terms.setdefault(_POSTS[post.post][0 if lang == "en" else 1], []).append(post)
    out = []
    for title, held in terms.items():
        spans = [wording.span(p.since, p.until, lang) for p in held]
        if len(held) == 1 or not all(spans):
            out += [f"{_held(title, p.since, p.until, lang)}{_holds(p, fresh, lang)}" for p in held]
        else:
            marks = "".join(_holds(p, fresh, lang) for p in held)
            out.append(
                f"{title}{' ' if lang == 'ru' else ', '}{(' и ' if lang == 'ru' else ' and ').join(spans)}{marks}"
            )
    return "; ".join(out)


def _leadership(k: Knowledge, org: Organisation, fresh: Freshness, lang: str) -> list[str]:
    lines = []
    founders = [k.entities[f] for f in org.founders if f in k.entities]
    if founders:
        names = wording.join([pick(f.name, lang) for f in founders], lang)
        if not org.all_founders:
            lines.append(word("founders_some", lang, names=names))
        elif len(founders) > 1:
            lines.append(word("founders_all", lang, names=names))
        else:
            lines.append(_gendered("founder_all", founders[0], lang, names=names))
    if org.leadership:
        # One line a person, however many posts they held: «• Галина Тимченко — директор с 2014 года; …».
        held: dict[str, list[Post]] = {}
        for post in org.leadership:
            held.setdefault(_holder(k, post, lang), []).append(post)
        lines.append(word("leadership", lang))
        lines += [f"• {holder}{NBSP}— {_posts(posts, fresh, lang)}" for holder, posts in held.items()]
    return lines


def _timeline(entity: Entity, lang: str) -> list[str]:
    if not entity.events:
        return []
    lines = [
        f"• {_capital(wording.date(m.date, lang))}. {pick(m.text, lang).rstrip('.')}." for m in entity.events
    ]
    return [word("timeline", lang), *lines]


def _asked(k: Knowledge, entity: Entity, intents: frozenset[str], fresh: Freshness, lang: str) -> list[str]:
    """Lines of the facts a question asked for, in a fixed order."""
    lines: list[str] = []
    if "where" in intents:
        lines.append(
            _place(entity, entity.based_in, fresh, lang) if entity.based_in else _no_place(entity, lang)
        )
    if "left" in intents and isinstance(entity, Person):
        lines.append(
            _left(entity, lang) if entity.left_russia else word("no_left", lang, name=pick(entity.name, lang))
        )
    if "org" in intents and isinstance(entity, Person):
        lines += [_role(entity, lang), *_memberships(k, entity, fresh, lang)]
    if "org" in intents and isinstance(entity, Organisation):
        lines += _leadership(k, entity, fresh, lang)
    if "designation" in intents:
        asked = [i.removeprefix(KIND_ASKED) for i in sorted(intents) if i.startswith(KIND_ASKED)]
        lines += _designations(entity, lang, detail=False, asked=asked)
    if "born" in intents and isinstance(entity, Person):
        lines += _born(entity, lang) if entity.born else [word("no_born", lang, name=pick(entity.name, lang))]
    return list(dict.fromkeys(lines))  # a line two asks share (a dead person's role and "where") once


def _role(person: Person, lang: str) -> str:
    role = pick(person.role, lang).rstrip(".")
    if _role_dates_death(person) and str(wording.year(person.died)) not in role:  # type: ignore[arg-type]
        role += f" {wording.date(person.died, lang, 'in')}"  # type: ignore[arg-type]
    return f"{role}."


def _stems(text: str) -> list[str]:
    return [w.lower()[:5] for w in re.findall(r"[\w-]+", text) if len(w) > 3]


def _restates(kind: str, summary: str, lang: str) -> bool:
    """Whether a summary opens with what the type line says («Проект помощи антивоенным
    эмигрантам…» over «Проект помощи россиянам, уехавшим…»): then the card leaves the type line out.

    The summary must open the way the type does, with its first word, so that the type's own first
    words are not lost: «Независимое русскоязычное издание в эмиграции» stays over «Русско- и
    англоязычное издание…», «Независимый российский телеканал…» over «Телеканал создала…»,
    «Правозащитная и историко-просветительская организация» over «Самая известная правозащитная
    организация…». In Russian the head nouns must match as well (their dictionary forms), in
    English the first two words' stems. A type with a bracketed note («(ликвидирована в России)»)
    says more, and stays."""
    if "(" in kind:
        return False
    head, start = _stems(kind), _stems(re.sub(r"^(?:an?|the)\s+", "", summary, flags=re.IGNORECASE))
    if not head or not start or head[0] != start[0]:
        return False
    if lang == "ru":
        noun = cases.first_noun(kind, within=len(kind.split()))
        return noun is not None and noun == cases.first_noun(summary)
    return len(head) >= 2 and head[:2] == start[:2]


def _shows_place(entity: Entity) -> bool:
    """Whether the full card has a place line (not for someone who died)."""
    return bool(entity.based_in) and not (isinstance(entity, Person) and entity.died)


def _summary_tells_departure(person: Person) -> bool:
    """Whether a sentence of the summary says the departure nearly word for word, in both languages
    (`SAME_DEPARTURE` of its words, and its year): then the full card leaves the departure line out."""
    dep = person.left_russia
    assert dep is not None

    def tells(lang: str) -> bool:
        words, year = set(_stems(pick(dep.why, lang))), str(wording.year(dep.year))
        return bool(words) and any(
            year in sentence and len(words & set(_stems(sentence))) >= SAME_DEPARTURE * len(words)
            for sentence in sentences(pick(person.summary, lang))
        )

    return tells("en") and tells("ru")


def _overview(entity: Entity, fresh: Freshness, lang: str) -> list[str]:
    """What a card says first when a question asks nothing in particular."""
    lines: list[str] = []
    if isinstance(entity, Person):
        lines.append(_role(entity, lang))
        if entity.died and not _role_dates_death(entity):
            lines.append(_died(entity, lang))
    elif isinstance(entity, Organisation):
        if not _restates(pick(entity.kind, lang), pick(entity.summary, lang), lang):
            lines.append(f"{pick(entity.kind, lang).rstrip('.')}.")
        if entity.founded:
            lines.append(_founded(entity, lang))
    elif isinstance(entity, Event):
        lines.append(_event_date(entity, lang))
    if _shows_place(entity):
        lines.append(_place(entity, entity.based_in, fresh, lang))  # type: ignore[arg-type]
    return lines


def _profile(k: Knowledge, entity: Entity, fresh: Freshness, lang: str) -> tuple[list[str], list[list[str]]]:
    """The full card: the facts before the summary, and the sections after it."""
    facts = _overview(entity, fresh, lang)
    sections: list[list[str]] = []
    if isinstance(entity, Person):
        life = _born(entity, lang, died=not _role_dates_death(entity))
        facts = facts[:1] + [line for line in life if line not in facts] + facts[1:]
        if entity.left_russia and not _summary_tells_departure(entity):
            facts.append(_left(entity, lang, place_shown=_shows_place(entity)))
        sections.append(_memberships(k, entity, fresh, lang))
    elif isinstance(entity, Organisation):
        sections.append(_leadership(k, entity, fresh, lang))
    if entity.designations:
        sections.append(_designations(entity, lang, detail=True))
    return facts, [s for s in sections if s]


#: Intents answered by one line, which the full card repeats first; the others have a section there.
_ONE_LINE = frozenset({"where", "left", "born"})


def _body(facts: list[str], summary: str, sections: list[list[str]] = ()) -> str:  # type: ignore[assignment]
    parts = ["\n".join(facts)] if facts else []
    parts.append(summary)
    parts += ["\n".join(s) for s in sections]
    return "\n\n".join(parts)


def entity_card(k: Knowledge, entity: Entity, intents: frozenset[str], fresh: Freshness, lang: str) -> Card:
    """An entry's cards: the facts asked for and the start of the summary; the whole profile."""
    summary = pick(entity.summary, lang)
    facts, sections = _profile(k, entity, fresh, lang)
    timeline = _timeline(entity, lang)
    if timeline:
        sections.append(timeline)
    shown = outlets(k, entity.sources, bool(entity.designations) or isinstance(entity, Event), lang)
    names = [n for n, _ in shown]
    heading = pick(entity.name, lang)
    # The full card within `FULL` visible characters and, with its links and tags, one message.
    limit = min(FULL, MessageLimit.MAX_TEXT_LENGTH - markup_length(shown))
    frame = frame_length(heading, names, entity.as_of.isoformat(), lang)
    while sections and len(_body(facts, summary, sections)) + frame > limit:
        if sections[-1] is timeline and len(timeline) > 2:
            del timeline[1]  # the oldest milestone first, the whole timeline last
        else:
            sections.pop()  # ...then designations' details
    asked = _asked(k, entity, intents, fresh, lang) or _overview(entity, fresh, lang)
    first = [line for line in _asked(k, entity, intents & _ONE_LINE, fresh, lang) if line not in facts]
    if isinstance(entity, Person) and entity.left_russia and "left" in intents:
        # Asked why they left: the departure line first, once, in the form the place line allows.
        departure = _left(entity, lang, place_shown=_shows_place(entity))
        first = [departure if line == _left(entity, lang) else line for line in first]
        facts = [line for line in facts if line != departure]
    if isinstance(entity, Person) and _role_dates_death(entity):
        first = [line for line in first if line != _died(entity, lang)]  # the role below says it
    full = _body(first + facts, summary, sections)
    room = SHORT - frame_length(heading, names, entity.as_of.isoformat(), lang) - len("\n".join(asked)) - 2
    short = _body(asked, lead(summary, room))
    return Card(short, full, shown)


def faq_card(k: Knowledge, entry_id: str, lang: str) -> Card:
    """An FAQ entry's cards: the first sentences of its answer, and all of it."""
    faq = k.faq[entry_id]
    text = pick(faq.answer, lang)
    shown = outlets(k, faq.sources, True, lang)
    room = SHORT - frame_length(title(k, entry_id, lang), [n for n, _ in shown], faq.as_of.isoformat(), lang)
    return Card(lead(text, room), text, shown)


# --- list answers ------------------------------------------------------------------------------


#: A list heading that opens with one of these is a question, and ends like the FAQ titles beside it.
_ASKS = re.compile(r"^(?:who|whom|кто|кого|кому|против кого)\b", re.IGNORECASE)


def list_heading(k: Knowledge, hit: Hit, lang: str) -> str:
    """The heading of a list answer (also its "did you mean" line): «Кто живёт в Вильнюсе?»,
    «ФБК: люди из нашей базы»."""
    heading = _list_heading(k, hit, lang)
    return f"{heading}?" if _ASKS.match(heading) else heading


def _list_heading(k: Knowledge, hit: Hit, lang: str) -> str:
    kind, key = hit.filter[:2]
    if kind == "place":  # ("place", key, English name, Russian name)
        what = hit.filter[2 if lang == "en" else 3]
        if lang == "ru":
            form = cases.in_place(what)
            return word("list_place", lang, what=form) if form else word("list_place_plain", lang, what=what)
        return word("list_place", lang, what=wording.en_place(what))
    if kind == "designation":
        return _DESIGNATION_LISTS[key][0 if lang == "en" else 1]
    if kind == "left":  # "2022", or a bound on it: "after-2022"
        bound, year = left_bound(key)
        return word("list_left", lang, what=wording.date(year, lang, bound))  # type: ignore[arg-type]
    return word(f"list_{kind}", lang, what=pick(k.entities[key].name, lang))


def _fits(line: str) -> bool:
    return len(line) <= LIST_LINE


#: Where a clause ends inside a line: after «.;!?» (a sentence or a clause that stands alone) or
#: before «,», «:» or a dash (one that may not).
_CLAUSE_END = re.compile(r"[.;!?](?=\s)|[,:](?=\s)|(?=[ \u00a0]—\s)")
#: English words that open a phrase, not a clause: a cut before its verb leaves a fragment.
_EN_PHRASE = frozenset("after abroad as at before because following in on since when while with".split())
#: An English clause has a verb: a past form, most of them ("left", "freed"), or one of these.
_EN_VERB = re.compile(
    r"\b(?:\w{2,}ed|left|fled|flew|went|said|was|were|is|are|had|has|did|took|made|got|ran|came|became|"
    r"won|lost|told|saw|gave|kept|held|sought|fought|thought|knew|began|spent|met|sent|paid|led|wrote|spoke|chose)\b",
    re.IGNORECASE,
)
#: Words after a comma that continue what comes before («после того, как», «объяснив, что»,
#: "said that"): a cut there leaves the phrase open.
_CONTINUES = re.compile(r"\s*(?:что|как|будто|ли|that)\b", re.IGNORECASE)


def clip(line: str, start: int, limit: int, lang: str) -> str | None:
    """`line` cut at the last clause boundary after `start` that fits `limit`, or None.

    The cut ends with a period, as a sentence: after a sentence or a clause ended by «;», or
    before «,», «:» or a dash where the kept text is a clause (it has a verb), so a line never ends
    mid-phrase («…в ходе обмена 1», «…по новым законам о»). "More" shows the line whole.
    """
    best = None
    for m in _CLAUSE_END.finditer(line, start):
        head = line[: m.start()].rstrip()
        if len(head) + 1 > limit:
            break
        words = head[start:].split()
        strong = line[m.start()] in ".;!?"
        if (
            not words
            or head.count("«") != head.count("»")
            or head.count("(") != head.count(")")
            or head.count('"') % 2
            or (line[m.start()] == "." and (words[-1] in _ABBREVIATIONS or len(words[-1]) == 1))
        ):
            continue
        if not strong:
            if _CONTINUES.match(line, m.end()) or words[-1] in ("того", "тем"):  # «для того, чтобы»
                continue
            if lang == "ru" and not cases.has_verb(head[start:]):
                continue
            if lang == "en" and (words[0].lower() in _EN_PHRASE or not _EN_VERB.search(head[start:])):
                continue
        best = head.rstrip(".") + "."
    return best


def _member_line(k: Knowledge, hit: Hit, person_id: str, fresh: Freshness, lang: str) -> tuple[str, str]:
    """One person of a list: their name and what the list is about, within `LIST_LINE` (cut at a
    clause, or the name alone); and the same line whole, for the full card."""
    person = k.entities[person_id]
    kind, key = hit.filter[:2]
    name = f"• {pick(person.name, lang)}"
    tries: list[str] = []
    if kind == "place" and person.based_in:
        tries.append(f"{name} ({_reported(person.based_in.as_of, fresh, lang)})")
    elif kind == "org" and isinstance(person, Person):
        held = _recent_first(m for m in person.organisations if m.org == key)
        spans = [_membership(m, fresh, lang) for m in held]
        # As many of their roles as fit, the current and latest first, each with its dates and mark.
        dated = [s for m, s in zip(held, spans, strict=True) if m.since or m.until]
        if spans:
            tries += [f"{name}{NBSP}— {'; '.join(spans)}"]
            tries += [f"{name}{NBSP}— {'; '.join(dated[:n])}" for n in range(len(dated), 0, -1)]
            tries += [f"{name}{NBSP}— {spans[0]}"]
            if not held[0].founding:
                tries.append(
                    f"{name}{NBSP}— {pick(held[0].role, lang)}{_holds(held[0], fresh, lang, since_shown=False)}"
                )
    elif kind == "event":
        tries += [f"{name}. {_full_stop(pick(m.text, lang))}" for m in person.events if m.event == key][:1]
    elif kind == "designation":
        dates = [wording.date(d.date, lang) for d in person.designations if d.kind == key]
        if dates:
            tries.append(f"{name}, {'; '.join(dates)}")
    elif kind == "left" and isinstance(person, Person) and person.left_russia:
        tries.append(f"{name}. {_full_stop(pick(person.left_russia.why, lang))}")
    if not tries:
        return name, name
    fits = next((t for t in tries if _fits(t)), None)
    # Nothing fits whole: the shortest form cut at a clause, else when they left, else the name alone.
    short = fits or clip(tries[-1], len(name) + 2, LIST_LINE, lang)
    if not short and kind == "left" and isinstance(person, Person) and person.left_russia:
        when = wording.date(person.left_russia.year, lang, "in")
        short = f"{name}. {_gendered('left', person, lang, when=when)}"
    return short or name, tries[0]


def _full_stop(text: str) -> str:
    """A sentence the knowledge writes without its final period, with one («…в Эстонию.»), as
    every other line of a list ends: with a period, or "…" where it was cut."""
    text = text.rstrip().rstrip(".")
    return text if text.endswith(("!", "?", "…")) else f"{text}."


def list_members(k: Knowledge, hit: Hit, lang: str) -> tuple[str, ...]:
    """The people a list names (at most `MAX_LIST`), in the alphabetical order of their surnames in
    the reply language: «Албуров, Волков, Жданов…», "Alburov, Milov, Navalnaya…"."""

    def key(person_id: str) -> tuple[str, str, str]:
        name = pick(k.entities[person_id].name, lang)
        return wording.sort_key(name.rsplit(" ", 1)[-1]), wording.sort_key(name), person_id

    return tuple(sorted(hit.members, key=key)[:MAX_LIST])


def more_people(n: int, lang: str) -> str:
    """The line under a list that shows only some: "…plus 5 people" / «…и ещё 5 человек»."""
    return word("more_people", lang, n=wording.count(n, lang, *_PEOPLE))


def list_card(k: Knowledge, hit: Hit, fresh: Freshness, lang: str) -> tuple[str, Card]:
    """(heading, cards) of a list answer: as many people as fit a short card; all of them."""
    heading = list_heading(k, hit, lang)
    members = list_members(k, hit, lang)
    pairs = [_member_line(k, hit, m, fresh, lang) for m in members]
    short_lines, lines = [short for short, _ in pairs], [whole for _, whole in pairs]
    state_actions = hit.filter[0] == "designation"
    shown = outlets(k, sources_of(k, members), state_actions, lang)
    names = [n for n, _ in shown]
    as_of = min(k.entities[m].as_of for m in members).isoformat()
    frame = frame_length(heading, names, as_of, lang)

    def with_rest(kept: list[str], total: int) -> str:
        rest = total - len(kept)
        more = more_people(rest, lang) if rest else ""
        return "\n".join([*kept, more] if more else kept)

    total = len(hit.members)
    full_n = len(lines)
    while full_n > 1 and frame + len(with_rest(lines[:full_n], total)) > FULL:
        full_n -= 1
    short_n = full_n
    while short_n > 1 and frame + len(with_rest(short_lines[:short_n], total)) > SHORT:
        short_n -= 1
    return heading, Card(with_rest(short_lines[:short_n], total), with_rest(lines[:full_n], total), shown)


def sources_of(k: Knowledge, ids: Iterable[str]) -> list[Source]:
    """The sources of several entries, each URL once: every entry's first source, then its second..."""
    per_entry = [(k.faq.get(i) or k.entities[i]).sources for i in ids]
    seen: dict[str, Source] = {}
    for rank in range(max((len(s) for s in per_entry), default=0)):
        for sources in per_entry:
            if rank < len(sources):
                seen.setdefault(sources[rank].url, sources[rank])
    return list(seen.values())

"""What users must see in the bot's replies, checked from the outside.

Expected titles, key words, labels and dates are written here by hand, and sources are read from
the knowledge's YAML files directly: a test fails when a reply shows the user something else,
whatever the engine and the renderer say. Messages are checked as the emulator parsed them
(plain ``text`` and ``entities``), the way a Telegram client shows them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from telegram.constants import MessageLimit

from bot.answers import wording
from tests.conftest import KNOWLEDGE
from tests.emulator import check_text

#: The tags the bot's replies use (Telegram accepts a few more); only <a> has an attribute, href.
TAGS = frozenset({"b", "i", "a", "u", "s", "code", "pre", "blockquote"})
_TAG = re.compile(r"<(/?)([^\s>/]*)([^>]*)>")

#: What the reply's fixed lines say, by language: the sources label, the check date, did-you-mean.
SOURCES = {"en": "Sources:", "ru": "Источники:"}
CHECKED = {"en": "Checked", "ru": "Проверено"}
DID_YOU_MEAN = {"en": "Did you mean one of these?", "ru": "Возможно, вы имели в виду:"}
DID_YOU_MEAN_ONE = {"en": "Did you mean this?", "ru": "Возможно, вы имели в виду:"}
#: The button that expands a short card.
MORE = {"en": "More", "ru": "Подробнее"}
NBSP = "\u00a0"
MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}
#: The start of the reply to a question the bot cannot answer, in English and in Russian.
DECLINED = "I don't have an answer to that."
DECLINED_RU = wording.typeset("На этот вопрос у меня нет ответа.", "ru")


def seen(text: str, lang: str = "ru") -> str:
    """A text as every reply typesets it (non-breaking spaces where Russian typography wants
    them), wherever the test left plain spaces."""
    return wording.typeset(text, lang)


def assert_valid_reply(html: str) -> None:
    """Telegram would accept `html` as one message in HTML parse mode, and it uses only our tags."""
    assert len(html) <= MessageLimit.MAX_TEXT_LENGTH
    plain, _ = check_text(html, "HTML")  # raises on malformed HTML or an over-long text
    assert plain.strip()
    for closing, name, attributes in _TAG.findall(html):  # every "<" starts a tag once check_text passed
        assert name in TAGS, name
        expected = r'\s+href="[^"]*"' if name == "a" and not closing else ""
        assert re.fullmatch(expected, attributes), (name, attributes)


# --- the knowledge, read as plain YAML -----------------------------------------------------------


@functools.cache
def entries() -> dict[str, tuple[str, dict[str, Any]]]:
    """Every entry of the shipped knowledge by id, with its folder ("people", "faq"...)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(KNOWLEDGE.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else [data]:
            found[entry["id"]] = (path.parent.name, entry)
    return found


def source_urls(entry_id: str) -> list[str]:
    """The entry's source links, in the order its file lists them."""
    return [s["url"] for s in entries()[entry_id][1]["sources"]]


def date_shown(value: dt.date, lang: str) -> str:
    """A date as a reader expects it: '23 November 2026', '23 ноября 2026 года' (non-breaking spaces
    after the day and before «года»)."""
    shown = f"{value.day}{NBSP}{MONTHS[lang][value.month - 1]} {value.year}"
    return shown if lang == "en" else f"{shown}{NBSP}года"


@functools.cache
def outlet_names(lang: str = "en") -> dict[str, str]:
    """Registered domain -> the outlet's name as knowledge/sources.yaml gives it (in Russian, its
    Russian name where it has one)."""
    registry = yaml.safe_load((KNOWLEDGE / "sources.yaml").read_text(encoding="utf-8"))
    return {
        domain: (outlet.get("name_ru") if lang == "ru" else None) or outlet["name"]
        for outlet in registry
        for domain in outlet["domains"]
    }


#: The order a card's sources line names outlets in, by the registry's kind.
KIND_ORDER = ("independent_media", "wire_agency", "official", "court_or_register", "ngo", "other_media",
              "reference", "state_media")  # fmt: skip


@functools.cache
def _outlet_kinds() -> dict[str, str]:
    """Registered domain -> the registry's kind of its outlet."""
    registry = yaml.safe_load((KNOWLEDGE / "sources.yaml").read_text(encoding="utf-8"))
    return {domain: outlet["kind"] for outlet in registry for domain in outlet["domains"]}


def outlet_kind(url: str) -> str:
    """The registry's kind of the outlet a URL belongs to."""
    kinds = _outlet_kinds()
    parts = (urlsplit(url).hostname or "").split(".")
    return next(kinds[".".join(parts[i:])] for i in range(len(parts)) if ".".join(parts[i:]) in kinds)


def outlet_of(url: str, lang: str = "en") -> str:
    """The registered name of the outlet a URL belongs to (its host or a parent domain)."""
    parts = (urlsplit(url).hostname or "").split(".")
    names = outlet_names(lang)
    return next(names[".".join(parts[i:])] for i in range(len(parts)) if ".".join(parts[i:]) in names)


# --- expected replies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A sourced answer: a bold title, words of its text, a line of sources, an italic date line."""

    entry: str  #: the knowledge entry it answers from: its sources are the links
    title: str
    words: tuple[str, ...]
    lang: str = "en"
    as_of: str = f"23{NBSP}November 2026"

    @property
    def first_line(self) -> str:
        return self.title

    @classmethod
    def of(cls, entry_id: str, lang: str, full: bool = False) -> Shown:
        """An entry opened by id (a deep link, a button), from its YAML: name or first question,
        the start of its summary or answer (`full`: all of it, as "more" shows it), its date."""
        folder, entry = entries()[entry_id]
        if folder == "faq":
            title, text = entry["questions"][lang][0], entry["answer"][lang]
        else:
            title, text = entry["name"][lang], entry["summary"][lang]
        shown = text if full else text[:60].rsplit(" ", 1)[0]
        return cls(entry_id, title, (shown,), lang, date_shown(entry["as_of"], lang))


@dataclass(frozen=True)
class Offered:
    """A did-you-mean reply: the choices as numbered lines, and one button each."""

    choices: tuple[str, ...]
    lang: str = "en"

    @property
    def first_line(self) -> str:
        return (DID_YOU_MEAN_ONE if len(self.choices) == 1 else DID_YOU_MEAN)[self.lang]


Expected = Shown | Offered | str  # a str: the start of a fixed reply, e.g. DECLINED

KASPAROV = Shown("kasparov", "Garry Kasparov", ("\nFormer world chess champion", "Lives in New York"))
KASPAROV_LIVES = Shown("kasparov_where_lives", "Where does Kasparov live?", ("lives in New York", "Croatian"))
KASPAROV_LIVES_RU = Shown(
    "kasparov_where_lives",
    "Где живёт Каспаров?",
    ("живёт в Нью-Йорке",),
    "ru",
    f"23{NBSP}ноября 2026{NBSP}года",
)
KHODORKOVSKY = Shown("khodorkovsky", "Mikhail Khodorkovsky", ("Yukos", "London"))
KHODORKOVSKY_LEFT = Shown(
    "khodorkovsky_left_russia", "When and why did Khodorkovsky leave Russia?", ("pardoned", "Berlin")
)
NAVALNAYA = Shown("navalnaya", "Yulia Navalnaya", ("Widow of Alexei Navalny", "Berlin"))
NAVALNAYA_LIVES = Shown("navalnaya_where_lives", "Where does Yulia Navalnaya live now?", ("lives in Berlin",))
YASHIN = Shown("yashin", "Ilya Yashin", ("Opposition politician", "Krasnoselsky", "Berlin"))
YASHIN_RU = Shown(
    "yashin",
    "Илья Яшин",
    ("\nОппозиционный политик", f"Живёт в{NBSP}Германии, в{NBSP}Берлине"),
    "ru",
    f"23{NBSP}ноября 2026{NBSP}года",
)
FBK = Shown("fbk", "Anti-Corruption Foundation (FBK)", ("Navalny", "Vilnius"))
GENNADY_GUDKOV = Shown("gennady_gudkov", "Gennady Gudkov", ("KGB", "Bulgaria"))
GUDKOVS = Offered(("Dmitry Gudkov", "Gennady Gudkov"))

#: Questions the tests ask, and what the user must see.
ANSWERS: dict[str, Expected] = {
    "kasparov": KASPAROV,
    "where does kasparov live": KASPAROV_LIVES,
    "где живёт Каспаров": KASPAROV_LIVES_RU,
    "why did khodorkovsky leave russia": KHODORKOVSKY_LEFT,
    "who is navalnaya": NAVALNAYA,
    "where does navalnaya live": NAVALNAYA_LIVES,
    "who is yashin": YASHIN,
    "кто такой Яшин": YASHIN_RU,
    "what is FBK": FBK,
    "gudkov": GUDKOVS,
}


def first_line(message: dict[str, Any]) -> str:
    return message["text"].split("\n", 1)[0]


def assert_shows(message: dict[str, Any], expected: Expected) -> None:
    """The message (a sent one, or an inline result's content) shows the user `expected`."""
    if isinstance(expected, Shown):
        _assert_answer(message, expected)
    elif isinstance(expected, Offered):
        _assert_offer(message, expected)
    else:
        assert message["text"].startswith(expected), (message["text"], expected)


def _spans(message: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    """The text under each entity of `kind` (offsets count UTF-16 code units, as Telegram's do)."""
    units = message["text"].encode("utf-16-le")
    return [
        (units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"), e)
        for e in message.get("entities", [])
        if e["type"] == kind
    ]


def _assert_answer(message: dict[str, Any], expected: Shown) -> None:
    text = message["text"]
    lines, title = text.split("\n"), seen(expected.title, expected.lang)
    assert lines[0] == title, (lines[0], title)
    assert (title, "bold") in [(t, e["type"]) for t, e in _spans(message, "bold")]
    for word in expected.words:
        assert seen(word, expected.lang) in text, (word, text)
    sources, checked = lines[-2], lines[-1]
    assert sources.startswith(f"{SOURCES[expected.lang]} "), sources
    # The sources line names up to four outlets, each linked to one of the entry's own pages.
    links = _spans(message, "text_link")
    urls = source_urls(expected.entry)
    assert 1 <= len(links) <= 4
    assert sources == f"{SOURCES[expected.lang]} " + " · ".join(label for label, _ in links)
    assert len({label for label, _ in links}) == len(links)
    for label, entity in links:
        assert entity["url"] in urls, entity["url"]
        assert seen(outlet_of(entity["url"], expected.lang), expected.lang).startswith(label), (
            label,
            entity["url"],
        )
    # Newsrooms and agencies first, the encyclopedia after them; otherwise in the file's order.
    order = [(KIND_ORDER.index(outlet_kind(e["url"])), urls.index(e["url"])) for _, e in links]
    assert order == sorted(order), order
    assert checked == f"{CHECKED[expected.lang]} {expected.as_of}"
    assert (checked, "italic") in [(t, e["type"]) for t, e in _spans(message, "italic")]


def _assert_offer(message: dict[str, Any], expected: Offered) -> None:
    """The choices (in the order the matcher ranks them) as numbered lines, and a button each."""
    lines = message["text"].split("\n")
    choices = [line.split(". ", 1)[1] for line in lines[1:]]
    assert lines[0] == (DID_YOU_MEAN_ONE if len(choices) == 1 else DID_YOU_MEAN)[expected.lang], lines
    assert lines[1:] == [f"{i}. {choice}" for i, choice in enumerate(choices, 1)]
    assert sorted(choices) == sorted(expected.choices), (choices, expected.choices)
    rows = message["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [[choice] for choice in choices]

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

from tests.conftest import KNOWLEDGE
from tests.emulator import check_text

#: The tags the bot's replies use (Telegram accepts a few more); only <a> has an attribute, href.
TAGS = frozenset({"b", "i", "a", "u", "s", "code", "pre", "blockquote"})
_TAG = re.compile(r"<(/?)([^\s>/]*)([^>]*)>")

#: What the reply's fixed lines say, by language: the sources label, the date label, did-you-mean.
SOURCES = {"en": "Sources:", "ru": "Источники:"}
AS_OF = {"en": "As of", "ru": "По состоянию на"}
DID_YOU_MEAN = {"en": "Did you mean:", "ru": "Возможно, вы имели в виду:"}
MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}
#: The start of the reply to a question the bot cannot answer, in English and in Russian.
DECLINED = "I don't have an answer to that."
DECLINED_RU = "На этот вопрос у меня нет ответа."


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
    """A date as a reader expects it: '23 November 2026', '23 ноября 2026'."""
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


# --- expected replies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A sourced answer: a bold title, words of its text, a line of sources, an italic date line."""

    entry: str  #: the knowledge entry it answers from: its sources are the links
    title: str
    words: tuple[str, ...]
    lang: str = "en"
    as_of: str = "23 November 2026"

    @property
    def first_line(self) -> str:
        return self.title

    @classmethod
    def of(cls, entry_id: str, lang: str) -> Shown:
        """An entry opened by id (a deep link, a button), from its YAML: name or first question,
        the whole summary or answer, its date."""
        folder, entry = entries()[entry_id]
        if folder == "faq":
            title, text = entry["questions"][lang][0], entry["answer"][lang]
        else:
            title, text = entry["name"][lang], entry["summary"][lang]
        return cls(entry_id, title, (text,), lang, date_shown(entry["as_of"], lang))


@dataclass(frozen=True)
class Offered:
    """A did-you-mean reply: the choices as numbered lines, and one button each."""

    choices: tuple[str, ...]
    lang: str = "en"

    @property
    def first_line(self) -> str:
        return DID_YOU_MEAN[self.lang]


Expected = Shown | Offered | str  # a str: the start of a fixed reply, e.g. DECLINED

KASPAROV = Shown("kasparov", "Garry Kasparov", ("Role: Former world chess champion", "New York"))
KASPAROV_LIVES = Shown("kasparov_where_lives", "Where does Kasparov live?", ("lives in New York", "Croatian"))
KASPAROV_LIVES_RU = Shown(
    "kasparov_where_lives", "Где живёт Каспаров?", ("живёт в Нью-Йорке",), "ru", "23 ноября 2026"
)
KHODORKOVSKY = Shown("khodorkovsky", "Mikhail Khodorkovsky", ("Yukos", "London"))
KHODORKOVSKY_LEFT = Shown(
    "khodorkovsky_left_russia", "When and why did Khodorkovsky leave Russia?", ("pardoned", "Berlin")
)
NAVALNAYA = Shown("navalnaya", "Yulia Navalnaya", ("Widow of Alexei Navalny", "Berlin"))
NAVALNAYA_LIVES = Shown("navalnaya_where_lives", "Where does Yulia Navalnaya live now?", ("lives in Berlin",))
YASHIN = Shown("yashin", "Ilya Yashin", ("Opposition politician", "Krasnoselsky", "Berlin"))
YASHIN_RU = Shown("yashin", "Илья Яшин", ("Оппозиционный политик", "Берлин"), "ru", "23 ноября 2026")
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
    lines = text.split("\n")
    assert lines[0] == expected.title, (lines[0], expected.title)
    assert (expected.title, "bold") in [(t, e["type"]) for t, e in _spans(message, "bold")]
    for word in expected.words:
        assert word in text, (word, text)
    sources, as_of = lines[-2], lines[-1]
    assert sources.startswith(f"{SOURCES[expected.lang]} "), sources
    links = _spans(message, "text_link")
    assert [e["url"] for _, e in links] == source_urls(expected.entry)
    for label, entity in links:  # each link is named by its site, and is on the sources line
        assert label in sources and label.split(" (")[0] in urlsplit(entity["url"]).netloc, label
    assert as_of == f"{AS_OF[expected.lang]} {expected.as_of}"
    assert (as_of, "italic") in [(t, e["type"]) for t, e in _spans(message, "italic")]


def _assert_offer(message: dict[str, Any], expected: Offered) -> None:
    """The choices (in the order the matcher ranks them) as numbered lines, and a button each."""
    lines = message["text"].split("\n")
    assert lines[0] == DID_YOU_MEAN[expected.lang], lines
    choices = [line.split(". ", 1)[1] for line in lines[1:]]
    assert lines[1:] == [f"{i}. {choice}" for i, choice in enumerate(choices, 1)]
    assert sorted(choices) == sorted(expected.choices), (choices, expected.choices)
    rows = message["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [[choice] for choice in choices]

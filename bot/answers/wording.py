"""Dates, counts and spacing in both languages: the one place replies format them.

Dates come as the knowledge files write them (`When`: "2013", "2025-10", "2022-05-20", or a
`datetime.date`). Russian needs the case the preposition governs, so callers say which frame the
date stands in rather than gluing a preposition to a formatted date:

>>> date("2024-08", "ru", "since")
'с августа 2024\xa0года'
>>> date("2023", "en", "in")
'in 2023'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Literal

NBSP = "\u00a0"
#: How a date stands in a sentence: alone, "in March 2023", "since August 2024", "until 2021",
#: as the end of a span ("from 2021 to 2023"), "of" (genitive, no preposition: «данные 2021 года»),
#: or a bound ("after 2022", "before 2020").
Frame = Literal["plain", "in", "since", "until", "to", "of", "after", "before"]

_EN_MONTHS = "January February March April May June July August September October November December".split()
# Russian month names by case: nominative (standalone), genitive (a day's month, "с августа"),
# prepositional ("в марте").
_RU_MONTHS = {
    "nom": "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split(),
    "gen": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
    "loc": "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре".split(),
}


def parts(value: str | dt.date) -> tuple[int, int | None, int | None]:
    """(year, month or None, day or None) of a `When`."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    bits = [int(b) for b in text.split("-")]
    return bits[0], bits[1] if len(bits) > 1 else None, bits[2] if len(bits) > 2 else None


def date(value: str | dt.date, lang: str, frame: Frame = "plain") -> str:
    """A date in the reader's language, in the grammatical frame it stands in."""
    year, month, day = parts(value)
    if lang == "ru":
        return _ru_date(year, month, day, frame)
    if day is not None:
        text = f"{day}{NBSP}{_EN_MONTHS[month - 1]} {year}"  # type: ignore[index]
        on = "on"
    elif month is not None:
        text = f"{_EN_MONTHS[month - 1]} {year}"
        on = "in"
    else:
        text, on = str(year), "in"
    prefix = {"plain": "", "in": on, "since": "since", "until": "until", "to": "to", "of": "", "after": "after",
              "before": "before"}[frame]  # fmt: skip
    return f"{prefix} {text}" if prefix else text


def _ru_date(year: int, month: int | None, day: int | None, frame: Frame) -> str:
    if day is not None:
        # A full date is genitive in every frame: «23 ноября 2026 года», «с 23 ноября…», «по 5 марта…».
        text = f"{day}{NBSP}{_RU_MONTHS['gen'][month - 1]} {year}{NBSP}года"  # type: ignore[index]
        prefix = {"plain": "", "in": "", "since": "с", "until": "до", "to": "по", "of": "", "after": "после",
                  "before": "до"}[frame]  # fmt: skip
        if prefix == "с" and day == 2:
            prefix = "со"  # «со второго сентября»
    elif month is not None:
        case, prefix, year_word = {
            "plain": ("nom", "", "года"),
            "in": ("loc", "в", "года"),
            "since": ("gen", "с", "года"),
            "until": ("gen", "до", "года"),
            "to": ("nom", "по", "года"),
            "of": ("gen", "", "года"),
            "after": ("gen", "после", "года"),
            "before": ("gen", "до", "года"),
        }[frame]
        text = f"{_RU_MONTHS[case][month - 1]} {year}{NBSP}{year_word}"
    else:
        prefix, year_word = {
            "plain": ("", "год"),
            "in": ("в", "году"),
            "since": ("с", "года"),
            "until": ("до", "года"),
            "to": ("по", "год"),
            "of": ("", "года"),
            "after": ("после", "года"),
            "before": ("до", "года"),
        }[frame]
        text = f"{year}{NBSP}{year_word}"
    return f"{prefix}{NBSP}{text}" if prefix else text


def span(since: str | dt.date | None, until: str | dt.date | None, lang: str) -> str:
    """A period: "since 2016", "until March 2023", "2016–2023" / «с 2016 по 2023 год»; in English
    a dash only between two dates of one form (years, or months), else "from 2018 to 1 September 2025"."""
    if since is None and until is None:
        return ""
    if until is None:
        return date(since, lang, "since")  # type: ignore[arg-type]
    if since is None:
        return date(until, lang, "until")
    if lang == "ru":
        start, end = parts(since), parts(until)
        if start[1] is None and end[1] is None:
            # «с 2016 по 2023 год»: one «год» for both years.
            return f"с{NBSP}{start[0]} по{NBSP}{end[0]}{NBSP}год"
        return f"{date(since, lang, 'since')} {date(until, lang, 'to')}"
    start, end = parts(since), parts(until)
    if start[2] is None and end[2] is None and (start[1] is None) == (end[1] is None):
        return f"{date(since, lang)}–{date(until, lang)}"  # "2016–2023", "March 2019–May 2021"
    return f"from {date(since, lang)} to {date(until, lang)}"  # "from 2018 to 1 September 2025"


def year(value: str | dt.date) -> int:
    """The year a `When` falls in."""
    return parts(value)[0]


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for n: 1 вопрос, 2 вопроса, 5 вопросов, 11 вопросов, 21 вопрос, 22 вопроса."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def refers(n: int, singular: str, plural: str) -> str:
    """A word that refers back to n things, in either language: singular only for exactly one.

    A noun after a numeral follows the last digit («21 сообщение»), but a pronoun or verb that
    refers to those things counts them: «21 сообщение… Чтобы убрать их», "21 messages are".
    """
    return singular if n == 1 else plural


def count(n: float, lang: str, en: tuple[str, str], ru: tuple[str, str, str]) -> str:
    """A number with its noun in the right form, joined by a non-breaking space.

    `en` is (singular, plural); `ru` is (one, few, many), e.g. ("вопрос", "вопроса", "вопросов").
    A fraction is shown to one decimal place (Russian: decimal comma and the genitive singular,
    which is the "few" form: «0,8 секунды»).
    """
    if isinstance(n, float) and not n.is_integer():
        number = f"{n:.1f}"
        if lang == "ru":
            return f"{number.replace('.', ',')}{NBSP}{ru[1]}"
        return f"{number}{NBSP}{en[1]}"
    n = int(n)
    noun = plural_ru(n, *ru) if lang == "ru" else (en[0] if n == 1 else en[1])
    number = f"{n:,}"
    if lang == "ru":  # «1294 вопроса», «12 500 вопросов»: Russian groups digits from five up
        number = number.replace(",", NBSP) if abs(n) >= 10_000 else str(n)
    return f"{number}{NBSP}{noun}"


#: Russian words that must not end a line: one-letter words (prepositions, conjunctions, «я») and
#: the prepositions, conjunctions and negations of two letters («на 2023 год», «по март», «из Москвы»,
#: «не позднее»). «же», «ли», «бы» lean on the word before them and are left alone. A word counts
#: only where a word starts: after a space, an opening bracket or quote, a dash or a hyphen («из-за»),
#: never after a letter, a slash or an @ (a path, a URL, a username).
_RU_SHORT = re.compile(r"(?<![\w/@.])([вксуоаия]|на|по|за|из|от|до|об|во|со|ко|не|ни|но|да) ", re.IGNORECASE)
#: A dash after a word («Навальная — вдова»), not one that opens a line.
_RU_DASH = re.compile(r"(?<=\S) —")
#: A number and the word it counts («19 лет», «8,5 года», «2022 года»), not a short word that
#: starts what follows («с 2001 по 2003 год», «2018 и»).
_RU_NUMBER = re.compile(r"(?<=\d) (?=[^\W\d_]{3})")
#: An abbreviation and what follows it («ст. 207.3», «ч. 2»), a code and its article's number («207.3 УК»).
_RU_ABBREVIATION = re.compile(r"(?<![\w.])(ст|ч|п|пп|гг|им|т)\. (?=\S)")
_RU_CODE = re.compile(r"(?<=\d) (?=(?:УК|КоАП|ГК)\b)")
#: The space between a number's groups of thousands («17 800 человек»).
_RU_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
#: What typesetting leaves as it is: HTML tags, code, and links.
_VERBATIM = re.compile(r"<code>.*?</code>|<pre>.*?</pre>|<[^>]*>|(?:https?://|www\.)\S+", re.DOTALL)


def typeset(text: str, lang: str) -> str:
    """Russian typography for a text written with plain spaces: a non-breaking space before a
    dash («Навальная — вдова»), after a one- or two-letter preposition, conjunction or negation
    («в Вильнюсе», «на 2023 год»), after a number («19 лет»), inside one («17 800») and inside
    «ст. 207.3 УК», so none
    is left at a line's edge.
    HTML tags, <code>, <pre> and links are left as they are; so is English text. Typesetting a
    typeset text changes nothing.
    """
    if lang != "ru":
        return text
    verbatim = [m.span() for m in _VERBATIM.finditer(text)]

    def outside(replacement: str) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            if any(start <= m.start() < end for start, end in verbatim):
                return m.group()
            return m.expand(replacement)

        return sub

    # Each rule only turns one plain space into a non-breaking one, so the spans stay where they are.
    text = _RU_DASH.sub(outside(f"{NBSP}—"), text)
    text = _RU_SHORT.sub(outside(rf"\1{NBSP}"), text)
    text = _RU_ABBREVIATION.sub(outside(rf"\1.{NBSP}"), text)
    text = _RU_CODE.sub(outside(NBSP), text)
    text = _RU_THOUSANDS.sub(outside(NBSP), text)
    return _RU_NUMBER.sub(outside(NBSP), text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with "…" where it was cut.

    Only a first word longer than `limit` is cut inside the word. A non-breaking space is no word
    boundary: «Фонд борьбы с⍽коррупцией» is cut to «Фонд борьбы…», not «Фонд борьбы с…».
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    breaks = [i for i, char in enumerate(cut.rstrip()) if _breaks(char)]
    head = cut[: breaks[-1]] if breaks and breaks[-1] > 0 and not _breaks(text[limit - 1]) else cut
    return head.rstrip(f" {NBSP},;:—–-·") + "…"


def _breaks(char: str) -> bool:
    """Whether a line may break at `char`: any white space but a non-breaking one."""
    return char.isspace() and char != NBSP


_PLAIN = re.compile("[\x00-\x7fа-я]*")


def sort_key(text: str) -> str:
    """A key that sorts names alphabetically in either language: case ignored, «ё» with «е»
    (code points put «ё» after «я» and «Ё» before «А»), Latin accents ignored ("Česká" with "C");
    «й» stays a letter of its own."""
    folded = text.casefold().replace("ё", "е")
    if _PLAIN.fullmatch(folded):  # ASCII and а–я have nothing to decompose: most names, fast
        return folded
    out = []
    for char in folded:
        if "а" <= char <= "я":
            out.append(char)
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return "".join(out)


#: English country names read with "the" ("lives in the United Kingdom", "in the Netherlands").
_WITH_THE = re.compile(r"^(United |Czech Republic$|Netherlands$|Philippines$|Bahamas$|Gambia$|Maldives$)")


def en_place(name: str) -> str:
    """An English place name as it stands after "in": "the United States", "Vilnius"."""
    return f"the {name}" if _WITH_THE.match(name) else name


def join(items: list[str], lang: str) -> str:
    """ "A, B and C" / «А, Б и В»."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'and' if lang == 'en' else 'и'} {items[-1]}"

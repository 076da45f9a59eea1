"""Reading a question: the names it contains, what it asks, and the words that describe.

`read` is one reading of the text as typed; `reading` also tries it retyped in the other keyboard
layout and Latin read as Russian, and keeps the reading that explains the most words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.matching.index import Index
from bot.matching.intents import (
    AFTER_STEMS,
    BEFORE_STEMS,
    CUE_STEMS,
    GENDER_WORDS,
    GENERIC_SUBJECT,
    MASCULINE_VERBS,
    SMALL_TALK_WORDS,
    TIE_STEMS,
    intents,
    number,
    posts,
    small_talk,
    ties,
)
from bot.matching.lexicon import first_name_groups
from bot.matching.names import CONFIDENT, STEM_QUALITY, Found, undominated
from bot.matching.text import STOP_WORDS, normalise, script, skeleton, stem, swap_layout, to_cyrillic, words

#: Shortest shared beginning that ties a surname to a relative's ("Навальн-ый", "Навальн-ая").
MIN_PREFIX = 5
_POSSESSIVE = re.compile(r"\b([^\W_]+)['’`]s\b")  # \b: tried at word starts only, not at every letter
_YEAR = re.compile(r"^(19|20)\d\d$")
#: The first year a bound "before" reaches back to: no fact of ours is older.
_FIRST_YEAR = 1900
#: The word before a year that makes it a bound: "after 2022", «с 2022», «до 2020 года».
_YEAR_FRAMES = {
    **dict.fromkeys("after после".split(), "after"),
    **dict.fromkeys("since from с со начиная".split(), "since"),
    **dict.fromkeys("before until till prior до".split(), "before"),
}
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s)\]]*", re.I)
#: Greetings and thanks around a question explain themselves: they are not unknown words.
_COURTESY = frozenset().union(*(v for k, v in SMALL_TALK_WORDS.items() if k != "about_bot"))
#: Words next to a surname that are no first name, though they look like one ("жена" ~ "Женя").
_NOT_NAMES = CUE_STEMS.union(*TIE_STEMS.values(), *(frozenset(map(stem, g)) for g in GENDER_WORDS.values()))


@dataclass(frozen=True)
class Named(Found):
    """A name found in a question, and whether it only qualifies another word.

    "Navalny's widow", "вдова Навального": the name is a modifier, so the question may be about
    someone linked to that person rather than the person.
    """

    modifier: bool = False


@dataclass
class Reading:
    """One reading of a question (as typed, retyped in the other layout, or transliterated)."""

    text: str
    words: list[str]
    named: list[Named]  # confident names of entries, best first
    near: list[Found]  # names matched only loosely (typos beyond one letter)
    places: list[Found]
    stems: frozenset[str]  # every word's stem
    terms: frozenset[str]  # stems of the words that are neither names, cue words nor stop words
    markers: frozenset[str]  # "@id" for each entry named
    intents: frozenset[str]
    explained: int
    unexplained: int
    namesake: bool = False  # a surname of ours beside someone else's first name
    #: the years asked about: those named, or all a bound covers ("after 2022": 2023 to this year)
    years: frozenset[str] = frozenset()
    #: a bound on a year, ("after" / "since" / "before", "2022"), when the question sets one
    year_bound: tuple[str, str] | None = None
    ties: frozenset[str] = frozenset()  # kinds of tie named: spouse, child, leader, founder...
    before: bool = False  # asks who held a post before ("his predecessor", "бывший глава")
    after: bool = False  # asks who took a post over ("who replaced X", "преемник")
    posts: frozenset[str] = frozenset()  # which leading posts it names: director, board_chair...
    gender: str | None = None  # "female" / "male" when the words say so
    small_talk: str | None = None  # greeting, thanks, bye, how_are_you, about_bot: the whole message is that
    unknown_possessor: bool = False  # "Trump's wife": the possessor is nobody we know
    number: str | None = None  # "one": describes a single entry; "many": asks for several
    unknown_capitals: int = 0  # capitalised words, not the first, that are no name or word we know
    unknown_name: str = ""  # those words as typed (with a first name beside them): "Rafael Nadal"


def read(index: Index, text: str) -> Reading:
    """Names, places, intents and descriptive words of one reading of a question."""
    ws = words(text)
    stems = [stem(w) for w in ws]
    known = [
        w in STOP_WORDS or w in _COURTESY or s in index.vocabulary or s in CUE_STEMS
        for w, s in zip(ws, stems, strict=True)
    ]
    found = index.names.find(ws, [not k for k in known])
    namesake = False
    possessive = {normalise(m.group(1)) for m in _POSSESSIVE.finditer(text)}
    named: list[Named] = []
    near: list[Found] = []
    places: list[Found] = []
    for f in undominated(found):
        if f.owner.startswith("@"):
            places.append(f)
        elif (other := _namesake(index, f, ws))[0]:  # "Лев Яшин": someone else of that name
            if other[1]:
                named.append(other[1])
            else:
                near.append(f)
                namesake = True
        elif f.quality < CONFIDENT:
            near.append(f)
        else:
            last = max(f.used)  # "Kasyanov's party" is a name; "Navalny's widow" qualifies
            others = any(i not in f.used and w not in STOP_WORDS for i, w in enumerate(ws))
            modifier = others and (ws[last] in possessive or _genitive(ws, last, f))
            named.append(Named(f.owner, f.quality, f.length, f.used, modifier))
    used: set[int] = set().union(*(f.used for f in found)) if found else set()
    year_bound, bound_at = _year_bound(ws)
    if bound_at is not None:
        # "after 2022" is a bound, read as the years it covers: neither word is one to look up.
        used |= {bound_at, bound_at + 1}
    terms = frozenset(
        s for i, (w, s) in enumerate(zip(ws, stems, strict=True))
        if i not in used and w not in STOP_WORDS and w not in _COURTESY and s not in CUE_STEMS and len(s) > 2
    )  # fmt: skip
    explained = sum(1 for i, w in enumerate(ws) if i in used or (known[i] and w not in STOP_WORDS))
    unexplained = sum(1 for i in range(len(ws)) if i not in used and not known[i])
    stem_set = frozenset(stems)
    free = {
        w for i, w in enumerate(ws)
        if i not in used and not (w in MASCULINE_VERBS and i and ws[i - 1] == GENERIC_SUBJECT)
    }  # fmt: skip
    genders = [g for g, cue in GENDER_WORDS.items() if free & cue]
    unknown_capitals, unknown_name = _unknown_capitals(index, text, ws, used, known)
    return Reading(
        text, ws, named, near, places, stem_set, terms,
        frozenset(f"@{n.owner}" for n in named), intents(stem_set), explained, unexplained, namesake,
        years=_covered(year_bound) if year_bound else frozenset(w for w in ws if _YEAR.match(w)),
        year_bound=year_bound,
        ties=ties(stem_set - {stem(ws[i]) for i in used}),
        before=bool(stem_set & BEFORE_STEMS),
        after=bool(stem_set & AFTER_STEMS),
        posts=posts(stem_set),
        gender=genders[0] if len(genders) == 1 else None,
        small_talk=small_talk(ws) if not named and not places else None,
        unknown_possessor=any(
            i not in used and not known[i] for i, w in enumerate(ws) if w in possessive
        ),
        number=number(ws),
        unknown_capitals=unknown_capitals,
        unknown_name=unknown_name,
    )  # fmt: skip


_LETTERS = re.compile(r"[^\W\d_]+")


def _unknown_capitals(
    index: Index, text: str, ws: list[str], used: set[int], known: list[bool]
) -> tuple[int, str]:
    """How many different words written with a capital, past the first, are neither a word of our
    names nor of the knowledge base ("Rafael Nadal"): most likely someone we have no entry on. And
    those words as typed, with a capitalised first name of ours beside them that names no one here
    ("Иван Пупкин")."""
    typed = _LETTERS.findall(text)
    capitalised = {normalise(w) for w in typed[1:] if w[0].isupper() and not w.isupper()}
    free = {w for i, w in enumerate(ws) if w in capitalised and i > 0 and i not in used}
    unknown = {w for i, w in enumerate(ws) if w in free and not known[i] and not index.names.knows(w)}
    out: dict[str, str] = {}
    for i, w in enumerate(typed[1:], 1):
        n = normalise(w)
        beside = {normalise(t) for t in typed[max(i - 1, 1) : i + 2]}
        if n in unknown or (n in free and beside & unknown):
            out.setdefault(n, w)
    return len(unknown), " ".join(out.values())


def _namesake(index: Index, found: Found, ws: list[str]) -> tuple[bool, Named | None]:
    """'Лев Яшин': a surname next to a first name that is not this person's.

    Returns whether it is someone else's first name and, when a person of ours has that first
    name and a surname of the same stem ("Yulia Navalny" -> Yulia Navalnaya), that person.
    """
    mine = index.first_names.get(found.owner)
    if mine is None or found.length > 1:
        return False, None
    for i in found.used:
        for j in (i - 1, i + 1):
            if 0 <= j < len(ws) and j not in found.used and stem(ws[j]) not in _NOT_NAMES:
                groups = first_name_groups(ws[j])
                if groups and not groups & mine:
                    stem_ = skeleton(ws[i])[:MIN_PREFIX]
                    kin = [
                        p for p, names in index.first_names.items()
                        if names & groups and any(s.startswith(stem_) for s in index.surnames[p])
                    ]  # fmt: skip
                    relative = Named(kin[0], CONFIDENT, 2, frozenset({i, j})) if len(kin) == 1 else None
                    return True, relative
    return False, None


def reading(index: Index, query: str) -> Reading:
    """The best reading: as typed, in the other keyboard layout, or Latin read as Russian."""
    query = _LINK.sub(" ", query)  # a pasted link holds no words of the question
    best = read(index, query)
    if best.unexplained == 0:
        return best
    others = [swap_layout(query)]
    if script(query) == "en":
        others.append(to_cyrillic(query))
    for text in others:
        other = read(index, text)
        if other.explained > best.explained or (
            other.explained == best.explained and other.unexplained < best.unexplained
        ):
            best = other
    return best


_GENITIVE = ("ого", "его", "ой", "ей", "а", "я", "ых", "их")
_PREPOSITIONS = frozenset("о об обо про с со у к ко от по при для без из за над под".split())


def _genitive(ws: list[str], i: int, found: Found) -> bool:
    """A Russian name in the genitive ("вдова Навального"), matched through its stem, not after a preposition."""
    word = ws[i]
    return (
        script(word) == "ru"
        and found.quality <= STEM_QUALITY + 0.03
        and word.endswith(_GENITIVE)
        and not (i > 0 and ws[i - 1] in _PREPOSITIONS)
    )


def _year_bound(ws: list[str]) -> tuple[tuple[str, str] | None, int | None]:
    """The bound the only year of the question stands in ("after", "2022"), if any, and the
    position of the word that sets it ("from 2001 to 2012" is a span of two years, no bound)."""
    at = [i for i, w in enumerate(ws) if _YEAR.match(w)]
    if len(at) == 1 and at[0] and ws[at[0] - 1] in _YEAR_FRAMES:
        return (_YEAR_FRAMES[ws[at[0] - 1]], ws[at[0]]), at[0] - 1
    return None, None


#: Which years a bound on a year keeps: `YEAR_BOUNDS["after"](2024, 2022)` is true.
YEAR_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "after": lambda y, year: y > year,
    "since": lambda y, year: y >= year,
    "before": lambda y, year: y < year,
}


def _covered(bound: tuple[str, str]) -> frozenset[str]:
    """The years a bound covers, up to this one."""
    keep, year = YEAR_BOUNDS[bound[0]], int(bound[1])
    return frozenset(str(y) for y in range(_FIRST_YEAR, dt.date.today().year + 1) if keep(y, year))

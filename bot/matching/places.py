"""World places (cities and countries) whether or not anyone of ours is based there.

`places.tsv` beside this file, built by tools/build_places.py from GeoNames and ISO 3166 data,
lists them with their English and Russian names. Its names are found in a question by the keys the
names of entries are (`NameIndex`: skeletons across scripts, Russian stems for case endings,
"в Праге" ~ "Прага"), without typo tolerance: a word is a world place only when spelled as one.
Read once per process; every knowledge snapshot shares it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.load import Knowledge
from bot.knowledge.model import Person
from bot.matching.lexicon import COUNTRY_NAMES
from bot.matching.names import STEM_QUALITY, Found, undominated
from bot.matching.text import STOP_WORDS, normalise, script, skeleton, stem

DATA = Path(__file__).with_name("places.tsv")


@dataclass(frozen=True)
class WorldPlace:
    """A city or a country of the world: `key` is "city:CZ:Prague" or "country:GE:Georgia"."""

    key: str
    kind: str
    country: str  # ISO 3166-1 alpha-2 code
    en: str
    ru: str  # the Russian name replies show; the English one where the data has none

    def name(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


def _keys(word: str) -> tuple[str, ...]:
    """What a word is looked up by: its skeleton and, for a Russian word, its stem's skeleton."""
    if script(word) == "ru":
        return tuple(dict.fromkeys((skeleton(word), skeleton(stem(word)))))
    return (skeleton(word),)


def name_keys(name: str) -> str:
    """A name as `places.tsv` stores it for lookup: its words' keys ("/" between one word's, a
    space between words), stop words left out: "Ростов-на-Дону" -> "rostov/rost donu/don"."""
    ws = [w for w in normalise(name).replace("-", " ").split() if w not in STOP_WORDS]
    return " ".join("/".join(_keys(w)) for w in ws)


class Gazetteer:
    """World places by key, and their names to find in a question.

    Lines: kind, country code, English name, Russian name, other names ("|"), and the lookup keys
    of all of them (`name_keys`, "|" between names), computed when the file is built: skeletons
    and stems of 20,000 words would take most of a second at every start.
    """

    def __init__(self, lines: list[str]):
        self.places: dict[str, WorldPlace] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)  # a name's exact keys -> place keys
        self.by_country: dict[str, list[str]] = defaultdict(list)  # country code -> its cities' keys
        # A name's first word's lookup key -> (the name's words' keys, place key).
        self._phrases: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = defaultdict(list)
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            kind, code, en, ru, _others, keys = line.rstrip("\n").split("\t")
            key = f"{kind}:{code}:{en}"
            self.places[key] = WorldPlace(key, kind, code, en, ru or en)
            if kind == "city":
                self.by_country[code].append(key)
            for stored in keys.split("|"):
                if not stored:
                    continue
                phrase = tuple(frozenset(w.split("/")) for w in stored.split())
                self.by_name[" ".join(w.split("/", 1)[0] for w in stored.split())].add(key)
                for first in phrase[0]:
                    self._phrases[first].append((phrase, key))

    def named(self, name: str) -> set[str]:
        """The places with this name (any of their names, as written)."""
        return self.by_name.get(" ".join(k.split("/", 1)[0] for k in name_keys(name).split()), set())

    def find(self, question_words: list[str]) -> list[Found]:
        """World places named in a question (exact spellings and case forms only), longest first.

        A name's words must stand together (stop words between them aside: «Ростов на Дону»);
        quality 1.0 for a name as written, `STEM_QUALITY` for one in a Russian case form.
        """
        positions = [i for i, w in enumerate(question_words) if w not in STOP_WORDS]
        keys = {i: frozenset(_keys(question_words[i])) for i in positions}
        found: dict[str, Found] = {}
        for n, i in enumerate(positions):
            for first in keys[i]:
                for phrase, place in self._phrases.get(first, ()):
                    at = positions[n : n + len(phrase)]
                    if len(at) < len(phrase) or not all(keys[j] & k for j, k in zip(at, phrase, strict=True)):
                        continue
                    exact = all(skeleton(question_words[j]) in k for j, k in zip(at, phrase, strict=True))
                    hit = Found(place, 1.0 if exact else STEM_QUALITY, len(phrase), frozenset(at))
                    if place not in found or hit.strength > found[place].strength:
                        found[place] = hit
        return sorted(undominated(list(found.values())), key=lambda f: (-f.strength, min(f.used), f.owner))

    def ours(self, k: Knowledge, place_names: dict[str, tuple[str, str]]) -> frozenset[str]:
        """World places a snapshot may have someone or something in: its own places (by any of
        their names), and every city of a country where someone is based with no city given
        (Natalia Arno, "United States": maybe in any American city)."""
        out: set[str] = set()
        for en, ru in place_names.values():
            for name in (en, ru, *COUNTRY_NAMES.get(en, ())):
                out |= self.named(name)
        for entity in k.entities.values():
            based = entity.based_in
            if isinstance(entity, Person) and based and not based.city:
                for name in (based.country.en, based.country.ru):
                    for key in self.named(name):
                        out.update(self.by_country.get(self.places[key].country, ()))
        return frozenset(out)


@functools.cache
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, read once."""
    return Gazetteer(DATA.read_text(encoding="utf-8").splitlines())

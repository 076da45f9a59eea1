"""Find names (of entries and places) in a question, across scripts, spellings, cases and typos."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching.text import STOP_WORDS, script, skeleton, stem, words

_FEMININE = ("ая", "ой", "ую", "яя", "ей")
_MASCULINE = ("ый", "ий", "ого", "ому", "ым", "ом", "его", "ему", "им")
#: Quality of a match through the Russian stem ("Ходорковского" ~ "Ходорковский").
STEM_QUALITY = 0.95
#: A name matched at least this well is taken as certain (exact, stem, or one typo).
CONFIDENT = 0.85
#: Quality lost by a name of three words or more for the one word missing from the question.
PARTIAL_PENALTY = 0.1


def _gender(word: str) -> str | None:
    """Grammatical gender suggested by a Russian adjectival surname ending, if any."""
    if script(word) != "ru":
        return None
    if word.endswith(_FEMININE):
        return "f"
    if word.endswith(_MASCULINE):
        return "m"
    return None


def _max_edits(length: int) -> int:
    return 0 if length < 5 else 1 if length < 6 else 2 if length < 10 else 3


Buckets = dict[tuple[str, int], list[str]]


#: Up to this many name words, a typo search compares with all of them; past it, only with
#: those of the same first letter (typos rarely hit the first letter), to stay fast.
SCAN_ALL = 3_000
#: Question words whose name matches a frozen index remembers.
MATCH_CACHE = 16_384


def _bucket(buckets: Buckets, word: str) -> None:
    """File a word under its length, and under its first letter and length."""
    buckets[("", len(word))].append(word)
    buckets[(word[0], len(word))].append(word)


def _nearest(word: str, buckets: Buckets, scan_all: bool) -> list[tuple[str, int]]:
    """Words within the edit distance the word's length allows, with their distance."""
    edits = _max_edits(len(word))
    if edits == 0:
        return []
    out = []
    first = "" if scan_all else word[0]
    for length in range(len(word) - edits, len(word) + edits + 1):
        candidates = buckets.get((first, length))
        if candidates:
            found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=8)
            out += [(token, int(distance)) for token, distance, _ in found]
    return out


@dataclass(frozen=True)
class Phrase:
    """A name of an owner (an entry id, or a place key) as the skeletons of its words."""

    owner: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """An owner named in a question: how well, by how many words, and which question words."""

    owner: str
    quality: float
    length: int
    used: frozenset[int]

    @property
    def strength(self) -> float:
        """Longer names matched (first name + surname) beat shorter ones."""
        return self.quality + 0.1 * (self.length - 1)


def undominated(found: list[Found]) -> list[Found]:
    """Drop names that are part of a longer, better name found at the same words."""
    return [
        f
        for f in found
        if not any(g is not f and f.used <= g.used and g.strength > f.strength for g in found)
    ]


class NameIndex:
    """Phrases of every owner, indexed by word skeleton, Russian stem and word length."""

    def __init__(self) -> None:
        self._phrases: list[Phrase] = []
        self._by_token: dict[str, list[int]] = defaultdict(list)
        self._by_stem: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        self._raw: dict[str, set[str]] = defaultdict(set)  # normalised word -> skeletons
        self._by_length: Buckets = defaultdict(list)
        self._raw_by_length: Buckets = defaultdict(list)
        self._seen: set[Phrase] = set()
        self._by_anchor: dict[str, list[int]] = {}
        self._long: dict[str, list[int]] = {}  # word -> names of three words or more with it
        self._matches = self._token_matches  # remembered once frozen (`freeze`)

    def add(self, owner: str, name: str) -> None:
        """Register one name of an owner (stop words in it are ignored).

        A hyphenated name is also registered written as one word ("Kara-Murza", "karamurza").
        """
        if "-" in name:
            self.add(owner, name.replace("-", ""))
        ws = [w for w in words(name) if w not in STOP_WORDS] or words(name)
        if not ws:
            return
        phrase = Phrase(owner, tuple(skeleton(w) for w in ws))
        if phrase not in self._seen:  # "Mikhail Khodorkovsky" and "Михаил Ходорковский" are one phrase
            self._seen.add(phrase)
            self._phrases.append(phrase)
            for token in phrase.tokens:
                if token not in self._by_token:
                    _bucket(self._by_length, token)
                self._by_token[token].append(len(self._phrases) - 1)
        for w, token in zip(ws, phrase.tokens, strict=True):
            if w not in self._raw:
                _bucket(self._raw_by_length, w)
            self._raw[w].add(token)
            if script(w) == "ru":  # the stemmer cuts "Каспаров" to "каспар" but "Каспаровым" to "каспаров"
                for form in {w, stem(w)}:
                    self._by_stem[skeleton(form)].add((token, _gender(w)))

    def freeze(self) -> None:
        """Index each phrase under its rarest word, once every name is added.

        A phrase matches only if all its words do, so looking it up by its rarest word finds it,
        and a common first name ("Ivan") never drags in every phrase that contains it.
        """
        anchors: dict[str, list[int]] = defaultdict(list)
        for index, phrase in enumerate(self._phrases):
            anchor = min(phrase.tokens, key=lambda t: len(self._by_token[t]))
            anchors[anchor].append(index)
        self._by_anchor = dict(anchors)
        long: dict[str, list[int]] = defaultdict(list)
        for index, phrase in enumerate(self._phrases):
            if len(phrase.tokens) >= 3:
                for token in set(phrase.tokens):
                    long[token].append(index)
        self._long = dict(long)
        # Question words repeat across questions ("где", a popular surname, a typo of it); the
        # typo search is the costliest step of reading one, so its results are remembered.
        self._matches = functools.lru_cache(maxsize=MATCH_CACHE)(self._token_matches)

    def knows(self, word: str) -> bool:
        """Whether a normalised word is a word of some name ("kimovich" of a full name)."""
        return word in self._raw

    def token_matches(self, word: str, fuzzy: bool = True) -> dict[str, float]:
        """Name words a question word may stand for, with a quality from 0 to 1.

        Once frozen, the same word gets the same dict: read it, do not change it."""
        return self._matches(word, fuzzy)

    def _token_matches(self, word: str, fuzzy: bool) -> dict[str, float]:
        key = skeleton(word)
        out: dict[str, float] = {key: 1.0} if key in self._by_token else {}
        if script(word) == "ru":
            gender = _gender(word)
            for token, token_gender in self._by_stem.get(skeleton(stem(word)), ()):
                bonus = 0.0 if not gender or not token_gender else 0.03 if gender == token_gender else -0.1
                out[token] = max(out.get(token, 0.0), STEM_QUALITY + bonus)
        if out or not fuzzy:
            return out
        scan_all = len(self._by_token) <= SCAN_ALL
        for token, distance in _nearest(key, self._by_length, scan_all):
            out[token] = max(out.get(token, 0.0), 1.0 - 0.1 * distance)
        # The same word in its own script too: "навальнаяя" is one letter from "навальная".
        if script(word) == "ru" or not out:
            for raw, distance in _nearest(word, self._raw_by_length, scan_all):
                for token in self._raw[raw]:
                    out[token] = max(out.get(token, 0.0), 1.0 - 0.1 * distance)
        return out

    def find(self, question_words: list[str], fuzzy_ok: Iterable[bool]) -> list[Found]:
        """Every owner whose name occurs in the question, best first.

        All words of a name must occur, except that a name of three words or more may miss one
        ("prisoner exchange 2024" for "August 2024 prisoner exchange"), at a lower quality.
        """
        matches = [
            self.token_matches(w, fuzzy) if w not in STOP_WORDS else {}
            for w, fuzzy in zip(question_words, fuzzy_ok, strict=True)
        ]
        candidates: set[int] = set()
        for found in matches:
            for token in found:
                candidates.update(self._by_anchor.get(token, ()))
                candidates.update(self._long.get(token, ()))
        at = _best_positions(matches)
        best: dict[str, Found] = {}
        for index in candidates:
            phrase = self._phrases[index]
            qualities, used, missing = [], set(), 0
            for token in phrase.tokens:
                quality, position = at.get(token, (0.0, -1))
                if quality <= 0:
                    missing += 1
                    continue
                qualities.append(quality)
                used.add(position)
            if missing > (1 if len(phrase.tokens) >= 3 else 0):
                continue
            quality = min(qualities) - PARTIAL_PENALTY * missing
            found = Found(phrase.owner, quality, len(phrase.tokens) - missing, frozenset(used))
            current = best.get(phrase.owner)
            if current is None or found.strength > current.strength:
                best[phrase.owner] = found
        return sorted(best.values(), key=lambda f: (-f.strength, f.owner))


def _best_positions(matches: list[dict[str, float]]) -> dict[str, tuple[float, int]]:
    """For each name word some question word may stand for: the best quality and, of the words
    matching it that well, the last one's position (computed once, not for every phrase)."""
    at: dict[str, tuple[float, int]] = {}
    for i, m in enumerate(matches):
        for token, quality in m.items():
            if (quality, i) > at.get(token, (0.0, -1)):
                at[token] = (quality, i)
    return at

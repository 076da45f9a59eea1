"""Decide what a question is about: the index, built once per knowledge snapshot, and `match`.

A question is read three ways at once: the names it contains (`bot.names`), the cue words of
what it asks (`bot.intents`) and its remaining words, which may describe an entry without naming
it (`bot.bm25`). The outcome is `answer` (one confident hit), `suggest` (up to three choices) or
`none` (out of scope).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.bm25 import BM25
from bot.intents import CUE_STEMS, LIST_STEMS, RELATION_STEMS, intents
from bot.knowledge import Knowledge
from bot.lexicon import COUNTRY_NAMES, DESIGNATION_CUES, first_name_groups
from bot.model import Entity, Event, Faq, Organisation, Person
from bot.names import STEM_QUALITY, Found, NameIndex
from bot.text import STOP_WORDS, language, normalise, script, stem, swap_layout, to_cyrillic, words

#: Intents that ask for one particular fact (as opposed to "who is").
SPECIFIC = frozenset({"where", "left", "org", "designation", "born"})
#: A name matched at least this well is taken as certain (exact, stem, or one typo).
CONFIDENT = 0.85
MAX_SUGGESTIONS = 3
#: Shortest shared beginning that joins two words the stemmer left apart.
MIN_PREFIX = 5
#: A word in at most this many entries (or a tenth of them) says which entry a question describes.
RARE_DF = 3
#: FAQ similarity at which an FAQ entry answers a question that names nobody.
FAQ_ANSWER = 0.6
FAQ_SUGGEST = 0.4
STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)
_POSSESSIVE = re.compile(r"([^\W_]+)['’`]s\b")
_YEAR = re.compile(r"^(19|20)\d\d$")
WHO_STEMS = frozenset(stem(w) for w in "who whom which кто кого кому какие которые".split())


@dataclass(frozen=True)
class Hit:
    """A candidate reply: an entry, or a list of people computed from structured fields."""

    id: str
    type: str
    score: float
    entities: tuple[str, ...]
    intents: frozenset[str] = frozenset()
    members: tuple[str, ...] = ()
    filter: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """What the matcher decided for one question."""

    lang: str
    outcome: str
    best: Hit | None = None
    suggestions: tuple[Hit, ...] = ()
    intents: frozenset[str] = frozenset()


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


# --- the index --------------------------------------------------------------------------------


def _entity_texts(entity: Entity, k: Knowledge) -> Iterable[tuple[str, float]]:
    """Texts of an entity that a description of it may use, with their weights."""
    yield entity.name.en, 2.0
    yield entity.name.ru, 2.0
    for alias in entity.aliases:
        yield alias, 1.0
    yield entity.summary.en, 1.0
    yield entity.summary.ru, 1.0
    if entity.based_in:
        for place in (entity.based_in.city, entity.based_in.country):
            if place:
                yield place.en, 1.0
                yield place.ru, 1.0
    for milestone in entity.events:
        yield milestone.text.en, 1.0
        yield milestone.text.ru, 1.0
    for designation in entity.designations:
        if designation.detail:
            yield designation.detail.en, 0.5
            yield designation.detail.ru, 0.5
    if isinstance(entity, Person):
        yield entity.role.en, 2.0
        yield entity.role.ru, 2.0
        if entity.left_russia:
            yield entity.left_russia.why.en, 1.0
            yield entity.left_russia.why.ru, 1.0
        for membership in entity.organisations:
            yield membership.role.en, 1.5
            yield membership.role.ru, 1.5
            org = k.entities.get(membership.org)
            if org:
                yield org.name.en, 1.0
                yield org.name.ru, 1.0
    if isinstance(entity, Organisation):
        yield entity.kind.en, 1.5
        yield entity.kind.ru, 1.5
    if isinstance(entity, Event) and entity.place:
        yield entity.place.en, 1.0
        yield entity.place.ru, 1.0


def _key_texts(entity: Entity) -> Iterable[tuple[str, float]]:
    """The fields that say what an entry is: its names and its role or kind."""
    yield entity.name.en, 1.0
    yield entity.name.ru, 1.0
    for alias in entity.aliases:
        yield alias, 1.0
    if isinstance(entity, Person):
        yield entity.role.en, 1.0
        yield entity.role.ru, 1.0
    if isinstance(entity, Organisation):
        yield entity.kind.en, 1.0
        yield entity.kind.ru, 1.0


_FOUNDER = "founder founded основатель основал основала создатель создал создала"


def _role_texts(k: Knowledge, person_id: str, org_id: str) -> Iterable[tuple[str, float]]:
    """What a person is in an organisation: their membership roles, and founder if they founded it."""
    person = k.entities[person_id]
    if isinstance(person, Person):
        for m in person.organisations:
            if m.org == org_id:
                yield m.role.en, 1.0
                yield m.role.ru, 1.0
                if m.until and not _PAST_ROLE.search(m.role.en):
                    yield "former бывший", 1.0
    org = k.entities.get(org_id)
    if isinstance(org, Organisation) and person_id in org.founders:
        yield _FOUNDER, 1.0


_PAST_ROLE = re.compile(r"\b(former|ex-)", re.I)
_PAST_STEMS = frozenset(stem(w) for w in ("former", "бывший", "бывшая", "previous", "прежний"))


def _bag(texts: Iterable[tuple[str, float]]) -> Counter[str]:
    bag: Counter[str] = Counter()
    for text, weight in texts:
        for w in words(text):
            if w not in STOP_WORDS:
                bag[stem(w)] += weight
    return bag


def _first_names(person: Person) -> frozenset[int]:
    groups: set[int] = set()
    for name in (person.name.en, person.name.ru, *person.aliases):
        ws = words(name)
        if len(ws) > 1:
            groups |= first_name_groups(ws[0])
    if person.full_name:
        groups |= first_name_groups(words(person.full_name.en)[0])
    return frozenset(groups)


def _phrase_stems(phrase: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(phrase))


_DESIGNATION_STEMS = {kind: [_phrase_stems(p) for p in cues] for kind, cues in DESIGNATION_CUES.items()}


class Index:
    """Everything `match` needs, derived once from a knowledge snapshot."""

    def __init__(self, k: Knowledge):
        self.k = k
        self.names = NameIndex()
        self.places: dict[str, set[str]] = defaultdict(set)  # place key -> entity ids
        self.place_names: dict[str, tuple[str, str]] = {}
        self.links: dict[str, set[str]] = defaultdict(set)
        self.members: dict[str, set[str]] = defaultdict(set)  # org id -> people
        self.participants: dict[str, set[str]] = defaultdict(set)  # event id -> people
        self.first_names: dict[str, frozenset[int]] = {}
        self.faq_about: dict[str, list[str]] = defaultdict(list)
        for entity in k.entities.values():
            self._add_entity(entity)
        self.names.freeze()
        self.place_people = {
            key: tuple(sorted(m for m in ids if isinstance(k.entities[m], Person)))
            for key, ids in self.places.items()
        }
        self.entity_bags = {e.id: _bag(_entity_texts(e, k)) for e in k.entities.values()}
        self.entity_docs = BM25(self.entity_bags)
        self.key_bags = {e.id: _bag(_key_texts(e)) for e in k.entities.values()}
        self.key_docs = BM25(self.key_bags)
        # Words that say what sort of entry is meant ("politician", "газета"): in the names and
        # roles of several entries, all of one type.
        types: dict[str, set[str]] = defaultdict(set)
        for entity_id, bag in self.key_bags.items():
            for term in bag:
                types[term].add(k.type_of(entity_id))
        self.type_words = {
            t: next(iter(ts)) for t, ts in types.items() if len(ts) == 1 and self.key_docs.df(t) >= 2
        }
        self.roles = {
            org: {p: _bag(_role_texts(k, p, org)) for p in people} for org, people in self.members.items()
        }
        self.faq_variants: dict[str, list[frozenset[str]]] = {}
        self.faq_intents: dict[str, frozenset[str]] = {}
        for faq in k.faq.values():
            self._add_faq(faq)
        self.faq_docs = BM25(
            {fid: Counter(s for v in vs for s in v) for fid, vs in self.faq_variants.items()}
        )
        self.faq_variant_weights = {
            fid: [sum(self.faq_docs.idf[s] for s in v) for v in vs] for fid, vs in self.faq_variants.items()
        }
        self.vocabulary = frozenset(self.entity_docs.idf) | frozenset(self.faq_docs.idf)
        self._sorted_terms = sorted(self.entity_docs.idf)
        self.unknown_weight = math.log(max(self.entity_docs.size, self.faq_docs.size) + 1) + 1

    def _add_entity(self, entity: Entity) -> None:
        names = [entity.name.en, entity.name.ru, *entity.aliases]
        if isinstance(entity, Person):
            names += [entity.name.en.split()[-1], entity.name.ru.split()[-1]]
            if entity.full_name:
                names += [entity.full_name.en, entity.full_name.ru]
            self.first_names[entity.id] = _first_names(entity)
            for membership in entity.organisations:
                self.members[membership.org].add(entity.id)
                self._link(entity.id, membership.org)
        for name in names:
            self.names.add(entity.id, name)
        if entity.based_in:
            for kind, place in (("city", entity.based_in.city), ("country", entity.based_in.country)):
                if place:
                    self._add_place(f"@{kind}:{place.en}", place.en, place.ru, entity.id)
        for milestone in entity.events:
            if milestone.event:
                self._link(entity.id, milestone.event)
                if isinstance(entity, Person):
                    self.participants[milestone.event].add(entity.id)
        for ref in entity.related:
            self._link(entity.id, ref)
        if isinstance(entity, Organisation):
            for founder in entity.founders:
                self._link(entity.id, founder)
                self.members[entity.id].add(founder)

    def _add_place(self, key: str, en: str, ru: str, entity_id: str) -> None:
        self.places[key].add(entity_id)
        if key not in self.place_names:
            self.place_names[key] = (en, ru)
            for name in (en, ru, *COUNTRY_NAMES.get(en, ())):
                self.names.add(key, name)

    def _link(self, a: str, b: str) -> None:
        self.links[a].add(b)
        self.links[b].add(a)

    def _add_faq(self, faq: Faq) -> None:
        variants = []
        asked: Counter[str] = Counter()
        for question in (*faq.questions.en, *faq.questions.ru):
            ws = words(question)
            found = [f for f in self.names.find(ws, [False] * len(ws)) if not f.owner.startswith("@")]
            used = set().union(*(f.used for f in found)) if found else set()
            stems = {stem(w) for i, w in enumerate(ws) if i not in used and w not in STOP_WORDS}
            variants.append(frozenset(stems | {f"@{f.owner}" for f in found}))
            asked.update(intents(frozenset(stem(w) for w in ws)))
        self.faq_variants[faq.id] = variants
        # An intent counts for the entry if a good share of its variants ask it.
        self.faq_intents[faq.id] = frozenset(i for i, n in asked.items() if n * 3 >= len(variants))
        for ref in faq.about:
            self.faq_about[ref].append(faq.id)

    # --- reading a question -----------------------------------------------------------------

    def read(self, text: str) -> Reading:
        """Names, places, intents and descriptive words of one reading of a question."""
        ws = words(text)
        stems = [stem(w) for w in ws]
        known = [
            w in STOP_WORDS or s in self.vocabulary or s in CUE_STEMS for w, s in zip(ws, stems, strict=True)
        ]
        found = self.names.find(ws, [not k for k in known])
        possessive = {normalise(m.group(1)) for m in _POSSESSIVE.finditer(text)}
        named: list[Named] = []
        near: list[Found] = []
        places: list[Found] = []
        for f in _undominated(found):
            if f.owner.startswith("@"):
                places.append(f)
            elif f.quality < CONFIDENT or self._other_first_name(f, ws):
                near.append(f)
            else:
                last = max(f.used)  # "Kasyanov's party" is a name; "Navalny's widow" qualifies
                modifier = ws[last] in possessive or _genitive(ws, last, f)
                named.append(Named(f.owner, f.quality, f.length, f.used, modifier))
        used: set[int] = set().union(*(f.used for f in found)) if found else set()
        terms = frozenset(
            s for i, (w, s) in enumerate(zip(ws, stems, strict=True))
            if i not in used and w not in STOP_WORDS and s not in CUE_STEMS and len(s) > 2
        )  # fmt: skip
        explained = sum(1 for i, w in enumerate(ws) if i in used or (known[i] and w not in STOP_WORDS))
        unexplained = sum(1 for i in range(len(ws)) if i not in used and not known[i])
        return Reading(
            text, ws, named, near, places, frozenset(stems), terms,
            frozenset(f"@{n.owner}" for n in named), intents(frozenset(stems)), explained, unexplained,
        )  # fmt: skip

    def _other_first_name(self, found: Found, ws: list[str]) -> bool:
        """'Лев Яшин': a surname next to a first name that is not this person's."""
        mine = self.first_names.get(found.owner)
        if mine is None or found.length > 1:
            return False
        for i in found.used:
            for j in (i - 1, i + 1):
                if 0 <= j < len(ws) and j not in found.used:
                    groups = first_name_groups(ws[j])
                    if groups and not groups & mine:
                        return True
        return False

    def reading(self, query: str) -> Reading:
        """The best reading: as typed, in the other keyboard layout, or Latin read as Russian."""
        best = self.read(query)
        if best.unexplained == 0:
            return best
        others = [swap_layout(query)]
        if script(query) == "en":
            others.append(to_cyrillic(query))
        for text in others:
            other = self.read(text)
            if other.explained > best.explained or (
                other.explained == best.explained and other.unexplained < best.unexplained
            ):
                best = other
        return best

    # --- scoring ----------------------------------------------------------------------------

    def expand(self, term: str) -> frozenset[str]:
        """Description words of entries that a question's word stands for.

        The stemmer leaves "шахматист" and "шахмат", "отрав" and "отравлен" apart; a shared
        beginning of five letters or more joins them.
        """
        if term in self.entity_docs.idf or len(term) < MIN_PREFIX:
            return frozenset({term})
        for end in range(len(term) - 1, MIN_PREFIX - 1, -1):
            if term[:end] in self.entity_docs.idf:
                return frozenset({term[:end]})
        start = bisect.bisect_left(self._sorted_terms, term)
        longer = [t for t in self._sorted_terms[start : start + 3] if t.startswith(term)]
        return frozenset(longer) or frozenset({term})

    def held(self, terms: frozenset[str], entity_id: str) -> int:
        """How many of the question's words an entry's facts hold."""
        bag = self.entity_bags[entity_id]
        return sum(1 for t in terms if self.expand(t) & bag.keys())

    def describe(self, terms: frozenset[str]) -> tuple[list[tuple[float, str]], float]:
        """Entries ranked by how well the words describe them (0..1), and the share of words known."""
        expanded = frozenset().union(*(self.expand(t) for t in terms)) if terms else frozenset()
        docs = self.entity_docs
        known = frozenset(t for t in expanded if t in docs.idf)
        known_weight = sum(docs.idf[t] for t in known)
        unknown = self.unknown_weight * sum(1 for t in terms if not self.expand(t) & known)
        coverage = known_weight / (known_weight + unknown) if terms else 0.0
        ceiling = docs.max_score(known)
        scores = docs.scores(known)
        for entity_id, bonus in self.key_docs.scores(known).items():  # names and roles count double
            scores[entity_id] += bonus
        return sorted(((s / (2 * ceiling), e) for e, s in scores.items()), reverse=True), coverage

    def faq_similarity(self, faq_id: str, query: frozenset[str]) -> float:
        """Weighted overlap (0..1) of a question with the closest question variant of an FAQ entry.

        Words the knowledge base has never seen weigh the most: "where does Boris Johnson live"
        is not close to "where does Zhdanov live".
        """
        best = 0.0
        idf, unknown = self.faq_docs.idf, self.unknown_weight
        query_weight = sum(idf.get(s, unknown) for s in query)
        for variant, variant_weight in zip(
            self.faq_variants[faq_id], self.faq_variant_weights[faq_id], strict=True
        ):
            common = sum(idf[s] for s in query & variant)  # variant words are all in idf
            union = query_weight + variant_weight - common
            if union:
                best = max(best, common / union)
        return best

    def entity_hit(self, entity_id: str, score: float, wanted: frozenset[str]) -> Hit:
        """A hit on an entity's own entry."""
        return Hit(entity_id, self.k.type_of(entity_id), round(score, 3), (entity_id,), wanted)

    def faq_hit(self, faq_id: str, score: float) -> Hit:
        """A hit on an FAQ entry."""
        faq = self.k.faq[faq_id]
        return Hit(faq_id, "faq", round(score, 3), tuple(faq.about), self.faq_intents[faq_id])


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


def _undominated(found: list[Found]) -> list[Found]:
    """Drop names that are part of a longer, better name found at the same words."""
    return [
        f
        for f in found
        if not any(g is not f and f.used <= g.used and g.strength > f.strength for g in found)
    ]


# --- deciding ---------------------------------------------------------------------------------


def match(index: Index, query: str, lang: str | None = None) -> Match:
    """Decide what a question is about."""
    r = index.reading(query)
    lang = lang or language(r.text if r.explained else query)
    if not r.words or (r.explained == 0 and not r.near):
        return Match(lang, "none", intents=r.intents)
    hit = _list_answer(index, r)
    if hit:
        return Match(lang, "answer", hit, intents=r.intents)
    if r.named:
        return _about_named(index, r, lang)
    return _about_described(index, r, lang)


def _list_answer(index: Index, r: Reading) -> Hit | None:
    """'Who lives in Vilnius?', 'who works for FBK?', 'who was freed in 2024?', 'who is a foreign agent?'."""
    if not r.stems & LIST_STEMS or any(isinstance(index.k.entities[n.owner], Person) for n in r.named):
        return None
    if r.places and r.stems & RELATION_STEMS["place"]:
        place = r.places[0]
        members = index.place_people[place.owner]
        if members:
            names = index.place_names[place.owner]
            return Hit(f"list:{place.owner[1:]}", "list", place.quality, members, r.intents, members,
                       ("place", place.owner, *names))  # fmt: skip
    for found in r.named:
        entity = index.k.entities[found.owner]
        if isinstance(entity, Organisation) and r.stems & RELATION_STEMS["org"]:
            return _list_hit(entity.id, "org", found.quality, index.members.get(entity.id, set()), r)
        if isinstance(entity, Event) and r.stems & RELATION_STEMS["event"]:
            return _list_hit(entity.id, "event", found.quality, index.participants.get(entity.id, set()), r)
    if all(_is_rule(index.k.entities[n.owner]) for n in r.named):  # "who is on the terrorist list"
        found = _designation_list(index, r)
        if found or r.named:
            return found
        return _departure_list(index, r) or _event_list(index, r)
    return None


def _designation_list(index: Index, r: Reading) -> Hit | None:
    """'Who was sentenced in absentia?', 'кто иноагент': people with that designation."""
    if not r.stems & WHO_STEMS:  # not "what is the Rosfinmonitoring list"
        return None
    for kind, phrases in _DESIGNATION_STEMS.items():
        if any(p <= r.stems for p in phrases):
            people = {
                e.id for e in index.k.entities.values()
                if isinstance(e, Person) and any(d.kind == kind for d in e.designations)
            }  # fmt: skip
            return _list_hit(kind, "designation", 1.0, people, r)
    return None


def _departure_list(index: Index, r: Reading) -> Hit | None:
    """'Who left Russia in 2022?': people whose departure year is that year."""
    years = [w for w in r.words if _YEAR.match(w)]
    if "left" not in r.intents or len(years) != 1:
        return None
    people = {
        e.id for e in index.k.entities.values()
        if isinstance(e, Person) and e.left_russia and e.left_russia.year.startswith(years[0])
    }  # fmt: skip
    return _list_hit(years[0], "left", 1.0, people, r)


def _event_list(index: Index, r: Reading) -> Hit | None:
    """'Who was freed in the 2024 exchange?': the event the words describe, and its people."""
    if not r.stems & RELATION_STEMS["event"] or not r.terms:
        return None
    scores = index.entity_docs.scores(r.terms)
    events = [(s, e) for e, s in scores.items() if isinstance(index.k.entities[e], Event)]
    if not events:
        return None
    score, event_id = max(events)
    # The event must be what the words describe best, or nearly: not "held up a sign on TV".
    if score < 0.8 * max(scores.values()) or score / index.entity_docs.max_score(r.terms) < 0.4:
        return None
    return _list_hit(event_id, "event", score, index.participants.get(event_id, set()), r)


def _list_hit(key: str, kind: str, score: float, members: set[str], r: Reading) -> Hit | None:
    if not members:
        return None
    ordered = tuple(sorted(members))
    return Hit(f"list:{kind}:{key}", "list", round(score, 3), ordered, r.intents, ordered, (kind, key))


def _suggest(hits: Iterable[Hit], lang: str, r: Reading) -> Match:
    unique: list[Hit] = []
    for hit in sorted(hits, key=lambda h: -h.score):
        if not any(set(hit.entities) == set(u.entities) for u in unique):
            unique.append(hit)
    if not unique:
        return Match(lang, "none", intents=r.intents)
    return Match(lang, "suggest", suggestions=tuple(unique[:MAX_SUGGESTIONS]), intents=r.intents)


def _about_named(index: Index, r: Reading, lang: str) -> Match:
    named = r.named
    subject = named[0]
    if len(named) > 1:
        faq = _best_faq(index, r, {n.owner for n in named}, require_all=True)
        if faq:
            return Match(lang, "answer", faq, intents=r.intents)
        heads = [n for n in named if not n.modifier]  # not "Navalny's" in "Navalny's foundation"
        people = [n for n in heads if isinstance(index.k.entities[n.owner], Person)]
        if len(people) > 1 or named[1].used == named[0].used:  # two people, or one name for two
            tied = people if len(people) > 1 else named
            return _suggest((index.entity_hit(n.owner, n.quality, r.intents) for n in tied), lang, r)
        if people:  # a law or listing named beside a person is what is asked about the person
            heads = [n for n in heads if not _is_rule(index.k.entities[n.owner])]
        if heads:  # "Khodorkovsky Open Russia", "Олег Орлов Мемориал": the one named first
            subject = min(heads, key=lambda n: min(n.used))
    if not isinstance(index.k.entities[subject.owner], Person):
        person = _member_by_role(index, r, subject.owner)
        if person:  # "FBK's head of investigations", "the editor-in-chief of Novaya Gazeta Europe"
            return Match(
                lang, "answer", index.entity_hit(person, subject.quality, r.intents), intents=r.intents
            )
    owner = _described_neighbour(index, r, subject)
    faq = _best_faq(index, r, {owner}, require_all=False)
    return Match(
        lang, "answer", faq or index.entity_hit(owner, subject.quality, r.intents), intents=r.intents
    )


def _is_rule(entity: Entity) -> bool:
    return isinstance(entity, Event) and entity.category != "event"


def _member_by_role(index: Index, r: Reading, org: str) -> str | None:
    """The one member of an organisation whose role there the question's other words name."""
    roles = index.roles.get(org)
    if not roles:
        return None
    named_words = set().union(*(n.used for n in r.named))
    asked: set[str] = set()
    for i, w in enumerate(r.words):
        if i not in named_words and w not in STOP_WORDS:
            asked |= index.expand(stem(w))  # "юристка" -> "юрист"
    idf = index.entity_docs.idf
    past = bool(asked & _PAST_STEMS)

    def score(person: str, bag: Counter[str]) -> float:
        found = sum(idf.get(t, 1.0) for t in asked & bag.keys())
        return found if past or _PAST_STEMS.isdisjoint(bag) else found / 2  # current holders first

    scored = sorted(((score(p, bag), p) for p, bag in roles.items()), reverse=True)
    if not scored or scored[0][0] <= 0:
        return None
    tied = [p for s, p in scored if s >= scored[0][0]]
    if len(tied) == 1:
        return tied[0]
    # Several hold that role: the rest of the question ("convicted in the sanitary case") decides.
    facts = index.entity_docs.scores(frozenset(asked))
    ranked = sorted(((facts.get(p, 0.0), p) for p in tied), reverse=True)
    return ranked[0][1] if ranked[0][0] >= 1.5 * ranked[1][0] > 0 else None


def _described_neighbour(index: Index, r: Reading, subject: Named) -> str:
    """'Navalny's widow', 'Navalny novichok': a linked entry the other words describe better.

    Only words rare in the knowledge base count, so "why did X leave Russia" stays about X.
    """
    if _is_rule(index.k.entities[subject.owner]):  # "плашка иноагента" is about the law itself
        return subject.owner
    terms = frozenset().union(*(index.expand(t) for t in r.terms)) if r.terms else frozenset()
    most = max(RARE_DF, index.entity_docs.size // 10)
    links = index.links.get(subject.owner, ())
    if subject.modifier:
        # "Navalny's chief of staff", "вдова Навального": names and roles first, then any fact.
        for docs in (index.key_docs, index.entity_docs):
            rare = frozenset(t for t in terms if 0 < docs.df(t) <= most)
            scores = docs.scores(rare)
            linked = [(s, e) for e, s in scores.items() if e in links and not _is_rule(index.k.entities[e])]
            if linked and max(linked)[0] >= 0.5 * scores.get(subject.owner, 0.0):
                return max(linked)[1]
        return subject.owner
    # Otherwise a linked entry whose own names, role or kind hold most of the other words
    # ("Navalny novichok" -> the poisoning, "the coalition Khodorkovsky set up" -> the committee),
    # in words that are not everywhere ("declared" names the Berlin Declaration but is in every
    # designation) and that the subject's own names and role lack.
    common = max(RARE_DF, index.entity_docs.size // 5)
    own = index.key_bags[subject.owner]
    terms = frozenset(t for t in terms if index.entity_docs.df(t) <= common and t not in own)
    idf = index.key_docs.idf
    total = sum(idf.get(t, 0.0) for t in terms)
    best: tuple[float, str] | None = None
    for neighbour in links:
        bag = index.key_bags.get(neighbour)
        if bag is not None and total:
            held = sum(idf.get(t, 0.0) for t in terms if t in bag) / total
            if held >= 0.6 and (best is None or held > best[0]):
                best = (held, neighbour)
    if best:
        return best[1]
    return _event_holding(index, terms, subject.owner, links)


def _event_holding(index: Index, terms: frozenset[str], owner: str, links: Iterable[str]) -> str:
    """The one linked event whose facts hold every rare word its subject's lack ("где умер Навальный")."""
    own = index.entity_bags[owner]
    missing = {t for t in terms if 0 < index.entity_docs.df(t) <= RARE_DF and t not in own}
    if not missing:
        return owner
    events = [
        e for e in links
        if isinstance(index.k.entities.get(e), Event) and missing <= index.entity_bags[e].keys()
    ]  # fmt: skip
    return events[0] if len(events) == 1 else owner


def _best_faq(index: Index, r: Reading, about: set[str], require_all: bool) -> Hit | None:
    """The FAQ entry about these entries that asks what the question asks, if there is one."""
    candidates: set[str] = set()
    for entity_id in about:
        candidates.update(index.faq_about.get(entity_id, ()))
    specific = r.intents & SPECIFIC
    query = (r.stems - STOP_STEMS) | r.markers
    best: tuple[float, str] | None = None
    for faq_id in candidates:
        listed = index.k.faq[faq_id].about
        faq_about = set(listed)
        if require_all and not (about <= faq_about and len(faq_about) <= len(about) + 1):
            continue
        if not require_all and listed[0] not in about:
            continue  # an entry mainly about someone else
        similarity = index.faq_similarity(faq_id, query)
        if specific:
            if not specific & index.faq_intents[faq_id]:
                continue
            score = 0.5 + 0.5 * similarity
        else:
            # "who is X" or "X": the entry's own card says more, unless other words match the FAQ.
            content = index.faq_similarity(faq_id, r.terms) if r.terms else 0.0
            if index.faq_intents[faq_id] & SPECIFIC or content < 0.5:
                continue
            score = similarity
        score -= 0.05 * len(faq_about - about)  # prefer entries about just this subject
        if best is None or score > best[0]:
            best = (score, faq_id)
    return index.faq_hit(best[1], best[0]) if best else None


def _about_described(index: Index, r: Reading, lang: str) -> Match:
    """No name: rank FAQ entries by their question variants and entries by their facts."""
    place_words = {stem(r.words[i]) for p in r.places for i in p.used}  # "the newspaper in Riga"
    terms = r.terms | place_words
    entity_ranked, coverage = index.describe(terms)
    wanted = {index.type_words[t] for t in terms if t in index.type_words}
    if len(wanted) == 1:  # "the opposition politician who...", "the newspaper that..."
        entity_ranked = [(s, e) for s, e in entity_ranked if index.k.type_of(e) in wanted]
    query = r.stems - STOP_STEMS
    faq_scores = index.faq_docs.scores(query)
    faq_top = sorted(faq_scores, key=faq_scores.__getitem__)[-10:]
    faq_ranked = sorted(((index.faq_similarity(fid, query), fid) for fid in faq_top), reverse=True)
    top_faq = faq_ranked[0] if faq_ranked else (0.0, "")
    top_entity = entity_ranked[0] if entity_ranked else (0.0, "")
    second_entity = entity_ranked[1][0] if len(entity_ranked) > 1 else 0.0
    if top_faq[0] >= FAQ_ANSWER and top_faq[0] >= top_entity[0] * coverage:
        return Match(lang, "answer", index.faq_hit(top_faq[1], top_faq[0]), intents=r.intents)
    if top_entity[0] >= 0.5 and top_entity[0] >= 1.5 * second_entity:
        # Enough of the question is known, or several of its words meet in the one entry.
        held = index.held(terms, top_entity[1])
        if coverage >= 0.6 or (held >= 2 and coverage >= 0.45):
            hit = index.entity_hit(top_entity[1], top_entity[0] * coverage, r.intents)
            return Match(lang, "answer", hit, intents=r.intents)
    hits = [index.entity_hit(f.owner, f.quality, r.intents) for f in r.near]
    hits += [index.faq_hit(fid, score) for score, fid in faq_ranked if score >= FAQ_SUGGEST]
    if coverage >= 0.6:
        hits += [
            index.entity_hit(e, score * coverage, r.intents) for score, e in entity_ranked if score >= 0.4
        ]
    return _suggest(hits, lang, r)

"""Decide what a question is about: the index, built once per knowledge snapshot, and `match`.

A question is read three ways at once: the names it contains (`bot.names`), the cue words of
what it asks (`bot.intents`) and its remaining words, which may describe an entry without naming
it (`bot.bm25`). The outcome is `answer` (one confident hit), `suggest` (up to three choices) or
`none` (out of scope).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.bm25 import BM25
from bot.intents import CUE_STEMS, LIST_STEMS, RELATION_STEMS, intents
from bot.knowledge import Knowledge
from bot.model import Entity, Event, Faq, Organisation, Person
from bot.names import Found, NameIndex
from bot.text import STOP_WORDS, language, stem, swap_layout, words

#: Intents that ask for one particular fact (as opposed to "who is").
SPECIFIC = frozenset({"where", "left", "org", "designation", "born"})
#: A name matched at least this well is taken as certain (exact, stem, or one typo).
CONFIDENT = 0.85
MAX_SUGGESTIONS = 3
#: A word in at most this many entries says which entry a question describes.
RARE_DF = 3


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


@dataclass
class _Reading:
    """One reading of a question (as typed, or retyped in the other keyboard layout)."""

    text: str
    words: list[str]
    named: list[Found]
    places: list[Found]
    stems: frozenset[str]
    content: frozenset[str]
    intents: frozenset[str]
    explained: int
    unexplained: int
    rest: list[str] = field(default_factory=list)


def _entity_texts(entity: Entity, k: Knowledge) -> Iterable[tuple[str, float]]:
    """Texts of an entity that a description of it may use, with their weights."""
    yield entity.name.en, 2.0
    yield entity.name.ru, 2.0
    for alias in entity.aliases:
        yield alias, 1.0
    yield entity.summary.en, 1.0
    yield entity.summary.ru, 1.0
    if entity.based_in:
        for words_ in (entity.based_in.city, entity.based_in.country):
            if words_:
                yield words_.en, 1.0
                yield words_.ru, 1.0
    for milestone in entity.events:
        yield milestone.text.en, 1.0
        yield milestone.text.ru, 1.0
    for designation in entity.designations:
        yield designation.kind.replace("_", " "), 1.0
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
            org = k.entities.get(membership.org)
            yield membership.role.en, 1.5
            yield membership.role.ru, 1.5
            if org:
                yield org.name.en, 1.0
                yield org.name.ru, 1.0
                for alias in org.aliases:
                    yield alias, 0.5
    if isinstance(entity, Organisation):
        yield entity.kind.en, 1.5
        yield entity.kind.ru, 1.5
    if isinstance(entity, Event) and entity.place:
        yield entity.place.en, 1.0
        yield entity.place.ru, 1.0


def _bag(texts: Iterable[tuple[str, float]]) -> Counter[str]:
    bag: Counter[str] = Counter()
    for text, weight in texts:
        for w in words(text):
            if w not in STOP_WORDS:
                bag[stem(w)] += weight
    return bag


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
        self.faq_about: dict[str, list[str]] = defaultdict(list)
        for entity in k.entities.values():
            self._add_entity(entity)
        self.names.freeze()
        self.place_people = {
            key: tuple(sorted(m for m in ids if isinstance(k.entities[m], Person))) for key, ids in self.places.items()
        }
        self.entity_docs = BM25({e.id: _bag(_entity_texts(e, k)) for e in k.entities.values()})
        self.event_docs = BM25(
            {e.id: _bag(_entity_texts(e, k)) for e in k.entities.values() if isinstance(e, Event)}
        )
        self.faq_variants: dict[str, list[frozenset[str]]] = {}
        self.faq_intents: dict[str, frozenset[str]] = {}
        for faq in k.faq.values():
            self._add_faq(faq)
        self.faq_docs = BM25({fid: Counter(s for v in vs for s in v) for fid, vs in self.faq_variants.items()})
        self.vocabulary = frozenset(self.entity_docs.idf) | frozenset(self.faq_docs.idf)

    def _add_entity(self, entity: Entity) -> None:
        names = [entity.name.en, entity.name.ru, *entity.aliases]
        if isinstance(entity, Person):
            names += [entity.name.en.split()[-1], entity.name.ru.split()[-1]]
            if entity.full_name:
                names += [entity.full_name.en, entity.full_name.ru]
            for membership in entity.organisations:
                self.members[membership.org].add(entity.id)
                self._link(entity.id, membership.org)
        for name in names:
            self.names.add(entity.id, name)
        if entity.based_in:
            for kind, place in (("city", entity.based_in.city), ("country", entity.based_in.country)):
                if place:
                    key = f"@{kind}:{place.en}"
                    self.places[key].add(entity.id)
                    if key not in self.place_names:
                        self.place_names[key] = (place.en, place.ru)
                        self.names.add(key, place.en)
                        self.names.add(key, place.ru)
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

    def _link(self, a: str, b: str) -> None:
        self.links[a].add(b)
        self.links[b].add(a)

    def _add_faq(self, faq: Faq) -> None:
        variants = []
        found_intents: Counter[str] = Counter()
        for question in (*faq.questions.en, *faq.questions.ru):
            ws = words(question)
            found = self.names.find(ws, [False] * len(ws))
            used = set().union(*(f.used for f in found)) if found else set()
            stems = frozenset(stem(w) for i, w in enumerate(ws) if i not in used and w not in STOP_WORDS)
            variants.append(stems)
            found_intents.update(intents(frozenset(stem(w) for w in ws)))
        self.faq_variants[faq.id] = variants
        # An intent counts for the entry if a good share of its variants ask it.
        self.faq_intents[faq.id] = frozenset(i for i, n in found_intents.items() if n * 3 >= len(variants))
        for ref in faq.about:
            self.faq_about[ref].append(faq.id)

    # --- reading a question ---------------------------------------------------------------

    def read(self, text: str) -> _Reading:
        """Names, places, intents and content words of one reading of a question."""
        ws = words(text)
        known = [w in STOP_WORDS or stem(w) in self.vocabulary or stem(w) in CUE_STEMS for w in ws]
        found = self.names.find(ws, [not k for k in known])
        named = [f for f in found if not f.owner.startswith("@")]
        places = [f for f in found if f.owner.startswith("@")]
        used: set[int] = set().union(*(f.used for f in found)) if found else set()
        all_stems = frozenset(stem(w) for w in ws)
        rest = [w for i, w in enumerate(ws) if i not in used and w not in STOP_WORDS]
        content = frozenset(stem(w) for w in rest) - CUE_STEMS
        explained = sum(1 for i, w in enumerate(ws) if i in used or (known[i] and w not in STOP_WORDS))
        unexplained = sum(1 for i, w in enumerate(ws) if i not in used and not known[i])
        return _Reading(
            text, ws, _undominated(named), places, all_stems, content, intents(all_stems),
            explained, unexplained, rest,
        )  # fmt: skip

    def reading(self, query: str) -> _Reading:
        """The better of the question as typed and retyped in the other keyboard layout."""
        first = self.read(query)
        if first.unexplained == 0:
            return first
        second = self.read(swap_layout(query))
        return second if second.explained > first.explained else first

    # --- scoring ----------------------------------------------------------------------------

    def faq_similarity(self, faq_id: str, stems: frozenset[str]) -> float:
        """Weighted overlap (0..1) of a question's stems with the closest variant of an FAQ entry."""
        best = 0.0
        idf = self.faq_docs.idf
        for variant in self.faq_variants[faq_id]:
            union = stems | variant
            if not union:
                continue
            common = sum(idf.get(s, 1.0) for s in stems & variant)
            best = max(best, common / sum(idf.get(s, 1.0) for s in union))
        return best

    def entity_hit(self, entity_id: str, score: float, wanted: frozenset[str]) -> Hit:
        return Hit(entity_id, self.k.type_of(entity_id), round(score, 3), (entity_id,), wanted)

    def faq_hit(self, faq_id: str, score: float) -> Hit:
        faq = self.k.faq[faq_id]
        return Hit(faq_id, "faq", round(score, 3), tuple(faq.about), self.faq_intents[faq_id])


def _undominated(named: list[Found]) -> list[Found]:
    """Drop names that are part of a longer, better name found at the same words."""
    out = []
    for f in named:
        if not any(g is not f and f.used <= g.used and g.strength > f.strength for g in named):
            out.append(f)
    return out


def match(index: Index, query: str, lang: str | None = None) -> Match:
    """Decide what a question is about."""
    r = index.reading(query)
    lang = lang or language(r.text if r.words else query)
    if not r.words or (r.explained == 0 and not r.named):
        return Match(lang, "none", intents=r.intents)
    hit = _list_answer(index, r)
    if hit:
        return Match(lang, "answer", hit, intents=r.intents)
    if r.named:
        return _about_named(index, r, lang)
    return _about_described(index, r, lang)


def _list_answer(index: Index, r: _Reading) -> Hit | None:
    """'Who lives in Vilnius?', 'who works for FBK?', 'who was freed in the 2024 exchange?'."""
    if not r.stems & LIST_STEMS:
        return None
    people = [f for f in r.named if isinstance(index.k.entities[f.owner], Person)]
    if people and people[0].quality >= CONFIDENT:
        return None
    if r.places and r.stems & RELATION_STEMS["place"]:
        place = r.places[0]
        members = index.place_people[place.owner]
        if members:
            return Hit(f"list:{place.owner[1:]}", "list", place.quality, members,
                       r.intents, members, ("place", place.owner, *index.place_names[place.owner]))  # fmt: skip
    groups = [f for f in r.named if not isinstance(index.k.entities[f.owner], Person)]
    for found in groups:
        entity = index.k.entities[found.owner]
        if isinstance(entity, Organisation) and r.stems & RELATION_STEMS["org"]:
            members = index.members.get(entity.id, set()) | set(entity.founders)
            return _list_hit(entity.id, "org", found.quality, members, r)
        if isinstance(entity, Event) and r.stems & RELATION_STEMS["event"]:
            return _list_hit(entity.id, "event", found.quality, index.participants.get(entity.id, set()), r)
    if not r.named and r.stems & RELATION_STEMS["event"] and r.content:
        scores = index.event_docs.scores(r.content)
        if scores:
            event_id, score = max(scores.items(), key=lambda kv: kv[1])
            share = score / index.event_docs.max_score(r.content)
            if share >= 0.4 and index.participants.get(event_id):
                return _list_hit(event_id, "event", share, index.participants[event_id], r)
    return None


def _list_hit(entity_id: str, kind: str, score: float, members: set[str], r: _Reading) -> Hit | None:
    if not members:
        return None
    ordered = tuple(sorted(members))
    return Hit(f"list:{kind}:{entity_id}", "list", score, ordered, r.intents, ordered, (kind, entity_id))


def _about_named(index: Index, r: _Reading, lang: str) -> Match:
    confident = [f for f in r.named if f.quality >= CONFIDENT]
    if not confident:  # only near misses ("Navlany"): offer them
        hits = [index.entity_hit(f.owner, f.quality, r.intents) for f in r.named[:MAX_SUGGESTIONS]]
        return Match(lang, "suggest", suggestions=tuple(hits), intents=r.intents)
    subject = confident[0].owner
    if len(confident) > 1:
        faq = _best_faq(index, r, {f.owner for f in confident}, require_all=True)
        if faq:
            return Match(lang, "answer", faq, intents=r.intents)
        people = [f for f in confident if isinstance(index.k.entities[f.owner], Person)]
        if len(people) == 1:  # "Khodorkovsky Open Russia": the person, asked in a context
            subject = people[0].owner
        elif people or confident[1].used == confident[0].used:  # two people, or one name for two
            tied = people or confident
            hits = [index.entity_hit(f.owner, f.quality, r.intents) for f in tied[:MAX_SUGGESTIONS]]
            return Match(lang, "suggest", suggestions=tuple(hits), intents=r.intents)
    subject = _described_neighbour(index, r, subject)
    faq = _best_faq(index, r, {subject}, require_all=False)
    quality = next((f.quality for f in r.named if f.owner == subject), 1.0)
    return Match(lang, "answer", faq or index.entity_hit(subject, quality, r.intents), intents=r.intents)


def _described_neighbour(index: Index, r: _Reading, subject: str) -> str:
    """'Navalny's widow', 'FBK's head of investigations': a linked entry the other words describe.

    Only words rare in the knowledge base count, so "why did X leave Russia" stays about X.
    """
    rare = frozenset(t for t in r.content if 0 < index.entity_docs.df(t) <= RARE_DF)
    if not rare:
        return subject
    scores = index.entity_docs.scores(rare)
    own = scores.get(subject, 0.0)
    linked = [(s, e) for e, s in scores.items() if e in index.links.get(subject, ()) and e != subject]
    if not linked:
        return subject
    score, neighbour = max(linked)
    return neighbour if score > 2 * own else subject


def _best_faq(index: Index, r: _Reading, about: set[str], require_all: bool) -> Hit | None:
    """The FAQ entry about these entries that asks what the question asks, if there is one."""
    candidates: set[str] = set()
    for entity_id in about:
        candidates.update(index.faq_about.get(entity_id, ()))
    specific = r.intents & SPECIFIC
    best: tuple[float, str] | None = None
    for faq_id in candidates:
        faq_about = set(index.k.faq[faq_id].about)
        if require_all and not about <= faq_about:
            continue
        faq_intents = index.faq_intents[faq_id]
        similarity = index.faq_similarity(faq_id, r.stems - STOP_WORDS_STEMS)
        if specific:
            if not specific & faq_intents:
                continue
            score = 0.5 + 0.5 * similarity
        elif faq_intents & SPECIFIC or similarity < 0.5:
            continue  # "who is X" or "X": the entry's own card says more than a narrow FAQ
        else:
            score = similarity
        score -= 0.05 * len(faq_about - about)  # prefer entries about just this subject
        if best is None or score > best[0]:
            best = (score, faq_id)
    return index.faq_hit(best[1], best[0]) if best else None


STOP_WORDS_STEMS = frozenset(stem(w) for w in STOP_WORDS)


def _about_described(index: Index, r: _Reading, lang: str) -> Match:
    """No name: rank FAQ entries by their question variants and entries by their facts."""
    docs = index.entity_docs
    terms = frozenset(t for t in r.content if len(t) > 2)
    known = frozenset(t for t in terms if t in index.vocabulary)
    unknown_weight = math.log(docs.size + 1) + 1
    known_weight = sum(docs.idf.get(t, unknown_weight / 2) for t in known)
    coverage = known_weight / (known_weight + unknown_weight * len(terms - known)) if terms else 0.0
    query_stems = r.stems - STOP_WORDS_STEMS
    faq_scores = index.faq_docs.scores(query_stems)
    faq_top = sorted(faq_scores, key=faq_scores.__getitem__)[-10:]
    faq_ranked = sorted(((index.faq_similarity(fid, query_stems), fid) for fid in faq_top), reverse=True)
    ceiling = docs.max_score(known)
    entity_ranked = sorted(((s / ceiling, e) for e, s in docs.scores(known).items()), reverse=True)
    top_faq = faq_ranked[0] if faq_ranked else (0.0, "")
    top_entity = entity_ranked[0] if entity_ranked else (0.0, "")
    second_entity = entity_ranked[1][0] if len(entity_ranked) > 1 else 0.0
    if top_faq[0] >= 0.6 and top_faq[0] >= top_entity[0] * coverage:
        return Match(lang, "answer", index.faq_hit(top_faq[1], top_faq[0]), intents=r.intents)
    if top_entity[0] >= 0.5 and top_entity[0] >= 1.5 * second_entity and coverage >= 0.6:
        hit = index.entity_hit(top_entity[1], top_entity[0] * coverage, r.intents)
        return Match(lang, "answer", hit, intents=r.intents)
    hits = [index.faq_hit(fid, score) for score, fid in faq_ranked if score >= 0.35]
    if coverage >= 0.35:
        hits += [index.entity_hit(e, score * coverage, r.intents) for score, e in entity_ranked if score >= 0.3]
    unique: list[Hit] = []
    for hit in sorted(hits, key=lambda h: -h.score):
        if not any(set(hit.entities) == set(u.entities) for u in unique):
            unique.append(hit)
    if unique:
        return Match(lang, "suggest", suggestions=tuple(unique[:MAX_SUGGESTIONS]), intents=r.intents)
    return Match(lang, "none", intents=r.intents)

"""The index of a knowledge snapshot: everything matching looks up, built once per snapshot.

The names of every entry (`names`), bags of stemmed words of each entry's facts and of its names
and role (`bm25`), FAQ question variants, links between entries, typed ties (relatives, posts,
founders), memberships and places. Questions are read against it by `reading`.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.knowledge.load import Knowledge, Problem, field_name, line_for
from bot.knowledge.model import Entity, Event, Faq, Organisation, Person, Post
from bot.matching.bm25 import BM25
from bot.matching.intents import intents
from bot.matching.lexicon import COUNTRY_NAMES, first_name_groups
from bot.matching.names import CONFIDENT, NameIndex, undominated
from bot.matching.text import STOP_WORDS, normalise, skeleton, stem, words

#: Shortest shared beginning that joins two words the stemmer left apart.
MIN_PREFIX = 5
#: What a relative is to a person, seen from the relative: a child's parent, a spouse's spouse.
_INVERSE = {"spouse": "spouse", "former_spouse": "former_spouse", "parent": "child", "child": "parent",
            "sibling": "sibling"}  # fmt: skip
#: The kinds of tie between relatives (the others are posts and founding).
FAMILY_TIES = frozenset(_INVERSE)


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
        self.surnames: dict[str, set[str]] = {}
        self.faq_about: dict[str, list[str]] = defaultdict(list)
        self.faq_main: dict[str, list[str]] = defaultdict(list)  # entry -> FAQ entries mainly about it
        self.family: dict[str, list[tuple[str, str]]] = defaultdict(list)  # person -> (relation, person)
        self.posts: dict[str, list[tuple[str, Post]]] = defaultdict(list)  # org -> (holder, post)
        self.founded: dict[str, set[str]] = defaultdict(set)  # person -> organisations they founded
        self.held_posts: dict[str, list[tuple[str, Post]]] = defaultdict(list)  # person -> (org, post)
        self.unlisted_posts: dict[str, list[Post]] = defaultdict(list)  # org -> posts held by no entry
        self.designated: dict[str, set[str]] = defaultdict(set)  # designation kind -> people
        self.left_in: dict[str, set[str]] = defaultdict(set)  # year left Russia, as written -> people
        for entity in k.entities.values():
            self._add_entity(entity)
        self.names.freeze()
        self.event_ids = frozenset(e.id for e in k.entities.values() if isinstance(e, Event))
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
        self.faq_variants: dict[str, list[frozenset[str]]] = {}
        #: FAQ entries by their question variants as written (normalised): a question typed as an
        #: entry phrases it is answered by that entry.
        self.faq_by_phrasing: dict[str, list[str]] = defaultdict(list)
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
            self.surnames[entity.id] = {skeleton(n.split()[-1]) for n in (entity.name.en, entity.name.ru)}
            for membership in entity.organisations:
                self.members[membership.org].add(entity.id)
                self._link(entity.id, membership.org)
            for designation in entity.designations:
                self.designated[designation.kind].add(entity.id)
            if entity.left_russia:
                self.left_in[entity.left_russia.year].add(entity.id)
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
        if isinstance(entity, Person):
            for relative in entity.relatives:
                if relative.person and (relative.relation, relative.person) not in self.family[entity.id]:
                    self.family[entity.id].append((relative.relation, relative.person))
                    self.family[relative.person].append((_INVERSE[relative.relation], entity.id))
                    self._link(entity.id, relative.person)
        if isinstance(entity, Organisation):
            for founder in entity.founders:
                self._link(entity.id, founder)
                self.members[entity.id].add(founder)
                self.founded[founder].add(entity.id)
            for post in entity.leadership:
                if post.person:
                    self.posts[entity.id].append((post.person, post))
                    self.held_posts[post.person].append((entity.id, post))
                    self._link(entity.id, post.person)
                    self.members[entity.id].add(post.person)
                else:
                    self.unlisted_posts[entity.id].append(post)

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
            self.faq_by_phrasing[normalise(question)].append(faq.id)
            ws = words(question)
            # The names a question of these words would be read as naming (see reading.read).
            found = [
                f for f in undominated(self.names.find(ws, [False] * len(ws)))
                if not f.owner.startswith("@") and f.quality >= CONFIDENT
            ]  # fmt: skip
            used = set().union(*(f.used for f in found)) if found else set()
            stems = {stem(w) for i, w in enumerate(ws) if i not in used and w not in STOP_WORDS}
            variants.append(frozenset(stems | {f"@{f.owner}" for f in found}))
            asked.update(intents(frozenset(stem(w) for w in ws)))
        self.faq_variants[faq.id] = variants
        # An intent counts for the entry if a good share of its variants ask it.
        self.faq_intents[faq.id] = frozenset(i for i, n in asked.items() if n * 3 >= len(variants))
        for ref in faq.about:
            self.faq_about[ref].append(faq.id)
        if faq.about:
            self.faq_main[faq.about[0]].append(faq.id)

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

    def tied(
        self, anchor: str, kind: str, before: bool, after: bool = False, posts: frozenset[str] = frozenset()
    ) -> list[str]:
        """Entries tied to `anchor` by a tie of this kind: a relative, a post holder, a founder.

        For an organisation's posts, the current holders, or with `before` the earlier ones, most
        recent first (of the `posts` named, if any); for a person who held a post, who held it just
        before (`before`) or after.
        """
        if kind in _INVERSE:
            return [other for relation, other in self.family.get(anchor, ()) if relation == kind]
        if kind == "leader" and (before or after) and anchor in self.held_posts:
            return self._succession(anchor, after)
        if kind == "leader":
            held = [(post.since or "", holder) for holder, post in self.posts.get(anchor, ())
                    if _asked(post, before, posts)]  # fmt: skip
            return [holder for _, holder in sorted(held, reverse=True)]
        if kind == "founder":
            entity = self.k.entities.get(anchor)
            if isinstance(entity, Organisation):
                return list(entity.founders)
            return sorted(self.founded.get(anchor, ()))
        return []

    def names_holder(self, org: str, before: bool, posts: frozenset[str] = frozenset()) -> bool:
        """Whether an organisation's card names a holder of the posts asked for (current ones, or
        with `before` earlier ones) who has no entry of their own: the card is the answer."""
        return any(_asked(post, before, posts) for post in self.unlisted_posts.get(org, ()))

    def _succession(self, person: str, after: bool) -> list[str]:
        """Who held each of a person's posts just after (or just before) them."""
        out = []
        for org, mine in self.held_posts[person]:
            others = [(p, h) for h, p in self.posts[org] if p.post == mine.post and h != person]
            if after:
                later = [(p.since or "", h) for p, h in others
                         if p.since and ((mine.until and p.since >= mine.until[:7]) or (mine.since and p.since > mine.since))]  # fmt: skip
                out += [h for _, h in sorted(later)[:1]]
            else:
                earlier = [(p.until or p.since or "", h) for p, h in others
                           if (p.until and mine.since and p.until[:7] <= mine.since) or (p.since and mine.since and p.since < mine.since)]  # fmt: skip
                out += [h for _, h in sorted(earlier)[-1:]]
        return out

    def held(self, terms: frozenset[str], entity_id: str) -> int:
        """How many of the question's words an entry's facts hold."""
        bag = self.entity_bags[entity_id]
        return sum(1 for t in terms if self.expand(t) & bag.keys())

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
            shared = query & variant
            if not shared:
                continue  # an overlap of 0 never beats `best`
            common = sum(idf[s] for s in shared)  # variant words are all in idf
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


def _asked(post: Post, before: bool, posts: frozenset[str]) -> bool:
    """Whether a post is one a question asks for: held now (or, with `before`, earlier), and of
    the kinds it names, if any."""
    return (post.until is not None) == before and (not posts or post.post in posts)


def alias_problems(k: Knowledge) -> Iterator[Problem]:
    """An alias (or name) may belong to one entity only, or matching could not tell them apart."""
    owner: dict[str, str] = {}
    for entity in k.entities.values():
        names = {normalise(n) for n in (entity.name.en, entity.name.ru, *entity.aliases)}
        for name in sorted(names - {""}):
            other = owner.setdefault(name, entity.id)
            if other != entity.id:
                at = k.where[entity.id]
                line = line_for(k.lines[entity.id], ("aliases",))
                yield Problem(at.file, line, "aliases", f"{name!r} is also a name of {other!r}")


def phrasing_problems(k: Knowledge) -> Iterator[Problem]:
    """A question phrasing may belong to one FAQ entry only: typed as is, it opens that entry."""
    owner: dict[str, str] = {}
    for faq in k.faq.values():
        for lang in ("en", "ru"):
            for i, question in enumerate(getattr(faq.questions, lang)):
                other = owner.setdefault(normalise(question), faq.id)
                if other != faq.id:
                    at, path = k.where[faq.id], ("questions", lang, i)
                    message = (f"{question!r} is also a question of {other!r} ({k.where[other].file}): "
                               "keep it on one entry")  # fmt: skip
                    yield Problem(at.file, line_for(k.lines[faq.id], path), field_name(path), message)

"""Decide what a question is about: `match` turns an `Index` reading into an outcome.

`answer` (one confident hit: an entry, an FAQ entry, or a list of people computed from structured
fields), `suggest` (up to three "did you mean" choices) or `none` (out of scope).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.knowledge.model import Entity, Event, Organisation, Person
from bot.matching.index import PAST_STEMS, RARE_DF, Hit, Index, Named, Reading
from bot.matching.intents import LIST_STEMS, RELATION_STEMS
from bot.matching.lexicon import DESIGNATION_CUES
from bot.matching.text import STOP_WORDS, language, stem, words

#: Intents that ask for one particular fact (as opposed to "who is").
SPECIFIC = frozenset({"where", "left", "org", "designation", "born"})
MAX_SUGGESTIONS = 3
#: A lone name matched this well (two typos in a long name) is answered when nothing competes.
NEAR_ENOUGH = 0.8
NEAR_LENGTH = 10
#: FAQ similarity at which an FAQ entry answers a question that names nobody.
FAQ_ANSWER = 0.6
FAQ_SUGGEST = 0.4
#: A single candidate for a description, with no rival, is answered from this score on.
LONE_ANSWER = 0.4
STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)
_YEAR = re.compile(r"^(19|20)\d\d$")
WHO_STEMS = frozenset(stem(w) for w in "who whom which кто кого кому какие которые".split())
DEFINING = frozenset({"такой", "такая", "такое", "такие"})


@dataclass(frozen=True)
class Match:
    """What the matcher decided for one question."""

    lang: str
    outcome: str
    best: Hit | None = None
    suggestions: tuple[Hit, ...] = ()
    intents: frozenset[str] = frozenset()


def _phrase_stems(phrase: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(phrase))


_DESIGNATION_STEMS = {kind: [_phrase_stems(p) for p in cues] for kind, cues in DESIGNATION_CUES.items()}


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
    owners = {f.owner for f in r.near}
    if (
        not r.named
        and len(owners) == 1
        and r.near[0].quality >= NEAR_ENOUGH
        and min(len(r.words[i]) for i in r.near[0].used) >= NEAR_LENGTH
        and not r.namesake
    ):
        # One name, two typos away ("Evgueni Tchitchvarkine"), and nobody else it could be.
        f = r.near[0]
        r = replace(
            r, named=[Named(f.owner, f.quality, f.length, f.used)], markers=frozenset({f"@{f.owner}"})
        )
    if r.named:
        return _about_named(index, r, lang)
    if r.namesake:  # "Лев Яшин вратарь", "Алексей Пивоваров из «Редакции»": someone else
        return Match(lang, "none", intents=r.intents)
    return _about_described(index, r, lang)


def _list_answer(index: Index, r: Reading) -> Hit | None:
    """'Who lives in Vilnius?', 'who works for FBK?', 'who was freed in 2024?', 'who is a foreign agent?'."""
    asks_list = r.stems & LIST_STEMS or "какие" in r.words  # not "какая погода в Вильнюсе"
    if not asks_list or any(isinstance(index.k.entities[n.owner], Person) for n in r.named):
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
    if not r.stems & WHO_STEMS or DEFINING & set(r.words):  # not "what is the Rosfinmonitoring list"
        return None  # nor "кто такой иноагент" (what is a foreign agent)
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
    # The event must be what the words describe best, or nearly, or its own names must hold most
    # of them ("кого освободили по обмену в августе 2024"): not "held up a sign on TV".
    named = index.key_docs.scores(r.terms).get(event_id, 0.0) / index.key_docs.max_score(r.terms)
    if named < 0.6 and (
        score < 0.8 * max(scores.values()) or score / index.entity_docs.max_score(r.terms) < 0.4
    ):
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
        # A person whose name is part of another's ("Navalny poisoning") is not the subject.
        heads = [n for n in heads if not _inside_other_name(index, n, named)]
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


def _inside_other_name(index: Index, name: Named, named: list[Named]) -> bool:
    return isinstance(index.k.entities[name.owner], Person) and any(
        other.used & name.used and max(other.used) > max(name.used)
        for other in named
        if not isinstance(index.k.entities[other.owner], Person)
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
    past = bool(asked & PAST_STEMS)

    def score(person: str, bag: Counter[str]) -> float:
        found = sum(idf.get(t, 1.0) for t in asked & bag.keys())
        return found if past or PAST_STEMS.isdisjoint(bag) else found / 2  # current holders first

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
    dated = _event_in_year(index, r, subject.owner)
    if dated:
        return dated
    terms = frozenset().union(*(index.expand(t) for t in r.terms)) if r.terms else frozenset()
    most = index.rare_df
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
        if bag is None or not total:
            continue
        if not isinstance(index.k.entities[neighbour], Event) and any(
            index.mentions(subject.owner, q) for q in r.terms if index.expand(q) & bag.keys()
        ):
            continue  # "певчих что расследовала": her own facts speak of investigations too
        held = sum(idf.get(t, 0.0) for t in terms if t in bag) / total
        if held >= 0.6 and (best is None or held > best[0]):
            best = (held, neighbour)
    if best:
        return best[1]
    return _event_holding(index, terms, subject.owner, links)


def _event_in_year(index: Index, r: Reading, owner: str) -> str | None:
    """'What happened to Navalny in February 2024': the one linked event of the year asked about."""
    years = {w for w in r.words if _YEAR.match(w)}
    if len(years) != 1 or r.intents & SPECIFIC or isinstance(index.k.entities[owner], Event):
        return None
    (year,) = years
    events = [
        e for e in index.links.get(owner, ())
        if isinstance(event := index.k.entities.get(e), Event) and event.date.startswith(year)
    ]  # fmt: skip
    return events[0] if len(events) == 1 else None


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


def _rare(index: Index, terms: frozenset[str]) -> bool:
    return all(index.entity_docs.df(t) <= index.rare_df for t in terms)


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
        # Enough of the question is known, or several of its words meet in the one entry; one
        # word alone must be in the entry's names or role ("Yukos", not "Nemtsov" whom it mentions).
        held = index.held(terms, top_entity[1])
        single = len(terms) == 1 and not (
            index.expand(next(iter(terms))) & index.key_bags[top_entity[1]].keys()
        )
        if not single and (coverage >= 0.6 or (held >= 2 and coverage >= 0.45)):
            hit = index.entity_hit(top_entity[1], top_entity[0] * coverage, r.intents)
            return Match(lang, "answer", hit, intents=r.intents)
    hits = [index.entity_hit(f.owner, f.quality, r.intents) for f in r.near]
    hits += [index.faq_hit(fid, score) for score, fid in faq_ranked if score >= FAQ_SUGGEST]
    if coverage >= 0.6:  # and several of the question's words meet in the entry, or it has one
        hits += [
            index.entity_hit(e, score * coverage, r.intents)
            for score, e in entity_ranked
            if score >= 0.4 and (index.held(terms, e) >= 2 or (len(terms) == 1 and _rare(index, terms)))
        ]
        only = {h.id for h in hits}
        if len(only) == 1 and not r.near and hits[0].score >= LONE_ANSWER:
            # One candidate and nothing else it could be ("бывший владелец ЮКОСа, который сидел").
            return Match(lang, "answer", hits[0], intents=r.intents)
    return _suggest(hits, lang, r)

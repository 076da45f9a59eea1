"""Features of a question–candidate pair: how well one candidate fits what the question says.

Every feature describes the pair, never a particular entry, so a new entry is ranked without
refitting. Most lie in 0..1; `FEATURES` fixes their order for the fitted weights. The question's
own features (`QUESTION_FEATURES`) score the option that none of the candidates is meant.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from bot.knowledge.model import Event, Organisation, Person
from bot.matching.candidates import Candidate, Pool
from bot.matching.index import FAMILY_TIES, Index
from bot.matching.intents import LIST_STEMS, RELATION_STEMS, TYPE_STEMS, WHO_STEMS
from bot.matching.text import stem, words

#: Features of a candidate, against the others of the same question.
FEATURES: tuple[str, ...] = (
    # what the candidate is
    "is_person", "is_organisation", "is_event", "is_rule", "is_list",
    # its name in the question
    "name", "near", "full_name", "shared_name", "modifier", "named_first", "other_named", "namesake",
    "longer_name", "rule_with_person", "unknown_named",
    # ties and links to what is named
    "tie", "tie_anchor", "tie_family", "tie_anchor_family", "linked", "linked_key", "linked_text", "linked_year",
    # the words that describe
    "text", "text_share", "key", "held", "place_text_only", "text_lead", "key_lead",
    # FAQ variants
    "faq", "faq_terms",
    # what is asked against what the candidate holds
    "intent_fit", "intent_missing", "gender_fit", "gender_mismatch", "year_fit", "year_missing",
    "year_text",
    "type_fit", "type_mismatch", "named_type_mismatch", "other_type_fit", "head_type_fit", "head_type_mismatch",
    # lists
    "list_asked", "who_asked", "list_relation", "single_asked_list", "list_filter", "list_person_named",
    "list_one", "list_many", "list_named",
)  # fmt: skip
#: Features of the question alone: they weigh "none of these" against every candidate.
QUESTION_FEATURES: tuple[str, ...] = (
    "coverage", "unexplained", "unknown_share", "described", "named_count", "best_name", "near_only",
    "places", "ties_asked", "lists_asked", "intents", "namesake_only", "words", "unknown_possessor",
    "unknown_capitals",
)  # fmt: skip


def question_vector(pool: Pool) -> list[float]:
    """The question's own features, in `QUESTION_FEATURES` order."""
    r, coverage, terms = pool.reading, pool.coverage, pool.terms
    named = {n.owner for n in r.named}
    values = {
        "coverage": coverage,
        "unexplained": r.unexplained / (r.unexplained + 1),
        "unknown_share": r.unexplained / max(len(r.words), 1),
        "described": len(terms) / (len(terms) + 2),
        "named_count": min(len(named), 3) / 3,
        "best_name": max((n.quality for n in r.named), default=0.0),
        "near_only": float(bool(r.near) and not r.named),
        "places": float(bool(r.places)),
        "ties_asked": float(bool(r.ties)),
        "lists_asked": float(bool(r.stems & LIST_STEMS)),
        "intents": float(bool(r.intents)),
        "namesake_only": float(r.namesake and not r.named),
        "words": min(len(r.words), 12) / 12,
        "unknown_possessor": float(r.unknown_possessor),
        "unknown_capitals": min(r.unknown_capitals, 2) / 2,
    }
    return [values[name] for name in QUESTION_FEATURES]


#: Intents a candidate can hold an answer for, and what it needs to hold it.
_HOLDS = {
    "where": lambda e: e.based_in is not None,
    "left": lambda e: isinstance(e, Person) and e.left_russia is not None,
    "designation": lambda e: bool(e.designations),
    "born": lambda e: isinstance(e, Person) and e.born is not None,
    "org": lambda e: isinstance(e, Person | Organisation),
}


@dataclass(frozen=True)
class Asked:
    """What a question asks that every candidate's features read: computed once per question."""

    lists_asked: bool
    person_named: bool  #: a person of ours is named
    named: frozenset[str]  #: the entries named
    family: float  #: 1.0 if a family tie is asked ("X's wife")
    specific: tuple[str, ...]  #: intents a candidate can hold an answer for
    wanted: frozenset[str]  #: the types of entry the question's words ask for
    head: str | None  #: the type of its first type word (`_head_type`)


def what_is_asked(index: Index, pool: Pool) -> Asked:
    """The question-level facts `describe` needs, for all of a pool's candidates."""
    r = pool.reading
    wanted = {index.type_words[t] for t in pool.terms if t in index.type_words}
    wanted |= {kind for kind, cues in TYPE_STEMS.items() if pool.terms & cues}
    return Asked(
        lists_asked=bool(r.stems & LIST_STEMS),
        person_named=any(isinstance(index.k.entities[n.owner], Person) for n in r.named),
        named=frozenset(n.owner for n in r.named),
        family=float(bool(r.ties & FAMILY_TIES)),
        specific=tuple(i for i in r.intents if i in _HOLDS),
        wanted=frozenset(wanted),
        head=_head_type(tuple(r.words)),
    )


def vector(index: Index, pool: Pool, cand: Candidate, question: Asked | None = None) -> list[float]:
    """The features of one candidate, in `FEATURES` order (`question`: `what_is_asked(index, pool)`, if known)."""
    values = describe(index, pool, cand, question)
    return list(map(values.get, FEATURES, itertools.repeat(0.0)))


def describe(index: Index, pool: Pool, cand: Candidate, question: Asked | None = None) -> dict[str, float]:
    """The features of one candidate by name (those that are 0 may be left out).

    `question` is `what_is_asked(index, pool)`, passed in when ranking many candidates of one question."""
    r, k = pool.reading, index.k
    q = question or what_is_asked(index, pool)
    f: dict[str, float] = {}
    lists_asked, person_named = q.lists_asked, q.person_named
    if cand.hit is not None:  # a list of people
        f["is_list"] = 1.0
        f["list_asked"] = float(lists_asked)
        f["list_filter"] = cand.list_quality
        f["list_person_named"] = float(person_named)
        f["who_asked"] = float(bool(r.stems & WHO_STEMS))
        kind = cand.hit.filter[0]
        f["list_relation"] = float(kind in ("designation", "left") or bool(r.stems & RELATION_STEMS[kind]))
        f["list_one"] = float(r.number == "one")
        f["list_many"] = float(r.number == "many")
        # The list of an organisation or event named in the question, not one found in its words.
        f["list_named"] = float(kind in ("org", "event") and cand.hit.filter[1] in q.named)
        f["head_type_fit"] = float(q.head == "person")  # a list is of people
        return f
    entity = k.entities[cand.id]
    if isinstance(entity, Person):
        f["is_person"] = 1.0
    elif isinstance(entity, Organisation):
        f["is_organisation"] = 1.0
    elif isinstance(entity, Event):
        f["is_rule" if entity.category != "event" else "is_event"] = 1.0
    f["single_asked_list"] = float(lists_asked)
    mine = [n for n in r.named if n.owner == cand.id]
    if mine:
        best = max(mine, key=lambda n: n.quality)
        f["name"] = best.quality
        f["full_name"] = float(best.length > 1)
        f["modifier"] = float(best.modifier or cand.id in pool.tie_anchors)
        f["shared_name"] = float(any(n.owner != cand.id and n.used == best.used for n in r.named))
        # Namesakes found on the same words are all named first: the order of the list is no evidence.
        f["named_first"] = float(min(best.used) == min(min(n.used) for n in r.named))
        f["namesake"] = float(r.namesake)
        # "Navalny novichok" names the poisoning, whose name holds his.
        f["longer_name"] = float(any(n.owner != cand.id and n.used < best.used for n in r.named))
    else:
        f["other_named"] = float(bool(r.named))
        # Someone we have no entry on is named: the question is likelier about them than this entry.
        f["unknown_named"] = float(r.unknown_capitals > 0)
    near = [x.quality for x in r.near if x.owner == cand.id]
    if near:
        f["near"] = max(near)
    f["tie"] = pool.tie_targets.get(cand.id, 0.0)
    f["tie_anchor"] = float(cand.id in pool.tie_anchors)
    # "X's wife" asks about the wife; "who founded X" often about X itself: family ties weigh apart.
    family = q.family
    f["tie_family"] = f["tie"] * family
    f["tie_anchor_family"] = f["tie_anchor"] * family
    # A link counts only when other words or a tie could point along it ("Khodorkovsky" alone
    # is about him, not the ten entries linked to him).
    f["linked"] = float("link" in cand.found_by and not mine and bool(pool.terms or r.ties))
    text = pool.text_scores.get(cand.id, 0.0)
    if text:
        top = pool.text_best[0][0]
        f["text"] = min(1.0, text / index.entity_docs.idf_sum(pool.terms))
        f["text_share"] = text / top
        key = pool.key_scores.get(cand.id, 0.0)
        f["key"] = key / pool.key_best[0][0] if key else 0.0
        # How far it leads the best other entry: a clear winner on the words is likelier meant.
        f["text_lead"] = _lead(pool.text_best, text, cand.id)
        f["key_lead"] = _lead(pool.key_best, key, cand.id)
        f["linked_key"] = f["linked"] * f["key"]
        f["linked_text"] = f["linked"] * f["text_share"]
        # "who lives in Vilnius" asks for the list of its residents, not for entries that mention it.
        f["place_text_only"] = float(bool(r.places) and not r.terms)
    if pool.terms:
        f["held"] = index.held(pool.terms, cand.id) / len(pool.terms)
    # Only FAQ entries sharing a word with the question can be similar to it.
    faqs = [fid for fid in index.faq_main.get(cand.id, ()) if fid in pool.faq_touched]
    if faqs:
        # A shared surname is no evidence for either namesake (neither its marker nor its words):
        # only the rest of the question tells them apart.
        if f.get("shared_name"):
            query = r.stems - {stem(r.words[i]) for n in mine for i in n.used}
        else:
            query = r.stems | ({f"@{cand.id}"} if mine else set())
        asked_words = frozenset(query)
        f["faq"] = max(index.faq_similarity(fid, asked_words) for fid in faqs)
        if r.terms:
            f["faq_terms"] = max(index.faq_similarity(fid, r.terms) for fid in faqs)
    if q.specific:
        held = any(_HOLDS[i](entity) for i in q.specific)
        f["intent_fit" if held else "intent_missing"] = 1.0
    if r.gender and isinstance(entity, Person) and entity.gender:
        f["gender_fit" if entity.gender == r.gender else "gender_mismatch"] = 1.0
    if r.years:
        f["year_fit" if _dated(entity, r.years) else "year_missing"] = 1.0
        f["linked_year"] = f["linked"] * f.get("year_fit", 0.0)
        if f.get("year_fit") and pool.terms:
            f["year_text"] = float(_dated_words(entity, r.years, pool.terms, index))
    if isinstance(entity, Event) and entity.category != "event" and person_named:
        f["rule_with_person"] = 1.0  # "Khodorkovsky foreign agent" asks about him, not the law
    if len(q.wanted) == 1:
        f["type_fit" if k.type_of(cand.id) in q.wanted else "type_mismatch"] = 1.0
        # "which organisation did X relaunch": the type word outweighs the name it sits beside.
        f["named_type_mismatch"] = f.get("type_mismatch", 0.0) * float(bool(mine))
        f["other_type_fit"] = f.get("type_fit", 0.0) * float(not mine and bool(r.named))
    if q.head:
        f["head_type_fit" if k.type_of(cand.id) == q.head else "head_type_mismatch"] = 1.0
    return f


#: Words that ask for, or describe, a person ("who signed…", "the economist who…").
_WHO = frozenset({"who", "whom", "кто", "кого", "кому", "кем"})


@functools.lru_cache(maxsize=1024)
def _head_type(ws: tuple[str, ...]) -> str | None:
    """The sort of entry the question asks for: its first type word ("the historian who founded a
    magazine" describes a person, "which party…" an organisation), or a person for "who"."""
    for w in ws:
        if w in _WHO:
            return "person"
        s = stem(w)
        for kind, cues in TYPE_STEMS.items():
            if s in cues:
                return kind
    return None


def _lead(best: tuple[tuple[float, str], ...], mine: float, entry_id: str) -> float:
    """How far an entry's score leads the best other's, as a share of its own (0 if it does not lead)."""
    if not mine or not best or best[0][1] != entry_id:
        return 0.0
    other = best[1][0] if len(best) > 1 else 0.0
    return (mine - other) / mine


@functools.lru_cache(maxsize=8192)
def _stems_of(text: str) -> frozenset[str]:
    """The stems of a text of the knowledge base (the same few facts are read for many questions)."""
    return frozenset(stem(w) for w in words(text))


def _dated_words(entity: object, years: frozenset[str], terms: frozenset[str], index: Index) -> bool:
    """Whether a dated fact of an entry in one of the years says one of the question's words
    (a year alone matches many entries; the year and what happened in it, few)."""
    wanted = frozenset().union(*(index.expand(t) for t in terms))
    facts = [(m.date, m.text) for m in getattr(entity, "events", ())]
    facts += [(d.date, d.detail) for d in getattr(entity, "designations", ()) if d.detail]
    for date, text in facts:
        if date[:4] in years and wanted & _stems_of(text.en) | wanted & _stems_of(text.ru):
            return True
    return False


def _dated(entity: object, years: frozenset[str]) -> bool:
    """Whether any date of an entry falls in one of the years."""
    dates: list[str] = []
    for name in ("born", "died", "founded", "date"):
        value = getattr(entity, name, None)
        if value:
            dates.append(value)
    dates += [m.date for m in getattr(entity, "events", ())]
    dates += [d.date for d in getattr(entity, "designations", ())]
    left = getattr(entity, "left_russia", None)
    if left:
        dates.append(left.year)
    place = getattr(entity, "based_in", None)
    if place and place.since:
        dates.append(place.since)
    return any(d[:4] in years for d in dates)

"""Candidates for a question: every entry it could be about, and every list it could ask for.

They come from the names in the question, the entries tied or linked to those, the text index
(the words that describe), the FAQ variants, and the structured fields lists are computed from.
Each candidate says how it was found; `features` describes how well it fits.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field

from bot.knowledge.model import Event, Organisation
from bot.matching.index import Hit, Index
from bot.matching.intents import LIST_STEMS, RELATION_STEMS
from bot.matching.lexicon import DESIGNATION_CUES
from bot.matching.reading import YEAR_BOUNDS, Reading
from bot.matching.text import stem, words

#: Entries taken from the text index and from the FAQ index, each.
TEXT_CANDIDATES = 8
#: A word held by more than this share of all entries describes none of them.
COMMON_SHARE = 0.4


@dataclass
class Candidate:
    """An entry (or a computed list) a question may be about, and how it was found."""

    id: str
    found_by: set[str] = field(default_factory=set)  # name, near, tie, link, text, faq, list
    hit: Hit | None = None  # a list's members and filter
    list_quality: float = 0.0

    @property
    def members(self) -> tuple[str, ...]:
        """A list's members; none for an entry."""
        return self.hit.members if self.hit is not None else ()


@dataclass
class Pool:
    """A question's candidates and what the question-level features need, computed once."""

    reading: Reading
    candidates: dict[str, Candidate]
    text_scores: dict[str, float]
    key_scores: dict[str, float]
    terms: frozenset[str]
    coverage: float
    tie_targets: dict[str, float]
    tie_anchors: set[str]
    faq_touched: frozenset[str]  # FAQ entries sharing a word (or a name) with the question
    text_best: tuple[tuple[float, str], ...] = ()  # the two best text scores, best first, and whose
    key_best: tuple[tuple[float, str], ...] = ()  # the same for the names-and-roles index


def _designation_stems() -> dict[str, list[frozenset[str]]]:
    return {
        kind: [frozenset(stem(w) for w in words(p)) for p in cues] for kind, cues in DESIGNATION_CUES.items()
    }


_DESIGNATIONS = _designation_stems()


def designations_named(r: Reading) -> list[str]:
    """The kinds of designation a question names ("foreign agent", «в розыске»), in table order."""
    return [kind for kind, phrases in _DESIGNATIONS.items() if any(p <= r.stems for p in phrases)]


def collect(index: Index, r: Reading) -> Pool:
    """Every candidate of a question, with the scores shared by their features."""
    pool: dict[str, Candidate] = {}

    def add(entry_id: str, how: str) -> Candidate:
        cand = pool.setdefault(entry_id, Candidate(entry_id))
        cand.found_by.add(how)
        return cand

    for n in r.named:
        add(n.owner, "name")
    for f in r.near:
        add(f.owner, "near")
    # Ties: "Navalny's widow" reaches Navalnaya, "who runs FBK" its director.
    targets: dict[str, float] = {}
    anchors: set[str] = set()
    named_ids = {n.owner for n in r.named}
    for n in r.named:
        for kind in r.ties:
            if kind == "leader" and not (r.before or r.after) and _holder_named(index, n.owner, named_ids):
                continue  # "why did Volkov step down as FBK's chairman": about the holder named
            for target in index.tied(n.owner, kind, r.before, r.after, r.posts):
                if target in index.k.entities and (target not in named_ids or kind == "leader"):
                    # Each name that leads to the same entry makes it likelier ("who replaced
                    # Volkov as FBK's board chair": from FBK and from Volkov).
                    targets[target] = (
                        targets.get(target, 0.0) + n.quality / 2 if target in targets else n.quality
                    )
                    anchors.add(n.owner)
                    add(target, "tie")
            if kind == "leader" and index.names_holder(n.owner, r.before, r.posts):
                anchors.add(n.owner)  # "who edits Proekt": its card names the editor, who has no entry
    for n in r.named:
        for linked in index.links.get(n.owner, ()):
            if linked in index.k.entities:
                add(linked, "link")
    place_words = {stem(r.words[i]) for p in r.places for i in p.used}  # "the newspaper in Riga"
    # A word most entries hold ("Russia") says nothing about which one is meant.
    common = COMMON_SHARE * index.entity_docs.size
    terms = frozenset(t for t in r.terms | place_words if index.entity_docs.df(t) <= common)
    expanded = frozenset().union(*(index.expand(t) for t in terms)) if terms else frozenset()
    text_scores = index.entity_docs.scores(expanded)
    key_scores = index.key_docs.scores(expanded)
    for entry_id in _top(text_scores):
        add(entry_id, "text")
    query = r.stems | r.markers
    faq_scores = index.faq_docs.scores(query)
    for faq_id in _top(faq_scores):
        about = index.k.faq[faq_id].about
        if about:
            add(about[0], "faq")
    known = frozenset(t for t in expanded if t in index.entity_docs.idf)
    known_weight = sum(index.entity_docs.idf[t] for t in known)
    unknown = index.unknown_weight * sum(1 for t in terms if not index.expand(t) & known)
    coverage = known_weight / (known_weight + unknown) if terms else 0.0
    for hit, quality in _lists(index, r, text_scores):
        cand = add(hit.id, "list")
        cand.hit, cand.list_quality = hit, max(cand.list_quality, quality)
    return Pool(r, pool, text_scores, key_scores, terms, coverage, targets, anchors, frozenset(faq_scores),
                _best_two(text_scores), _best_two(key_scores))  # fmt: skip


def _top(scores: dict[str, float], n: int = TEXT_CANDIDATES) -> list[str]:
    """The `n` best-scored ids, best first, ties in dict order (as a stable sort would give, without
    sorting the thousands a big base scores)."""
    return heapq.nlargest(n, scores, key=scores.__getitem__)


def _best_two(scores: dict[str, float]) -> tuple[tuple[float, str], ...]:
    """The two best scores, best first (computed once: a big base scores thousands of entries)."""
    return tuple(heapq.nlargest(2, zip(scores.values(), scores.keys(), strict=True)))  # (score, id) pairs


def _holder_named(index: Index, org: str, named: set[str]) -> bool:
    """Whether someone named holds, or held, a leading post in the organisation."""
    return any(holder in named for holder, _ in index.posts.get(org, ()))


def _lists(index: Index, r: Reading, text_scores: dict[str, float]) -> list[tuple[Hit, float]]:
    """Lists of people a question may ask for, each with how well its filter is named."""
    out: list[tuple[Hit, float]] = []
    k = index.k
    for place in r.places:
        members = index.place_people.get(place.owner, ())
        if members:
            names = index.place_names[place.owner]
            hit = Hit(f"list:{place.owner[1:]}", "list", place.quality, members, r.intents, members,
                      ("place", place.owner, *names))  # fmt: skip
            out.append((hit, place.quality))
    for found in r.named:
        entity = k.entities[found.owner]
        if isinstance(entity, Organisation):
            out += _list(entity.id, "org", found.quality, index.members.get(entity.id, set()), r.intents)
        elif isinstance(entity, Event):
            out += _list(
                entity.id, "event", found.quality, index.participants.get(entity.id, set()), r.intents
            )
    for kind in designations_named(r):
        out += _list(kind, "designation", 1.0, _designated(index, kind), r.intents)
    if "left" in r.intents and (key := _left_key(r)):
        out += _list(key, "left", 1.0, _left_in(index, key), r.intents)
    if r.stems & (LIST_STEMS | RELATION_STEMS["event"]) and text_scores:
        events = [(text_scores[e], e) for e in index.event_ids if e in text_scores]
        if events:
            score, event_id = max(events)
            share = score / max(text_scores.values())
            out += _list(event_id, "event", share, index.participants.get(event_id, set()), r.intents)
    return out


def _designated(index: Index, kind: str) -> set[str]:
    """People with a designation of this kind (looked up: a scan of a big base is slow)."""
    return index.designated.get(kind, set())


def _left_key(r: Reading) -> str | None:
    """The departures list key a question's years name: "2022", "after-2022"; None for no year or
    a span of them."""
    if r.year_bound:
        return "-".join(r.year_bound)
    return next(iter(r.years)) if len(r.years) == 1 else None


def nobody_left(index: Index, r: Reading) -> str | None:
    """The departures list key of a "who left Russia in 2023?" that names no one and no place, when
    nobody of ours left then; else None."""
    if "left" not in r.intents or r.named or r.places or not ("who" in r.intents or r.stems & LIST_STEMS):
        return None
    key = _left_key(r)
    return key if key and not _left_in(index, key) else None


def left_bound(key: str) -> tuple[str, str]:
    """The bound and year of a departures list's key: ("in", "2022"), ("after", "2022")."""
    bound, _, year = key.partition("-") if key[:1].isalpha() else ("in", "", key)
    return bound, year


def _left_in(index: Index, key: str) -> set[str]:
    """People who left Russia in a year ("2022"; or a month of it, "2022-03"), or after, since or
    before one ("after-2022")."""
    bound, year = left_bound(key)
    if bound == "in":
        return {p for left, people in index.left_in.items() if left.startswith(key) for p in people}
    keep = YEAR_BOUNDS[bound]
    return {p for left, people in index.left_in.items() if keep(int(left[:4]), int(year)) for p in people}


def _list(
    key: str, kind: str, quality: float, members: set[str], intents: frozenset[str]
) -> list[tuple[Hit, float]]:
    if not members:
        return []
    ordered = tuple(sorted(members))
    hit = Hit(f"list:{kind}:{key}", "list", round(quality, 3), ordered, intents, ordered, (kind, key))
    return [(hit, quality)]


def list_hit(index: Index, list_id: str) -> Hit | None:
    """The list a list answer's id names ("list:city:Vilnius", "list:designation:wanted"), or None.

    For buttons that open a list again (a card's "more"): the same members, filter and id.
    """
    _, kind, key = [*list_id.split(":", 2), "", ""][:3]
    k = index.k
    if f"@{kind}:{key}" in index.place_people:
        owner = f"@{kind}:{key}"
        members = index.place_people[owner]
        if not members:
            return None
        return Hit(
            list_id, "list", 1.0, members, frozenset(), members, ("place", owner, *index.place_names[owner])
        )
    if kind == "org" and isinstance(k.entities.get(key), Organisation):
        found = _list(key, kind, 1.0, index.members.get(key, set()), frozenset())
    elif kind == "event" and isinstance(k.entities.get(key), Event):
        found = _list(key, kind, 1.0, index.participants.get(key, set()), frozenset())
    elif kind == "designation" and key in _DESIGNATIONS:
        found = _list(key, kind, 1.0, _designated(index, key), frozenset())
    elif kind == "left" and re.fullmatch(rf"(?:(?:{'|'.join(YEAR_BOUNDS)})-)?\d{{4}}", key):
        found = _list(key, kind, 1.0, _left_in(index, key), frozenset())
    else:
        return None
    return found[0][0] if found else None

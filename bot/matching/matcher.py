"""Decide what a question is about: read it, gather candidates, score each, decide.

    reading (bot.matching.reading) -> candidates (candidates) -> features (features)
    -> one score (scoring) -> answer / suggest / none (decide)

The winner is then shown as the entry's card or, when one asks what the question asks, one of
its FAQ entries.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.model import Organisation, Person
from bot.matching.candidates import Candidate, Pool, collect, designations_named, nobody_left
from bot.matching.decide import Decision, decide
from bot.matching.features import question_vector, vector, what_is_asked
from bot.matching.index import Hit, Index
from bot.matching.intents import KIND_ASKED, QUESTION_WORDS, WORK_WORDS
from bot.matching.names import CONFIDENT
from bot.matching.places import gazetteer
from bot.matching.reading import Reading, reading
from bot.matching.residence import RESIDENCE_WORDS, nobody_based
from bot.matching.scoring import Model, shipped
from bot.matching.text import STOP_WORDS, language, normalise, stem, words

#: Best candidates whose replies are compared (the rest are far below any threshold).
REPLY_CANDIDATES = 8
#: Intents that ask for one particular fact (as opposed to "who is").
SPECIFIC = frozenset({"where", "left", "org", "designation", "born"})
STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)


@dataclass(frozen=True)
class Match:
    """What the matcher decided for one question."""

    lang: str
    outcome: str
    best: Hit | None = None
    suggestions: tuple[Hit, ...] = ()
    intents: frozenset[str] = frozenset()
    #: greeting, thanks, bye, how_are_you or about_bot: the message was only that
    small_talk: str | None = None
    #: Declined: the name it asked about, as typed, when it looks like someone we have no entry on.
    unknown_name: str = ""
    #: (English, Russian) name of the place a "who lives in X?" asked about, where nobody of ours is
    nobody_in: tuple[str, str] | None = None
    #: the departures list key ("2023", "after-2025") a "who left Russia in Y?" asked for, where
    #: nobody of ours left then
    nobody_left: str | None = None


def match(index: Index, query: str, lang: str | None = None, model: Model | None = None) -> Match:
    """Decide what a question is about."""
    r = reading(index, query)
    lang = lang or language(r.text if r.explained else query)
    if r.small_talk:
        return Match(lang, "none", intents=r.intents, small_talk=r.small_talk)
    if not r.words:
        return Match(lang, "none")
    if place := nobody_based(index, r):
        return Match(lang, "none", intents=r.intents, nobody_in=(place.en, place.ru))
    if key := nobody_left(index, r):
        return Match(lang, "none", intents=r.intents, nobody_left=key)
    pool, ranked, unknown = rank(index, r, model)
    wanted = _wanted(index, r)
    ranked, shown = _replies(index, pool, ranked, wanted)
    decision = decide(ranked, unknown, (model or shipped()).thresholds)
    typed = [c for c in decision.choices if _typed_as(wanted, shown[id(c[1])])]
    if decision.outcome == "suggest" and typed:
        # An editor wrote this very question for one of the close choices: it is no guess.
        decision = Decision("answer", typed[0], reason="own phrasing")
    elif decision.outcome == "answer" and (namesakes := _namesakes(r, ranked, shown)):
        decision = Decision("suggest", choices=namesakes, reason="namesakes")
    if decision.outcome == "answer" and decision.best:
        return Match(lang, "answer", shown[id(decision.best[1])], intents=r.intents)
    if decision.outcome == "suggest":
        hits = tuple(shown[id(c)] for _, c in decision.choices)
        return Match(lang, "suggest", suggestions=hits, intents=r.intents)
    return Match(lang, "none", intents=r.intents, unknown_name=_unknown_name(r))


def _namesakes(
    r: Reading, ranked: list[tuple[float, Candidate]], shown: dict[int, Hit]
) -> tuple[tuple[float, Candidate], ...]:
    """The namesakes a question names by the same words and tells apart by nothing else ("Кара-Мурза
    где живёт": no first name, no «она», no other word), the answer among them first; else ().
    Which of them the knowledge holds the asked fact for says nothing about whom the asker meant."""
    same = [n for n in r.named if n.used == r.named[0].used and n.quality == r.named[0].quality]
    if len(same) < 2 or r.terms or r.gender or r.ties:
        return ()
    owners = {n.owner for n in same}
    return tuple(pc for pc in ranked if pc[1].id in owners and id(pc[1]) in shown)


def _unknown_name(r: Reading) -> str:
    """The capitalised words of a declined question that no entry explains ("Rafael Nadal"), when
    they are few enough to be one name and are no place of the world («Тель-Авиве»)."""
    name = r.unknown_name if len(r.unknown_name.split()) < MAX_NAME_WORDS else ""
    ws = words(name)
    if name and any(f.quality >= CONFIDENT and len(f.used) == len(ws) for f in gazetteer().find(ws)):
        return ""
    return name


def _replies(
    index: Index, pool: Pool, ranked: list[tuple[float, Candidate]], wanted: Wanted
) -> tuple[list[tuple[float, Candidate]], dict[int, Hit]]:
    """The ranking with the reply each of its best candidates would show (keyed by `id()` of the
    candidate). Candidates showing the same reply (an event and its main person, both answered by
    the event's FAQ entry) are one choice and hold their probabilities together; so are an
    organisation asked who leads it, its leaders and its people list (see `_led`)."""
    merged: dict[str, list] = {}
    led = _led(index, pool)
    org = next((c for _, c in ranked[:REPLY_CANDIDATES] if led and c.id == led[0]), None)
    holders = led[1] if org and led else ()
    answered_by_org = {org.id, f"list:org:{org.id}", *holders} if org else set()
    top, tail = ranked[:REPLY_CANDIDATES], ranked[REPLY_CANDIDATES:]
    if org:  # every founder or leader it names, however far down, is answered by its card
        top += [pc for pc in tail if pc[1].id in answered_by_org]
        tail = [pc for pc in tail if pc[1].id not in answered_by_org]
    for p, cand in top:
        if org and cand.id in answered_by_org:
            hit = _shown(index, pool, (p, org), wanted)
            hit = dataclasses.replace(hit, entities=tuple(dict.fromkeys((*hit.entities, *holders))))
        else:
            hit = _shown(index, pool, (p, cand), wanted)
        if hit.id in merged:
            merged[hit.id][0] += p
        else:
            merged[hit.id] = [p, cand, hit]
    best = sorted(((p, c) for p, c, _ in merged.values()), key=lambda pc: (-pc[0], pc[1].id))
    shown = {id(c): dataclasses.replace(hit, score=round(p, 3)) for p, c, hit in merged.values()}
    return best + tail, shown


def _led(index: Index, pool: Pool) -> tuple[str, tuple[str, ...]] | None:
    """Asked who leads (or led) or founded the organisation named, and no one else: it and the
    holders of its posts the question asks for (an organisation without current ones: the last),
    or its founders. When there are any, its reply, founders and leadership first, answers for them
    and for its people list."""
    r = pool.reading
    named = {n.owner for n in r.named}
    if not r.ties & {"leader", "founder"} or len(named) != 1:
        return None
    org = named.pop()
    if index.k.type_of(org) != "organisation":
        return None
    if "leader" not in r.ties:
        # "the politician who founded FBK and flew back…" describes a founder: their own card
        founders = index.tied(org, "founder", False) if not r.terms else []
        return (org, tuple(founders)) if founders else None
    holders = index.tied(org, "leader", r.before, r.after, r.posts)
    if not holders and not r.before:
        holders = index.tied(org, "leader", True, r.after, r.posts)[:1]
    return (org, tuple(holders)) if holders else None


def rank(
    index: Index, r: Reading, model: Model | None = None
) -> tuple[Pool, list[tuple[float, Candidate]], float]:
    """Every candidate of a reading with its probability, best first, and that of "none of them"."""
    model = model or shipped()
    pool = collect(index, r)
    candidates = list(pool.candidates.values())
    question = what_is_asked(index, pool)
    vectors = [vector(index, pool, c, question) for c in candidates]
    probabilities, unknown = model.scores(vectors, question_vector(pool))
    scored = sorted(zip(probabilities, candidates, strict=True), key=lambda sc: (-sc[0], sc[1].id))
    return pool, scored, unknown


def _shown(index: Index, pool: Pool, scored: tuple[float, Candidate], wanted: Wanted) -> Hit:
    """The reply for a candidate: a list, an FAQ entry that asks what was asked, or its card."""
    score, cand = scored
    if cand.hit is not None:
        return Hit(cand.hit.id, "list", round(score, 3), cand.hit.entities, cand.hit.intents,
                   cand.hit.members, cand.hit.filter)  # fmt: skip
    faq = _best_faq(index, pool.reading, wanted, cand.id)
    if faq:
        return index.faq_hit(faq, score)
    # Asked who leads or edits it: the card's posts (an organisation's leaders, a person's posts) first.
    asked = pool.reading.intents | ({"org"} if "leader" in pool.reading.ties else set())
    if wanted.status_check:
        asked |= {KIND_ASKED + kind for kind in wanted.kinds}
    return index.entity_hit(cand.id, score, frozenset(asked))


def _typed_as(wanted: Wanted, hit: Hit) -> bool:
    """Whether the question, as typed, is one of the phrasings of the FAQ entry `hit` shows."""
    return hit.type == "faq" and hit.id in wanted.phrased


@dataclass(frozen=True)
class Wanted:
    """What a question's FAQ entries are chosen by, the same for each of its candidates."""

    specific: frozenset[str]  #: intents asking for one fact
    query: frozenset[str]  #: its words as FAQ variants are indexed
    named: frozenset[str]  #: the entries it names
    phrased: Sequence[str]  #: FAQ entries with the question, as typed, as a phrasing
    #: Asked yes or no whether someone has a designation ("Навальная иноагент?"): their card, whose
    #: status lines come first, answers that; an FAQ entry's heading may ask about another one.
    status_check: bool = False
    kinds: tuple[str, ...] = ()  #: the kinds of designation it names
    #: Asked who leads or founded something ("who runs Mediazona"): an organisation's card, with its
    #: founders and leadership, answers that rather than its "what is it" FAQ entry.
    post_check: bool = False


def _wanted(index: Index, r: Reading) -> Wanted:
    """What `_best_faq` compares a question's candidates' FAQ entries with, computed once."""
    used = {i for n in r.named for i in n.used}
    # As the variants are indexed: a name is its "@id" marker, not its words.
    query = (r.stems - STOP_STEMS - {stem(w) for i, w in enumerate(r.words) if i in used}) | r.markers
    named = frozenset(n.owner for n in r.named)
    specific = r.intents & SPECIFIC
    if WORK_WORDS.intersection(r.words) and not RESIDENCE_WORDS.intersection(r.words):
        specific -= {"where"}  # "where does she work" asks for a post, not a home
    kinds = tuple(designations_named(r))
    status_check = bool(named) and not QUESTION_WORDS.intersection(r.words) and bool(kinds)
    phrased = index.faq_by_phrasing.get(normalise(r.text), ())
    post_check = bool(named) and bool(r.ties & {"leader", "founder"})
    return Wanted(specific, query, named, phrased, status_check, kinds, post_check)


def _best_faq(index: Index, r: Reading, wanted: Wanted, entry_id: str) -> str | None:
    """The FAQ entry mainly about this entry that asks what the question asks, if there is one."""
    specific, query, named = wanted.specific, wanted.query, wanted.named
    mine = index.faq_about.get(entry_id, ())
    # Typed as one of an entry's own phrasings: that entry, if the question asks more than who or
    # what it is (a bare name and "who is X" get the entity's card, which says more).
    own = [f for f in wanted.phrased if f in mine]
    own = [f for f in own if index.k.faq[f].about[0] == entry_id] or own  # mainly about it, first
    if len(own) == 1 and (specific or r.terms):
        return own[0]
    entity = index.k.entities.get(entry_id)
    if wanted.status_check and isinstance(entity, Person | Organisation):
        return None
    asks_post = wanted.post_check and entry_id in named and isinstance(entity, Organisation)
    best: tuple[float, str] | None = None
    for faq_id in mine:
        about = index.k.faq[faq_id].about
        if about[0] != entry_id and not set(about) <= named | {entry_id}:
            continue  # an entry mainly about someone else
        if asks_post and not r.ties & _post_faqs(index).get(faq_id, frozenset()):
            continue  # "who runs Mediazona": the card, with founders and leadership, not "what is it"
        if specific:
            if not specific & index.faq_intents[faq_id]:
                continue
            score = 0.5 + 0.5 * index.faq_similarity(faq_id, query)
        else:
            # "who is X" or "X": the entry's own card says more, unless other words match the FAQ.
            if index.faq_intents[faq_id] & SPECIFIC or not r.terms:
                continue
            if index.faq_similarity(faq_id, r.terms) < 0.5:
                continue
            score = index.faq_similarity(faq_id, query)
        score += 0.1 * len(set(about) & named - {entry_id}) - 0.05 * len(set(about) - named - {entry_id})
        if best is None or score > best[0]:
            best = (score, faq_id)
    return best[1] if best else None


def _post_faqs(index: Index) -> dict[str, frozenset[str]]:
    """FAQ entries whose title asks who leads or founded something ("Who runs FBK now?"), with
    which of the two, read at the first question that asks it."""
    found = index.__dict__.get("_post_faqs")
    if found is None:
        found = {}
        for f in index.k.faq.values():
            ties = frozenset().union(
                *(reading(index, t).ties for t in (f.questions.en[0], f.questions.ru[0]))
            )
            if ties & {"leader", "founder"}:
                found[f.id] = ties & {"leader", "founder"}
        index.__dict__["_post_faqs"] = found
    return found


#: Longest question (in words) taken for a name: "Garik Kimovich Kasparov" is one, a question is not.
MAX_NAME_WORDS = 4
#: Candidates less likely than this are no place to add a question to.
MIN_TARGET = 0.02
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Target:
    """Where a question that got no answer could be added: an FAQ entry's question variants
    (`adds` "question") or an entity's aliases (`adds` "alias")."""

    id: str
    adds: str
    score: float


def targets(index: Index, query: str, limit: int = 3) -> list[Target]:
    """The entries the matcher ranks best for a question, even one it declines, as places to add it.

    A question that is only a name becomes an alias of the entities ranked for it; any other
    question a variant of the FAQ entries about them, each weighted by how close its variants are.
    Computed lists have no file to add to and are left out.
    """
    r = reading(index, query)
    if r.small_talk or not r.words:
        return []
    _pool, ranked, _unknown = rank(index, r)
    entities = [
        (p, c.id) for p, c in ranked if c.hit is None and c.id in index.k.entities and p >= MIN_TARGET
    ]
    if is_name(index, r, query):
        return [Target(entity_id, "alias", round(p, 3)) for p, entity_id in entities[:limit]]
    words = (r.stems - STOP_STEMS) | r.markers
    scored: dict[str, float] = {}
    for p, entity_id in entities:
        for faq_id in index.faq_about.get(entity_id, ()):
            if index.k.faq[faq_id].about[0] == entity_id:
                score = p * (0.5 + 0.5 * index.faq_similarity(faq_id, words))
                scored[faq_id] = max(scored.get(faq_id, 0.0), score)
    best = sorted(scored.items(), key=lambda x: (-x[1], x[0]))[:limit]
    return [Target(faq_id, "question", round(score, 3)) for faq_id, score in best]


def is_name(index: Index, r: Reading, query: str) -> bool:
    """Whether a question is only a name: a few words, each part of a name found or, unknown to
    the knowledge base, written with a capital ("Garik Kimovich")."""
    if len(r.words) > MAX_NAME_WORDS or r.intents or r.ties or r.years or r.places or r.small_talk:
        return False
    named = set().union(*(f.used for f in (*r.named, *r.near)))
    capitalised = {normalise(w) for w in _LETTERS.findall(query) if w[0].isupper()}
    return all(
        i in named or (w in capitalised and stem(w) not in index.vocabulary) for i, w in enumerate(r.words)
    )

"""Asked "who lives in X?" about a place of the world where nobody of ours is based.

Lists by city and country come from people's `based_in` (candidates `_lists`); a place no entry
is based in is no place to the names index, only a word, which the texts of entries that merely
mention it would answer ("who lives in Tbilisi?" with Tikhon Dzyadko, who lives in Amsterdam).
Asked in that frame (a who-word, a residence verb, the place after "in" / «в»), with no entry
named, such a place gets "nobody in our knowledge base is based there" instead.
"""

from __future__ import annotations

from bot.matching.index import Index
from bot.matching.intents import LIST_STEMS
from bot.matching.names import CONFIDENT
from bot.matching.places import WorldPlace, gazetteer
from bot.matching.reading import Reading
from bot.matching.text import stem, words

#: Words that ask where someone lives now (as written: "lived", «жил» describe, not ask).
RESIDENCE_WORDS = frozenset(
    words("""lives live living based reside resides residing stays settled
    живет живут живущие живущих живущий проживает проживают проживающие проживающих
    находится находятся базируется базируются обосновался обосновалась обосновались""")
)
#: Words that ask who: "who", "which (journalists)", «кто», «кто-нибудь».
WHO_WORDS = frozenset(words("who whom which anyone anybody кто кого какие кто-нибудь кто-то")) | {
    w for w in words("list people everyone список люди все всех") if stem(w) in LIST_STEMS
}
#: A place lived in follows one of these.
IN_WORDS = frozenset(words("in в во на"))


def nobody_based(index: Index, r: Reading) -> WorldPlace | None:
    """The place of the world a "who lives in X?" question names, when nobody of ours (no entry,
    no one based in its country without a city given) may be based there; else None."""
    ws = r.words
    if r.named or not RESIDENCE_WORDS.intersection(ws) or not WHO_WORDS.intersection(ws):
        return None
    found = [f for f in gazetteer().find(ws) if f.quality >= CONFIDENT]
    if not found:
        return None
    at = frozenset().union(*(f.used for f in found))
    # A place of ours (but a loose reading of the place's own words): not for us to say. Loose
    # readings of names ("наших" ~ Yashin) do not matter: nobody of ours is based there at all.
    if any(not (p.used <= at and p.quality < found[0].quality) for p in r.places):
        return None
    if any(f.owner in _ours(index) for f in found):
        return None
    first = min(found, key=lambda f: min(f.used))
    start = min(first.used)
    if start == 0 or ws[start - 1] not in IN_WORDS:
        return None
    return gazetteer().places[first.owner]


def _ours(index: Index) -> frozenset[str]:
    """World places where the snapshot may have someone (computed at the first such question)."""
    ours = index.__dict__.get("_world_ours")
    if ours is None:
        ours = gazetteer().ours(index.k, index.place_names)
        index.__dict__["_world_ours"] = ours
    return ours

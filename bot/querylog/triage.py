"""The unanswered questions as an admin's to-do list: near-duplicates grouped, dismissed ones gone.

Wordings are compared on their normalised text (rapidfuzz's `default_process`: case, punctuation,
spacing) with a token-order-insensitive ratio, so "where does X live now" and "X, where does he
live now?" are one group. A wording near a dismissed one stays hidden too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.querylog.store import Unanswered, query_key

#: Two wordings at least this similar (0-100, rapidfuzz's token_sort_ratio) are one question.
SIMILAR = 85.0


@dataclass(frozen=True)
class Group:
    """Near-duplicate unanswered questions: the wording shown, every key in it, how often asked."""

    query: str  #: the most asked wording (the most recent of those)
    keys: tuple[str, ...]  #: `query_key` of each wording (what dismissing stores)
    count: int
    last_asked: str
    lang: str | None


def group(rows: Sequence[Unanswered], dismissed: Iterable[str] = ()) -> list[Group]:
    """Group `rows` (most recent first) into near-duplicates, most recently asked group first."""
    hidden = [utils.default_process(k) for k in dismissed]
    seeds: list[str] = []  # the normalised first wording of each group
    members: list[list[Unanswered]] = []
    for row in rows:
        text = utils.default_process(row.query)
        if hidden and process.extractOne(text, hidden, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR):
            continue
        found = process.extractOne(text, seeds, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR)
        if found is None:
            seeds.append(text)
            members.append([row])
        else:
            members[found[2]].append(row)
    groups = []
    for rows_of in members:
        shown = max(rows_of, key=lambda r: (r.count, r.last_asked))
        groups.append(
            Group(
                query=shown.query,
                keys=tuple(query_key(r.query) for r in rows_of),
                count=sum(r.count for r in rows_of),
                last_asked=max(r.last_asked for r in rows_of),
                lang=shown.lang,
            )
        )
    return groups

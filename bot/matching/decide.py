"""Turn ranked candidates into one of three outcomes, with the thresholds of the fitted model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.matching.candidates import Candidate
from bot.matching.scoring import Thresholds

MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Decision:
    """`answer` (best), `suggest` (choices) or `none`, and which threshold decided it."""

    outcome: str
    best: tuple[float, Candidate] | None = None
    choices: tuple[tuple[float, Candidate], ...] = ()
    reason: str = ""


def decide(ranked: Sequence[tuple[float, Candidate]], unknown: float, t: Thresholds) -> Decision:
    """Say nothing fits when "none" is likely; else answer a clear winner, or offer the close ones.

    `ranked` is best first, with each candidate's probability; `unknown` is the probability that
    none of them is meant (between `t.unknown` and `t.doubt`, a clear pick is only offered). A
    candidate's share is its probability among the candidates alone; a list that ranks first also
    holds the share of its members, whose cards it shows in its lines (many people each fitting a
    little do not make "who lives in X" less of a list question).
    """
    if not ranked or unknown >= max(t.unknown, t.doubt):
        return Decision("none", reason="unknown" if ranked else "no candidate")
    rest = max(1.0 - unknown, 1e-9)
    first, best = ranked[0]
    # Which of the other candidates are members: a small set met with the (maybe long) members list.
    members = {c.id for _, c in ranked[1:]}.intersection(best.members)
    top = (first + sum(p for p, c in ranked[1:] if c.id in members)) / rest
    if unknown >= t.unknown:
        # Likely none of ours, yet one of them is the clear pick: offered, never answered.
        return (
            Decision("suggest", choices=(ranked[0],), reason="doubt")
            if top >= t.answer
            else Decision("none", reason="unknown")
        )
    if top >= t.answer:
        return Decision("answer", ranked[0], reason="answer")
    choices = tuple(c for c in ranked[:MAX_SUGGESTIONS] if c[0] / rest >= t.suggest)
    return (
        Decision("suggest", choices=choices, reason="close") if choices else Decision("none", reason="spread")
    )

"""One score for every candidate: a choice model over their features, fitted by tools/fit_ranker.py.

Each candidate gets a utility (its features times the weights); so does "none of them" (the
question's own features times theirs). A candidate's score is its share of the exponentiated
utilities: the probability that it is what the question is about, with "none" taking the rest.
The weights ship as `ranker.json` beside this file (small and reviewable); at run time a score is
a few dot products. Scores are calibrated: among answers given at 0.9, about nine in ten are right
(`bench/accuracy.py` prints the reliability table).
"""

from __future__ import annotations

import functools
import json
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.matching.features import FEATURES, QUESTION_FEATURES

#: The fitted model shipped with the code.
MODEL_FILE = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Thresholds:
    """The only numbers `decide` uses, chosen on a question set the weights were not fitted on."""

    unknown: float  #: "none of them" at least this likely: no answer (only a "did you mean")...
    answer: float  #: a candidate with at least this share of the rest is answered...
    suggest: float  #: ...and those with this share are offered as "did you mean"
    doubt: float = 0.0  #: ...and "none" at least this likely (and `unknown`): not even that


@dataclass(frozen=True)
class Model:
    """Weights of the candidate features and of the "none" option, and the decision thresholds."""

    weights: tuple[float, ...]
    none_weights: tuple[float, ...]
    none_bias: float
    thresholds: Thresholds

    def scores(
        self, candidates: Sequence[Sequence[float]], question: Sequence[float]
    ) -> tuple[list[float], float]:
        """The probability of each candidate and of "none of them", given the question's features."""
        utilities = [_dot(self.weights, x) for x in candidates]
        none = self.none_bias + _dot(self.none_weights, question)
        top = max([none, *utilities])
        exps = [math.exp(u - top) for u in utilities]
        total = math.exp(none - top) + sum(exps)
        return [e / total for e in exps], math.exp(none - top) / total


def _dot(weights: Sequence[float], x: Sequence[float]) -> float:
    if len(weights) != len(x):
        raise ValueError(f"{len(x)} features for {len(weights)} weights")
    return sum(map(operator.mul, weights, x))  # the hot loop of ranking: map is twice a generator's speed


def parse(data: dict) -> Model:
    """A model from the JSON the fitting script writes; its features must be the code's, in order."""
    for key, names in (("weights", FEATURES), ("none_weights", QUESTION_FEATURES)):
        if tuple(data[key]) != names:
            missing, extra = sorted(set(names) - set(data[key])), sorted(set(data[key]) - set(names))
            raise ValueError(
                f"ranker.json {key}: features differ from the code's (missing {missing}, extra {extra})"
            )
    return Model(
        tuple(float(data["weights"][n]) for n in FEATURES),
        tuple(float(data["none_weights"][n]) for n in QUESTION_FEATURES),
        float(data["none_bias"]),
        Thresholds(**data["thresholds"]),
    )


@functools.lru_cache(maxsize=1)
def shipped() -> Model:
    """The model in `ranker.json` (read once, when first needed)."""
    return parse(json.loads(MODEL_FILE.read_text(encoding="utf-8")))

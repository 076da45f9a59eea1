"""Fit the matcher's ranking model: features of labelled questions -> weights and thresholds.

    python tools/fit_ranker.py           # extract the features, fit, write bot/matching/ranker.json
    python tools/fit_ranker.py --refit   # fit again from the shipped feature tables only

Weights are fitted (logistic regression) on the FIT sets; the decision thresholds are chosen on
the TUNE set, which the weights never saw; the untouched set is for reporting only
(`bench/accuracy.py`). The feature tables are written to tests/eval/ranker/ so that the fit can be
checked without the knowledge base of the day: a test refits from them and compares.
Needs SciPy (the `fit` extra, also in `test`); the bot itself never imports it.
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import json
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.accuracy import Reply, grade  # noqa: E402
from bot.answers.engine import Engine  # noqa: E402
from bot.matching.candidates import collect  # noqa: E402
from bot.matching.decide import Decision, decide  # noqa: E402
from bot.matching.features import FEATURES, QUESTION_FEATURES, question_vector, vector  # noqa: E402
from bot.matching.reading import reading  # noqa: E402
from bot.matching.scoring import MODEL_FILE, Model, Thresholds  # noqa: E402

EVAL = ROOT / "tests" / "eval"
FIT = ("questions.yaml", "holdout.yaml", "casual_a.yaml", "fit8.yaml")
TUNE = ("casual_b.yaml",)
TABLES = EVAL / "ranker"
#: L2 penalty on the weights (keeps them small and the fit unique).
L2 = 0.05
#: How much worse a confidently wrong answer is than a missed one, when choosing thresholds...
WRONG_COST = 6.0
#: ...and what a "did you mean" is worth that holds the right entry (one tap from the answer).
SUGGEST_VALUE = 0.5
#: The lowest probability of "none of them" that may decline a question.
MIN_UNKNOWN = 0.2
#: The lowest share a candidate may be answered at. Confidence is calibrated (an answer at p is right
#: about p of the time), so this is a product rule, not a fit: at most one answer in ten at the
#: threshold is wrong; below it the bot offers "did you mean" instead.
MIN_ANSWER = 0.9
#: Thresholds whose total is within this share of the best count as equally good on the tune set.
NEAR_BEST = 0.01


def label(item: dict, cand_id: str, members: tuple[str, ...]) -> int:
    """1 if answering this candidate is right for the item."""
    if item.get("none"):
        return 0
    if "ambiguous" in item:
        return int(cand_id in item["ambiguous"])
    if "list" in item:
        return int(bool(members) and set(item["list"]) <= set(members))
    return int(not members and cand_id == item["about"])


def extract(engine: Engine, sets: tuple[str, ...], path: Path) -> None:
    """One row per question and candidate (set, item, candidate, members, label, features), and one
    row per question (candidate `-`, its own features) for the "none" option."""
    index = engine.index
    path.parent.mkdir(parents=True, exist_ok=True)
    width = max(len(FEATURES), len(QUESTION_FEATURES))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["set", "item", "candidate", "members", "label", *(f"x{i}" for i in range(width))])
        for name in sets:
            items = yaml.safe_load((EVAL / name).read_text(encoding="utf-8"))
            for number, item in enumerate(items):
                r = reading(index, item["q"])
                if r.small_talk or not r.words:
                    continue
                pool = collect(index, r)
                writer.writerow([name, number, "-", "", int(bool(item.get("none"))),
                                 *(f"{x:.4f}" for x in question_vector(pool))])  # fmt: skip
                for cand in sorted(pool.candidates.values(), key=lambda c: c.id):
                    writer.writerow([name, number, cand.id, " ".join(cand.members), label(item, cand.id, cand.members),
                                     *(f"{x:.4f}" for x in vector(index, pool, cand))])  # fmt: skip


@dataclass
class Question:
    """One question of a table: its own features, its candidates' features and labels."""

    key: tuple[str, str]
    none: bool
    question: list[float]
    candidates: list[tuple[str, tuple[str, ...], list[float], int]]


def read_table(path: Path) -> list[Question]:
    questions: dict[tuple[str, str], Question] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["set"], row["item"])
            xs = [float(row[f"x{i}"]) for i in range(len(row) - 5) if row.get(f"x{i}") not in (None, "")]
            if row["candidate"] == "-":
                questions[key] = Question(key, row["label"] == "1", xs[: len(QUESTION_FEATURES)], [])
            else:
                questions[key].candidates.append(
                    (row["candidate"], tuple(row["members"].split()), xs[: len(FEATURES)], int(row["label"]))
                )
    return list(questions.values())


def fit(questions: list[Question]) -> tuple[list[float], list[float], float]:
    """A choice model by maximum likelihood: candidate weights, "none" weights, "none" intercept.

    Each question's options are its candidates and "none"; the right options are the candidates
    labelled 1, or "none" when there is no such candidate (declining is then the best outcome).
    """
    import numpy as np
    from scipy.optimize import minimize

    nf, nq = len(FEATURES), len(QUESTION_FEATURES)
    data = []
    for q in questions:
        if not q.none and not any(c[3] for c in q.candidates):
            continue  # the right entry is not among the candidates: nothing to learn about ranking
        x = np.array([c[2] for c in q.candidates], dtype=float).reshape(-1, nf)
        y = np.array([c[3] for c in q.candidates], dtype=bool)
        data.append((x, np.array(q.question, dtype=float), y))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, u, b = theta[:nf], theta[nf : nf + nq], theta[-1]
        total, grad = 0.5 * L2 * (w @ w + u @ u), np.concatenate([L2 * w, L2 * u, [0.0]])
        for x, qv, y in data:
            utilities = np.concatenate([[b + u @ qv], x @ w])
            positive = np.concatenate([[not y.any()], y])
            top = utilities.max()
            e = np.exp(utilities - top)
            p_all = e / e.sum()
            p_pos = np.where(positive, e, 0.0) / e[positive].sum()
            total -= np.log(e[positive].sum()) - np.log(e.sum())
            diff = p_all - p_pos  # gradient of the negative log-likelihood per option
            grad[:nf] += diff[1:] @ x
            grad[nf : nf + nq] += diff[0] * qv
            grad[-1] += diff[0]
        return total, grad

    # Converged tightly: the loss is convex, so any SciPy version reaches the same weights to the
    # four decimals shipped (a loose stop leaves them depending on the optimiser's path).
    options = {"maxiter": 20000, "maxfun": 100000, "gtol": 1e-10, "ftol": 1e-15}
    result = minimize(loss, np.zeros(nf + nq + 1), jac=True, method="L-BFGS-B", options=options)
    theta = result.x
    return list(theta[:nf]), list(theta[nf : nf + nq]), float(theta[-1])


def choose_thresholds(questions: list[Question], model: Model) -> Thresholds:
    """The thresholds that do best on the tune set: right answers, minus wrong ones at a high cost."""
    ranked = {}
    for q in questions:
        probabilities, unknown = model.scores([c[2] for c in q.candidates], q.question)
        ranked[q.key] = (sorted(zip(probabilities, (_Cand(c[0], c[1]) for c in q.candidates), strict=True),
                                key=lambda pc: (-pc[0], pc[1].id)), unknown)  # fmt: skip
    all_items = [
        (name, str(i), item)
        for name in TUNE
        for i, item in enumerate(yaml.safe_load((EVAL / name).read_text(encoding="utf-8")))
    ]

    def value(t: Thresholds) -> float:
        total = 0.0
        for name, number, item in all_items:
            decision = decide(*ranked.get((name, number), ([], 1.0)), t)
            g = grade(item, _reply(decision))
            if g == "suggest":  # a "did you mean" with the right entry in it is one tap from an answer
                right = any(label(item, c.id, c.members) for _, c in decision.choices)
                total += SUGGEST_VALUE if right else -SUGGEST_VALUE / 2
            else:
                total += {"correct": 1.0, "declined": 1.0, "wrong": -WRONG_COST, "partial": 0.5}.get(g, 0.0)
        return total

    scored: list[tuple[float, Thresholds]] = []
    grid = [round(0.05 * i, 2) for i in range(1, 20)]
    # Declining when only a few per cent say "none" would hang on noise: "none" must be a real option.
    unknowns, answers = [u for u in grid if u >= MIN_UNKNOWN], [a for a in grid if a >= MIN_ANSWER]
    for unknown, answer, suggest in itertools.product(unknowns, answers, grid):
        if suggest > answer:
            continue
        t = Thresholds(unknown, answer, suggest)
        scored.append((value(t), t))
    # A few hundred questions make the totals noisy: of the thresholds about as good as the best, the
    # strictest answer threshold is taken (a wrong answer costs more than that noise).
    top = max(total for total, _ in scored)
    near = [(t.answer, total, t) for total, t in scored if total >= top - NEAR_BEST * abs(top)]
    best = max(near, key=lambda x: (x[0], x[1]))[2]
    # Then how likely "none" may be while a clear pick is still offered (`doubt` = `unknown`: never).
    doubts = [(value(replace(best, doubt=d)), -d, d) for d in grid if d >= best.unknown]
    return replace(best, doubt=max(doubts)[2])


@dataclass(frozen=True)
class _Cand:
    """A candidate as the tables hold it, for `decide`."""

    id: str
    members: tuple[str, ...]


def _reply(d: Decision) -> Reply:
    def about(c: _Cand) -> frozenset[str]:
        return frozenset(c.members) if c.members else frozenset({c.id})

    if d.outcome == "answer" and d.best:
        c = d.best[1]
        return Reply("answer", about(c), bool(c.members))
    if d.outcome == "suggest":
        return Reply("suggest", suggested=frozenset().union(*(about(c) for _, c in d.choices)))
    return Reply("none")


def refit() -> dict:
    """The model the shipped tables give, as `ranker.json` holds it."""
    weights, none_weights, none_bias = fit(read_table(TABLES / "fit.csv"))
    r4 = functools.partial(round, ndigits=4)
    model = Model(tuple(map(r4, weights)), tuple(map(r4, none_weights)), r4(none_bias), Thresholds(1, 1, 1))
    t = choose_thresholds(read_table(TABLES / "tune.csv"), model)
    return {
        "about": "Fitted by tools/fit_ranker.py from tests/eval/ranker/; see bot/matching/scoring.py.",
        "weights": dict(zip(FEATURES, model.weights, strict=True)),
        "none_weights": dict(zip(QUESTION_FEATURES, model.none_weights, strict=True)),
        "none_bias": model.none_bias,
        "thresholds": asdict(t),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--refit", action="store_true", help="fit from the shipped tables, do not extract")
    args = p.parse_args()
    if not args.refit:
        engine = Engine.from_dir(ROOT / "knowledge")
        extract(engine, FIT, TABLES / "fit.csv")
        extract(engine, TUNE, TABLES / "tune.csv")
    model = refit()
    MODEL_FILE.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}: thresholds {model['thresholds']}")
    for part in ("weights", "none_weights"):
        print(f"{part}:")
        for name, w in sorted(model[part].items(), key=lambda x: -abs(x[1])):
            print(f"  {name:20} {w:+.3f}")
    print(f"none_bias {model['none_bias']:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

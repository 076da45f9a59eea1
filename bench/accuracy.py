"""Accuracy of the engine on evaluation sets, side by side with a naive baseline and an older engine.

    python bench/accuracy.py                                # every set in tests/eval/
    python bench/accuracy.py --questions tests/eval/casual_b.yaml --failures
    python bench/accuracy.py --before 605b240               # also the engine as it was at a commit
    python bench/accuracy.py --questions tests/eval/untouched.yaml --floor top1=0.9 --floor wrong=0.02

Each item of a set has `q` and one of: `about` (the entry the answer must be about), `list` (people
a list answer must name), `ambiguous` (namesakes: the right reply is "did you mean" them all) or
`none: true` (out of scope: no entry may be answered). `kind` groups the items.

Systems: `baseline` is rapidfuzz `process.extractOne` with `WRatio` over every FAQ question variant
and every name and alias, answering from `--baseline-cutoff`; `before` is `python -m bot ask --json`
run from a checkout of `--before`; `engine` is the code in this tree.

Metrics: top-1 (in scope: answered with the right entry), declined (out of scope: not answered),
wrong (share of ALL questions answered with a wrong entry: the worst outcome), suggest (in scope:
"did you mean" instead of an answer). `--floor NAME=VALUE` (top1, declined, kind: minimum; wrong:
maximum) makes the run exit 1 when the engine misses it on any set, for CI.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers.engine import Engine  # noqa: E402

GOOD = ("correct", "declined")


@dataclass(frozen=True)
class Reply:
    """What a system said: its outcome, whom its answer is about, whom its suggestions are about."""

    outcome: str
    entities: frozenset[str] = frozenset()
    is_list: bool = False
    suggested: frozenset[str] = frozenset()
    score: float | None = None


def from_json(line: dict) -> Reply:
    """A reply from one object of the `ask --json` contract."""
    answer = line.get("answer")
    suggested = frozenset(e["id"] for s in line.get("suggestions", []) for e in s["entities"])
    if not answer:
        return Reply(line["outcome"], suggested=suggested)
    return Reply(
        line["outcome"],
        frozenset(e["id"] for e in answer["entities"]),
        answer["type"] == "list",
        suggested,
        answer.get("score"),
    )


def engine_system(engine: Engine) -> Callable[[list[str]], list[Reply]]:
    return lambda questions: [from_json(engine.ask(q).to_json()) for q in questions]


def before_system(rev: str) -> Callable[[list[str]], list[Reply]]:
    """The engine as it was at a git revision, through its `ask --json` contract."""

    def ask(questions: list[str]) -> list[Reply]:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            run = subprocess.run(
                [sys.executable, "-m", "bot", "ask", "--json", "--no-log"],
                input="\n".join(q.replace("\n", " ") for q in questions) + "\n",
                capture_output=True, text=True, cwd=tmp, check=True, timeout=600,
                env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"},
            )  # fmt: skip
        return [from_json(json.loads(line)) for line in run.stdout.splitlines()]

    return ask


def baseline_system(engine: Engine, cutoff: float) -> Callable[[list[str]], list[Reply]]:
    k = engine.knowledge
    choices: list[str] = []
    about: list[frozenset[str]] = []
    for faq in k.faq.values():
        for q in (*faq.questions.en, *faq.questions.ru):
            choices.append(q)
            about.append(frozenset(faq.about))
    for entity in k.entities.values():
        for name in (entity.name.en, entity.name.ru, *entity.aliases):
            choices.append(name)
            about.append(frozenset({entity.id}))

    def one(question: str) -> Reply:
        best = process.extractOne(question, choices, scorer=fuzz.WRatio, processor=str.lower)
        if best is None or best[1] < cutoff:
            return Reply("none")
        return Reply("answer", about[best[2]])

    return lambda questions: [one(q) for q in questions]


def grade(item: dict, reply: Reply) -> str:
    """correct | declined | suggest | missed (in scope, not answered) | partial | wrong."""
    if item.get("none"):
        return {"none": "declined", "suggest": "suggest"}.get(reply.outcome, "wrong")
    if "ambiguous" in item:
        if reply.outcome == "suggest":
            return "correct" if set(item["ambiguous"]) <= reply.suggested else "suggest"
        return "missed" if reply.outcome == "none" else "wrong"
    if reply.outcome == "suggest":
        return "suggest"
    if reply.outcome == "none":
        return "missed"
    if "list" in item:
        expected = set(item["list"])
        if reply.is_list and expected <= reply.entities:
            return "correct"
        return "wrong" if not expected & reply.entities else "partial"
    return "correct" if item["about"] in reply.entities else "wrong"


@dataclass
class Scored:
    """One system on one set: the grade of each item and the metrics."""

    grades: list[tuple[dict, str, Reply]]

    @property
    def metrics(self) -> dict[str, float]:
        in_scope = [g for item, g, _ in self.grades if not item.get("none")]
        oos = [g for item, g, _ in self.grades if item.get("none")]
        n = max(len(self.grades), 1)
        return {
            "top1": in_scope.count("correct") / max(len(in_scope), 1),
            "declined": oos.count("declined") / max(len(oos), 1),
            "wrong": sum(1 for _, g, _ in self.grades if g == "wrong") / n,
            "suggest": in_scope.count("suggest") / max(len(in_scope), 1),
        }

    def by_kind(self) -> dict[str, Counter[str]]:
        kinds: dict[str, Counter[str]] = {}
        for item, g, _ in self.grades:
            kinds.setdefault(item.get("kind", "?"), Counter())[g] += 1
        return kinds


LABELS = {
    "top1": "in-scope top-1",
    "declined": "out of scope declined",
    "wrong": "confidently wrong (all)",
    "suggest": "suggest rate (in scope)",
}


def reliability(scored: Scored, bins: Iterable[float] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.01)) -> list[str]:
    """Among answers given at a confidence in each bin, how many were right."""
    edges = list(bins)
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = [
            g for _, g, r in scored.grades
            if r.outcome == "answer" and r.score is not None and low <= r.score < high
        ]  # fmt: skip
        if inside:
            right = sum(1 for g in inside if g in ("correct", "partial"))
            rows.append(
                f"  {low:4.2f}–{min(high, 1.0):4.2f}: {len(inside):4} answers, {right / len(inside):6.1%} right"
            )
    return rows


def report(name: str, items: list[dict], systems: dict[str, Scored]) -> None:
    in_scope = sum(1 for i in items if not i.get("none"))
    print(f"\n== {name}: {len(items)} questions ({in_scope} in scope, {len(items) - in_scope} out of scope)")
    print(f"{'metric':28}" + "".join(f"{s:>10}" for s in systems))
    for key, label in LABELS.items():
        print(f"{label:28}" + "".join(f"{sc.metrics[key]:10.1%}" for sc in systems.values()))
    kinds = sorted({k for sc in systems.values() for k in sc.by_kind()})
    print("by kind (right / all):")
    for kind in kinds:
        cells = []
        for sc in systems.values():
            counts = sc.by_kind().get(kind, Counter())
            total = sum(counts.values())
            cells.append(
                f"{sum(counts[g] for g in GOOD):>4}/{total:<3} {sum(counts[g] for g in GOOD) / max(total, 1):4.0%}"
            )
        print(f"  {kind:16}" + "".join(f"{c:>16}" for c in cells))
    if "engine" in systems:
        rows = reliability(systems["engine"])
        if rows:
            print("engine reliability (confidence of answers → share right):")
            print("\n".join(rows))


def misses(scored: Scored, engine: Engine) -> None:
    print("engine misses:")
    for item, g, _ in scored.grades:
        if g not in GOOD:
            r = engine.ask(item["q"])
            got = r.answer.id if r.answer else [s.id for s in r.suggestions]
            want = item.get("about") or item.get("list") or item.get("ambiguous") or "none"
            print(f"  [{g}] {item['q']!r} want={want} got={r.outcome}:{got}")


def below_floor(scored: Scored, floors: dict[str, float]) -> list[str]:
    m, failed = scored.metrics, []
    for key, bound in floors.items():
        if key == "kind":
            for kind, counts in scored.by_kind().items():
                share = sum(counts[g] for g in GOOD) / sum(counts.values())
                if share < bound:
                    failed.append(f"kind {kind} {share:.1%} < {bound:.1%}")
        elif key == "wrong" and m[key] > bound:
            failed.append(f"wrong {m[key]:.1%} > {bound:.1%}")
        elif key != "wrong" and m[key] < bound:
            failed.append(f"{key} {m[key]:.1%} < {bound:.1%}")
    return failed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--questions", action="append", help="a question set (repeatable; default: tests/eval/*.yaml)"
    )
    p.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    p.add_argument("--baseline-cutoff", type=float, default=80.0)
    p.add_argument("--before", metavar="REV", help="also run the engine of this git revision")
    p.add_argument("--failures", action="store_true", help="list the engine's misses")
    p.add_argument("--floor", action="append", default=[], metavar="NAME=VALUE", help="fail below this")
    args = p.parse_args()
    paths = args.questions or sorted(str(f) for f in (ROOT / "tests/eval").glob("*.yaml"))
    floors = {k: float(v) for k, v in (f.split("=", 1) for f in args.floor)}
    engine = Engine.from_dir(args.knowledge)
    systems: dict[str, Callable[[list[str]], list[Reply]]] = {
        "baseline": baseline_system(engine, args.baseline_cutoff),
    }
    if args.before:
        systems["before"] = before_system(args.before)
    systems["engine"] = engine_system(engine)
    failed: list[str] = []
    for path in paths:
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        questions = [i["q"] for i in items]
        scored = {
            name: Scored([(i, grade(i, r), r) for i, r in zip(items, ask(questions), strict=True)])
            for name, ask in systems.items()
        }
        report(Path(path).name, items, scored)
        if args.failures:
            misses(scored["engine"], engine)
        failed += [f"{Path(path).name}: {f}" for f in below_floor(scored["engine"], floors)]
    if failed:
        print("\nbelow the floor:\n  " + "\n  ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Accuracy of the engine against a naive baseline, on one evaluation set, side by side.

    python bench/accuracy.py [--questions tests/eval/questions.yaml] [--failures]

Baseline: rapidfuzz `process.extractOne` with `WRatio` over every FAQ question variant and every
name and alias; answers when the best score reaches `--baseline-cutoff`, else declines.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers.engine import Engine  # noqa: E402


@dataclass(frozen=True)
class Reply:
    """What a system said: its outcome and whom its answer is about."""

    outcome: str
    entities: frozenset[str]
    is_list: bool = False


def engine_system(engine: Engine) -> Callable[[str], Reply]:
    def ask(question: str) -> Reply:
        r = engine.ask(question)
        if not r.answer:
            return Reply(r.outcome, frozenset())
        return Reply(r.outcome, frozenset(i for i, _ in r.answer.entities), r.answer.type == "list")

    return ask


def baseline_system(engine: Engine, cutoff: float) -> Callable[[str], Reply]:
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

    def ask(question: str) -> Reply:
        best = process.extractOne(question, choices, scorer=fuzz.WRatio, processor=str.lower)
        if best is None or best[1] < cutoff:
            return Reply("none", frozenset())
        return Reply("answer", about[best[2]])

    return ask


def grade(item: dict, reply: Reply) -> str:
    """correct | suggest | declined | wrong | missed (in scope, declined)."""
    if item.get("none"):
        return {"none": "declined", "suggest": "suggest"}.get(reply.outcome, "wrong")
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


def evaluate(
    items: list[dict], ask: Callable[[str], Reply]
) -> tuple[dict[str, float], list[tuple[dict, str]]]:
    grades = [(item, grade(item, ask(item["q"]))) for item in items]
    in_scope = [g for item, g in grades if not item.get("none")]
    oos = [g for item, g in grades if item.get("none")]
    n = len(grades)
    metrics = {
        "top-1 accuracy (in scope)": in_scope.count("correct") / max(len(in_scope), 1),
        "suggest rate (in scope)": in_scope.count("suggest") / max(len(in_scope), 1),
        "out of scope declined": oos.count("declined") / max(len(oos), 1),
        "confidently wrong (all)": sum(1 for _, g in grades if g == "wrong") / max(n, 1),
    }
    return metrics, grades


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--questions", default=str(ROOT / "tests/eval/questions.yaml"))
    p.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    p.add_argument("--baseline-cutoff", type=float, default=80.0)
    p.add_argument("--failures", action="store_true", help="list the engine's misses")
    args = p.parse_args()
    items = yaml.safe_load(Path(args.questions).read_text(encoding="utf-8"))
    engine = Engine.from_dir(args.knowledge)
    ours, our_grades = evaluate(items, engine_system(engine))
    base, _ = evaluate(items, baseline_system(engine, args.baseline_cutoff))
    in_scope = sum(1 for i in items if not i.get("none"))
    print(f"{len(items)} questions ({in_scope} in scope, {len(items) - in_scope} out of scope)\n")
    print(f"{'metric':32} {'engine':>8} {'baseline':>9}")
    for name in ours:
        print(f"{name:32} {ours[name]:8.1%} {base[name]:9.1%}")
    by_kind: dict[str, Counter[str]] = {}
    for item, g in our_grades:
        by_kind.setdefault(item.get("kind", "?"), Counter())[g] += 1
    print("\nengine by kind:")
    for kind, counts in sorted(by_kind.items()):
        total = sum(counts.values())
        good = counts["correct"] + counts["declined"]
        print(f"  {kind:12} {good:3}/{total:<3} " + " ".join(f"{g}={n}" for g, n in sorted(counts.items())))
    if args.failures:
        print("\nengine misses:")
        for item, g in our_grades:
            if g not in ("correct", "declined"):
                r = engine.ask(item["q"])
                got = r.answer.id if r.answer else [s.id for s in r.suggestions]
                want = item.get("about") or item.get("list") or "none"
                print(f"  [{g}] {item['q']!r} want={want} got={r.outcome}:{got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

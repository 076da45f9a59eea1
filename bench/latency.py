"""Time to answer one question and to build the index, on the shipped and on generated bases.

    python bench/latency.py [--sizes 1000 10000 100000] [--questions 2000]

Each size runs in its own process, so peak memory (max RSS) is that size's alone. Generated bases
have people with made-up Latin and Cyrillic names, aliases, roles, places and FAQ entries in the
same proportions as the shipped one; questions mix names, typos, Russian case endings, wrong
keyboard layout, descriptions and out-of-scope text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers.engine import Engine  # noqa: E402
from bot.knowledge.load import Knowledge, Located, load  # noqa: E402
from bot.knowledge.model import Faq, Person  # noqa: E402
from bot.matching.text import swap_layout  # noqa: E402

SYLLABLES = "ka ra mo ve li so na to pe dri gu zha ro ni ko vo la mi shu te bo ry zo khe".split()
LAT_TO_CYR = {"zh": "ж", "kh": "х", "sh": "ш", "ry": "ры"} | dict(
    zip("abvgdeziklmnoprstufy", "абвгдезиклмнопрстуфы", strict=True)
)
FIRST = [("Ivan", "Иван"), ("Olga", "Ольга"), ("Pavel", "Павел"), ("Irina", "Ирина"), ("Oleg", "Олег")]
CITIES = [("Vilnius", "Вильнюс", "Lithuania", "Литва"), ("Berlin", "Берлин", "Germany", "Германия"),
          ("Riga", "Рига", "Latvia", "Латвия"), ("London", "Лондон", "United Kingdom", "Великобритания")]  # fmt: skip
WORDS_EN = "journalist economist activist lawyer politician writer editor historian founder chess".split()
WORDS_RU = "журналист экономист активист юрист политик писатель редактор историк основатель".split()
OUT_OF_SCOPE = ["weather in Moscow tomorrow", "кто выиграл лигу чемпионов", "asdfgh", "?", "рецепт борща"]


def cyrillic(latin: str) -> str:
    out, i = "", 0
    while i < len(latin):
        pair = latin[i : i + 2]
        if pair in LAT_TO_CYR:
            out, i = out + LAT_TO_CYR[pair], i + 2
        else:
            out, i = out + LAT_TO_CYR.get(latin[i], latin[i]), i + 1
    return out


def generate(size: int, seed: int = 7) -> Knowledge:
    """A knowledge base of `size` entries: 85% people, 15% FAQ entries about them."""
    rng = random.Random(seed)
    k = Knowledge(root=Path("generated"))
    today = dt.date(2026, 11, 23)
    source = {"title": "Generated benchmark entry", "url": "https://example.org/bench", "accessed": today}
    people = int(size * 0.85)
    used: set[str] = set()
    for n in range(people):
        while True:
            stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if stem not in used:
                used.add(stem)
                break
        surname = stem.capitalize() + rng.choice(["ov", "in", "sky"])
        first_en, first_ru = rng.choice(FIRST)
        city = rng.choice(CITIES)
        role_en, role_ru = rng.choice(WORDS_EN), rng.choice(WORDS_RU)
        person = Person.model_validate(
            {
                "id": f"p{n}",
                "name": {
                    "en": f"{first_en} {surname}",
                    "ru": f"{first_ru} {cyrillic(surname.lower()).capitalize()}",
                },
                "aliases": [surname + "y"],
                "role": {"en": f"{role_en} in exile", "ru": f"{role_ru} в эмиграции"},
                "summary": {
                    "en": " ".join(rng.choice(WORDS_EN) for _ in range(40)),
                    "ru": " ".join(rng.choice(WORDS_RU) for _ in range(40)),
                },
                "based_in": {
                    "city": {"en": city[0], "ru": city[1]},
                    "country": {"en": city[2], "ru": city[3]},
                    "as_of": 2025,
                },
                "as_of": today,
                "sources": [source],
            }
        )
        k.entities[person.id] = person
        k.where[person.id] = Located("generated", n)
    for n in range(size - people):
        about = k.entities[f"p{rng.randrange(people)}"]
        faq = Faq.model_validate(
            {
                "id": f"f{n}",
                "questions": {
                    "en": [f"Where does {about.name.en} live?"],
                    "ru": [f"Где живёт {about.name.ru}?"],
                },
                "answer": {"en": "In a generated city.", "ru": "В сгенерированном городе."},
                "about": [about.id],
                "as_of": today,
                "sources": [source],
            }
        )
        k.faq[faq.id] = faq
        k.where[faq.id] = Located("generated", n)
    return k


def questions(k: Knowledge, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    people = [e for e in k.entities.values() if isinstance(e, Person)]
    out = []
    for i in range(count):
        p = rng.choice(people)
        surname_en, surname_ru = p.name.en.split()[-1], p.name.ru.split()[-1]
        typo = surname_en[:2] + surname_en[3:] if len(surname_en) > 5 else surname_en
        out.append([
            f"Where does {surname_en} live now?", f"где живет {surname_ru}", f"кто такой {surname_ru}а",
            typo, swap_layout(surname_ru.lower()), f"{p.name.en} foreign agent",
            "who lives in Vilnius", OUT_OF_SCOPE[i % len(OUT_OF_SCOPE)],
        ][i % 8])  # fmt: skip
    return out


def measure(size: int, count: int) -> dict[str, float]:
    started = time.perf_counter()
    knowledge = load(ROOT / "knowledge") if size == 0 else generate(size)
    loaded = time.perf_counter()
    engine = Engine(knowledge, cached_questions=0)  # the cost of matching, not of a cache hit
    built = time.perf_counter()
    qs = questions(knowledge, count)
    for q in qs[:50]:  # warm caches the way a running bot would be
        engine.ask(q)
    times = []
    for q in qs:
        t = time.perf_counter()
        engine.ask(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "entries": sum(knowledge.counts.values()),
        "load_s": loaded - started,
        "build_s": built - loaded,
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    p.add_argument("--questions", type=int, default=2000)
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.questions)))
        return 0
    print(
        f"{'base':>12} {'entries':>8} {'load s':>7} {'build s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max RSS MB':>10}"
    )
    for size in [0, *args.sizes]:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--questions", str(args.questions)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        m = json.loads(out.stdout)
        name = "shipped" if size == 0 else "generated"
        print(f"{name:>12} {m['entries']:8.0f} {m['load_s']:7.2f} {m['build_s']:8.3f} {m['p50_ms']:7.3f}"
              f" {m['p99_ms']:7.3f} {m['max_rss_mb']:10.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

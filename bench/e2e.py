"""End-to-end latency and throughput of the bot, side by side with a trivial echo bot.

    python bench/e2e.py [--questions 1000] [--users 50] [--rounds 1] [--knowledge DIR] [--json]

Both bots run as real processes long-polling the Bot API emulator (tests/emulator.py) on
127.0.0.1, through PTB's real network stack. Each of `users` users asks its share of the
questions one after another (the next as soon as the reply arrives), all users at once.
Latency is question-to-reply: from the moment a question is queued at the emulator to the
moment the bot's sendMessage for it arrives. Reports median, p99 and throughput for both bots,
their ratio (target: ours within 1.3x of echo), and the query log rows our bot wrote, which must
equal the questions it was sent. Exits 1 if they differ or the emulator refused any call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator  # noqa: E402

#: A realistic mix: names, typos, Russian, did-you-mean names and out-of-scope questions.
QUESTIONS = (
    "where does kasparov live",
    "Where does Garry Kasparov live now?",
    "who is navalnaya",
    "где живёт Каспаров",
    "кто такая Юлия Навальная",
    "why did khodorkovsky leave russia",
    "hodorkovsky",
    "МБХ где живет",
    "gudkov",
    "kara-murza",
    "who works for FBK",
    "кто работает в ФБК",
    "is yashin a foreign agent",
    "яшин иноагент",
    "pevchikh",
    "Мария Певчих кто это",
    "when did volkov leave",
    "zhdanov where",
    "who was freed in the 2024 prisoner exchange",
    "what is the weather in Berlin",
    "kasprov",
    "навальный",
    "who is sobol",
    "ponomarev",
    "where is pivovarov now",
)


@dataclass
class Phase:
    """One bot's run: per-question latencies (s) and the wall time for all of them."""

    name: str
    latencies: list[float]
    wall: float
    questions: int
    log_rows: int | None = None

    def summary(self) -> dict[str, float | int | None]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return {
            "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2),
            "throughput_qps": round(len(ordered) / self.wall, 1),
            "questions": self.questions,
            "log_rows": self.log_rows,
        }


async def _user(emu: Emulator, user: dict, questions: list[str]) -> list[float]:
    latencies = []
    for text in questions:
        started = time.monotonic()
        message = emu.post_private(user, text)
        reply = await emu.bot_reply(user["id"], message["message_id"], timeout=60)
        latencies.append(reply["received_at"] - started)
    return latencies


async def _load(emu: Emulator, users: list[dict], per_user: list[list[str]]) -> tuple[list[float], float]:
    started = time.monotonic()
    results = await asyncio.gather(*(_user(emu, u, q) for u, q in zip(users, per_user, strict=True)))
    return [x for r in results for x in r], time.monotonic() - started


def _start(emu: Emulator, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    polls_before = sum(c.method == "getUpdates" for c in list(emu.calls))
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while sum(c.method == "getUpdates" for c in list(emu.calls)) <= polls_before:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"{command} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    return process


def run_phase(
    emu: Emulator,
    name: str,
    command: list[str],
    env: dict[str, str],
    first_user: int,
    args: argparse.Namespace,
    log: Path,
) -> Phase:
    """Start a bot, warm it up (one question per user), time the load, stop it."""
    process = _start(emu, command, env, log)
    users = [Emulator.user(first_user + i, f"User{i}") for i in range(args.users)]
    per_user: list[list[str]] = [[] for _ in users]
    for n in range(args.questions):
        per_user[n % args.users].append(QUESTIONS[(n * 7 + n // len(QUESTIONS)) % len(QUESTIONS)])
    try:
        emu.run(_load(emu, users, [[QUESTIONS[i % len(QUESTIONS)]] for i in range(len(users))]), 120)
        latencies, wall = emu.run(_load(emu, users, per_user), 600)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
    if code != 0:
        sys.exit(f"{name} exited with {code}:\n{log.read_text(errors='replace')}")
    return Phase(name, latencies, wall, questions=args.questions + len(users))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1, help="echo, ours: repeated this often")
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    phases: list[Phase] = []
    with Emulator() as emu:
        base = {**os.environ, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.url}
        base.pop("BOT_CONFIG", None)
        for round_ in range(args.rounds):
            first = 10_000 + round_ * 2 * args.users
            echo = run_phase(
                emu, "echo", [sys.executable, "bench/echo_bot.py"], base, first, args, tmp / "echo.log"
            )
            database = tmp / f"querylog-{round_}.sqlite3"
            # Like for like with the echo bot: no overall send limit (the emulator has none) and
            # no per-user question limit (each user here asks far more than 20 a minute).
            ours_env = {**base, "BOT_DATABASE": str(database), "BOT_KNOWLEDGE_DIR": args.knowledge,
                        "BOT_SEND_RATE": "0", "BOT_RATE_LIMIT": "1000000"}  # fmt: skip
            ours = run_phase(emu, "exile-desk", [sys.executable, "-m", "bot", "run"], ours_env,
                             first + args.users, args, tmp / "bot.log")  # fmt: skip
            with sqlite3.connect(database) as db:
                ours.log_rows = db.execute("SELECT count(*) FROM queries").fetchone()[0]
            phases += [echo, ours]
        refused = [(c.method, c.result) for c in emu.rejected()]
    echo_all = [p for p in phases if p.name == "echo"]
    ours_all = [p for p in phases if p.name == "exile-desk"]
    merged = {
        name: Phase(name, [x for p in ps for x in p.latencies], sum(p.wall for p in ps),
                    sum(p.questions for p in ps), sum(p.log_rows or 0 for p in ps) if name != "echo" else None)
        for name, ps in (("echo", echo_all), ("exile-desk", ours_all))
    }  # fmt: skip
    echo_s, ours_s = merged["echo"].summary(), merged["exile-desk"].summary()
    ratio = {
        "median": round(ours_s["median_ms"] / echo_s["median_ms"], 2),  # type: ignore[operator]
        "p99": round(ours_s["p99_ms"] / echo_s["p99_ms"], 2),  # type: ignore[operator]
        "throughput": round(echo_s["throughput_qps"] / ours_s["throughput_qps"], 2),  # type: ignore[operator]
    }
    rows_ok = ours_s["log_rows"] == ours_s["questions"]
    report = {
        "users": args.users,
        "questions_per_round": args.questions,
        "rounds": args.rounds,
        "echo": echo_s,
        "exile-desk": ours_s,
        "ratio_ours_to_echo": ratio,
        "within_1_3x": ratio["median"] <= 1.3 and ratio["p99"] <= 1.3 and ratio["throughput"] <= 1.3,
        "log_rows_equal_questions": rows_ok,
        "refused_calls": refused,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.questions} questions x {args.rounds} round(s) from {args.users} users "
              "(+1 warm-up question each), emulator on 127.0.0.1")  # fmt: skip
        print(f"{'':18}{'echo':>10}{'exile-desk':>12}{'ratio':>8}")
        for key, label, r in (("median_ms", "median (ms)", "median"), ("p99_ms", "p99 (ms)", "p99"),
                              ("throughput_qps", "throughput (q/s)", "throughput")):  # fmt: skip
            print(f"{label:18}{echo_s[key]:>10}{ours_s[key]:>12}{ratio[r]:>7}x")
        print(f"log rows written: {ours_s['log_rows']} of {ours_s['questions']} questions sent")
        print(f"within 1.3x of echo: {'yes' if report['within_1_3x'] else 'NO'}")
        if refused:
            print(f"refused calls: {refused}")
    return 0 if rows_ok and not refused else 1


if __name__ == "__main__":
    sys.exit(main())

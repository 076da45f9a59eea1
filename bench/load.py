"""Load: thousands of questions from hundreds of users in bursts, through the Bot API emulator.

    python bench/load.py [--questions 5000] [--users 500] [--send-rate 0] [--kill-questions 3000] [--json]

The bot runs as a real process long-polling the emulator on 127.0.0.1. After a warm-up question
per user, the users ask in bursts: every user posts one question at the same moment, the burst
ends when all are answered, then the next starts. Reports per-burst and per-question latency
(median, p99), throughput, the bot's CPU time per reply, its resident memory (VmRSS) and peak
(VmHWM) after the warm-up, half-way and at the end, with their ratios, and the query log rows
against questions sent.

Then (unless ``--kill-questions 0``) a ``kill -9`` run: a burst of `--kill-questions`, the process
killed once half are answered; reports how many answered questions have no log row (the bound is
one batch, 500 rows).
Exits 1 if a question went unanswered or unlogged, or the emulator refused a call.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.e2e import QUESTIONS, cpu_seconds  # noqa: E402
from bot.querylog.store import BATCH_SIZE  # noqa: E402
from tests.emulator import Emulator  # noqa: E402

FIRST_USER = 50_000


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def bot_env(emu: Emulator, database: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot process: this checkout's code and knowledge, the emulator, `database`
    (none of the caller's own BOT_* / TELEGRAM_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    return {**env, "PYTHONPATH": str(ROOT), "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.url,
            "BOT_DATABASE": str(database), "BOT_KNOWLEDGE_DIR": str(ROOT / "knowledge"), **settings}  # fmt: skip


def post_round_robin(emu: Emulator, users: list[dict], count: int) -> None:
    """Post `count` questions at once, the users taking turns (the emulator queues them)."""

    async def post() -> None:
        for n in range(count):
            emu.post_private(users[n % len(users)], QUESTIONS[n % len(QUESTIONS)])
            if n % 100 == 99:
                await asyncio.sleep(0)

    emu.run(post(), 60)


def wait_for(done: Callable[[], bool], timeout: float, step: float = 0.01) -> None:
    """Poll `done` until it holds or `timeout` s have passed (a bench reports what it got)."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(step)


def start(emu: Emulator, env: dict[str, str], log: Path, user: dict) -> subprocess.Popen[bytes]:
    """Start the bot and wait until it answers a first question."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        emu.reply_to(emu.private_message(user, "hello"), timeout=60)
    except TimeoutError:
        process.kill()
        sys.exit(f"the bot did not start:\n{log.read_text(errors='replace')}")
    return process


async def burst(emu: Emulator, users: list[dict], questions: list[str]) -> list[float]:
    """Every user posts one question at once; returns each question's latency (s)."""
    posted = [(u, emu.post_private(u, q), time.monotonic()) for u, q in zip(users, questions, strict=True)]
    replies = await asyncio.gather(*(emu.bot_reply(u["id"], m["message_id"], 120) for u, m, _ in posted))
    return [r["received_at"] - at for r, (_, _, at) in zip(replies, posted, strict=True)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def load_run(emu: Emulator, env: dict[str, str], tmp: Path, args: argparse.Namespace) -> dict:
    users = [Emulator.user(FIRST_USER + i, f"User{i}") for i in range(args.users)]
    process = start(emu, env, tmp / "load.log", users[0])
    rounds = args.questions // args.users
    pick = [[QUESTIONS[(r * 7 + i) % len(QUESTIONS)] for i in range(args.users)] for r in range(rounds)]
    try:
        emu.run(burst(emu, users, [QUESTIONS[i % len(QUESTIONS)] for i in range(args.users)]), 300)
        memory_before, cpu = memory(process.pid), cpu_seconds(process.pid)
        latencies, burst_times, memory_half = [], [], {}
        started = time.monotonic()
        for r in range(rounds):
            began = time.monotonic()
            latencies += emu.run(burst(emu, users, pick[r]), 300)
            burst_times.append(time.monotonic() - began)
            if r == rounds // 2 - 1:
                memory_half = memory(process.pid)
        wall = time.monotonic() - started
        memory_after, cpu = memory(process.pid), cpu_seconds(process.pid) - cpu
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(60)
    with sqlite3.connect(env["BOT_DATABASE"]) as db:
        rows = db.execute("SELECT count(*) FROM queries").fetchone()[0]
    asked = 1 + args.users + rounds * args.users
    return {
        "questions": rounds * args.users,
        "users": args.users,
        "bursts": rounds,
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "burst_median_s": round(statistics.median(burst_times), 3),
        "throughput_qps": round(len(latencies) / wall, 1),
        "cpu_ms_per_reply": round(cpu / len(latencies) * 1000, 3),
        "rss_kib": {"before": memory_before["VmRSS"], "half": memory_half.get("VmRSS"),
                    "after": memory_after["VmRSS"]},
        "peak_rss_kib": {"before": memory_before["VmHWM"], "half": memory_half.get("VmHWM"),
                         "after": memory_after["VmHWM"]},
        "peak_ratio_after_to_before": round(memory_after["VmHWM"] / memory_before["VmHWM"], 3),
        "peak_ratio_after_to_half": round(memory_after["VmHWM"] / memory_half["VmHWM"], 3) if memory_half else None,
        "log_rows": rows,
        "asked_including_warm_up": asked,
        "every_question_logged": rows == asked,
        "exit_code": code,
    }  # fmt: skip


def kill_run(emu: Emulator, env: dict[str, str], tmp: Path, args: argparse.Namespace) -> dict:
    users = [Emulator.user(FIRST_USER + 10_000 + i, f"K{i}") for i in range(args.users)]
    process = start(emu, env, tmp / "kill.log", users[0])
    sent_before = sum(c.method == "sendMessage" and c.status == 200 for c in list(emu.calls))

    def answered() -> int:
        return sum(c.method == "sendMessage" and c.status == 200 for c in list(emu.calls)) - sent_before

    post_round_robin(emu, users, args.kill_questions)
    wait_for(lambda: answered() >= args.kill_questions // 2, 120, 0.005)
    process.kill()
    process.wait(30)
    done = answered() + 1  # + the start-up question
    with sqlite3.connect(env["BOT_DATABASE"]) as db:
        rows = db.execute("SELECT count(*) FROM queries").fetchone()[0]
        intact = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return {"questions": args.kill_questions, "answered_before_kill": done, "rows": rows,
            "answered_without_row": done - rows, "bound": BATCH_SIZE, "database_intact": intact}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument(
        "--send-rate",
        type=int,
        default=0,
        help="BOT_SEND_RATE: messages/s overall (0: none, the emulator has no limit; Telegram: 30)",
    )
    parser.add_argument("--kill-questions", type=int, default=3000, help="0: no kill -9 run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with Emulator() as emu:
        base = {"BOT_SEND_RATE": str(args.send_rate)}
        load = load_run(emu, bot_env(emu, tmp / "load.sqlite3", **base), tmp, args)
        killed = kill_run(emu, bot_env(emu, tmp / "kill.sqlite3", **base, BOT_RATE_LIMIT="100000"),
                          tmp, args) if args.kill_questions else None  # fmt: skip
        refused = [(c.method, c.result) for c in emu.rejected()]
    report = {"load": load, "kill_9": killed, "refused_calls": refused}
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{load['questions']} questions from {load['users']} users in {load['bursts']} bursts "
            f"(send rate limit: {args.send_rate or 'none'}), emulator on 127.0.0.1"
        )
        print(
            f"latency per question: median {load['median_ms']} ms, p99 {load['p99_ms']} ms; "
            f"burst median {load['burst_median_s']} s; throughput {load['throughput_qps']} q/s; "
            f"CPU {load['cpu_ms_per_reply']} ms per reply"
        )
        rss, peak = load["rss_kib"], load["peak_rss_kib"]
        print(
            f"RSS KiB before/half/after: {rss['before']}/{rss['half']}/{rss['after']}; peak: "
            f"{peak['before']}/{peak['half']}/{peak['after']} (after/before {load['peak_ratio_after_to_before']}, "
            f"after/half {load['peak_ratio_after_to_half']})"
        )
        print(f"log rows: {load['log_rows']} of {load['asked_including_warm_up']} questions (with warm-up)")
        if killed:
            print(
                f"kill -9 after {killed['answered_before_kill']} of {killed['questions']} answered: "
                f"{killed['answered_without_row']} answered without a row (bound {killed['bound']}), "
                f"database intact: {killed['database_intact']}"
            )
        if refused:
            print(f"refused calls: {refused}")  # fmt: skip
    ok = load["every_question_logged"] and load["exit_code"] == 0 and not refused
    ok = ok and (not killed or (killed["answered_without_row"] <= BATCH_SIZE and killed["database_intact"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

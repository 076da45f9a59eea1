"""End-to-end latency and throughput of the bot, side by side with a trivial echo bot.

    python bench/e2e.py [--questions 1000] [--users 50] [--rounds 5] [--rate 0] [--knowledge DIR] [--json]

Both bots run as real processes long-polling the Bot API emulator (tests/emulator.py) on
127.0.0.1, through PTB's real network stack (its stock HTTP transport, httpx, for both). Each of
`users` users asks its share of the questions one after another (the next as soon as the reply
arrives), all users at once; or, with ``--rate``, the questions arrive at that many a second,
user after user, whatever the bot does (Telegram lets a bot send about 30 a second).
Latency is question-to-reply: from the moment a question is queued at the emulator to the
moment the bot's sendMessage for it arrives. Reports median, p99, throughput and CPU time per
reply (read from /proc) for both bots, their ratio (target: ours within 1.3x of echo), and the
query log rows our bot wrote, which must equal the questions it was sent. Exits 1 if they
differ or the emulator refused any call.

Machines here are shared and their speed drifts, so one run proves little. Each bot has its own
emulator; each round starts both bots anew, and both answer `questions` back to back (who goes
first alternates). The ratio reported is the median of the rounds' ratios; the ratio of all
rounds merged is in the JSON as well.
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
    """One bot's share of a round: per-question latencies (s) and the wall time for all of them."""

    latencies: list[float]
    wall: float
    cpu: float  #: CPU seconds the bot process used meanwhile

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return {
            "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2),
            "throughput_qps": round(len(ordered) / self.wall, 1),
            "cpu_ms_per_reply": round(self.cpu / len(ordered) * 1000, 3),
        }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Bot:
    """A bot process long-polling its own emulator, and the users who ask it."""

    name: str
    emu: Emulator
    process: subprocess.Popen[bytes]
    users: list[dict]
    asked: int = 0

    def ask(self, questions: int, rate: float = 0) -> Phase:
        """Each user asks its share of `questions`: one after another, all users at once; or,
        with `rate`, user after user at `rate` questions a second whatever the replies do."""
        numbers = range(self.asked, self.asked + questions)
        texts = [QUESTIONS[(n * 7 + n // len(QUESTIONS)) % len(QUESTIONS)] for n in numbers]
        self.asked += questions
        cpu = cpu_seconds(self.process.pid)
        if rate:
            latencies, wall = self.emu.run(_paced(self.emu, self.users, texts, rate), 600)
        else:
            per_user: list[list[str]] = [[] for _ in self.users]
            for n, text in zip(numbers, texts, strict=True):
                per_user[n % len(self.users)].append(text)
            latencies, wall = self.emu.run(_load(self.emu, self.users, per_user), 600)
        return Phase(latencies, wall, cpu_seconds(self.process.pid) - cpu)

    def stop(self, log: Path) -> None:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        if code != 0:
            sys.exit(f"{self.name} exited with {code}:\n{log.read_text(errors='replace')}")


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


async def _paced(
    emu: Emulator, users: list[dict], texts: list[str], rate: float
) -> tuple[list[float], float]:
    """Question n is posted `n / rate` seconds after the start, by user n; returns latencies and wall time."""
    started = time.monotonic()

    async def one(n: int, text: str) -> float:
        await asyncio.sleep(started + n / rate - time.monotonic())
        user, posted = users[n % len(users)], time.monotonic()
        message = emu.post_private(user, text)
        return (await emu.bot_reply(user["id"], message["message_id"], timeout=60))["received_at"] - posted

    latencies = await asyncio.gather(*(one(n, text) for n, text in enumerate(texts)))
    return list(latencies), time.monotonic() - started


def start(name: str, emu: Emulator, command: list[str], env: dict[str, str], users: int, log: Path) -> Bot:
    """Start a bot on `emu` and wait until it polls."""
    env = {**env, "BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.url}
    polls_before = sum(c.method == "getUpdates" for c in list(emu.calls))
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while sum(c.method == "getUpdates" for c in list(emu.calls)) <= polls_before:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"{command} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    return Bot(name, emu, process, [Emulator.user(10_000 + i, f"User{i}") for i in range(users)])


def _ratios(echo: dict, ours: dict) -> dict[str, float]:
    """Ours relative to echo: >1 means slower (for throughput: echo's q/s over ours)."""
    return {
        "median": round(ours["median_ms"] / echo["median_ms"], 3),
        "p99": round(ours["p99_ms"] / echo["p99_ms"], 3),
        "throughput": round(echo["throughput_qps"] / ours["throughput_qps"], 3),
        "cpu_per_reply": round(ours["cpu_ms_per_reply"] / echo["cpu_ms_per_reply"], 3),
    }


def _merged(phases: list[Phase]) -> Phase:
    return Phase(
        [x for p in phases for x in p.latencies], sum(p.wall for p in phases), sum(p.cpu for p in phases)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000, help="per bot and round")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="echo and ours, alternating who goes first")
    parser.add_argument("--rate", type=float, default=0,
                        help="questions a second, user after user (0: each user asks as soon as answered)")  # fmt: skip
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    database = tmp / "querylog.sqlite3"
    base = {k: v for k, v in os.environ.items() if k != "BOT_CONFIG"}
    # Like for like with the echo bot: no overall send limit (the emulator has none) and no
    # per-user question limit (each user here asks far more than 20 a minute).
    ours_env = {**base, "BOT_DATABASE": str(database), "BOT_KNOWLEDGE_DIR": args.knowledge,
                "BOT_SEND_RATE": "0", "BOT_RATE_LIMIT": "1000000"}  # fmt: skip
    rounds: list[tuple[Phase, Phase]] = []
    asked = 0  # questions our bot was sent, warm-up included
    with Emulator() as echo_emu, Emulator() as ours_emu:
        for round_ in range(args.rounds):
            # Fresh processes each round: one process can run 10-20 % faster or slower than
            # another of the same code for its whole life, so each round starts both anew. Both
            # are up at once and answer back to back, who goes first alternating: each round's
            # pair meets the same machine, and the rounds' median ratio is the result.
            echo = start("echo", echo_emu, [sys.executable, "bench/echo_bot.py"],
                         base, args.users, tmp / "echo.log")  # fmt: skip
            ours = start("exile-desk", ours_emu, [sys.executable, "-m", "bot", "run"], ours_env,
                         args.users, tmp / "bot.log")  # fmt: skip
            try:
                for bot in (echo, ours):
                    bot.ask(args.users)  # warm-up: one question per user
                order = (echo, ours) if round_ % 2 == 0 else (ours, echo)
                done = {bot.name: bot.ask(args.questions, args.rate) for bot in order}
            finally:
                echo.stop(tmp / "echo.log")
                ours.stop(tmp / "bot.log")
            asked += ours.asked
            rounds.append((done["echo"], done["exile-desk"]))
        refused = [(c.method, c.result) for emu in (echo_emu, ours_emu) for c in emu.rejected()]
    with sqlite3.connect(database) as db:
        log_rows = db.execute("SELECT count(*) FROM queries").fetchone()[0]
    per_round = [_ratios(e.summary(), o.summary()) for e, o in rounds]
    ratio = {k: round(statistics.median(r[k] for r in per_round), 2) for k in per_round[0]}
    echo_s, ours_s = _merged([e for e, _ in rounds]).summary(), _merged([o for _, o in rounds]).summary()
    rows_ok = log_rows == asked
    report = {
        "users": args.users,
        "questions_per_round": args.questions,
        "rounds": args.rounds,
        "rate": args.rate,
        "echo": echo_s,
        "exile-desk": ours_s,
        "ratio_ours_to_echo": ratio,
        "ratio_per_round": per_round,
        "ratio_of_merged_rounds": _ratios(echo_s, ours_s),
        "within_1_3x": all(ratio[k] <= 1.3 for k in ("median", "p99", "throughput")),
        "questions_to_our_bot": asked,
        "log_rows": log_rows,
        "log_rows_equal_questions": rows_ok,
        "refused_calls": refused,
    }
    if args.json:
        print(json.dumps(report))
    else:
        pace = f"{args.rate:g} a second" if args.rate else "each as soon as answered"
        print(f"{args.questions} questions x {args.rounds} rounds per bot from {args.users} users, {pace} "
              "(+1 warm-up question each), emulator on 127.0.0.1")  # fmt: skip
        print(f"{'':18}{'echo':>10}{'exile-desk':>12}{'ratio':>8}   per round")
        for key, label, r in (("median_ms", "median (ms)", "median"), ("p99_ms", "p99 (ms)", "p99"),
                              ("throughput_qps", "throughput (q/s)", "throughput"),
                              ("cpu_ms_per_reply", "CPU ms / reply", "cpu_per_reply")):  # fmt: skip
            rounds_text = " ".join(f"{x[r]:.2f}" for x in per_round)
            print(f"{label:18}{echo_s[key]:>10}{ours_s[key]:>12}{ratio[r]:>7}x   {rounds_text}")
        print("(latency and q/s over all rounds; ratio = the median of the rounds' ratios)")
        print(f"log rows written: {log_rows} of {asked} questions sent")
        print(f"within 1.3x of echo: {'yes' if report['within_1_3x'] else 'NO'}")
        if refused:
            print(f"refused calls: {refused}")
    return 0 if rows_ok and not refused else 1


if __name__ == "__main__":
    sys.exit(main())

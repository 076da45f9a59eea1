"""Crash: ``kill -9`` mid-burst, restart, and count what was answered, lost and doubled.

    python bench/crash.py [--questions 3000] [--users 300] [--rounds 3] [--json]

The bot runs as a real process long-polling the emulator on 127.0.0.1. Each round posts a burst
of `--questions` private questions from `--users` users, kills the bot with SIGKILL once half are
answered, starts it again on the same database and waits until every question has an answer.
Reports, per round: answered before the kill, questions never answered (must be 0), questions
answered more than once (bounded: see bot/tg/journal.py), query log rows against questions.
Exits 1 if a question was never answered.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import bot_env, post_round_robin, start, wait_for  # noqa: E402
from tests.emulator import Emulator  # noqa: E402

FIRST_USER = 80_000
#: Seconds the restarted bot may take to answer everything left.
FINISH_TIMEOUT = 180


def answers_per_question(emu: Emulator, first_user: int, users: int) -> Counter[tuple[int, int]]:
    """How many bot messages followed each user message in the round's private chats.

    Private replies carry no quote, so a chat's bot messages are matched to its questions in
    order: the n-th question of a chat is answered if the chat has at least n bot messages.
    """

    def count() -> Counter[tuple[int, int]]:
        out: Counter[tuple[int, int]] = Counter()
        for chat_id in range(first_user, first_user + users):
            chat = emu.chats.get(chat_id)
            if chat is None:
                continue
            asked = [m["message_id"] for m in chat.messages.values() if m["from"]["id"] != emu.bot_id]
            mine = sum(m["from"]["id"] == emu.bot_id for m in chat.messages.values())
            for n, message_id in enumerate(asked):
                out[(chat_id, message_id)] = 1 if n < mine else 0
            if asked:  # answers beyond one per question: duplicates (counted on the last one)
                out[(chat_id, asked[-1])] += max(0, mine - len(asked))
        return out

    return emu._call(count)


def crash_round(emu: Emulator, env: dict[str, str], tmp: Path, number: int, args: argparse.Namespace) -> dict:
    first = FIRST_USER + number * args.users
    users = [Emulator.user(first + i, f"C{i}") for i in range(args.users)]
    process = start(emu, env, tmp / f"crash{number}.log", users[0])
    total = args.questions + 1  # + the start-up question

    def answered() -> int:
        return sum(n > 0 for n in answers_per_question(emu, first, args.users).values())

    post_round_robin(emu, users, args.questions)
    wait_for(lambda: answered() >= total // 2, 120)
    process.kill()
    process.wait(30)
    before = answered()
    rows_at_kill = log_rows(env)
    process = start(emu, env, tmp / f"restart{number}.log", users[1])  # its own question: + 1
    total += 1
    wait_for(lambda: answered() >= total, FINISH_TIMEOUT, 0.05)
    process.send_signal(signal.SIGTERM)  # a clean stop: every row of this run is written
    process.wait(30)
    counts = answers_per_question(emu, first, args.users)
    return {
        "questions": total,
        "answered_before_kill": before,
        "never_answered": sum(n == 0 for n in counts.values()),
        "answered_twice_or_more": sum(n - 1 for n in counts.values() if n > 1),
        # Answered but not yet written when killed (kill -9 loses the query log's queue).
        "log_rows_lost_at_kill": before - rows_at_kill,
        "log_rows": log_rows(env),
    }


def log_rows(env: dict[str, str]) -> int:
    """Rows in the bot's query log."""
    with sqlite3.connect(env["BOT_DATABASE"]) as db:
        return db.execute("SELECT count(*) FROM queries").fetchone()[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--questions", type=int, default=3000)
    p.add_argument("--users", type=int, default=300)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    rounds = []
    with Emulator() as emu:
        for number in range(args.rounds):
            env = bot_env(emu, tmp / f"log{number}.sqlite3", BOT_SEND_RATE="0", BOT_RATE_LIMIT="100000")
            rounds.append(crash_round(emu, env, tmp, number, args))
    if args.json:
        print(json.dumps({"rounds": rounds}))
    else:
        for n, r in enumerate(rounds, 1):
            print(f"round {n}: {r['questions']} questions, {r['answered_before_kill']} answered before kill -9; "
                  f"after the restart never answered {r['never_answered']}, answered twice "
                  f"{r['answered_twice_or_more']}; {r['log_rows']} log rows "
                  f"({r['log_rows_lost_at_kill']} answered but not yet written at the kill)")  # fmt: skip
    return 0 if all(r["never_answered"] == 0 for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())

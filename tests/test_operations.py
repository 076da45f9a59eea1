"""Production faults of issue 14: floods, signals, deleted files, odd senders, start-up trouble.

Each test drives the real application against the Bot API emulator (in this process, or the bot
as its own process) and asserts what a user or an operator sees.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from telegram import Chat, Message, Update

from bot.answers.engine import Engine
from bot.tg import concurrency
from bot.tg.concurrency import PerChatOrder, outside_slot
from bot.tg.delivery import PatientRateLimiter
from tests.conftest import KNOWLEDGE, ROOT
from tests.emulator import Emulator
from tests.helpers import bot_env, logged, wait_for_line, wait_until
from tests.inprocess import Running, run_app, settings_for
from tests.replies import ANSWERS, first_line

GROUP = -100500
#: Group members, each asking `PER_MEMBER` questions: within the per-user limit (20 a minute),
#: far over Telegram's 20 messages a minute for one group.
MEMBERS, PER_MEMBER = 6, 20


def test_a_flooded_group_delays_only_itself(tmp_path: Path, engine: Engine, emu: Emulator) -> None:
    members = [Emulator.user(900 + i, f"G{i}") for i in range(MEMBERS)]
    asker = Emulator.user(990, "Private")
    seen: dict[str, int] = {}

    def group_replies() -> int:
        return len(emu.bot_messages(GROUP))

    def script(run: Running) -> None:
        async def flood() -> None:
            for n in range(PER_MEMBER):
                for member in members:
                    emu._user_message(member, GROUP, "supergroup", "Busy group", f"/ask kasparov {n}", None)

        emu.run(flood(), 10)
        # Once the group's minute is used up, its replies wait for Telegram's group limit.
        wait_until(lambda: group_replies() >= 20, 30, "the group's first 20 answers")
        reply = emu.reply_to(emu.private_message(asker, "who is yashin"), timeout=20)
        seen["group"] = group_replies()
        seen["private"] = first_line(reply) == ANSWERS["who is yashin"].first_line

    run_app(settings_for(emu, tmp_path), engine, script, emu)
    assert seen["private"]
    # Answered while the group's backlog (100 questions, 3 s each) was still waiting.
    assert seen["group"] < MEMBERS * PER_MEMBER // 2
    assert emu.rejected() == []


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP)
    return Update(update_id, message=Message(update_id, dt.datetime.now(dt.UTC), chat))


async def test_an_update_waiting_outside_its_slot_lets_another_chat_in() -> None:
    processor = PerChatOrder(1)  # one slot: whoever holds it while waiting blocks everyone
    waiting, release, order = asyncio.Event(), asyncio.Event(), []

    async def group_reply() -> None:
        async with outside_slot():  # e.g. Telegram's per-group limit
            waiting.set()
            await release.wait()
        order.append("group")

    async def private_reply() -> None:
        order.append("private")
        release.set()

    group = asyncio.create_task(processor.process_update(_update(1, GROUP), group_reply()))
    await waiting.wait()
    await asyncio.wait_for(processor.process_update(_update(2, 7), private_reply()), 5)
    await asyncio.wait_for(group, 5)
    assert order == ["private", "group"]


async def test_group_sends_wait_for_their_limit_outside_the_slot() -> None:
    processor, limiter = PerChatOrder(1), PatientRateLimiter(0)
    held: dict[int, bool] = {}
    await limiter.initialize()

    async def send(chat_id: int) -> None:
        async def callback() -> dict:
            slot = concurrency._CURRENT.get()
            held[chat_id] = slot is not None and slot.held
            return {}

        await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    for chat_id in (GROUP, 7):
        await processor.process_update(_update(abs(chat_id), chat_id), send(chat_id))
    assert held == {GROUP: False, 7: True}


def test_sighup_while_starting_and_stopping_neither_kills_nor_loses_rows(
    tmp_path: Path, emu: Emulator
) -> None:
    log, database = tmp_path / "bot.log", tmp_path / "log.sqlite3"
    env = bot_env(BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.url, BOT_DATABASE=str(database),
                  BOT_KNOWLEDGE_DIR=str(KNOWLEDGE))  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for_line(log, "starting: knowledge from")

        def hup_until(done: Callable[[], bool]) -> int:
            sent = 0
            for _ in range(2000):  # bounded: 2,000 signals at most, 10 ms apart
                if done() or process.poll() is not None:
                    break
                process.send_signal(signal.SIGHUP)
                sent += 1
                time.sleep(0.01)
            return sent

        during_start = hup_until(lambda: "is up" in log.read_text(errors="replace"))
        assert process.poll() is None and during_start > 0
        users = [Emulator.user(960 + i, f"H{i}") for i in range(5)]
        for user in users:
            emu.reply_to(emu.private_message(user, "kasparov"), timeout=20)
        process.send_signal(signal.SIGTERM)
        during_stop = hup_until(lambda: False)
        assert process.wait(15) == 0, log.read_text(errors="replace")
        assert during_stop > 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert logged(database) == len(users)
    assert "query log closed: 5 rows written, 0 dropped" in log.read_text(errors="replace")

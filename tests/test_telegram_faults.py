"""The Bot API failing: 5xx, 429, timeouts, refused connections and restarts, through a fault proxy.

The bot talks to the emulator through `tests/faultproxy.py`. While a fault is on, users keep
asking; once it is off, every question asked meanwhile must be answered exactly once and logged.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.answers.engine import Engine
from bot.tg.delivery import RETRY_AFTER_RETRIES, PatientRateLimiter
from tests.emulator import Emulator
from tests.faultproxy import FaultProxy
from tests.helpers import logged, wait_until
from tests.inprocess import Running, run_app, settings_for
from tests.replies import ANSWERS, assert_shows, first_line

QUESTIONS = ["where does kasparov live", "who is navalnaya", "кто такой Яшин", "gudkov", "what is FBK",
             "why did khodorkovsky leave russia"]  # fmt: skip
#: Asked by each user once the fault is over. The bot handles a chat's messages in order, so once
#: this is answered, every question before it has been answered, retries and duplicates included.
SENTINEL = "who is yashin"
FAULT_SECONDS = 1.0


@pytest.mark.parametrize("mode", ["500", "502", "429", "timeout", "restart"])
def test_after_an_api_fault_every_question_is_answered_once_and_logged(
    tmp_path: Path, engine: Engine, emu: Emulator, mode: str
) -> None:
    users = [Emulator.user(500 + i, f"U{i}") for i in range(3)]
    asked = {u["id"]: QUESTIONS[i::3] for i, u in enumerate(users)}
    sentinel = ANSWERS[SENTINEL].first_line

    def script(run: Running) -> None:
        emu = run.emu
        emu.reply_to(emu.private_message(users[0], "kasparov"))  # working before the fault
        proxy.fault(mode)
        for user in users:
            for question in asked[user["id"]]:
                emu.private_message(user, question)
        time.sleep(FAULT_SECONDS)
        proxy.fault(None)
        for user in users:
            emu.private_message(user, SENTINEL)
        for user in users:
            wait_until(lambda u=user: sentinel in map(first_line, emu.bot_messages(u["id"])), 30,
                       f"the answer to {user['first_name']}'s last question")  # fmt: skip

    with FaultProxy(emu.port) as proxy:
        settings = settings_for(emu, tmp_path, api_base_url=proxy.url)
        run = run_app(settings, engine, script, emu)
    assert emu.rejected() == []
    assert proxy.faulted.get(mode, 0) + proxy.dropped > 0, "the fault never happened"
    for user in users:
        replies = emu.bot_messages(user["id"])
        before = ["kasparov"] if user is users[0] else []
        expected = [ANSWERS[q] for q in [*before, *asked[user["id"]], SENTINEL]]
        # None dropped, none twice (each question here has its own first line), each as it must be.
        assert Counter(map(first_line, replies)) == Counter(e.first_line for e in expected)
        shown = {e.first_line: e for e in expected}
        for reply in replies:
            assert_shows(reply, shown[first_line(reply)])
        assert first_line(replies[-1]) == sentinel
    assert logged(settings.database) == len(QUESTIONS) + 1 + len(users)
    assert run.errors == []


async def test_a_call_that_finds_every_connection_busy_is_not_sent() -> None:
    # PTB's transport fails it with TimedOut, which the limiter retries: safe, as it never left.
    with Emulator() as emu, FaultProxy(emu.port) as proxy:
        url = f"{proxy.url}/bot{emu.token}/getMe"
        async with HTTPXRequest(1, read_timeout=1, pool_timeout=0.2) as request:
            proxy.fault("timeout")
            held = asyncio.create_task(request.post(url))
            await asyncio.to_thread(wait_until, lambda: proxy.faulted.get("timeout"), 5, "the first call")
            with pytest.raises(TimedOut, match=r"\*not\* sent"):
                await request.post(url)
            proxy.fault(None)
            with pytest.raises(TimedOut):
                await held
            assert (await request.post(url))["is_bot"]  # the connection was given back
    assert proxy.faulted == {"timeout": 1} and proxy.forwarded == 1


# --- the retrying limiter on its own -------------------------------------------------------


def flaky(*failures: Exception) -> tuple[list[int], object]:
    """A Bot API call that raises `failures` in turn, then succeeds; and its call count."""
    calls = [0]

    async def call(*_args: object, **_kwargs: object) -> bool:
        calls[0] += 1
        if calls[0] <= len(failures):
            raise failures[calls[0] - 1]
        return True

    return calls, call


async def send(limiter: PatientRateLimiter, call: object, endpoint: str = "sendMessage") -> object:
    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": 5}, None)  # type: ignore[arg-type]


async def test_replies_are_retried_after_network_errors_timeouts_and_429() -> None:
    limiter = PatientRateLimiter(first_delay=0.01)
    calls, call = flaky(NetworkError("Bad Gateway"), TimedOut(), RetryAfter(0), NetworkError("refused"))
    assert await send(limiter, call) is True
    assert calls == [5] and limiter.retries == 3  # the 429 is retried inside PTB's limiter


async def test_429s_are_retried_by_ptbs_limiter_alone_up_to_its_bound() -> None:
    limiter = PatientRateLimiter(0, first_delay=0.01)
    calls, call = flaky(*[RetryAfter(0)] * (RETRY_AFTER_RETRIES + 5))
    with pytest.raises(RetryAfter):
        await send(limiter, call)
    assert calls == [RETRY_AFTER_RETRIES + 1] and limiter.retries == 0


async def test_bad_requests_and_other_calls_are_not_retried() -> None:
    limiter = PatientRateLimiter(first_delay=0.01)
    calls, call = flaky(BadRequest("message is too long"))
    with pytest.raises(BadRequest):
        await send(limiter, call)
    calls_me, get_me = flaky(NetworkError("down"))
    with pytest.raises(NetworkError):
        await send(limiter, get_me, endpoint="getMe")  # start-up fails fast instead
    assert calls == calls_me == [1]


async def test_a_reply_is_given_up_after_the_bound() -> None:
    limiter = PatientRateLimiter(give_up_after=0.2, first_delay=0.05, max_delay=0.05)
    calls, call = flaky(*[NetworkError("down")] * 100)
    started = time.monotonic()
    with pytest.raises(NetworkError):
        await send(limiter, call)
    assert time.monotonic() - started < 1 and limiter.given_up == 1 and 2 <= calls[0] <= 6
    await asyncio.sleep(0)


async def test_messages_keep_to_the_overall_rate() -> None:
    limiter = PatientRateLimiter(5)  # a bucket of 5, then one every 0.2 s
    _, call = flaky()
    started = time.monotonic()
    await asyncio.gather(*(send(limiter, call) for _ in range(10)))
    assert time.monotonic() - started >= 0.8


async def test_a_429_pauses_every_call_for_its_retry_after() -> None:
    limiter = PatientRateLimiter(0)
    refused, refused_once = flaky(RetryAfter(1))
    _, fine = flaky()
    started = time.monotonic()
    first = asyncio.create_task(send(limiter, refused_once))
    async with asyncio.timeout(5):
        while refused == [0]:  # until the 429 has come back (the pause starts as it is raised)
            await asyncio.sleep(0)
    assert await send(limiter, fine) is True
    assert time.monotonic() - started >= 1.0 and await first is True

"""The per-user limit: one flooding user gets a notice, then silence, and others are not starved."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.tg import phrases
from bot.tg.ratelimit import PRUNE_AT, RateLimit, Verdict
from tests.emulator import Emulator
from tests.helpers import wait_until
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for
from tests.replies import ANSWERS, assert_shows


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_over_the_limit_one_notice_then_silence_until_the_window_eases() -> None:
    clock = Clock()
    limit = RateLimit(3, window=60, clock=clock)
    for _ in range(3):
        assert limit.check(7) is Verdict.ALLOW
        clock.now += 10
    assert limit.check(7) is Verdict.NOTICE
    assert limit.check(7) is Verdict.QUIET and limit.check(8) is Verdict.ALLOW  # others unaffected
    assert limit.retry_in(7) == 30
    clock.now += 29.9
    assert limit.check(7) is Verdict.QUIET
    clock.now += 0.2
    assert limit.check(7) is Verdict.ALLOW  # the first question left the window
    assert limit.check(7) is Verdict.NOTICE  # and a new episode gets a new notice
    assert limit.refused == 4


def test_idle_users_are_forgotten_so_memory_stays_bounded() -> None:
    clock = Clock()
    limit = RateLimit(1, window=60, clock=clock)
    for user in range(PRUNE_AT):
        limit.check(user)
    clock.now += 61
    limit.check(-1)
    assert len(limit) == 1


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimit(0)


def test_a_flooding_user_does_not_starve_others(tmp_path: Path, engine: Engine, emu: Emulator) -> None:
    flooder, other, admin = (
        Emulator.user(800, "Flood"),
        Emulator.user(801, "Calm"),
        Emulator.user(ADMIN_ID, "A"),
    )

    def script(run: Running) -> None:
        emu = run.emu
        first = emu.private_message(flooder, "who is yashin 0")
        for n in range(1, 60):
            emu.private_message(flooder, f"who is yashin {n}")
        started = time.monotonic()
        for question in ("where does kasparov live", "who is navalnaya", "gudkov"):
            assert_shows(emu.reply_to(emu.private_message(other, question)), ANSWERS[question])
        assert time.monotonic() - started < 3
        wait_until(lambda: len(emu.bot_messages(800)) >= 6, 10, "the flooder's answers")
        for _ in range(10):
            emu.private_message(admin, "kasparov")  # admins are exempt
        wait_until(lambda: len(emu.bot_messages(ADMIN_ID)) >= 11, 10, "the admin's answers")
        # The sentinel: a button pressed in the flooder's chat is always answered (silently, over
        # the limit) and handled after that chat's messages, so then all 60 have been handled.
        assert emu.callback_answer(emu.forged_press(flooder, first, "r:en:kasparov"))["text"] == ""

    run = run_app(settings_for(emu, tmp_path, rate_limit_per_minute=5), engine, script, emu)
    flood = [m["text"] for m in emu.bot_messages(800)]
    assert emu.rejected() == []
    notice = phrases.say("rate_limited", "en", limit=5, seconds=60)
    assert len(flood) == 6 and flood[-1].split("about")[0] == notice.split("about")[0]
    assert run.app.bot_data.rate_limit.refused == 55 + 1  # and the sentinel's press
    assert run.errors == []


def test_over_the_limit_inline_queries_get_no_results_and_buttons_a_notice(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    user = Emulator.user(802, "Btn")

    def script(run: Running) -> None:
        emu = run.emu
        offer = emu.reply_to(emu.private_message(user, "gudkov"))
        data = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        first = emu.callback_answer(emu.press(user, offer, data))
        assert first["text"].startswith("You are asking faster")
        assert emu.callback_answer(emu.press(user, offer, data))["text"] == ""
        results = [bool(emu.inline_answer(emu.inline_query(user, "kasparov"))["results"]) for _ in range(7)]
        assert results == [True] * 5 + [False] * 2

    run = run_app(settings_for(emu, tmp_path, rate_limit_per_minute=1), engine, script, emu)
    assert emu.rejected() == []
    assert run.errors == []

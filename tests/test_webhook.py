"""Webhook mode end to end: ``python -m bot run`` with BOT_WEBHOOK_* set, the emulator posting updates.

The bot process serves PTB's webhook server on a loopback port; the emulator posts each update
to it with the secret header, as Telegram does, and sees the replies the bot sends back.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
from pathlib import Path

from tests.emulator import Emulator
from tests.helpers import bot_env, bot_process, free_port, run_cli, wait_for_line
from tests.replies import GUDKOVS, KASPAROV_LIVES, YASHIN, assert_shows

SECRET = "webhook-SECRET_0123456789"
USER = Emulator.user(7_301_777_001, "Wanda")


def test_the_bot_answers_updates_posted_to_its_webhook_and_refuses_requests_without_the_secret(
    tmp_path: Path, emu: Emulator
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    webhook = {
        "BOT_WEBHOOK_URL": url,
        "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "BOT_WEBHOOK_SECRET": SECRET,
    }
    database, log = tmp_path / "q.sqlite3", tmp_path / "bot.log"
    env = {"BOT_DATABASE": str(database), "TELEGRAM_API_BASE_URL": emu.url, **webhook}  # as the bot has
    with bot_process(emu, database, log, ready="setWebhook", **webhook) as process:
        (set_webhook,) = [c for c in emu.calls if c.method == "setWebhook"]
        assert set_webhook.params["url"] == url and set_webhook.params["secret_token"] == SECRET
        assert json.loads(set_webhook.params["allowed_updates"]) == [
            "message",
            "callback_query",
            "inline_query",
            "chosen_inline_result",  # inline mode logs the query a user settles on (bot.tg.inlinelog)
        ]
        assert not any(c.method == "getUpdates" for c in emu.calls)

        assert_shows(emu.reply_to(emu.private_message(USER, "where does kasparov live")), KASPAROV_LIVES)
        offer = emu.reply_to(emu.private_message(USER, "gudkov"))
        assert_shows(offer, GUDKOVS)
        first = offer["reply_markup"]["inline_keyboard"][0][0]  # one of the Gudkovs
        assert emu.callback_answer(emu.press(USER, offer, first["callback_data"]))
        assert emu.inline_answer(emu.inline_query(USER, "kasparov"))["results"]
        assert all(status == 200 for _, status in emu.webhook_posts)

        # Requests without the secret, or with another one, are refused and answered by nothing.
        before = emu.bot_messages(USER["id"])
        for secret in (None, "", "webhook-SECRET_012345678", SECRET + "x"):
            assert emu.post_webhook(emu.unsent_private(USER, "what is FBK"), secret) == 403
        sentinel = emu.reply_to(emu.private_message(USER, "who is yashin"))  # one chat: in order
        assert_shows(sentinel, YASHIN)
        assert emu.bot_messages(USER["id"]) == [*before, sentinel]
        assert (
            emu.post_webhook(emu.unsent_private(USER, "/help"), SECRET) == 200
        )  # the secret is all it takes

        healthy = run_cli("health", env=bot_env(**env))
        assert healthy.returncode == 0, healthy.stderr
        assert healthy.stdout.startswith("ok: ") and "(webhook, pid" in healthy.stdout

        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    wait_for_line(log, "query log closed")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT front, query FROM queries ORDER BY id").fetchall()
    assert rows == [  # the refused requests ("what is FBK") neither answered nor logged
        ("private", "where does kasparov live"),
        ("private", "gudkov"),
        ("callback", first["text"]),
        ("private", "who is yashin"),
        ("private", "/help"),
        ("inline", "kasparov"),  # logged once settled: here at shutdown
    ]
    stopped = run_cli("health", env=bot_env(**env))
    assert stopped.returncode == 1 and "not running" in stopped.stderr
    assert emu.webhook is not None  # left set on stop: Telegram keeps the updates until the next start

    # Back to long polling: the bot deletes the webhook first (getUpdates is refused while one is set).
    asked = emu.private_message(USER, "where does kasparov live")
    with bot_process(emu, database, tmp_path / "polling.log"):
        assert_shows(emu.reply_to(asked), KASPAROV_LIVES)
    assert emu.webhook is None
    methods = [c.method for c in emu.calls]
    assert "deleteWebhook" in methods[methods.index("setWebhook") + 1 :]


def test_a_listen_address_in_use_stops_the_start_with_one_line_before_telegram_hears_of_it(
    tmp_path: Path, emu: Emulator
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = bot_env(BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.url, BOT_DATABASE=str(tmp_path / "q.sqlite3"),
                      BOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}")  # fmt: skip
        done = run_cli("run", env=env)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (webhook_listen or BOT_WEBHOOK_LISTEN): Address already in use"
    ]
    assert emu.calls == []


def test_updates_acknowledged_to_telegram_survive_a_kill_9_and_are_answered_after_the_restart(
    tmp_path: Path, emu: Emulator
) -> None:
    port = free_port()
    webhook = {"BOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook", "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
               "BOT_WEBHOOK_SECRET": SECRET, "BOT_RATE_LIMIT": "1000"}  # fmt: skip
    database = tmp_path / "q.sqlite3"
    users = [Emulator.user(7_301_778_000 + i, f"K{i}") for i in range(20)]
    with bot_process(emu, database, tmp_path / "bot.log", ready="setWebhook", **webhook) as process:
        emu.fail("sendMessage", status=500, times=10_000)  # no answer can go out: all are pending
        posted = [emu.unsent_private(user, "where does kasparov live") for user in users]
        for update in posted:
            assert emu.post_webhook(update, SECRET) == 200
        process.kill()
        process.wait(10)
    assert all(emu.bot_messages(user["id"]) == [] for user in users), "answered before the kill"
    emu._call(emu._faults.clear)
    with bot_process(emu, database, tmp_path / "bot2.log", ready="setWebhook", **webhook) as process:
        emu.wait_for(lambda: all(emu._bot_messages(user["id"]) for user in users), 30)
        assert emu.post_webhook(posted[0], SECRET) == 200  # Telegram posting one again: not answered again
        sentinel = emu.reply_to(emu.private_message(users[0], "who is yashin"))  # one chat: in order
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    assert_shows(sentinel, YASHIN)
    assert emu.bot_messages(users[0]["id"])[1:] == [sentinel]
    for user in users:  # each answered exactly once, none lost
        assert_shows(emu.bot_messages(user["id"])[0], KASPAROV_LIVES)
        assert len(emu.bot_messages(user["id"])) == 1 + (user is users[0])
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM queries").fetchone() == (len(users) + 1,)

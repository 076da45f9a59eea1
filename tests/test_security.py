"""Security and privacy: admin checks, the token kept out of output, no personal data stored, safe SQL."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.querylog.store import USER_TABLES
from bot.tg import phrases
from bot.tg.redact import MASK, RedactingFilter, secret_parts
from tests.conftest import KNOWLEDGE, ROOT
from tests.emulator import Emulator
from tests.helpers import bot_env, run_cli
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for
from tests.replies import KASPAROV_LIVES, assert_shows

GROUP = -1_001_555_000_777


def test_admin_commands_check_the_sender_in_every_chat_type(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    stranger, admin = Emulator.user(900, "Mallory"), Emulator.user(ADMIN_ID, "Admin")

    def script(run: Running) -> None:
        emu = run.emu
        unknown = phrases.say("unknown_command", "en")
        for command in ("/stats", "/unanswered", "/reload", "/stats@exile_desk_bot"):
            assert emu.reply_to(emu.private_message(stranger, command))["text"] == unknown
            emu.group_message(stranger, GROUP, command)
            emu.group_message(admin, GROUP, command)  # admin commands are for private chats only
        forwarded = {"text": "/stats", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                     "forward_origin": {"type": "user", "sender_user": admin, "date": 1}}  # fmt: skip
        assert emu.reply_to(emu.media_message(stranger, 900, forwarded))["text"] == unknown
        offer = emu.reply_to(emu.private_message(stranger, "gudkov"))
        for data in ("stats", "reload", "unanswered", "s:en:stats"):
            emu.callback_answer(emu.forged_press(stranger, offer, data))
        assert emu.reply_to(emu.private_message(admin, "/stats"))["text"].startswith("Last 24 hours:")
        # Sentinels: each chat's updates are handled in order, so everything before them is done.
        emu.reply_to(emu.private_message(stranger, "kasparov"))
        sentinel = emu.reply_to(emu.group_message(stranger, GROUP, "/ask kasparov"))
        assert emu.bot_messages(GROUP) == [sentinel]  # no admin command answered in the group

    run_app(settings_for(emu, tmp_path, knowledge_dir=KNOWLEDGE), engine, script, emu)
    stranger_texts = [m["text"] for m in emu.bot_messages(900)]
    reloads = [c for c in emu.calls if "Reload" in str(c.params.get("text", ""))]
    assert reloads == []
    assert not any(("Last 24 hours" in t or "no answer" in t or "No unanswered" in t) for t in stranger_texts)


def test_the_token_never_appears_in_the_output_of_a_refused_start(tmp_path: Path, emu: Emulator) -> None:
    token = "999:wrong-SECRET-part_42"
    env = bot_env(BOT_TOKEN=token, TELEGRAM_API_BASE_URL=emu.url, BOT_DATABASE=str(tmp_path / "q.sqlite3"))
    done = run_cli("run", env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "refused the token (BOT_TOKEN" in output
    # PTB's start-up errors come without tracebacks (issue 14); redacted ones: the test below.
    assert "Traceback" not in output
    assert "wrong-SECRET-part_42" not in output


def test_the_token_never_appears_in_the_output_when_the_api_cannot_be_reached(tmp_path: Path) -> None:
    token = "999:unreachable-SECRET_7"
    with socket.socket() as sock:  # a loopback port that nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
           "BOT_DATABASE": str(tmp_path / "q.sqlite3")}  # fmt: skip
    env.pop("BOT_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1 and f"cannot reach the Bot API server at http://127.0.0.1:{port}" in output
    assert "ConnectError" in output  # the cause is still shown, only without the secret
    assert "unreachable-SECRET_7" not in output


def test_log_records_and_tracebacks_are_redacted() -> None:
    token = "123456:AAE-very_secret"
    try:
        raise RuntimeError(f"The token `{token}` was rejected; url /bot{token}/getMe")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", (token,), sys.exc_info())
    assert RedactingFilter(secret_parts(token)).filter(record)
    text = logging.Formatter().format(record)
    assert "very_secret" not in text and text.count(MASK) == 3
    assert secret_parts(None) == ()


@pytest.mark.parametrize(
    ("env", "expected", "hidden"),
    [
        ({"BOT_TOKEN": "not-a-token-but-secret"}, "environment variable BOT_TOKEN (token): is not a bot token",
         "not-a-token-but-secret"),
        ({"BOT_ADMIN_IDS": "5,-1001234"}, "BOT_ADMIN_IDS (admin_ids): '-1001234' is not a Telegram user id", None),
        ({"BOT_TOKEN": "1:abc", "BOT_DATABASE": "{tmp}/file.txt/log.sqlite3"},
         "error: database (`database:` or BOT_DATABASE): cannot write", None),
    ],
)  # fmt: skip
def test_bad_settings_stop_the_start_with_one_line_naming_the_key(
    tmp_path: Path, env: dict[str, str], expected: str, hidden: str | None
) -> None:
    (tmp_path / "file.txt").write_text("a file, not a folder", encoding="utf-8")
    done = run_cli("run", env=bot_env(**{k: v.format(tmp=tmp_path) for k, v in env.items()}))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert hidden is None or hidden not in done.stderr + done.stdout


def test_no_personal_data_reaches_the_database_and_sql_in_questions_is_just_text(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    people = [{**Emulator.user(912_345_678 + i, f"Firstname{i}"), "last_name": f"Lastname{i}",
               "username": f"handle_{i}_x"} for i in range(3)]  # fmt: skip
    admin = Emulator.user(ADMIN_ID, "Admin")
    injections = ["x'); DELETE FROM queries; --", "'; DROP TABLE queries; --", "<b>bold</b> & <a href='x'>"]

    def script(run: Running) -> None:
        emu = run.emu
        for person, question in zip(people, injections, strict=True):
            emu.reply_to(emu.private_message(person, question))
        asked = emu.group_message(
            people[0], GROUP, "/ask where does kasparov live", title="Secret Group Title"
        )
        emu.reply_to(asked)
        emu.inline_answer(emu.inline_query(people[1], "kasparov"))
        offer = emu.reply_to(emu.private_message(people[2], "gudkov"))
        emu.callback_answer(
            emu.press(people[2], offer, offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        )
        todo = emu.reply_to(emu.private_message(admin, "/unanswered"))["text"]
        for question in injections:  # shown to the admin as the text it was, not as markup
            assert question in todo or engine.ask(question).outcome != "none"
        card = emu.reply_to(emu.private_message(people[1], "where does kasparov live"))
        assert_shows(card, KASPAROV_LIVES)
        not_helpful = next(b for row in card["reply_markup"]["inline_keyboard"] for b in row
                           if b["text"] == "👎 Not helpful")  # fmt: skip
        emu.callback_answer(emu.press(people[1], card, not_helpful["callback_data"]))
        emu.reply_to(card)  # "what is wrong?"
        emu.reply_to(emu.private_message(people[1], "The date is wrong"))  # "thank you"

    settings = settings_for(emu, tmp_path)
    run_app(settings, engine, script, emu)
    assert emu.rejected() == []
    database = settings.database
    with sqlite3.connect(database) as db:
        stored = [q for (q,) in db.execute("SELECT query FROM queries ORDER BY id")]
        tables = {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        reports = db.execute("SELECT verdict, text FROM feedback").fetchall()
        dump = "\n".join(db.iterdump())
    assert stored[:3] == injections and len(stored) == 8
    assert tables == {*USER_TABLES, "migrations", "dismissed"}
    assert reports == [("not_helpful", "The date is wrong")]
    raw = b"".join(p.read_bytes() for p in database.parent.glob(f"{database.name}*"))
    secrets = [str(GROUP), "Secret Group Title"]
    for person in people:
        secrets += [str(person["id"]), person["first_name"], person["last_name"], person["username"]]
    for secret in secrets:
        assert secret not in dump and secret.encode() not in raw, secret

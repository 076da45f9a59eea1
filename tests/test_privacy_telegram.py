"""A user removes what the bot keeps: /forget, /autodelete, /about; inline typing is logged once.

Run through the emulator: the real application in this process (so auto-delete's minute can be
shortened), or the real bot as a process for shutdown.
"""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.querylog import conversation
from bot.tg import privacy
from tests.emulator import Emulator
from tests.helpers import bot_process, wait_until
from tests.inprocess import Running, run_app, settings_for

ANN, BOB = 5550001, 5550002
GROUP = -100777


def rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def ask(emu: Emulator, user: dict, text: str) -> tuple[dict, dict]:
    """The user's message and the bot's reply to it."""
    message = emu.private_message(user, text)
    return message, emu.reply_to(message)


def button(message: dict, data_prefix: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if b["callback_data"].startswith(data_prefix):
                return b["callback_data"]
    raise AssertionError(f"no {data_prefix} button")


def test_forget_deletes_the_chat_and_the_users_rows_and_keeps_everyone_elses(
    emu: Emulator, engine: Engine, tmp_path: Path
) -> None:
    ann, bob = Emulator.user(ANN, "Ann"), Emulator.user(BOB, "Bob")
    settings = settings_for(emu, tmp_path)
    seen: dict = {}

    def script(bot: Running) -> None:
        ask(emu, bob, "who is Yashin? call me +7 912 345 67 89")
        old = ask(emu, ann, "where does Kasparov live")
        mine = [*old, *ask(emu, ann, "who is Pevchikh")]
        asked = emu.group_message(ann, GROUP, "/ask who is yashin")
        emu.reply_to(asked)
        bot.call(bot.querylog.flush(5))
        # The first exchange is three days old: Telegram no longer lets the bot delete it.
        three_days_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat(timespec="milliseconds")
        with sqlite3.connect(settings.database) as db:
            for m in old:
                db.execute(
                    "UPDATE messages SET at = ? WHERE message_id = ?", (three_days_ago, m["message_id"])
                )
        command, prompt = ask(emu, ann, "/forget")
        assert "cannot be undone" in prompt["text"]
        emu.press(ann, prompt, button(prompt, "forget:yes"))
        in_chat = emu.chats[ANN].messages
        done = emu.wait_for(lambda: next((m for m in list(in_chat.values()) if "Done" in m["text"]), None))
        seen.update(done=done, deleted=list(emu.deleted), mine=[*mine[2:], command, prompt], old=old)
        bot.call(bot.querylog.flush(5))

    run_app(settings, engine, script, emu)
    deleted = {m for c, m in seen["deleted"] if c == ANN}
    assert deleted == {m["message_id"] for m in seen["mine"]}  # questions, answers, /forget, prompt
    assert not deleted & {m["message_id"] for m in seen["old"]}
    assert all(chat != BOB for chat, _ in seen["deleted"])
    text = seen["done"]["text"].replace("\xa0", " ")  # counts are joined to their noun by NBSP
    assert "I deleted 4 messages of our chat and 3 questions from my log" in text
    assert "2 messages are older than 48 hours" in text
    # Ann's rows are gone in every table (private and group questions); Bob's are intact, scrubbed.
    assert rows(settings.database, "SELECT query FROM queries") == [("who is Yashin? call me ‹phone›",)]
    assert rows(settings.database, "SELECT count(*) FROM autodelete") == [(0,)]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("log.sqlite3"))
    assert str(ANN).encode() not in raw and str(BOB).encode() not in raw and b"912 345" not in raw


def test_forget_can_be_cancelled(emu: Emulator, engine: Engine, tmp_path: Path) -> None:
    ann = Emulator.user(ANN, "Ann")
    settings = settings_for(emu, tmp_path)

    def script(bot: Running) -> None:
        ask(emu, ann, "who is Pevchikh")
        _, prompt = ask(emu, ann, "/forget")
        emu.press(ann, prompt, button(prompt, "forget:no"))
        emu.wait_for(lambda: emu.chats[ANN].messages[prompt["message_id"]]["text"] == "Nothing was deleted.")
        bot.call(bot.querylog.flush(5))

    run_app(settings, engine, script, emu)
    assert emu.deleted == []
    assert rows(settings.database, "SELECT query FROM queries") == [("who is Pevchikh",)]


def test_autodelete_deletes_question_and_answer_after_the_time_also_after_a_restart(
    emu: Emulator, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversation, "MINUTE", dt.timedelta(seconds=0.5))  # "/autodelete 2": 1 s
    monkeypatch.setattr(privacy, "AUTODELETE_CHECK_SECONDS", 0.2)
    ann, bob = Emulator.user(ANN, "Ann"), Emulator.user(BOB, "Bob")
    settings = settings_for(emu, tmp_path)
    exchange: list[dict] = []

    def before_restart(bot: Running) -> None:
        _, confirmed = ask(emu, ann, "/autodelete 2")
        assert "deleted 2 minutes after it was sent" in confirmed["text"].replace("\xa0", " ")
        exchange.extend(ask(emu, ann, "who is Pevchikh"))
        ask(emu, bob, "who is Yashin")
        bot.call(bot.querylog.flush(5))

    with monkeypatch.context() as off:  # the bot stops before the job runs
        off.setattr(privacy, "schedule", lambda app, first=0: None)
        run_app(settings, engine, before_restart, emu)
    assert emu.deleted == []

    def after_restart(bot: Running) -> None:
        wanted = {(ANN, m["message_id"]) for m in exchange}
        emu.wait_for(lambda: wanted <= set(emu.deleted), timeout=10)
        wait_until(
            lambda: rows(settings.database, "SELECT count(*) FROM queries") == [(1,)], 5, "Ann's row to go"
        )
        _, status = ask(emu, ann, "/autodelete")
        assert "Auto-delete is on: after 2 minutes" in status["text"].replace("\xa0", " ")

    run_app(settings, engine, after_restart, emu)
    assert all(chat == ANN for chat, _ in emu.deleted)  # Bob's chat is untouched
    assert rows(settings.database, "SELECT query FROM queries") == [("who is Yashin",)]


def test_about_says_what_is_kept_and_how_to_remove_it_in_both_languages(
    emu: Emulator, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(emu, tmp_path, log_private_text=False, retention_days=30)
    replies: dict[str, str] = {}

    def script(bot: Running) -> None:
        for user, lang in ((Emulator.user(ANN, "Ann"), "en"), (Emulator.user(BOB, "Боб", "ru"), "ru")):
            replies[lang] = ask(emu, user, "/about")[1]["text"].replace("\xa0", " ")

    run_app(settings, engine, script, emu)
    assert "deleted after 30 days" in replies["en"] and "удаляется через 30 дней" in replies["ru"]
    assert "from private chats and inline mode no text is kept" in replies["en"]
    assert "/forget" in replies["en"] and "/autodelete 30" in replies["ru"]


def test_inline_typing_logs_the_query_settled_on_once(emu: Emulator, tmp_path: Path) -> None:
    ann = Emulator.user(ANN, "Ann")
    database, log = tmp_path / "log.sqlite3", tmp_path / "bot.log"
    with bot_process(emu, database, log, BOT_HASH_SECRET="k", BOT_INLINE_SETTLE="600") as process:
        for n in range(1, len("navalny") + 1):  # one inline query per keystroke
            emu.inline_answer(emu.inline_query(ann, "navalny"[:n]))
        process.send_signal(signal.SIGTERM)  # shutdown logs what is still settling
        assert process.wait(20) == 0, log.read_text(errors="replace")
    assert rows(database, "SELECT front, query FROM queries") == [("inline", "navalny")]


def test_a_picked_inline_result_is_logged_at_once_with_the_entry_picked(
    emu: Emulator, engine: Engine, tmp_path: Path
) -> None:
    ann = Emulator.user(ANN, "Ann")
    settings = settings_for(emu, tmp_path, inline_settle_seconds=600)
    logged: list[tuple] = []

    def script(bot: Running) -> None:
        for text in ("kasp", "kasparov"):
            query_id = emu.inline_query(ann, text)
            answer = emu.inline_answer(query_id)
        picked = answer["results"][-1]["id"]
        emu.choose_inline(ann, query_id, picked)
        wait_until(lambda: bot.querylog.written == 1, 5, "the picked query's row")
        logged.extend(rows(settings.database, "SELECT query, outcome, chosen_id FROM queries"))
        logged.append(picked)

    run_app(settings, engine, script, emu)
    assert logged[0] == ("kasparov", "answer", logged[1])
    assert rows(settings.database, "SELECT count(*) FROM queries") == [(1,)]  # not again at shutdown

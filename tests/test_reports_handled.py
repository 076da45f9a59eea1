"""Reports an admin has handled, end to end through the emulator, and admins' languages across a restart.

A user reports an error; the admins' notice carries "Mark as handled"; pressing it stores when (not
who), the notice says so, and the weekly digest lists only the reports still waiting. The language
an admin last wrote in survives a restart: the digest and notices after it are in that language.
"""

from __future__ import annotations

import asyncio
import copy
import re
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.answers.engine import Engine
from bot.querylog.store import ALREADY_HANDLED, GONE, HANDLED, MIGRATIONS, QueryLog, hash_user, migrate
from bot.tg import digest
from tests.emulator import Emulator
from tests.helpers import bot_env, run_cli, wait_until
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for

QUESTION = "where does kasparov live"
QUESTION_RU = "где живёт Каспаров"
ENTRY = "kasparov_where_lives"
MARK = {"en": "✅ Mark as handled", "ru": "✅ Отметить как разобранное"}
OPEN = {"en": "Open the entry", "ru": "Открыть запись"}
SECOND_ADMIN = 2
REPORT_BUTTON = {"en": "⚠️ Report an error", "ru": "⚠️ Ошибка в ответе"}


def labels(message: dict[str, Any]) -> list[list[str]]:
    """The buttons' labels as a reader sees them (no-break spaces read as spaces)."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["text"].replace("\xa0", " ") for b in row] for row in rows]


def data_of(message: dict[str, Any], label: str) -> str:
    [data] = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
              if b["text"].replace("\xa0", " ") == label]  # fmt: skip
    return data


def shown(messages: list[dict[str, Any]]) -> str:
    """The messages' text as a reader sees it (no-break spaces read as spaces)."""
    return "\n".join(m["text"] for m in messages).replace("\xa0", " ")


def report(emu: Emulator, user: dict, text: str, lang: str = "en") -> dict[str, Any]:
    """`user` asks, presses "report an error" and writes `text`; the (first) admin's notice of it."""
    card = emu.reply_to(emu.private_message(user, QUESTION if lang == "en" else QUESTION_RU), timeout=30)
    emu.callback_answer(emu.press(user, card, data_of(card, REPORT_BUTTON[lang])), timeout=30)
    emu.reply_to(card, timeout=30)  # "what is wrong?"
    emu.reply_to(emu.private_message(user, text), timeout=30)
    notice = emu.wait_for(
        lambda: next((m for m in emu._bot_messages(ADMIN_ID) if text in m["text"]), None), timeout=30
    )
    return copy.deepcopy(notice)  # as it was sent (the emulator's own copy changes when edited)


def notice_in(emu: Emulator, chat_id: int, text: str) -> dict[str, Any]:
    """The notice quoting `text` in an admin's chat, as it is now."""
    return copy.deepcopy(
        emu.wait_for(lambda: next((m for m in emu._bot_messages(chat_id) if text in m["text"]), None))
    )


def edited(emu: Emulator, message: dict[str, Any]) -> dict[str, Any]:
    """`message` once the bot has edited it."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    return emu.wait_for(lambda: next((m for m in emu._bot_messages(chat_id)
                                      if m["message_id"] == message_id and m.get("edit_date")), None))  # fmt: skip


def digest_now(running: Running, until: str) -> str:
    """Fire the weekly digest job once; what the admin got, once it shows `until`."""
    emu = running.emu
    job = running.app.job_queue.get_jobs_by_name(digest.JOB_NAME)[0]
    before = len(emu.bot_messages(ADMIN_ID))
    running.call(job.run(running.app))

    def arrived() -> str | None:
        text = shown(emu._bot_messages(ADMIN_ID)[before:])
        return text if until in text else None

    return emu.wait_for(arrived)


def handled_at(database: Path) -> dict[str, str | None]:
    """Each report's text and when it was marked handled."""
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT text, handled_at FROM feedback WHERE text IS NOT NULL"))


def test_an_admin_marks_a_report_handled_and_the_digest_lists_only_the_others(
    tmp_path: Path, emu: Emulator, engine: Engine
) -> None:
    admin, other_admin = Emulator.user(ADMIN_ID, "Admin"), Emulator.user(SECOND_ADMIN, "Second")
    settings = settings_for(emu, tmp_path, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN}))
    emu.private_message(other_admin, "/start")  # both admins' chats exist

    def script(running: Running) -> None:
        emu.wait_for(lambda: emu._bot_messages(SECOND_ADMIN) or None)  # the admins' /start answered
        first, second = Emulator.user(501, "Agafya"), Emulator.user(502, "Boris")
        notice = report(emu, first, "He moved to Croatia in 2025")
        waiting = report(emu, second, "The city is out of date & so is the year")
        assert labels(notice) == [[MARK["en"]], [OPEN["en"]]]
        # Someone who is not an admin cannot mark it, even by forging the button's data.
        card = emu.reply_to(emu.private_message(first, QUESTION), timeout=30)
        forged = emu.callback_answer(emu.forged_press(first, card, data_of(notice, MARK["en"])), timeout=30)
        assert forged == {"text": "Only the bot's admins can do that.", "show_alert": True}
        assert set(handled_at(settings.database).values()) == {None}

        toast = emu.callback_answer(emu.press(admin, notice, data_of(notice, MARK["en"])), timeout=30)
        assert toast == {"text": "Marked as handled.", "show_alert": False}
        now = edited(emu, notice)
        assert now["text"] == notice["text"] + "\n\n✅ Marked as handled."
        assert labels(now) == [[OPEN["en"]]]  # the entry still opens; no second mark
        marks = handled_at(settings.database)
        assert marks["He moved to Croatia in 2025"] is not None
        assert marks["The city is out of date & so is the year"] is None

        text = digest_now(running, until="Error reports not yet handled\n1 report in all")
        section = text.split("Error reports not yet handled\n", 1)[1].split("\n\n", 1)[0]
        assert section.split("\n") == [
            "1 report in all, most recent first:",
            f"1. ⚠️ {ENTRY}, asked “{QUESTION}”: The city is out of date & so is the year",
        ]
        assert "Croatia" not in text

        # The other report: the second admin marks it later on their own copy of the notice.
        emu.callback_answer(emu.press(admin, waiting, data_of(waiting, MARK["en"])), timeout=30)
        edited(emu, waiting)
        copy_of = notice_in(emu, SECOND_ADMIN, "The city is out of date")
        assert labels(copy_of) == [[MARK["en"]], [OPEN["en"]]]
        again = emu.callback_answer(emu.press(other_admin, copy_of, data_of(copy_of, MARK["en"])), timeout=30)
        assert again == {"text": "This report was already marked as handled.", "show_alert": False}
        assert edited(emu, copy_of)["text"] == copy_of["text"] + "\n\n✅ Marked as handled."
        digest_now(running, until="Error reports not yet handled\nNone: every report has been handled.")

    run_app(settings, engine, script, emu)
    assert emu.rejected() == []


def test_a_report_replaced_by_its_sender_is_no_longer_stored_and_the_notice_says_so(
    tmp_path: Path, emu: Emulator, engine: Engine
) -> None:
    admin = Emulator.user(ADMIN_ID, "Admin")
    settings = settings_for(emu, tmp_path)

    def script(running: Running) -> None:
        emu.wait_for(lambda: emu._bot_messages(ADMIN_ID) or None)
        user = Emulator.user(503, "Varvara")
        notice = report(emu, user, "Wrong city")
        # The user thinks better of it: their 👍 on the same answer replaces the report.
        card = next(
            m for m in emu.bot_messages(user["id"]) if any(REPORT_BUTTON["en"] in row for row in labels(m))
        )
        emu.callback_answer(emu.press(user, card, data_of(card, "👍 Helpful")), timeout=30)
        toast = emu.callback_answer(emu.press(admin, notice, data_of(notice, MARK["en"])), timeout=30)
        assert toast == {"text": "This report is no longer stored.", "show_alert": True}
        now = edited(emu, notice)
        assert now["text"].endswith("This report is no longer stored: its sender deleted it or replaced it, "
                                       "or it is past the retention period.")  # fmt: skip
        assert labels(now) == [[OPEN["en"]]]

    run_app(settings, engine, script, emu)
    assert emu.rejected() == []


def test_an_admin_who_wrote_in_russian_gets_the_digest_and_notices_in_russian_after_a_restart(
    tmp_path: Path, emu: Emulator, engine: Engine
) -> None:
    settings = settings_for(emu, tmp_path)
    secret = settings.hash_secret
    assert secret is not None

    def before_restart(running: Running) -> None:
        emu.wait_for(lambda: emu._bot_messages(ADMIN_ID) or None)
        emu.reply_to(emu.private_message(Emulator.user(ADMIN_ID, "Админ", "ru"), "/stats"), timeout=30)

        def stored() -> list[tuple[str, str]]:
            with sqlite3.connect(settings.database) as db:
                return db.execute("SELECT user_hash, lang FROM admin_langs").fetchall()

        wait_until(lambda: stored() == [(hash_user(secret.encode(), ADMIN_ID, "private"), "ru")], 10, "kept")

    run_app(settings, engine, before_restart, emu)

    def after_restart(running: Running) -> None:
        assert running.app.bot_data.admin_langs == {ADMIN_ID: "ru"}
        digest_now(running, until="Неразобранные сообщения об ошибках\nНет: все сообщения разобраны.")
        notice = report(emu, Emulator.user(504, "Глеб", "ru"), "Он переехал", lang="ru")
        assert shown([notice]).startswith("⚠️ Сообщение об ошибке\n")
        assert labels(notice) == [[MARK["ru"]], [OPEN["ru"]]]
        text = digest_now(
            running, until="Неразобранные сообщения об ошибках\nВсего 1 сообщение, сначала последние:"
        )
        assert f"1. ⚠️ {ENTRY}, вопрос «{QUESTION_RU}»: Он переехал" in text

    run_app(settings, engine, after_restart, emu)
    assert emu.rejected() == []


@pytest.mark.asyncio
async def test_the_migration_keeps_existing_rows_and_their_reports_wait_to_be_handled(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    async with aiosqlite.connect(database, isolation_level=None) as db:  # a database from before
        assert await migrate(db, MIGRATIONS[:4]) == 4
        await db.execute(
            """INSERT INTO queries (id, at, front, lang, query, query_key, outcome, chosen_id, latency_ms, ref)
               VALUES (1, '2026-11-20T10:00:00.000+00:00', 'private', 'en', 'who is yashin', 'who is yashin',
                       'answer', 'yashin', 5, 'oldref000001')"""
        )
        await db.executemany(
            "INSERT INTO feedback (at, query_id, entry_id, verdict, text, user_hash) VALUES (?, 1, 'yashin', ?, ?, ?)",
            [("2026-11-20T10:01:00.000+00:00", "error", "Wrong year", "a" * 32),
             ("2026-11-20T10:02:00.000+00:00", "helpful", None, "b" * 32)],
        )  # fmt: skip
    async with QueryLog(database, "k") as log:
        versions = await log.select("SELECT version FROM migrations ORDER BY version")
        assert [v for (v,) in versions] == [m.version for m in MIGRATIONS]
        count, waiting = await log.unhandled()
        assert (count, [(r.entry_id, r.text, r.query) for r in waiting]) == (
            1,
            [("yashin", "Wrong year", "who is yashin")],
        )
        [(ref,)] = await log.select("SELECT ref FROM feedback WHERE text IS NOT NULL")
        assert await log.select("SELECT ref FROM feedback WHERE text IS NULL") == [(None,)]
        assert await log.mark_handled(ref) == HANDLED
        assert await log.mark_handled(ref) == ALREADY_HANDLED
        assert await log.mark_handled("no-such-ref") == GONE
        assert await log.unhandled() == (0, [])
        # The same user writes again on that answer: a new report, with a new handle, not handled.
        new = log.feedback(query_id=1, entry_id="yashin", verdict="error", user="a-user", text="Still wrong")
        log.feedback(query_id=1, entry_id="yashin", verdict="error", user="a-user", text="Really wrong")
        await log.flush(timeout=5)
        count, [row] = await log.unhandled()
        assert (count, row.text, row.handled_at) == (1, "Really wrong", None)
        assert new is not None and await log.mark_handled(new) == GONE  # replaced by the later one


@pytest.mark.asyncio
async def test_admin_languages_are_kept_under_the_hash_and_only_for_configured_admins(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    async with QueryLog(database, "k") as log:
        log.set_admin_lang(111, "ru")
        log.set_admin_lang(222, "en")
        log.set_admin_lang(111, "en")
        log.set_admin_lang(111, "ru")
    async with QueryLog(database, "k") as log:
        assert await log.load_admin_langs({111, 222, 333}) == {111: "ru", 222: "en"}
        assert await log.load_admin_langs({111}) == {111: "ru"}  # 222 is no longer an admin: forgotten
        stored = await log.select("SELECT user_hash, lang FROM admin_langs")
    assert stored == [(hash_user(b"k", 111, "private"), "ru")]


def test_the_terminal_lists_the_reports_not_yet_handled(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"

    async def fill() -> None:
        async with QueryLog(database, "k") as log:
            log.log(front="private", text="who is yashin", outcome="answer", chosen_id="yashin", ref="r1")
            await log.flush(timeout=5)
            [(query_id,)] = await log.select("SELECT id FROM queries")
            done = log.feedback(
                query_id=query_id, entry_id="yashin", verdict="error", user=1, text="Handled one"
            )
            log.feedback(
                query_id=query_id, entry_id="yashin", verdict="not_helpful", user=2, text="Waiting one"
            )
            log.feedback(query_id=query_id, entry_id="yashin", verdict="helpful", user=3)
            assert done is not None and await log.mark_handled(done) == HANDLED

    asyncio.run(fill())
    env = bot_env(BOT_DATABASE=str(database), BOT_HASH_SECRET="k")
    text = run_cli("feedback", "--unhandled", env=env)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "Reports not yet handled (1), most recent first:"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d not_helpful on yashin to “who is yashin”:", lines[1])
    assert lines[2:] == ["    Waiting one"]
    table = run_cli("feedback", "--unhandled", "--csv", env=env).stdout.splitlines()
    assert len(table) == 2 and table[1].endswith(",yashin,not_helpful,,who is yashin,Waiting one,")

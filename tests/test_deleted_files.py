"""The query log's database, its hash secret and the update journal deleted while the bot runs.

SQLite goes on writing to a deleted file as if nothing happened, and the rows vanish when the
process ends. The bot notices before its next write, recreates the file with every row the open
connection still holds, keeps the rows waiting, and tells its admins.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.answers.engine import Engine
from bot.querylog.store import QueryLog, secret_path
from bot.tg.journal import Journal, journal_path
from tests.emulator import Emulator
from tests.helpers import logged, wait_until
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for
from tests.test_journal import TOKEN, message


def delete_with_side_files(path: Path) -> None:
    """``rm path path-wal path-shm``, as an operator cleaning up would."""
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        if os.path.exists(name):
            os.unlink(name)
    assert not path.exists()


async def test_a_database_deleted_while_open_is_recreated_with_every_row_and_the_same_secret(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    told: list[str] = []
    log = QueryLog(path)  # no configured secret: the generated one lives beside the database
    log.on_trouble = lambda what, values: told.append(what)
    async with log:
        log.log(front="private", text="before", outcome="none", user=7)
        assert await log.flush(timeout=5)
        secret = secret_path(path).read_bytes()
        delete_with_side_files(path)
        secret_path(path).unlink()
        log.log(front="private", text="after", outcome="none", user=7)
        assert await log.flush(timeout=5)
        assert path.exists() and told == ["file_restored"]
        assert (await log.stats(days=1)).total == 2
        # Deleted again after the last batch: closing puts it back too.
        log.log(front="private", text="last", outcome="none", user=7)
        assert await log.flush(timeout=5)
        delete_with_side_files(path)
    assert log.written == 3 and not log.file_lost
    assert logged(path) == 3
    assert secret_path(path).read_bytes() == secret and secret_path(path).stat().st_mode & 0o077 == 0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert len({h for (h,) in db.execute("SELECT user_hash FROM queries")}) == 1  # one asker still


async def test_a_database_replaced_while_open_is_written_from_then_on(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    told: list[str] = []
    async with QueryLog(path, "k") as log:
        log.on_trouble = lambda what, values: told.append(what)
        log.log(front="private", text="one", outcome="none")
        assert await log.flush(timeout=5)
        async with QueryLog(tmp_path / "backup.sqlite3", "k") as other:
            pass  # an empty database of the same schema
        os.replace(tmp_path / "backup.sqlite3", path)
        log.log(front="private", text="two", outcome="none")
        assert await log.flush(timeout=5)
        assert told == ["file_replaced"]
    assert logged(path) == 1 and other.written == 0


async def test_a_journal_deleted_while_open_keeps_its_pending_messages(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path, TOKEN)
    await journal.open()
    await journal.record([message(1), message(2)])
    delete_with_side_files(path)
    await journal.record([message(3)])
    journal.mark_done(2)
    await journal.close()
    assert path.exists()
    journal = Journal(path, TOKEN)
    await journal.open()
    assert [u["update_id"] for u in await journal.pending()] == [1, 3]
    await journal.close()


def test_a_database_deleted_mid_run_loses_no_row_and_the_admins_are_told(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    user = Emulator.user(610, "Del")
    seen: dict[str, int] = {}

    def script(run: Running) -> None:
        emu, log = run.emu, run.querylog
        assert emu.reply_to(emu.private_message(user, "kasparov"))["text"]
        wait_until(lambda: log.written == 1, 5, "the first row")
        delete_with_side_files(log.path)
        delete_with_side_files(journal_path(log.path))
        for question in ("who is yashin", "what is FBK", "navalny"):
            assert emu.reply_to(emu.private_message(user, question))["text"]
        admin_texts = lambda: [m["text"] for m in emu._bot_messages(ADMIN_ID)]  # noqa: E731
        emu.wait_for(lambda: any("Query log:" in t and "was deleted" in t for t in admin_texts()))
        wait_until(lambda: log.written == 4, 5, "every row written")
        seen["notices"] = sum("was deleted" in t for t in admin_texts())

    settings = settings_for(emu, tmp_path)
    run_app(settings, engine, script, emu)
    assert emu.rejected() == []
    assert seen["notices"] == 1
    assert logged(settings.database) == 4  # the file on disk holds every question, the first too
    assert journal_path(settings.database).exists()

"""The update journal: a fetched message is answered once across restarts, even after a crash."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.tg.journal import MAX_ATTEMPTS, Journal

TOKEN = "123:journal-test"


def message(update_id: int, text: str = "kasparov") -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


async def reopened(path: Path, token: str = TOKEN) -> Journal:
    journal = Journal(path, token)
    await journal.open()
    return journal


async def test_a_message_not_handled_before_a_restart_is_given_back_once_handled_it_is_not(
    tmp_path: Path,
) -> None:
    journal = await reopened(tmp_path / "j.sqlite3")
    await journal.record([message(1), message(2)])
    journal.mark_done(1)
    await journal.close()

    journal = await reopened(tmp_path / "j.sqlite3")
    assert [u["update_id"] for u in await journal.pending()] == [2]
    journal.mark_done(2)
    await journal.close()
    journal = await reopened(tmp_path / "j.sqlite3")
    assert await journal.pending() == []
    await journal.close()


async def test_a_second_delivery_reaches_no_handler(tmp_path: Path) -> None:
    journal = await reopened(tmp_path / "j.sqlite3")
    await journal.record([message(1)])
    journal.mark_done(1)
    again = await journal.record([message(1), message(2)])
    assert again == [{"update_id": 1}, message(2)] and journal.skipped == 1
    await journal.close()


async def test_a_poll_cancelled_at_shutdown_loses_no_handled_mark(tmp_path: Path) -> None:
    for moment in range(10):  # a little later each time
        path = tmp_path / f"j{moment}.sqlite3"
        journal = await reopened(path)
        await journal.record([message(1)])
        recording = asyncio.ensure_future(journal.record([message(n) for n in range(2, 50)]))
        for _ in range(moment):
            await asyncio.sleep(0)
        for _ in range(10_000):  # bounded: until the batch's transaction has begun
            if journal._db is not None and journal._db.in_transaction:
                break
            await asyncio.sleep(0)
        recording.cancel()
        for n in range(1, 50):
            journal.mark_done(n)
        await journal.close()

        journal = await reopened(path)
        assert await journal.pending() == [], f"cancelled after {moment} turns"
        await journal.close()


async def test_a_message_that_keeps_failing_is_given_up_and_one_sealed_for_another_token_too(
    tmp_path: Path,
) -> None:
    journal = await reopened(tmp_path / "j.sqlite3")
    await journal.record([message(1)])
    await journal.close()
    for _ in range(MAX_ATTEMPTS):
        journal = await reopened(tmp_path / "j.sqlite3")
        assert [u["update_id"] for u in await journal.pending()] == [1]
        await journal.close()  # as if the message killed the bot each time
    journal = await reopened(tmp_path / "j.sqlite3")
    assert await journal.pending() == []
    await journal.record([message(2)])
    await journal.close()

    journal = await reopened(tmp_path / "j.sqlite3", token="456:another")
    assert await journal.pending() == []  # not readable with this token: given up, not sent
    await journal.close()


async def test_what_is_kept_is_sealed(tmp_path: Path) -> None:
    journal = await reopened(tmp_path / "j.sqlite3")
    await journal.record([message(1, "is Yashin a foreign agent")])
    await journal.close()
    assert b"Yashin" not in (tmp_path / "j.sqlite3").read_bytes()
    wal = tmp_path / "j.sqlite3-wal"
    assert not wal.exists() or b"Yashin" not in wal.read_bytes()

"""Query log: schema and migrations, queued batched writes, hashing, retention, stats."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import stat
from pathlib import Path

import aiosqlite
import pytest

from bot.querylog.store import (
    DOMAINS,
    MIGRATIONS,
    ROWS_PER_INSERT,
    Migration,
    QueryLog,
    QueryLogError,
    hash_user,
    load_or_create_secret,
    migrate,
    new_ref,
    query_key,
    secret_path,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def rows(path: Path, sql: str = "SELECT * FROM queries ORDER BY id") -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def ask(log: QueryLog, text: str, outcome: str = "answer", **extra: object) -> None:
    values: dict = {"front": "private", "lang": "en", "latency_ms": 3.5, "user": 42}
    values.update(extra)
    log.log(text=text, outcome=outcome, **values)


@pytest.mark.asyncio
async def test_rows_are_written_with_every_field(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, "secret") as log:
        log.log(
            front="group",
            chat_type="supergroup",
            lang="ru",
            text="Где живёт  Каспаров?",
            outcome="answer",
            chosen_id="kasparov_where_lives",
            score=93.5,
            latency_ms=12.25,
            user=123456789,
            at=NOW,
            ref="Ab3dE_f9xYz-",
        )
    [row] = rows(db)
    assert row[1:] == (
        "2026-11-23T12:00:00.000+00:00",
        "group",
        "supergroup",
        "ru",
        "Где живёт  Каспаров?",
        "где живёт каспаров",
        "answer",
        "kasparov_where_lives",
        93.5,
        12.25,
        hash_user(b"secret", 123456789, "group"),
        "Ab3dE_f9xYz-",
    )


@pytest.mark.asyncio
async def test_database_is_wal_and_migrations_are_recorded(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db):
        pass
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    recorded = rows(db, "SELECT version, name FROM migrations")
    assert recorded == [(m.version, m.name) for m in MIGRATIONS]
    async with QueryLog(db):  # reopening applies nothing twice
        pass
    assert len(rows(db, "SELECT * FROM migrations")) == len(MIGRATIONS)


@pytest.mark.asyncio
async def test_a_new_migration_is_applied_once_on_top(tmp_path: Path) -> None:
    db_path = tmp_path / "log.sqlite3"
    extra = Migration(99, "add note", ("ALTER TABLE queries ADD COLUMN note TEXT",))
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        assert await migrate(db) == MIGRATIONS[-1].version
        assert await migrate(db, (*MIGRATIONS, extra)) == 99
        assert await migrate(db, (*MIGRATIONS, extra)) == 99
    assert "note" in [c[1] for c in rows(db_path, "PRAGMA table_info(queries)")]


@pytest.mark.asyncio
async def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    db_path = tmp_path / "log.sqlite3"
    latest = MIGRATIONS[-1].version
    broken = Migration(latest + 1, "broken", ("CREATE TABLE t (x)", "NOT SQL"))
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db, (*MIGRATIONS, broken))
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "t" not in tables
    assert rows(db_path, "SELECT max(version) FROM migrations") == [(latest,)]


@pytest.mark.asyncio
async def test_a_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db):
        pass
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO migrations VALUES (7, 'future', '2030-01-01')")
    with pytest.raises(QueryLogError, match=r"version 7.*newer than this bot"):
        await QueryLog(db).start()


@pytest.mark.asyncio
async def test_log_never_waits_for_the_database_and_close_flushes(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    log = QueryLog(db, batch_size=50)
    await log.start()
    for i in range(1000):
        ask(log, f"question {i}")
    assert log.pending > 0  # nothing was written synchronously
    await log.close()
    assert log.written == 1000
    assert rows(db, "SELECT count(*) FROM queries") == [(1000,)]


@pytest.mark.asyncio
async def test_rows_are_written_in_batches(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    log = QueryLog(db, batch_size=100)
    inserts: list[int] = []
    original = log._insert

    async def counting(batch: list) -> None:
        inserts.append(len(batch))
        await original(batch)

    log._insert = counting  # type: ignore[method-assign]
    async with log:
        for i in range(250):
            ask(log, f"q{i}")
        assert await log.flush(timeout=5)
    assert inserts == [100, 100, 50]
    # A batch goes in as several multi-row INSERTs (ROWS_PER_INSERT each): every row once, in order.
    assert ROWS_PER_INSERT < 100
    assert rows(db, "SELECT query FROM queries ORDER BY id") == [(f"q{i}",) for i in range(250)]


@pytest.mark.asyncio
async def test_flush_waits_for_rows_queued_so_far(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        ask(log, "one")
        ask(log, "two")
        assert await log.flush(timeout=5)
        assert log.written == 2 and log.pending == 0
        stats = await log.stats(days=1)
        assert stats.total == 2


@pytest.mark.asyncio
async def test_a_failed_write_is_retried_not_dropped(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    log = QueryLog(db, retry_delay=0.01)
    failures = 2
    original = log._insert

    async def flaky(batch: list) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise sqlite3.OperationalError("database is locked")
        await original(batch)

    log._insert = flaky  # type: ignore[method-assign]
    async with log:
        ask(log, "kept")
        assert await log.flush(timeout=5)
    assert log.failures == 2
    assert [r[5] for r in rows(db)] == ["kept"]


@pytest.mark.asyncio
async def test_a_locked_database_delays_rows_until_it_is_free(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, retry_delay=0.05) as log:
        blocker = sqlite3.connect(db, timeout=0.1, isolation_level=None)
        blocker.execute("PRAGMA busy_timeout=0")
        blocker.execute("BEGIN EXCLUSIVE")
        await log._connection().execute("PRAGMA busy_timeout=50")
        ask(log, "while locked")
        assert not await log.flush(timeout=0.3)
        assert log.failures >= 1 and log.pending == 1
        blocker.execute("ROLLBACK")
        blocker.close()
        assert await log.flush(timeout=5)
    assert [r[5] for r in rows(db)] == ["while locked"]


@pytest.mark.asyncio
async def test_close_gives_up_after_its_timeout_when_the_database_stays_broken(
    tmp_path: Path,
) -> None:
    log = QueryLog(tmp_path / "log.sqlite3", retry_delay=0.01)

    async def broken(batch: list) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    log._insert = broken  # type: ignore[method-assign]
    await log.start()
    ask(log, "lost")
    await asyncio.wait_for(log.close(timeout=0.2), 5)
    assert log.written == 0 and log.pending == 1


@pytest.mark.asyncio
async def test_rows_after_close_or_over_the_bound_are_counted_as_dropped(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "log.sqlite3", max_pending=2)
    ask(log, "a")
    ask(log, "b")
    ask(log, "c")
    assert (log.pending, log.dropped) == (2, 1)
    await log.start()
    await log.close()
    ask(log, "late")
    assert (log.written, log.dropped) == (2, 2)


@pytest.mark.asyncio
async def test_unknown_front_or_outcome_is_a_programming_error(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "log.sqlite3")
    with pytest.raises(ValueError, match="front end"):
        log.log(front="fax", text="x", outcome="answer")
    with pytest.raises(ValueError, match="outcome"):
        log.log(front="private", text="x", outcome="maybe")


@pytest.mark.asyncio
async def test_no_raw_user_id_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    user = 987654321
    async with QueryLog(db, "k") as log:
        ask(log, "who is navalnaya", user=user)
        ask(log, "who is navalnaya", user="987654321")
    stored = rows(db)
    assert str(user) not in repr(stored)
    assert rows(db, "SELECT user_hash FROM queries ORDER BY id") == [(hash_user(b"k", user, "private"),)] * 2
    assert db.read_bytes().find(str(user).encode()) == -1


def test_hash_depends_on_the_secret_the_user_and_the_domain() -> None:
    assert hash_user(b"a", 1, "private") == hash_user(b"a", 1, "private")
    assert hash_user(b"a", 1, "private") != hash_user(b"b", 1, "private")
    assert hash_user(b"a", 1, "private") != hash_user(b"a", 2, "private")
    assert len({hash_user(b"a", 1, domain) for domain in DOMAINS}) == len(DOMAINS)
    assert len(hash_user(b"a", 1, "group")) == 32
    with pytest.raises(ValueError, match="domain"):
        hash_user(b"a", 1, "channel")


@pytest.mark.asyncio
async def test_a_users_private_group_and_inline_questions_cannot_be_linked(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, "k") as log:
        for front, chat_type in [("private", "private"), ("group", "supergroup"), ("inline", "sender"),
                                 ("callback", "private"), ("callback", "group")]:  # fmt: skip
            ask(log, "who is navalnaya", front=front, chat_type=chat_type, user=7)
        ask(log, "who is navalnaya", front="group", chat_type="group", user=8)
        await log.flush(timeout=5)
        stats = await log.stats(days=1)
    by_front = rows(db, "SELECT front, chat_type, user_hash FROM queries ORDER BY id")
    private, group, inline, private_press, group_press, other = (h for _, _, h in by_front)
    assert len({private, group, inline}) == 3  # three domains, three unrelated hashes
    assert private_press == private and group_press == group  # a press belongs to its chat's domain
    assert other not in (private, group, inline)
    # /stats counts a person once per kind of chat they asked in: 3 for user 7, 1 for user 8
    assert stats.users == 4


@pytest.mark.asyncio
async def test_without_a_secret_one_is_made_once_beside_the_database_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db) as log:
        ask(log, "who is navalnaya", user=5)
    key_file = secret_path(db)
    assert key_file.parent == db.parent
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_bytes()
    async with QueryLog(db) as log:  # a restart: same secret, same hash, one user in /stats
        ask(log, "who is navalnaya", user=5)
        await log.flush(timeout=5)
        stats = await log.stats(days=1)
    assert key_file.read_bytes() == first
    assert (stats.total, stats.users) == (2, 1)
    assert rows(db, "SELECT DISTINCT user_hash FROM queries") == [(hash_user(first.strip(), 5, "private"),)]


def test_a_configured_secret_overrides_the_file_and_a_loose_file_is_made_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    assert QueryLog(db, "configured").user_hash(5, "private") == hash_user(b"configured", 5, "private")
    assert not secret_path(db).exists()
    made = load_or_create_secret(db)
    secret_path(db).chmod(0o644)
    assert load_or_create_secret(db) == made
    assert stat.S_IMODE(secret_path(db).stat().st_mode) == 0o600
    secret_path(db).write_bytes(b"short")
    with pytest.raises(QueryLogError, match="too short"):
        load_or_create_secret(db)


def test_query_key_groups_trivial_variants() -> None:
    assert query_key("  Где   живёт Каспаров?? ") == "где живёт каспаров"
    assert query_key("WHO is Yashin.") == query_key("who is yashin")


@pytest.mark.asyncio
async def test_purge_deletes_only_rows_past_retention(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db) as log:
        for days in (0, 29, 31, 400):
            ask(log, f"{days} days old", at=NOW - dt.timedelta(days=days))
        await log.flush(timeout=5)
        assert await log.purge(30, now=NOW) == 2
    assert [r[5] for r in rows(db)] == ["0 days old", "29 days old"]


@pytest.mark.asyncio
async def test_stats_over_a_window(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        for _ in range(3):
            ask(log, "Where does Kasparov live?", at=NOW - dt.timedelta(hours=1))
        ask(log, "where does kasparov live", front="inline", user=7, at=NOW)
        ask(log, "gudkov", outcome="suggest", front="group", at=NOW)
        ask(log, "what is the weather", outcome="none", at=NOW)
        ask(log, "What is the weather?", outcome="none", user=8, at=NOW)
        ask(log, "old unanswered", outcome="none", at=NOW - dt.timedelta(days=3))
        await log.flush(timeout=5)
        day = await log.stats(days=1, now=NOW)
        week = await log.stats(days=7, now=NOW)
    assert day.total == 7
    assert day.outcomes == {"answer": 4, "suggest": 1, "none": 2}
    assert day.rate("answer") == pytest.approx(4 / 7)
    assert day.fronts == {"private": 5, "inline": 1, "group": 1}
    assert day.users == 4  # user 42 asked privately and in a group: two unlinkable hashes
    assert day.top_questions[:2] == [("where does kasparov live", 4), ("what is the weather", 2)]
    assert day.top_unanswered == [("what is the weather", 2)]
    assert week.total == 8
    assert week.top_unanswered == [("what is the weather", 2), ("old unanswered", 1)]


@pytest.mark.asyncio
async def test_stats_of_an_empty_log(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        stats = await log.stats(days=7)
    assert (stats.total, stats.users, stats.rate("answer")) == (0, 0, 0.0)
    assert stats.top_questions == [] and stats.top_unanswered == []


@pytest.mark.asyncio
async def test_unanswered_groups_wording_and_lists_the_latest_first(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        ask(log, "Is Pevchikh in Vilnius", outcome="none", at=NOW - dt.timedelta(days=2))
        ask(log, "is pevchikh in vilnius?", outcome="none", at=NOW - dt.timedelta(hours=2))
        ask(log, "кто такой Иванов", outcome="none", lang="ru", at=NOW - dt.timedelta(days=1))
        ask(log, "who is yashin", outcome="answer", at=NOW)
        await log.flush(timeout=5)
        found = await log.unanswered(limit=10)
    assert [(u.count, u.lang) for u in found] == [(2, "en"), (1, "ru")]
    assert found[0].query.casefold().startswith("is pevchikh in vilnius")
    assert found[0].last_asked == "2026-11-23T10:00:00.000+00:00"
    assert found[1].query == "кто такой Иванов"


# --- feedback on answers -------------------------------------------------------------------------


async def asked_with_ref(log: QueryLog, text: str, entry: str, **extra: object) -> int:
    """Log an answered question with a ref, as a private answer card is; its row id."""
    ref = new_ref()
    ask(log, text, chosen_id=entry, ref=ref, at=NOW, **extra)
    question = await log.question(ref)  # written first: the writer has it queued
    assert question is not None and (question.query, question.chosen_id) == (text, entry)
    return question.id


@pytest.mark.asyncio
async def test_a_second_verdict_on_the_same_answer_replaces_the_first(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, "secret") as log:
        first = await asked_with_ref(log, "where does kasparov live", "kasparov_where_lives")
        log.feedback(query_id=first, entry_id="kasparov_where_lives", verdict="helpful", user=42, at=NOW)
        log.feedback(query_id=first, entry_id="kasparov_where_lives", verdict="error", user=42,
                     text="He moved", at=NOW)  # fmt: skip
        log.feedback(query_id=first, entry_id="kasparov_where_lives", verdict="helpful", user=43, at=NOW)
        await log.flush(timeout=5)
        assert [(f.verdict, f.text, f.query) for f in await log.feedback_rows(7, now=NOW)] == [
            ("helpful", None, "where does kasparov live"),
            ("error", "He moved", "where does kasparov live"),
        ]
    stored = rows(db, "SELECT query_id, entry_id, verdict, text, user_hash FROM feedback ORDER BY id")
    assert stored == [
        (first, "kasparov_where_lives", "error", "He moved", hash_user(b"secret", 42, "private")),
        (first, "kasparov_where_lives", "helpful", None, hash_user(b"secret", 43, "private")),
    ]


@pytest.mark.asyncio
async def test_an_unknown_ref_names_no_question_and_a_bad_verdict_is_refused(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        ask(log, "who is yashin", chosen_id="yashin")  # no ref: a group or terminal answer
        assert await log.question("no-such-ref") is None
        with pytest.raises(ValueError, match="verdict"):
            log.feedback(query_id=1, entry_id="yashin", verdict="meh", user=42)


@pytest.mark.asyncio
async def test_helpfulness_puts_the_least_helpful_entries_first_within_the_window(tmp_path: Path) -> None:
    async with QueryLog(tmp_path / "log.sqlite3") as log:
        verdicts = {"yashin": ["helpful"] * 3, "fbk": ["helpful", "not_helpful"],
                    "kasparov": ["error", "not_helpful", "helpful"], "navalnaya": ["not_helpful"]}  # fmt: skip
        for entry, given in verdicts.items():
            for user, verdict in enumerate(given):
                query_id = await asked_with_ref(log, f"who is {entry}", entry)
                log.feedback(query_id=query_id, entry_id=entry, verdict=verdict, user=user, at=NOW)
        old = await asked_with_ref(log, "who is yashin", "yashin")
        log.feedback(query_id=old, entry_id="yashin", verdict="error", user=9, at=NOW - dt.timedelta(days=8))
        await log.flush(timeout=5)
        week = await log.helpfulness(7, now=NOW)
        assert [(h.entry_id, h.helpful, h.not_helpful, h.errors) for h in week] == [
            ("navalnaya", 0, 1, 0),
            ("kasparov", 1, 1, 1),
            ("fbk", 1, 1, 0),
            ("yashin", 3, 0, 0),
        ]
        assert [h.entry_id for h in await log.helpfulness(7, limit=2, now=NOW)] == ["navalnaya", "kasparov"]
        assert await log.purge(7, now=NOW) == 1  # the old verdict (its question is today's)
        assert len(await log.feedback_rows(30, now=NOW)) == 9

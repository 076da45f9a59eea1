"""What the query log keeps about an asker: scrubbed text, nothing readable after a purge or /forget."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.querylog.conversation import Conversation, seal, unseal
from bot.querylog.scrub import LONG_DIGITS, PLACEHOLDERS, scrub
from bot.querylog.store import QueryLog

NOW = dt.datetime.now(dt.UTC)
OLD = NOW - dt.timedelta(days=120)

# --- scrubbing --------------------------------------------------------------------------------

# Plain question words: letters and spaces only (no digits, no @, no dots), in both scripts.
words = st.lists(
    st.sampled_from(["where", "does", "Kasparov", "live", "кто", "такая", "Певчих", "и", "now"]),
    max_size=6,
).map(" ".join)
phones = st.builds(
    lambda cc, a, b, c, d: f"+{cc} ({a}) {b}-{c}-{d}",
    st.sampled_from(["7", "44", "380", "995"]),
    st.from_regex(r"\d{3}", fullmatch=True),
    st.from_regex(r"\d{3}", fullmatch=True),
    st.from_regex(r"\d{2}", fullmatch=True),
    st.from_regex(r"\d{2}", fullmatch=True),
) | st.from_regex(r"8 9\d{2} \d{3} \d{2} \d{2}", fullmatch=True)
emails = st.from_regex(r"[a-z][a-z0-9._]{0,10}@[a-z]{2,8}\.(ru|com|org)", fullmatch=True)
users = st.from_regex(r"@[A-Za-z][A-Za-z0-9_]{4,20}", fullmatch=True)
links = st.from_regex(
    r"(https?://|www\.|t\.me/)[a-z0-9]{1,10}(\.[a-z]{2,3})?(/[a-z0-9?=&]{0,12})?", fullmatch=True
)
numbers = st.from_regex(rf"\d{{{LONG_DIGITS},9}}", fullmatch=True)  # ten and more: a phone
details = st.one_of(
    phones.map(lambda v: (v, "phone")),
    emails.map(lambda v: (v, "email")),
    users.map(lambda v: (v, "user")),
    links.map(lambda v: (v, "link")),
    numbers.map(lambda v: (v, "number")),
)


@settings(max_examples=300, deadline=None)
@given(before=words, detail=details, after=words)
def test_a_phone_email_username_link_or_long_number_never_reaches_the_log(
    before: str, detail: tuple[str, str], after: str
) -> None:
    value, kind = detail
    scrubbed = scrub(f"{before} {value} {after}")
    assert value not in scrubbed
    assert PLACEHOLDERS[kind] in scrubbed
    assert not re.search(rf"\d{{{LONG_DIGITS},}}", scrubbed)
    assert "@" not in scrubbed


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scrubbing_is_idempotent_and_leaves_no_long_digit_run(text: str) -> None:
    once = scrub(text)
    assert scrub(once) == once
    assert not re.search(rf"\d{{{LONG_DIGITS},}}", once)


@settings(max_examples=300, deadline=None)
@given(words)
def test_a_question_without_personal_details_is_stored_as_asked(question: str) -> None:
    assert scrub(question) == question


@pytest.mark.parametrize(
    ("asked", "stored"),
    [
        ("I live in Kazan, my name is Ivan Petrov. Where is Navalnaya now?",
         "I live in ‹place›, my name is ‹name›. Where is Navalnaya now?"),
        ("меня зовут иван петров, я из Казани, где живёт Каспаров",
         "меня зовут ‹name›, я из ‹place›, где живёт Каспаров"),
        ("Who left Russia in 2014-2022?", "Who left Russia in 2014-2022?"),
        ("who is Ivan Zhdanov", "who is Ivan Zhdanov"),
        ("write me at ivan.p@mail.ru or +7 912 345-67-89", "write me at ‹email› or ‹phone›"),
    ],
)  # fmt: skip
def test_examples_of_scrubbing(asked: str, stored: str) -> None:
    assert scrub(asked) == stored


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


@pytest.mark.asyncio
async def test_stored_questions_are_scrubbed_and_private_text_can_be_left_out(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, "k") as log:
        log.log(front="group", text="call me on +7 912 345 67 89 about Yashin", outcome="answer", user=1)
    async with QueryLog(db, "k", private_text=False) as log:
        log.log(front="private", text="my name is Ivan, who is Yashin", outcome="answer",
                chosen_id="yashin", user=1)  # fmt: skip
        log.log(front="inline", text="navalny", outcome="none", user=1)
        log.log(front="group", text="who is Yashin", outcome="answer", user=1)
        await log.flush(timeout=5)
        unanswered = await log.unanswered()
    assert rows(db, "SELECT front, query, query_key, chosen_id FROM queries ORDER BY id") == [
        ("group", "call me on ‹phone› about Yashin", "call me on ‹phone› about yashin", None),
        ("private", "", "", "yashin"),  # outcome and entry only
        ("inline", "", "", None),
        ("group", "who is Yashin", "who is yashin", None),
    ]
    assert unanswered == []  # a question without its text is not listed as an empty line


@pytest.mark.asyncio
async def test_a_purged_question_cannot_be_read_from_the_database_or_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    secret_words = b"Zanzibar-smuggled-leaflets"
    async with QueryLog(db, "k") as log:
        for n in range(60):  # kept rows on both sides, so the purged one shares their page
            if n == 30:
                log.log(front="private", text=secret_words.decode(), outcome="none", user=1, at=OLD)
            log.log(front="private", text=f"who is Yashin {n}", outcome="answer", user=2, at=NOW)
        await log.flush(timeout=5)
        files = [db, db.with_name(db.name + "-wal")]
        assert any(secret_words in f.read_bytes() for f in files if f.exists())  # it was there
        # Deleted content is overwritten (some SQLite builds do it by default; the log never relies on it).
        assert await log.select("PRAGMA secure_delete") == [(1,)]
        assert await log.purge(retention_days=90) == 1
        # While the bot still runs (the connection is open), neither file holds it any more.
        for f in files:
            assert secret_words not in (f.read_bytes() if f.exists() else b""), f.name
        assert rows(db, "SELECT count(*) FROM queries WHERE query LIKE 'who is Yashin%'") == [(60,)]


@pytest.mark.asyncio
async def test_forget_deletes_one_users_rows_in_every_table_queued_ones_too(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db, "k") as log:
        talk = Conversation(log)
        await talk.load()
        for user in (1, 2):
            log.log(front="private", text="Lifeline-question", outcome="none", user=user)
            log.log(front="group", chat_type="supergroup", text="who is Yashin", outcome="answer", user=user)
            talk.record(user, 10)
            log.set_admin_lang(user, "ru")  # as if both were admins
        await talk.set_autodelete(1, 30)
        await log.flush(timeout=5)
        log.log(front="inline", text="queued, not yet written", outcome="none", user=1)
        hashes = [log.user_hash(1, domain) for domain in ("private", "group", "inline")]
        counts = await log.forget(hashes)
        await log.flush(timeout=5)
    assert counts == {"queries": 3, "feedback": 0, "messages": 1, "autodelete": 1, "admin_langs": 1}
    others = log.user_hash(2, "private"), log.user_hash(2, "group")
    assert rows(db, "SELECT user_hash FROM admin_langs") == [(log.user_hash(2, "private"),)]
    assert {h for (h,) in rows(db, "SELECT user_hash FROM queries")} == set(others)
    assert rows(db, "SELECT count(*) FROM messages") == [(1,)]
    wal = db.with_name(db.name + "-wal")
    data = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"queued, not yet written" not in data and b"Lifeline" in data  # user 2's is still there


def test_a_sealed_chat_id_opens_only_with_its_key() -> None:
    sealed = seal(b"k" * 32, 987654321)
    assert "987654321" not in sealed and sealed != seal(b"k" * 32, 987654321)  # a fresh nonce
    assert unseal(b"k" * 32, sealed) == 987654321
    assert unseal(b"x" * 32, sealed) is None
    assert unseal(b"k" * 32, sealed[:-2] + ("00" if sealed[-2:] != "00" else "11")) is None

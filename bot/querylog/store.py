"""The query log: one SQLite row per question asked through any front end, and the feedback on answers.

Writing never delays a reply: `QueryLog.log` only appends to an in-memory queue, and a single
writer task stores rows in batches (one transaction each, at most `flush_interval` after a row
arrives). A batch the database refuses (locked, read-only, full, I/O error) stays queued and is
retried, so an unavailable database loses nothing until `max_pending` rows wait in memory; later
rows are counted as dropped. `on_trouble` hears when writing fails, when rows are dropped and when
it works again (the bot tells its admins). `close` flushes what is left. A row the database cannot
take at all (never expected: text is made storable first) is dropped alone, not with its batch.
Who asked is stored only as a keyed hash (HMAC-SHA256 with the configured secret, or without one
a secret generated once and kept beside the database, owner-only), in one of three unlinkable
domains: private chats, groups, inline mode (`domain_of`). Question text is scrubbed of what
identifies the asker (`bot.querylog.scrub`) before it is queued. Deleted rows are overwritten
(``secure_delete``) and the WAL is checkpointed after purges, so they cannot be read back.
The same writer stores the private conversation's message ids for /forget (`bot.querylog.conversation`).

Feedback on an answer (`feedback`) goes through the same queue and writer, after the question's
row: an answer card's buttons carry the row's `ref`, a random handle, never the row's position;
a report (feedback with a text) has a `ref` of its own for the admins' "mark as handled" button.
Admins' languages are kept under their hash too, so notices after a restart are in theirs.

The schema is versioned: `MIGRATIONS` are applied in order and recorded in `migrations`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import itertools
import logging
import os
import secrets
import sqlite3
import stat
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import aiosqlite

from bot.querylog import sqlitefile
from bot.querylog.scrub import scrub

_LOG = logging.getLogger(__name__)

#: Rows per transaction at most; also what a ``kill -9`` can lose at most (the batch in flight).
BATCH_SIZE = 500
#: Seconds a row may wait for others to share its transaction (fewer, larger transactions cost
#: the bot's event loop less; /stats and /unanswered flush first, so they never miss a row).
FLUSH_INTERVAL = 0.5

#: Seconds a start waits for another process's lock on the database before it gives up.
START_LOCK_WAIT = 30.0

FRONTS = ("private", "group", "inline", "callback", "terminal")
OUTCOMES = ("answer", "suggest", "none")
#: Hash domains: the same person gets an unrelated hash in each (see `domain_of`).
DOMAINS = ("private", "group", "inline")
#: Fronts whose question text is not stored when `private_text` is off (only the asker sees them).
PRIVATE_FRONTS = ("private", "inline")
#: The generated hash secret lives in a file named like the database plus this suffix.
SECRET_SUFFIX = ".secret"
#: What a user can say of an answer: it helped, it did not, or it is wrong (with what is wrong).
VERDICTS = ("helpful", "not_helpful", "error")
#: Random bytes in a question row's `ref` (12 URL-safe characters, 72 bits).
REF_BYTES = 9


class QueryLogError(Exception):
    """The database cannot be used (e.g. its schema is newer than this code)."""


@dataclass(frozen=True)
class Migration:
    """One schema step; `statements` run in a single transaction."""

    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "create queries",
        (
            """CREATE TABLE queries (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,              -- UTC, ISO 8601 with milliseconds
                front TEXT NOT NULL,           -- private | group | inline | callback | terminal
                chat_type TEXT,                -- Telegram chat type, NULL outside Telegram
                lang TEXT,                     -- en | ru
                query TEXT NOT NULL,           -- the question as asked
                query_key TEXT NOT NULL,       -- casefolded, whitespace-collapsed: for grouping
                outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'suggest', 'none')),
                chosen_id TEXT,                -- the entry answered, if any
                score REAL,
                latency_ms REAL NOT NULL,      -- question received -> reply sent
                user_hash TEXT                 -- HMAC of the user id; never the id itself
            )""",
            "CREATE INDEX queries_at ON queries (at)",
            "CREATE INDEX queries_outcome_at ON queries (outcome, at)",
        ),
    ),
    Migration(
        2,
        "feedback on answers",
        (
            # The handle an answer card's buttons carry (random: says nothing of who or when).
            "ALTER TABLE queries ADD COLUMN ref TEXT",
            "CREATE UNIQUE INDEX queries_ref ON queries (ref) WHERE ref IS NOT NULL",
            """CREATE TABLE feedback (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,              -- UTC, ISO 8601 with milliseconds
                query_id INTEGER NOT NULL,     -- queries.id of the question the answer was for
                entry_id TEXT NOT NULL,        -- the entry answered
                verdict TEXT NOT NULL CHECK (verdict IN ('helpful', 'not_helpful', 'error')),
                text TEXT,                     -- what the user wrote is wrong, if they did
                user_hash TEXT NOT NULL,       -- HMAC of the user id; never the id itself
                UNIQUE (query_id, user_hash)   -- a second press on the same answer replaces the first
            )""",
            "CREATE INDEX feedback_at ON feedback (at)",
        ),
    ),
    Migration(
        3,
        "create dismissed",
        (
            """CREATE TABLE dismissed (
                query_key TEXT PRIMARY KEY,    -- an unanswered question an admin chose not to fix
                at TEXT NOT NULL               -- when; purged with the queries after retention
            )""",
        ),
    ),
    Migration(
        4,
        "private conversation messages and auto-delete (for /forget, /autodelete)",
        (
            """CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                user_hash TEXT NOT NULL,       -- private-domain hash of the chat's user
                message_id INTEGER NOT NULL,   -- Telegram's id of the message within that chat
                at TEXT NOT NULL,              -- UTC, when it was sent
                delete_at TEXT,                -- UTC, when auto-delete removes it; NULL: never
                sealed_chat TEXT               -- the chat id, encrypted, only while delete_at waits
            )""",
            "CREATE INDEX messages_user ON messages (user_hash)",
            "CREATE INDEX messages_delete_at ON messages (delete_at) WHERE delete_at IS NOT NULL",
            """CREATE TABLE autodelete (
                user_hash TEXT PRIMARY KEY,    -- private-domain hash
                minutes INTEGER NOT NULL CHECK (minutes > 0),
                set_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "handled reports",
        (
            # The handle the admins' "mark as handled" button carries (random, like queries.ref).
            "ALTER TABLE feedback ADD COLUMN ref TEXT",
            # UTC, when an admin marked the report handled (not which admin); NULL: not yet.
            "ALTER TABLE feedback ADD COLUMN handled_at TEXT",
            # Reports written before this migration get a handle too.
            "UPDATE feedback SET ref = lower(hex(randomblob(9))) WHERE text IS NOT NULL",
            "CREATE UNIQUE INDEX feedback_ref ON feedback (ref) WHERE ref IS NOT NULL",
        ),
    ),
    Migration(
        6,
        "admin languages",
        (
            """CREATE TABLE admin_langs (
                user_hash TEXT PRIMARY KEY,    -- private-domain hash of a configured admin's id
                lang TEXT NOT NULL             -- the language the bot writes to them in
            )""",
        ),
    ),
)

#: Tables holding rows about one asker, with the column that holds their hash: what /forget
#: deletes (the retention purge ages out those with an `at` column).
USER_TABLES: dict[str, str] = {
    "queries": "user_hash",
    "feedback": "user_hash",
    "messages": "user_hash",
    "autodelete": "user_hash",
    "admin_langs": "user_hash",
}

#: The columns the writer fills, per table it writes to (feedback replaces a user's earlier row).
_COLUMNS = {
    "queries": (
        "at, front, chat_type, lang, query, query_key, outcome, chosen_id, score, latency_ms, user_hash, ref"
    ),
    "feedback": "at, query_id, entry_id, verdict, text, user_hash, ref",
    "messages": "user_hash, message_id, at, delete_at, sealed_chat",
    "admin_langs": "user_hash, lang",
}
#: Rows per INSERT statement: within SQLite's oldest limit of 999 variables.
ROWS_PER_INSERT = 999 // len(_COLUMNS["queries"].split(", "))


@functools.cache
def _insert_sql(table: str, rows: int) -> str:
    """``INSERT INTO <table> (...) VALUES (...), (...)...`` for `rows` rows."""
    columns = _COLUMNS[table]
    one = "(" + ", ".join(["?"] * len(columns.split(", "))) + ")"
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * rows)


Row = tuple[
    str, str, str | None, str | None, str, str, str, str | None, float | None, float, str | None, str | None
]
#: A queued row: the table it goes to, and its values in `_COLUMNS` order.
Pending = tuple[str, tuple[object, ...]]

#: Tables whose rows replace an earlier one: one press or report replaces the user's earlier one
#: on the same answer (a new report is not handled yet); an admin has one language.
_UPSERTS = {
    "feedback": """INSERT INTO feedback (at, query_id, entry_id, verdict, text, user_hash, ref)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (query_id, user_hash) DO UPDATE SET
            at = excluded.at, entry_id = excluded.entry_id, verdict = excluded.verdict,
            text = excluded.text, ref = excluded.ref, handled_at = NULL""",
    "admin_langs": """INSERT INTO admin_langs (user_hash, lang) VALUES (?, ?)
        ON CONFLICT (user_hash) DO UPDATE SET lang = excluded.lang""",
}
#: What `QueryLog.mark_handled` found.
HANDLED, ALREADY_HANDLED, GONE = "handled", "already", "gone"


def iso(moment: dt.datetime) -> str:
    """How times are stored: UTC, ISO 8601 with milliseconds (sorts as it reads)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def query_key(text: str) -> str:
    """The form questions are grouped by: casefolded, single spaces, no trailing ?!. marks."""
    return " ".join(text.casefold().split()).rstrip("?!. ").strip()


def storable(text: str) -> str:
    """`text` as SQLite can store it: surrogate pairs joined, a lone surrogate replaced."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def check_writable(path: str | Path) -> None:
    """Raise QueryLogError (saying why) unless the database at `path` can be created and written.

    Another process may hold its lock for a while (a backup, `sqlite3` open): that is waited for,
    up to `START_LOCK_WAIT` s, with a warning.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _try_write(path, 0.1)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            _LOG.warning("%s is locked by another process; waiting up to %.0f s", path, START_LOCK_WAIT)
            _try_write(path, START_LOCK_WAIT)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise QueryLogError(f"cannot write {path}: {reason}") from None


def _try_write(path: Path, timeout: float) -> None:
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    finally:
        db.close()


def hash_user(secret: bytes, user: int | str, domain: str) -> str:
    """Keyed hash of a user id in one domain (hex, 128 bits): stable for one secret and domain,
    not reversible, and unrelated to the same user's hash in another domain."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown hash domain {domain!r}")
    return hmac.new(secret, f"{domain}:{user}".encode(), hashlib.sha256).hexdigest()[:32]


def domain_of(front: str, chat_type: str | None) -> str | None:
    """The hash domain of a question: its kind of chat (a button press: the chat it is in)."""
    if front in ("private", "group", "inline"):
        return front
    if front == "callback":
        return "private" if chat_type == "private" else "group"
    return None


def secret_path(database: str | Path) -> Path:
    """Where the generated hash secret for `database` is kept: beside it."""
    database = Path(database)
    return database.with_name(database.name + SECRET_SUFFIX)


def load_or_create_secret(database: str | Path) -> bytes:
    """The hash secret kept beside `database`, created once (random, mode 0600) if missing.

    A file others may read is made owner-only again (with a warning).
    """
    path = secret_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = None
    if fd is None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            _LOG.warning("hash secret %s was readable by others (mode %o); made owner-only", path, mode)
            path.chmod(0o600)
        secret = path.read_bytes().strip()
        if len(secret) < 32:
            raise QueryLogError(
                f"{path}: the hash secret is too short ({len(secret)} bytes); delete the file to "
                "have a new one made (per-user counts then start afresh)"
            )
        return secret
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_hex(32).encode() + b"\n")
    _LOG.info("generated a hash secret in %s (keep it with the database)", path)
    return path.read_bytes().strip()


def new_ref() -> str:
    """A fresh handle for a question row (URL-safe, no ``:``), for the buttons under its answer."""
    return secrets.token_urlsafe(REF_BYTES)


@dataclass(frozen=True)
class Stats:
    """Query counts over the last `days` days."""

    days: int
    total: int
    outcomes: dict[str, int]
    fronts: dict[str, int]
    users: int
    top_questions: list[tuple[str, int]]
    top_unanswered: list[tuple[str, int]]

    def rate(self, outcome: str) -> float:
        """Share of questions with this outcome (0.0 when there were none)."""
        return self.outcomes.get(outcome, 0) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Question:
    """A logged question, as feedback on its answer needs it."""

    id: int
    query: str
    chosen_id: str | None


@dataclass(frozen=True)
class Helpfulness:
    """What users said of one entry's answers over some days."""

    entry_id: str
    helpful: int
    not_helpful: int
    errors: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful + self.errors

    @property
    def share(self) -> float:
        """Share of the verdicts that said the answer helped."""
        return self.helpful / self.total if self.total else 0.0


@dataclass(frozen=True)
class Feedback:
    """One user's verdict on one answer, with the question it answered (if still logged) and, for a
    report, when an admin marked it handled."""

    at: str
    entry_id: str
    verdict: str
    text: str | None
    query: str | None
    lang: str | None
    handled_at: str | None = None


@dataclass(frozen=True)
class Unanswered:
    """A question that got no answer, with how often and when it was last asked."""

    query: str
    count: int
    last_asked: str
    lang: str | None


class QueryLog:
    """Queued, batched, retrying writer plus the read queries for /stats and /unanswered.

    Use from one event loop: ``await start()``, ``log(...)`` any number of times, ``await close()``.
    """

    def __init__(
        self,
        path: str | Path,
        secret: str | bytes | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        retry_delay: float = 0.5,
        max_pending: int = 20_000,
        flush_interval: float = FLUSH_INTERVAL,
        private_text: bool = True,
    ) -> None:
        self.path = Path(path)
        #: None: the secret kept beside the database (`load_or_create_secret`), read when needed.
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._own_secret = secret is None
        #: Whether question text from private chats and inline mode is stored (else only '').
        self.private_text = private_text
        self._batch_size = batch_size
        self._retry_delay = retry_delay
        self._max_pending = max_pending
        self._flush_interval = flush_interval
        self._hurry = asyncio.Event()  # flush() or close(): write now, don't wait for a batch
        self._pending: collections.deque[Pending] = collections.deque()
        self._tx = asyncio.Lock()  # one transaction at a time on the one connection
        self._enqueued = 0  # rows of every table accepted / stored: what flush() waits on
        self._stored = 0
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._db: aiosqlite.Connection | None = None
        # The files the connection has open (to notice their deletion: `_keep_file`).
        self._file: sqlitefile.Identity | None = None
        self._wal: sqlitefile.Identity | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self.queued = 0  #: question rows accepted by log()
        self.written = 0  #: question rows committed to the database
        self.dropped = 0  #: rows refused because the queue was full or the log closed
        self.failures = 0  #: failed batch writes (each retried)
        #: The database file was deleted and could not be recreated at close: `written` rows are gone.
        self.file_lost = False
        #: Told ``(what, values)`` when writing fails ("cannot_write": path, error, pending), drops
        #: rows ("dropping": pending) and works again ("writing_again": waited, dropped); the bot
        #: words it for its admins.
        self.on_trouble: Callable[[str, dict[str, object]], None] | None = None
        self._failing_since: float | None = None
        self._told_dropping = False
        self._lost = 0  # queued rows the database refused one by one, or /forget took back

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database (WAL), apply migrations and start the writer."""
        await self._open()
        self._writer = asyncio.create_task(self._write_forever(), name="querylog-writer")

    async def _open(self) -> None:
        if self.path.parent != Path():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=START_LOCK_WAIT)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA busy_timeout=5000")
            await db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        self._db, self._file = db, sqlitefile.identity(self.path)
        self._wal = sqlitefile.wal_identity(self.path)

    async def _keep_file(self) -> None:
        """Before a write: if the database file was deleted since it was opened, copy what the
        open connection still holds to a new file there (or, if another file took its place,
        use that one), so rows are never committed to a file that is gone. Cheap: one ``stat``.

        Raises sqlite3.Error if the file cannot be put back (the batch waits, like any failed write).
        """
        now = sqlitefile.identity(self.path)
        if now == self._file and self._db is not None:
            return
        async with self._tx:
            try:
                # Deleted: copied back; replaced (e.g. a backup put back): that file is used.
                await sqlitefile.let_go(self._db, self.path, now, self._wal)
                self._db = None  # until it is open again: a failed open is retried next batch
                await self._open()
                self._keep_secret()
            except OSError as exc:
                raise sqlite3.OperationalError(f"cannot recreate {self.path}: {exc}") from exc
        how = "restored" if now is None else "replaced"
        _LOG.error(
            "query log: %s was %s while open; %s", self.path, "deleted" if now is None else "replaced",
            "recreated with every row written so far" if now is None else "writing to the new file",
        )  # fmt: skip
        self._tell(f"file_{how}", path=self.path, pending=len(self._pending))

    def _keep_secret(self) -> None:
        """Write the generated hash secret back if its file went with the database."""
        if not self._own_secret or self._secret is None or secret_path(self.path).exists():
            return
        fd = os.open(secret_path(self.path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(self._secret + b"\n")
        _LOG.warning("query log: hash secret %s written back (it was deleted)", secret_path(self.path))

    async def close(self, timeout: float = 10.0) -> None:
        """Write every queued row (waiting up to `timeout` s), then close the database."""
        self._closing = True
        self._wake.set()
        self._hurry.set()
        if self._writer is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._writer), timeout)
            except TimeoutError:
                self._writer.cancel()
                _LOG.error("query log: %d rows could not be written before shutdown", len(self._pending))
            self._writer = None
        if self._db is not None:
            try:  # rows committed since the last batch's check must not stay in a deleted file
                await self._keep_file()
            except sqlite3.Error as exc:
                self.file_lost = True
                _LOG.error("query log: %s was deleted and cannot be recreated (%s)", self.path, exc)
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- hashing ------------------------------------------------------------------------------

    def _key(self) -> bytes:
        if self._secret is None:
            self._secret = load_or_create_secret(self.path)
        return self._secret

    def user_hash(self, user: int | str, domain: str) -> str:
        """The keyed hash stored for `user` in `domain` (see `hash_user`)."""
        return hash_user(self._key(), user, domain)

    def derived_key(self, purpose: str) -> bytes:
        """A key for `purpose` derived from the hash secret (never the secret itself)."""
        return hmac.new(self._key(), f"key:{purpose}".encode(), hashlib.sha256).digest()

    # --- writing ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Question rows queued but not yet written (like `queued` and `written`)."""
        return sum(table == "queries" for table, _ in self._pending)

    def _accept(self) -> bool:
        """Whether a new row fits (else it is counted as dropped, and admins told once)."""
        if self._closing or len(self._pending) >= self._max_pending:
            self.dropped += 1
            _LOG.warning("query log: row dropped (%s)", "closed" if self._closing else "queue full")
            if not self._closing and not self._told_dropping:
                self._told_dropping = True
                self._tell("dropping", pending=self._max_pending)
            return False
        return True

    def enqueue(self, table: str, values: tuple[object, ...]) -> None:
        """Queue a row for another table the writer fills (see `_COLUMNS`); never raises for
        a database problem."""
        if table not in _COLUMNS or table == "queries":
            raise ValueError(f"not a table for enqueue: {table!r}")
        if self._accept():
            self._queue(table, values)

    def _queue(self, table: str, values: tuple[object, ...]) -> None:
        self._pending.append((table, values))
        self._enqueued += 1
        self._wake.set()
        if len(self._pending) >= self._batch_size:
            self._hurry.set()  # a full batch need not wait out the interval

    @property
    def failing_for(self) -> float:
        """Seconds writing has been failing (the batch waits for a retry); 0 while it works."""
        return 0.0 if self._failing_since is None else time.monotonic() - self._failing_since

    def log(
        self,
        *,
        front: str,
        text: str,
        outcome: str,
        lang: str | None = None,
        chat_type: str | None = None,
        chosen_id: str | None = None,
        score: float | None = None,
        latency_ms: float = 0.0,
        user: int | str | None = None,
        at: dt.datetime | None = None,
        ref: str | None = None,
    ) -> None:
        """Queue one row; returns at once and never raises for a database problem.

        `user` is the raw id: only its keyed hash (in the domain of `front`) is kept, even in
        memory; the text is kept scrubbed (or not at all for private fronts without
        `private_text`). `ref` (`new_ref`) is the handle the answer's buttons carry, when it
        has feedback buttons.
        """
        if front not in FRONTS:
            raise ValueError(f"unknown front end {front!r}")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if not self._accept():
            return
        domain = domain_of(front, chat_type)
        stored_text = "" if front in PRIVATE_FRONTS and not self.private_text else scrub(storable(text))
        row: Row = (
            iso(at or now_utc()),
            front,
            chat_type,
            lang,
            stored_text,
            query_key(stored_text),
            outcome,
            chosen_id,
            None if score is None else float(score),
            round(float(latency_ms), 3),
            None if user is None or domain is None else self.user_hash(user, domain),
            ref,
        )
        self._queue("queries", row)
        self.queued += 1

    def feedback(
        self,
        *,
        query_id: int,
        entry_id: str,
        verdict: str,
        user: int | str,
        chat_type: str | None = "private",
        text: str | None = None,
        at: dt.datetime | None = None,
    ) -> str | None:
        """Queue a user's verdict on the answer to question row `query_id`, replacing their
        earlier one on it; returns at once, like `log`, with the new row's `ref` when it is a
        report (it has `text`) and was accepted (the handle of `mark_handled`). `user` is the raw id: only its hash (in
        the domain of `chat_type`) is kept; `text` is kept scrubbed, like questions.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        if not self._accept():
            return None
        stored = None if text is None else scrub(storable(text))
        domain = "private" if chat_type == "private" else "group"
        ref = None if text is None else new_ref()
        values = (
            iso(at or now_utc()),
            query_id,
            entry_id,
            verdict,
            stored,
            self.user_hash(user, domain),
            ref,
        )
        self._queue("feedback", values)
        self.queued += 1
        return ref

    def set_admin_lang(self, admin: int, lang: str) -> None:
        """Queue an admin's language (kept under their private-domain hash, read at the next start)."""
        self.enqueue("admin_langs", (self.user_hash(admin, "private"), lang))

    async def load_admin_langs(self, admins: Iterable[int]) -> dict[int, str]:
        """The stored language of each of these admins that has one; the rows of anyone else (an
        admin no longer configured) are deleted."""
        by_hash = {self.user_hash(admin, "private"): admin for admin in admins}
        marks = ", ".join("?" * len(by_hash))
        async with self.transaction() as db:
            await db.execute(f"DELETE FROM admin_langs WHERE user_hash NOT IN ({marks})", list(by_hash))
            rows = await _all(db, "SELECT user_hash, lang FROM admin_langs")
        return {by_hash[user_hash]: lang for user_hash, lang in rows}

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row queued so far is written; False if `timeout` ran out first."""
        target = self._enqueued
        try:
            async with asyncio.timeout(timeout):
                while self._stored + self._lost < target and self._writer is not None:
                    self._wake.set()
                    self._hurry.set()
                    progress = self._progress
                    await progress.wait()
        except TimeoutError:
            return False
        return self._stored + self._lost >= target

    async def _write_forever(self) -> None:
        """The single writer: store queued rows in batches until closed and drained."""
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if len(self._pending) < self._batch_size and not self._hurry.is_set():
                # Let a batch gather: one transaction for many rows is far cheaper than many.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._flush_interval):
                        await self._hurry.wait()
            self._hurry.clear()
            batch = [self._pending[i] for i in range(min(self._batch_size, len(self._pending)))]
            try:
                await self._keep_file()
                await self._insert(batch)
                stored = batch
            except sqlite3.Error as exc:  # the database, not the rows: retry the whole batch
                self.failures += 1
                log = _LOG.debug if self._failing_since is not None else _LOG.warning
                log("query log: writing %d rows failed (%s); retrying", len(batch), exc)
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    self._tell("cannot_write", path=self.path, error=exc, pending=self._max_pending)
                await asyncio.sleep(self._retry_delay)
                continue
            except Exception:  # a row it cannot take: store the others, drop that one
                _LOG.exception("query log: a batch of %d rows was refused; writing one by one", len(batch))
                stored = await self._insert_each(batch)
            for _ in batch:
                self._pending.popleft()
            self.written += sum(table == "queries" for table, _ in stored)
            self._stored += len(stored)
            self._lost += len(batch) - len(stored)
            self.dropped += len(batch) - len(stored)
            if self._failing_since is not None:
                waited = time.monotonic() - self._failing_since
                self._failing_since, self._told_dropping = None, False
                self._tell("writing_again", waited=round(waited), dropped=self.dropped)
            self._progress.set()
            self._progress = asyncio.Event()

    async def _insert(self, rows: Sequence[Pending]) -> None:
        async with self.transaction() as db:
            # Many rows per statement, not `executemany`: SQLite then runs once per statement,
            # not once per row, and the writer thread takes the GIL from the bot's loop far less.
            # Runs of one table in arrival order: feedback comes after the question it is about.
            for table, run in itertools.groupby(rows, key=lambda row: row[0]):
                values = [row for _, row in run]
                if table in _UPSERTS:
                    for row in values:
                        await db.execute(_UPSERTS[table], row)
                    continue
                for start in range(0, len(values), ROWS_PER_INSERT):
                    chunk = values[start : start + ROWS_PER_INSERT]
                    await db.execute(_insert_sql(table, len(chunk)), [v for row in chunk for v in row])

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection inside one write transaction, which no other statement joins."""
        async with self._tx:
            db = self._connection()  # inside the lock: `_keep_file` may have swapped it
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    async def _insert_each(self, rows: Sequence[Pending]) -> list[Pending]:
        """Insert rows one at a time; returns those that went in."""
        stored = []
        for row in rows:
            try:
                await self._insert([row])
                stored.append(row)
            except Exception:
                _LOG.exception("query log: row dropped: the database refused it")
        return stored

    def _tell(self, what: str, **values: object) -> None:
        _LOG.warning("query log: %s: %s", what, ", ".join(f"{k} {v}" for k, v in values.items()))
        if self.on_trouble is not None:
            try:
                self.on_trouble(what, values)
            except Exception:  # telling must never stop the writer
                _LOG.exception("query log: on_trouble failed")

    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise QueryLogError("the query log is not open (call start() first)")
        return self._db

    # --- maintenance and reading ----------------------------------------------------------------

    async def purge(self, retention_days: int, now: dt.datetime | None = None) -> int:
        """Delete questions, feedback and tracked messages older than `retention_days`, then
        checkpoint so no copy stays in the WAL; returns how many rows went."""
        cutoff = iso((now or now_utc()) - dt.timedelta(days=retention_days))
        removed = 0
        async with self.transaction() as db:
            for table in ("queries", "feedback", "messages"):
                cursor = await db.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
                removed += cursor.rowcount
            await db.execute("DELETE FROM dismissed WHERE at < ?", (cutoff,))
        if removed:
            await self.checkpoint()
        return removed

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database and empty it (TRUNCATE); False if a reader held it."""
        async with self._tx:
            rows = await _all(self._connection(), "PRAGMA wal_checkpoint(TRUNCATE)")
        busy = bool(rows and rows[0][0])
        if busy:
            _LOG.warning(
                "query log: WAL checkpoint incomplete (another reader); retried after the next purge"
            )
        return not busy

    async def forget(self, hashes: Iterable[str]) -> dict[str, int]:
        """Delete every row of `USER_TABLES` under these hashes, queued ones included, then
        checkpoint; returns how many rows went, per table."""
        wanted = sorted(set(hashes))
        await self.flush(timeout=5)
        kept = collections.deque(
            (table, row) for table, row in self._pending if not _belongs(table, row, wanted)
        )
        taken = len(self._pending) - len(kept)
        self._pending, self._lost = kept, self._lost + taken
        counts: dict[str, int] = {}
        marks = ", ".join("?" * len(wanted))
        async with self.transaction() as db:
            for table, column in USER_TABLES.items():
                cursor = await db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", wanted)
                counts[table] = cursor.rowcount
        await self.checkpoint()
        return counts

    async def select(self, sql: str, *params: object) -> list[tuple]:
        """The rows of one read-only statement."""
        return await _all(self._connection(), sql, *params)

    async def stats(self, days: int, top: int = 5, now: dt.datetime | None = None) -> Stats:
        """Counts, outcome mix and the most asked (and most unanswered) questions."""
        db = self._connection()
        since = iso((now or now_utc()) - dt.timedelta(days=days))
        outcomes = dict(
            await _all(db, "SELECT outcome, count(*) FROM queries WHERE at >= ? GROUP BY 1", since)
        )
        fronts = dict(await _all(db, "SELECT front, count(*) FROM queries WHERE at >= ? GROUP BY 1", since))
        users = (await _all(db, "SELECT count(DISTINCT user_hash) FROM queries WHERE at >= ?", since))[0][0]
        # Questions stored without their text (`private_text` off) count, but are not listed.
        top_sql = """SELECT query_key, count(*) AS n FROM queries WHERE at >= ? AND query_key != '' {extra}
                     GROUP BY query_key ORDER BY n DESC, max(at) DESC LIMIT ?"""
        top_questions = await _all(db, top_sql.format(extra=""), since, top)
        top_unanswered = await _all(db, top_sql.format(extra="AND outcome = 'none'"), since, top)
        return Stats(
            days=days,
            total=sum(outcomes.values()),
            outcomes=outcomes,
            fronts=fronts,
            users=users,
            top_questions=[(q, n) for q, n in top_questions],
            top_unanswered=[(q, n) for q, n in top_unanswered],
        )

    async def question(self, ref: str, timeout: float = 2.0) -> Question | None:
        """The question row an answer card's buttons name (written first if still queued), or
        None if there is none (purged, or never written)."""
        await self.flush(timeout)
        rows = await _all(self._connection(), "SELECT id, query, chosen_id FROM queries WHERE ref = ?", ref)
        return Question(*rows[0]) if rows else None

    async def helpfulness(
        self, days: int, limit: int | None = None, now: dt.datetime | None = None
    ) -> list[Helpfulness]:
        """Verdicts per entry over the last `days` days, the least helpful first."""
        since = iso((now or now_utc()) - dt.timedelta(days=days))
        rows = await _all(
            self._connection(),
            """SELECT entry_id, sum(verdict = 'helpful'), sum(verdict = 'not_helpful'),
                      sum(verdict = 'error') FROM feedback WHERE at >= ? GROUP BY entry_id
               ORDER BY 1.0 * sum(verdict = 'helpful') / count(*), count(*) DESC, entry_id
               LIMIT ?""",
            since,
            -1 if limit is None else limit,
        )
        return [Helpfulness(*row) for row in rows]

    async def feedback_rows(self, days: int, now: dt.datetime | None = None) -> list[Feedback]:
        """Every verdict of the last `days` days with its question, most recent first."""
        since = iso((now or now_utc()) - dt.timedelta(days=days))
        rows = await _all(
            self._connection(),
            """SELECT f.at, f.entry_id, f.verdict, f.text, q.query, q.lang, f.handled_at FROM feedback f
               LEFT JOIN queries q ON q.id = f.query_id WHERE f.at >= ? ORDER BY f.at DESC, f.id DESC""",
            since,
        )
        return [Feedback(*row) for row in rows]

    async def mark_handled(self, ref: str, now: dt.datetime | None = None) -> str:
        """Mark the report with this `ref` handled (written first if still queued): `HANDLED`,
        `ALREADY_HANDLED`, or `GONE` (deleted by its sender or the retention purge, or replaced by
        their later press)."""
        await self.flush(timeout=2)
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE feedback SET handled_at = ? WHERE ref = ? AND handled_at IS NULL",
                (iso(now or now_utc()), ref),
            )
            if cursor.rowcount:
                return HANDLED
            found = await _all(db, "SELECT 1 FROM feedback WHERE ref = ?", ref)
        return ALREADY_HANDLED if found else GONE

    async def unhandled(self, limit: int | None = None) -> tuple[int, list[Feedback]]:
        """Reports (verdicts with a text) no admin has marked handled: how many, and the most
        recent `limit` of them (all without one) with their questions."""
        db = self._connection()
        waiting = "f.text IS NOT NULL AND f.handled_at IS NULL"
        (count,) = (await _all(db, f"SELECT count(*) FROM feedback f WHERE {waiting}"))[0]
        rows = await _all(
            db,
            f"""SELECT f.at, f.entry_id, f.verdict, f.text, q.query, q.lang, f.handled_at FROM feedback f
                LEFT JOIN queries q ON q.id = f.query_id WHERE {waiting} ORDER BY f.at DESC, f.id DESC LIMIT ?""",
            -1 if limit is None else limit,
        )
        return count, [Feedback(*row) for row in rows]

    async def unanswered(self, limit: int = 30) -> list[Unanswered]:
        """Questions that got no answer and were not dismissed, most recently asked first
        (grouped by wording)."""
        rows = await _all(
            self._connection(),
            """SELECT max(query), count(*), max(at), max(lang) FROM queries
               WHERE outcome = 'none' AND query_key != ''
                 AND query_key NOT IN (SELECT query_key FROM dismissed)
               GROUP BY query_key ORDER BY max(at) DESC LIMIT ?""",
            limit,
        )
        return [Unanswered(query=q, count=n, last_asked=at, lang=lang) for q, n, at, lang in rows]

    async def dismiss(self, keys: Iterable[str], now: dt.datetime | None = None) -> None:
        """Leave these question keys (`query_key`) out of the unanswered list from now on."""
        async with self.transaction() as db:  # never inside the writer's open transaction
            await db.executemany(
                "INSERT OR REPLACE INTO dismissed (query_key, at) VALUES (?, ?)",
                [(storable(k), iso(now or now_utc())) for k in keys],
            )

    async def dismissed(self) -> list[str]:
        """The question keys admins dismissed (they also hide near-duplicates: `triage.group`)."""
        return [k for (k,) in await _all(self._connection(), "SELECT query_key FROM dismissed")]


def _belongs(table: str, row: tuple[object, ...], hashes: Sequence[str]) -> bool:
    """Whether a queued row is about one of these hashes."""
    column = _COLUMNS[table].split(", ").index(USER_TABLES[table])
    return row[column] in hashes


async def _all(db: aiosqlite.Connection, sql: str, *params: object) -> list[tuple]:
    async with db.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def migrate(db: aiosqlite.Connection, migrations: Iterable[Migration] = MIGRATIONS) -> int:
    """Apply the migrations this database lacks, each in its own transaction; returns version."""
    await db.execute(
        """CREATE TABLE IF NOT EXISTS migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""
    )
    rows = await _all(db, "SELECT coalesce(max(version), 0) FROM migrations")
    current = rows[0][0]
    known = sorted(migrations, key=lambda m: m.version)
    latest = known[-1].version if known else 0
    if current > latest:
        raise QueryLogError(
            f"the query log's schema (version {current}) is newer than this bot knows "
            f"(version {latest}); upgrade the bot or use another database file"
        )
    for migration in known:
        if migration.version <= current:
            continue
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.statements:
                await db.execute(statement)
            await db.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, iso(now_utc())),
            )
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")
        _LOG.info("query log: applied migration %d (%s)", migration.version, migration.name)
        current = migration.version
    return current

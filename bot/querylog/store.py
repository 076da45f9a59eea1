"""The query log: one SQLite row per question asked through any front end, and the feedback on answers.

Writing never delays a reply: `QueryLog.log` only appends to an in-memory queue, and a single
writer task stores rows in batches (one transaction each, at most `flush_interval` after a row
arrives). A batch the database refuses (locked, read-only, full, I/O error) stays queued and is
retried, so an unavailable database loses nothing until `max_pending` rows wait in memory; later
rows are counted as dropped. `on_trouble` hears when writing fails, when rows are dropped and when
it works again (the bot tells its admins). `close` flushes what is left. A row the database cannot
take at all (never expected: text is made storable first) is dropped alone, not with its batch.
Who asked is stored only as a keyed hash (HMAC-SHA256 with the configured secret).

Feedback on an answer (`feedback`) goes through the same queue and writer, after the question's
row: an answer card's buttons carry the row's `ref`, a random handle, never the row's position.

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
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import aiosqlite

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
)

_COLUMNS = (
    "at, front, chat_type, lang, query, query_key, outcome, chosen_id, score, latency_ms, user_hash, ref"
)
#: Rows per INSERT statement: within SQLite's oldest limit of 999 variables.
ROWS_PER_INSERT = 999 // len(_COLUMNS.split(", "))


@functools.cache
def _insert_sql(rows: int) -> str:
    """``INSERT INTO queries (...) VALUES (...), (...)...`` for `rows` rows."""
    one = "(" + ", ".join(["?"] * len(_COLUMNS.split(", "))) + ")"
    return f"INSERT INTO queries ({_COLUMNS}) VALUES " + ", ".join([one] * rows)


Row = tuple[
    str, str, str | None, str | None, str, str, str, str | None, float | None, float, str | None, str | None
]

#: One press or report replaces the user's earlier one on the same answer.
_UPSERT_FEEDBACK = """INSERT INTO feedback (at, query_id, entry_id, verdict, text, user_hash)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (query_id, user_hash) DO UPDATE SET
        at = excluded.at, entry_id = excluded.entry_id, verdict = excluded.verdict, text = excluded.text"""


@dataclass(frozen=True)
class FeedbackRow:
    """A queued feedback write: (at, query_id, entry_id, verdict, text, user_hash)."""

    values: tuple[str, int, str, str, str | None, str]


#: What the writer's queue holds: question rows (tuples) and feedback writes, in arrival order.
Item = Row | FeedbackRow


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _now() -> dt.datetime:
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


def hash_user(secret: bytes, user: int | str) -> str:
    """Keyed hash of a user id (hex, 128 bits): stable for one secret, not reversible."""
    return hmac.new(secret, str(user).encode(), hashlib.sha256).hexdigest()[:32]


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
    """One user's verdict on one answer, with the question it answered (if still logged)."""

    at: str
    entry_id: str
    verdict: str
    text: str | None
    query: str | None
    lang: str | None


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
    ) -> None:
        self.path = Path(path)
        if secret is None:
            secret = secrets.token_bytes(32)
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._batch_size = batch_size
        self._retry_delay = retry_delay
        self._max_pending = max_pending
        self._flush_interval = flush_interval
        self._hurry = asyncio.Event()  # flush() or close(): write now, don't wait for a batch
        self._pending: collections.deque[Item] = collections.deque()
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._db: aiosqlite.Connection | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self.queued = 0  #: rows accepted by log()
        self.written = 0  #: rows committed to the database
        self.dropped = 0  #: rows refused because the queue was full or the log closed
        self.failures = 0  #: failed batch writes (each retried)
        #: Told ``(what, values)`` when writing fails ("cannot_write": path, error, pending), drops
        #: rows ("dropping": pending) and works again ("writing_again": waited, dropped); the bot
        #: words it for its admins.
        self.on_trouble: Callable[[str, dict[str, object]], None] | None = None
        self._failing_since: float | None = None
        self._told_dropping = False

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database (WAL), apply migrations and start the writer."""
        if self.path.parent != Path():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None, timeout=START_LOCK_WAIT)
        try:
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA busy_timeout=5000")
            await migrate(self._db)
        except BaseException:
            await self._db.close()
            self._db = None
            raise
        self._writer = asyncio.create_task(self._write_forever(), name="querylog-writer")

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
                _LOG.error("query log: %d rows could not be written before shutdown", self.pending)
            self._writer = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- writing ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Rows queued but not yet written."""
        return len(self._pending)

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

        `user` is the raw id: only its keyed hash is kept, even in memory. `ref` (`new_ref`) is
        the handle the answer's buttons carry, when it has feedback buttons.
        """
        if front not in FRONTS:
            raise ValueError(f"unknown front end {front!r}")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if not self._room():
            return
        stored_text = storable(text)
        row: Row = (
            _iso(at or _now()),
            front,
            chat_type,
            lang,
            stored_text,
            query_key(stored_text),
            outcome,
            chosen_id,
            None if score is None else float(score),
            round(float(latency_ms), 3),
            None if user is None else hash_user(self._secret, user),
            ref,
        )
        self._enqueue(row)

    def feedback(
        self,
        *,
        query_id: int,
        entry_id: str,
        verdict: str,
        user: int | str,
        text: str | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        """Queue a user's verdict on the answer to question row `query_id`, replacing their
        earlier one on it; returns at once, like `log`. `user` is the raw id: only its hash is kept.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        if not self._room():
            return
        stored = None if text is None else storable(text)
        values = (_iso(at or _now()), query_id, entry_id, verdict, stored, hash_user(self._secret, user))
        self._enqueue(FeedbackRow(values))

    def _room(self) -> bool:
        """Whether the queue takes another row; if not, count it dropped and tell once."""
        if not self._closing and len(self._pending) < self._max_pending:
            return True
        self.dropped += 1
        _LOG.warning("query log: row dropped (%s)", "closed" if self._closing else "queue full")
        if not self._closing and not self._told_dropping:
            self._told_dropping = True
            self._tell("dropping", pending=self._max_pending)
        return False

    def _enqueue(self, item: Item) -> None:
        self._pending.append(item)
        self.queued += 1
        self._wake.set()
        if len(self._pending) >= self._batch_size:
            self._hurry.set()  # a full batch need not wait out the interval

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row queued so far is written; False if `timeout` ran out first."""
        target = self.written + self.pending
        try:
            async with asyncio.timeout(timeout):
                while self.written < target and self._writer is not None:
                    self._wake.set()
                    self._hurry.set()
                    progress = self._progress
                    await progress.wait()
        except TimeoutError:
            return False
        return self.written >= target

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
                await self._insert(batch)
                stored = len(batch)
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
            self.written += stored
            self.dropped += len(batch) - stored
            if self._failing_since is not None:
                waited = time.monotonic() - self._failing_since
                self._failing_since, self._told_dropping = None, False
                self._tell("writing_again", waited=round(waited), dropped=self.dropped)
            self._progress.set()
            self._progress = asyncio.Event()

    async def _insert(self, items: Sequence[Item]) -> None:
        db = self._connection()
        await db.execute("BEGIN IMMEDIATE")
        try:
            # Many rows per statement, not `executemany`: SQLite then runs once per statement,
            # not once per row, and the writer thread takes the GIL from the bot's loop far less.
            # Feedback is written in its place among them: after the question it is about.
            for is_feedback, group in itertools.groupby(items, key=lambda i: isinstance(i, FeedbackRow)):
                if is_feedback:
                    for item in group:
                        await db.execute(_UPSERT_FEEDBACK, item.values)  # type: ignore[union-attr]
                    continue
                rows = list(group)
                for start in range(0, len(rows), ROWS_PER_INSERT):
                    chunk = rows[start : start + ROWS_PER_INSERT]
                    await db.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")

    async def _insert_each(self, rows: Sequence[Item]) -> int:
        """Insert rows one at a time; returns how many went in."""
        stored = 0
        for row in rows:
            try:
                await self._insert([row])
                stored += 1
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
        """Delete questions and feedback older than `retention_days`; returns how many rows went."""
        cutoff = _iso((now or _now()) - dt.timedelta(days=retention_days))
        removed = 0
        for table in ("queries", "feedback"):
            cursor = await self._connection().execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
            removed += cursor.rowcount
        await self._connection().execute("DELETE FROM dismissed WHERE at < ?", (cutoff,))
        return removed

    async def stats(self, days: int, top: int = 5, now: dt.datetime | None = None) -> Stats:
        """Counts, outcome mix and the most asked (and most unanswered) questions."""
        db = self._connection()
        since = _iso((now or _now()) - dt.timedelta(days=days))
        outcomes = dict(
            await _all(db, "SELECT outcome, count(*) FROM queries WHERE at >= ? GROUP BY 1", since)
        )
        fronts = dict(await _all(db, "SELECT front, count(*) FROM queries WHERE at >= ? GROUP BY 1", since))
        users = (await _all(db, "SELECT count(DISTINCT user_hash) FROM queries WHERE at >= ?", since))[0][0]
        top_sql = """SELECT query_key, count(*) AS n FROM queries WHERE at >= ? {extra}
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
        since = _iso((now or _now()) - dt.timedelta(days=days))
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
        since = _iso((now or _now()) - dt.timedelta(days=days))
        rows = await _all(
            self._connection(),
            """SELECT f.at, f.entry_id, f.verdict, f.text, q.query, q.lang FROM feedback f
               LEFT JOIN queries q ON q.id = f.query_id WHERE f.at >= ? ORDER BY f.at DESC, f.id DESC""",
            since,
        )
        return [Feedback(*row) for row in rows]

    async def unanswered(self, limit: int = 30) -> list[Unanswered]:
        """Questions that got no answer and were not dismissed, most recently asked first
        (grouped by wording)."""
        rows = await _all(
            self._connection(),
            """SELECT max(query), count(*), max(at), max(lang) FROM queries
               WHERE outcome = 'none' AND query_key NOT IN (SELECT query_key FROM dismissed)
               GROUP BY query_key ORDER BY max(at) DESC LIMIT ?""",
            limit,
        )
        return [Unanswered(query=q, count=n, last_asked=at, lang=lang) for q, n, at, lang in rows]

    async def dismiss(self, keys: Iterable[str], now: dt.datetime | None = None) -> None:
        """Leave these question keys (`query_key`) out of the unanswered list from now on."""
        await self._connection().executemany(
            "INSERT OR REPLACE INTO dismissed (query_key, at) VALUES (?, ?)",
            [(storable(k), _iso(now or _now())) for k in keys],
        )

    async def dismissed(self) -> list[str]:
        """The question keys admins dismissed (they also hide near-duplicates: `triage.group`)."""
        return [k for (k,) in await _all(self._connection(), "SELECT query_key FROM dismissed")]


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
                (migration.version, migration.name, _iso(_now())),
            )
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")
        _LOG.info("query log: applied migration %d (%s)", migration.version, migration.name)
        current = migration.version
    return current

"""At-least-once handling across crashes: fetched messages are kept on disk until answered.

Telegram forgets an update once a later ``getUpdates`` confirms it, and PTB confirms a batch on
its next call, before the batch is handled. So `JournalingRequest` (the transport of
``getUpdates``) writes every message update of a batch to the journal, and commits, before the
batch reaches PTB: the confirmation can only follow. `mark_done` is called when a message has
been handled; at the next start `pending` gives back the ones that were not, to be handled first.
In webhook mode Telegram forgets an update once the bot's server answers 200: `JournalingQueue`
(where the server puts each update) records it first.

Duplicates: a message answered but not yet marked done in the database (marks are written every
`DONE_INTERVAL` s) is answered again after a ``kill -9``; one Telegram delivers again (fetched but
not confirmed before the crash) is recognised by its ``update_id`` and skipped. A message whose
handling was started `MAX_ATTEMPTS` times without finishing (it may be what kills the bot) is
given up. Buttons and inline queries are not kept: Telegram lets a bot answer them for seconds.

What is stored: the update as Telegram sent it (it holds the asker's chat and user ids), encrypted
with AES-GCM under a key derived from the bot token, in a sibling file of the query log, and
deleted (``secure_delete``) once handled; only the ``update_id`` of handled updates stays, for
`SEEN_HOURS` (Telegram keeps an unconfirmed update for 24 hours), to recognise a second delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiosqlite
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.querylog import sqlitefile

_LOG = logging.getLogger(__name__)

#: Seconds between writes of "handled" marks (the duplicates a ``kill -9`` can cause).
DONE_INTERVAL = 0.2
#: Starts of one message's handling after which it is given up.
MAX_ATTEMPTS = 3
#: Hours the id of a handled update is kept to recognise a second delivery.
SEEN_HOURS = 25
#: Seconds a start-up waits for another process's lock on the journal.
LOCK_WAIT = 30.0
_NONCE = 12

_SCHEMA = """CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    payload BLOB,            -- the encrypted update while it waits; NULL once handled
    done_at REAL             -- time.time() when handled
)"""


def journal_path(database: str | Path) -> Path:
    """The journal beside a query log: ``querylog.sqlite3`` -> ``querylog.updates.sqlite3``."""
    database = Path(database)
    return database.with_name(f"{database.stem}.updates{database.suffix or '.sqlite3'}")


class Journal:
    """The fetched, not yet handled messages, in SQLite (WAL). Use from one event loop."""

    def __init__(self, path: str | Path, token: str) -> None:
        self.path = Path(path)
        key = hmac.new(token.encode(), b"exile-desk update journal", hashlib.sha256).digest()
        self._cipher = AESGCM(key)
        self._db: aiosqlite.Connection | None = None
        self._done: set[int] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Future[None]] = set()  #: batches being recorded
        # The files the connection has open (to notice their deletion: `_keep_file`).
        self._file: sqlitefile.Identity | None = None
        self._wal: sqlitefile.Identity | None = None
        self._use = asyncio.Lock()  #: the connection is not swapped while a batch is recorded
        self.recorded = 0  #: message updates written before PTB saw them
        self.skipped = 0  #: updates Telegram delivered again, recognised and skipped
        self.failures = 0  #: batches that could not be recorded (handled at most once)

    async def open(self) -> None:
        """Open (or create) the journal and start writing "handled" marks."""
        await self._connect()
        self._flusher = asyncio.create_task(self._flush_forever(), name="journal-flusher")

    async def _connect(self) -> None:
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=LOCK_WAIT)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")  # WAL: a process crash loses nothing
            await db.execute("PRAGMA secure_delete=ON")
            await db.execute(_SCHEMA)
            await db.execute(
                "DELETE FROM updates WHERE payload IS NULL AND done_at < ?",
                (time.time() - SEEN_HOURS * 3600,),
            )
        except BaseException:
            await db.close()
            raise
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        self._db, self._file = db, sqlitefile.identity(self.path)
        self._wal = sqlitefile.wal_identity(self.path)

    async def _keep_file(self) -> None:
        """If the journal's file was deleted (or replaced) while open, put it back with what the
        connection still holds (or use the new one), so a crash cannot lose the pending messages."""
        now = sqlitefile.identity(self.path)
        if now == self._file and self._db is not None:
            return
        try:
            await sqlitefile.let_go(self._db, self.path, now, self._wal)
            self._db = None
            await self._connect()
        except (OSError, sqlite3.Error) as exc:
            _LOG.error("update journal %s was deleted and cannot be recreated (%s)", self.path, exc)
            return
        _LOG.error(
            "update journal %s was %s while open; %s", self.path, "deleted" if now is None else "replaced",
            "recreated with the messages still pending" if now is None else "using the new file",
        )  # fmt: skip

    async def close(self) -> None:
        """Write the last marks and close."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        if self._db is not None:
            await self._keep_file()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                await self._write_done()
            await self._db.close()
            self._db = None

    # --- the transport side ------------------------------------------------------------------

    async def record(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store a fetched batch; return it with updates seen before reduced to their id.

        A reduced update (``{"update_id": n}``) reaches no handler but still moves PTB's offset
        on, so Telegram forgets it. If the journal cannot be written the batch goes on as it is.
        """
        if self._db is None or not updates:
            return updates
        async with self._use:
            await self._keep_file()
            return await self._record(updates)

    async def _record(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        db = self._db
        if db is None:
            return updates
        ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
        try:
            marks = ",".join("?" * len(ids))
            async with db.execute(f"SELECT update_id FROM updates WHERE update_id IN ({marks})", ids) as cur:
                seen = {row[0] for row in await cur.fetchall()}
            rows = []
            now = time.time()
            for update in updates:
                update_id = update.get("update_id")
                if update_id in seen or not isinstance(update_id, int):
                    continue
                kept = "message" in update
                payload = self._seal(update) if kept else None
                rows.append((update_id, payload, None if kept else now))
                self.recorded += kept
            # Shielded: a poll cancelled at shutdown must not leave the transaction open, or
            # every later write on this connection (the "handled" marks) is rolled back at close.
            write = asyncio.ensure_future(self._insert(db, rows))
            self._writes.add(write)
            write.add_done_callback(self._writes.discard)
            await asyncio.shield(write)
        except sqlite3.Error as exc:
            self.failures += 1
            _LOG.warning("update journal %s: cannot record %d updates (%s)", self.path, len(updates), exc)
            return updates
        self.skipped += len(seen)
        if seen:
            _LOG.info("update journal: %d updates delivered again, already handled or pending", len(seen))
        return [{"update_id": u["update_id"]} if u.get("update_id") in seen else u for u in updates]

    @staticmethod
    async def _insert(db: aiosqlite.Connection, rows: list[tuple[int, bytes | None, float | None]]) -> None:
        await db.execute("BEGIN IMMEDIATE")
        try:
            await db.executemany(
                "INSERT OR IGNORE INTO updates (update_id, payload, done_at) VALUES (?, ?, ?)", rows
            )
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")

    # --- the handling side -------------------------------------------------------------------

    def mark_done(self, update_id: int) -> None:
        """A recorded message was handled (written within `DONE_INTERVAL`)."""
        self._done.add(update_id)

    async def pending(self) -> list[dict[str, Any]]:
        """Messages recorded but never handled, oldest first; each call counts an attempt."""
        db = self._db
        if db is None:
            return []
        async with db.execute(
            "SELECT update_id, attempts, payload FROM updates WHERE payload IS NOT NULL ORDER BY update_id"
        ) as cursor:
            rows = list(await cursor.fetchall())
        out, given_up = [], []
        for update_id, attempts, payload in rows:
            update = self._open_sealed(payload) if attempts < MAX_ATTEMPTS else None
            if update is None:
                given_up.append(update_id)
            else:
                out.append(update)
        await db.execute("UPDATE updates SET attempts = attempts + 1 WHERE payload IS NOT NULL")
        if given_up:
            _LOG.error(
                "update journal: %d messages given up (started %d times, or not readable with this token)",
                len(given_up),
                MAX_ATTEMPTS,
            )
            self._done.update(given_up)
            await self._write_done()
        return out

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(DONE_INTERVAL)
            if self._done:
                try:
                    async with self._use:
                        await self._keep_file()
                        await self._write_done()
                except sqlite3.Error as exc:  # kept in memory; tried again next time
                    _LOG.warning("update journal: cannot write handled marks (%s)", exc)

    async def _write_done(self) -> None:
        if not self._done or self._db is None:
            return
        done, now = sorted(self._done), time.time()
        await self._db.executemany(
            "UPDATE updates SET payload = NULL, done_at = ? WHERE update_id = ?", [(now, i) for i in done]
        )
        self._done.difference_update(done)

    def _seal(self, update: dict[str, Any]) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._cipher.encrypt(nonce, json.dumps(update).encode(), None)

    def _open_sealed(self, payload: bytes) -> dict[str, Any] | None:
        try:
            return json.loads(self._cipher.decrypt(payload[:_NONCE], payload[_NONCE:], None))
        except (InvalidTag, ValueError):
            return None


class JournalingRequest(BaseRequest):
    """The ``getUpdates`` transport: records each batch in the journal before PTB gets it."""

    def __init__(self, inner: BaseRequest, journal: Journal, read_timeout: float | None = None) -> None:
        self.inner = inner
        self.journal = journal
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """The read timeout PTB adds a long poll's timeout to: ours if given, else the wrapped one's."""
        return self.inner.read_timeout if self._read_timeout is None else self._read_timeout

    async def initialize(self) -> None:
        """Initialise the wrapped transport."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped transport down."""
        await self.inner.shutdown()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **timeouts: Any
    ) -> tuple[int, bytes]:
        """Send through the wrapped transport; journal a successful ``getUpdates`` answer."""
        status, body = await self.inner.do_request(url, method, request_data, **timeouts)
        if status != 200 or not url.endswith("/getUpdates"):
            return status, body
        try:
            answer = json.loads(body)
            updates = answer["result"] if answer.get("ok") else None
        except (ValueError, TypeError, KeyError, AttributeError):
            return status, body  # PTB reports what is wrong with it
        if not isinstance(updates, list) or not all(isinstance(u, dict) for u in updates):
            return status, body
        kept = await self.journal.record(updates)
        return status, json.dumps({"ok": True, "result": kept}).encode()


class JournalingQueue:
    """The update queue as PTB's webhook server sees it: each update is recorded in the journal
    before it is queued. The server awaits ``put`` before it answers Telegram, so an update is on
    disk before the 200 that makes Telegram forget it; one Telegram posts again is dropped here."""

    def __init__(self, queue: asyncio.Queue[object], journal: Journal) -> None:
        self.queue = queue
        self.journal = journal

    async def put(self, update: object) -> None:
        """Record `update` (a message: see `Journal.record`), then queue it unless seen before."""
        if isinstance(update, Update):
            data = update.to_dict()
            (kept,) = await self.journal.record([data])
            if kept is not data:  # reduced to its id: handled or waiting already
                return
        await self.queue.put(update)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)

"""The private conversation with the bot, for /forget and /autodelete.

Every message of a private chat (the user's and the bot's) is recorded as the user's
private-domain hash, the message id and the time: /forget finds the messages to delete through the
hash of the user who asks, so no chat id is stored for it. A user who turns auto-delete on
(`set_autodelete`) gets a deletion time on each message and, only until it is deleted, the chat id
sealed (encrypted and authenticated with a key derived from the hash secret): the job that deletes
it runs with nobody present, also after a restart. The same job deletes that user's private
questions from the query log once they are as old.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from bot.querylog.store import QueryLog, iso, now_utc

#: Telegram lets a bot delete a message only this long after it was sent.
DELETABLE_FOR = dt.timedelta(hours=48)
#: The longest auto-delete delay (a day: well inside Telegram's 48 hours, even after downtime).
MAX_AUTODELETE_MINUTES = 24 * 60
#: The unit of auto-delete delays (tests shorten it).
MINUTE = dt.timedelta(minutes=1)
#: Due deletions handled per job run.
DUE_BATCH = 500
_SEAL_PURPOSE = "seal-chat-id"


def seal(key: bytes, number: int) -> str:
    """`number` encrypted under `key` (HMAC-SHA256 as a stream cipher with a random nonce, then
    an HMAC tag over both): hex, different each time, readable only with the key."""
    nonce = secrets.token_bytes(12)
    pad = hmac.new(key, b"pad" + nonce, hashlib.sha256).digest()[:8]
    body = bytes(a ^ b for a, b in zip(number.to_bytes(8, "big", signed=True), pad, strict=True))
    tag = hmac.new(key, b"tag" + nonce + body, hashlib.sha256).digest()[:16]
    return (nonce + body + tag).hex()


def unseal(key: bytes, sealed: str) -> int | None:
    """The number `seal` hid, or None if `sealed` was not made with `key` (or was altered)."""
    try:
        raw = bytes.fromhex(sealed)
    except ValueError:
        return None
    nonce, body, tag = raw[:12], raw[12:20], raw[20:]
    expected = hmac.new(key, b"tag" + nonce + body, hashlib.sha256).digest()[:16]
    if len(raw) != 36 or not hmac.compare_digest(tag, expected):
        return None
    pad = hmac.new(key, b"pad" + nonce, hashlib.sha256).digest()[:8]
    return int.from_bytes(bytes(a ^ b for a, b in zip(body, pad, strict=True)), "big", signed=True)


@dataclass(frozen=True)
class Tracked:
    """The messages of one private conversation the bot knows of, split by whether it may
    still delete them."""

    deletable: list[int]
    too_old: int
    oldest: str | None  #: when the oldest message known was sent (UTC, ISO 8601)


@dataclass(frozen=True)
class Due:
    """A message whose auto-delete time has come."""

    row_id: int
    chat_id: int
    message_id: int


class Conversation:
    """Message ids of private chats and auto-delete settings, stored through the query log."""

    def __init__(self, log: QueryLog) -> None:
        self.log = log
        self._minutes: dict[str, int] = {}  # auto-delete delay per private-domain hash

    async def load(self) -> None:
        """Read the auto-delete settings (after the query log has started)."""
        rows = await self.log.select("SELECT user_hash, minutes FROM autodelete")
        self._minutes = dict(rows)

    def _hash(self, user: int) -> str:
        return self.log.user_hash(user, "private")

    def autodelete(self, user: int) -> int | None:
        """The user's auto-delete delay in minutes, or None if it is off."""
        return self._minutes.get(self._hash(user))

    def record(self, user: int, message_id: int, at: dt.datetime | None = None) -> None:
        """Remember a message of `user`'s private chat (queued; the chat id is `user`)."""
        user_hash, at = self._hash(user), at or now_utc()
        minutes = self._minutes.get(user_hash)
        delete_at = iso(at + minutes * MINUTE) if minutes else None
        sealed = seal(self.log.derived_key(_SEAL_PURPOSE), user) if minutes else None
        self.log.enqueue("messages", (user_hash, message_id, iso(at), delete_at, sealed))

    async def tracked(self, user: int, now: dt.datetime | None = None) -> Tracked:
        """The user's messages the bot knows of (written first), deletable and too old."""
        await self.log.flush(timeout=5)
        cutoff = iso((now or now_utc()) - DELETABLE_FOR)
        rows = await self.log.select(
            "SELECT message_id, at FROM messages WHERE user_hash = ? ORDER BY message_id",
            self._hash(user),
        )
        return Tracked(
            deletable=[m for m, at in rows if at >= cutoff],
            too_old=sum(at < cutoff for _, at in rows),
            oldest=rows[0][1] if rows else None,
        )

    async def set_autodelete(self, user: int, minutes: int | None, now: dt.datetime | None = None) -> None:
        """Turn auto-delete on (after `minutes`) or off (None); messages already recorded follow."""
        if minutes is not None and not 1 <= minutes <= MAX_AUTODELETE_MINUTES:
            raise ValueError(f"minutes must be 1..{MAX_AUTODELETE_MINUTES}")
        user_hash, now = self._hash(user), now or now_utc()
        await self.log.flush(timeout=5)
        async with self.log.transaction() as db:
            if minutes is None:
                await db.execute("DELETE FROM autodelete WHERE user_hash = ?", (user_hash,))
                await db.execute(
                    "UPDATE messages SET delete_at = NULL, sealed_chat = NULL WHERE user_hash = ?",
                    (user_hash,),
                )
            else:
                await db.execute(
                    "INSERT INTO autodelete (user_hash, minutes, set_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_hash) DO UPDATE SET minutes = excluded.minutes, set_at = excluded.set_at",
                    (user_hash, minutes, iso(now)),
                )
                await db.execute(
                    "UPDATE messages SET delete_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', at, ?), "
                    "sealed_chat = ? WHERE user_hash = ?",
                    (
                        f"+{(minutes * MINUTE).total_seconds()} seconds",
                        seal(self.log.derived_key(_SEAL_PURPOSE), user),
                        user_hash,
                    ),
                )
        if minutes is None:
            self._minutes.pop(user_hash, None)
        else:
            self._minutes[user_hash] = minutes

    async def forget(self, user: int, domains: Iterable[str]) -> dict[str, int]:
        """Delete every row kept about `user` (their hash in each of `domains`), auto-delete
        setting included; returns how many rows went, per table."""
        counts = await self.log.forget(self.log.user_hash(user, d) for d in domains)
        self._minutes.pop(self._hash(user), None)
        return counts

    async def due(self, now: dt.datetime | None = None) -> list[Due]:
        """Messages whose auto-delete time has come (at most `DUE_BATCH`)."""
        await self.log.flush(timeout=5)
        rows = await self.log.select(
            "SELECT id, sealed_chat, message_id FROM messages WHERE delete_at <= ? ORDER BY delete_at LIMIT ?",
            iso(now or now_utc()),
            DUE_BATCH,
        )
        key = self.log.derived_key(_SEAL_PURPOSE)
        found = []
        for row_id, sealed, message_id in rows:
            chat_id = unseal(key, sealed) if sealed else None
            found.append(Due(row_id, chat_id if chat_id is not None else 0, message_id))
        return found

    async def finish(self, done: list[Due], now: dt.datetime | None = None) -> int:
        """Forget the messages handled (deleted, or gone), and the private questions of
        auto-deleting users that are as old; returns how many questions went."""
        now = now or now_utc()
        removed = 0
        async with self.log.transaction() as db:
            for start in range(0, len(done), DUE_BATCH):
                ids = [d.row_id for d in done[start : start + DUE_BATCH]]
                await db.execute(f"DELETE FROM messages WHERE id IN ({', '.join('?' * len(ids))})", ids)
            for user_hash, minutes in self._minutes.items():
                cutoff = iso(now - minutes * MINUTE)
                cursor = await db.execute(
                    "DELETE FROM queries WHERE user_hash = ? AND at < ?", (user_hash, cutoff)
                )
                removed += cursor.rowcount
        if done or removed:
            await self.log.checkpoint()
        return removed

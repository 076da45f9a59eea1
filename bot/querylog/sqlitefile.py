"""A SQLite file deleted or replaced under an open connection: noticed, and put back.

SQLite keeps writing to an open file after it is unlinked: every commit "succeeds" and is gone
when the process ends. `identity` (device and inode of the path) taken at open and compared
before each write batch notices it for the cost of one ``stat``. `restore` copies what the open
connection still reads (the unlinked file and its WAL) into a new file at the path, through
SQLite's backup API, so no committed row is lost.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import aiosqlite

#: Files SQLite keeps beside a WAL-mode database (they belong to the file they were made for).
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")

Identity = tuple[int, int]


def identity(path: Path) -> Identity | None:
    """Device and inode of the file at `path`, or None if there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


async def restore(db: aiosqlite.Connection, path: Path) -> None:
    """Copy everything `db` holds into a new file at `path` (where its own file was deleted), then
    close `db`. The caller opens `path` afresh. Raises OSError or sqlite3.Error, `db` still open,
    if the copy cannot be made (e.g. the folder is gone for good, or the disk is full)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    copy = path.with_name(f".{path.name}.restoring")
    _remove(copy)
    target = await aiosqlite.connect(copy, isolation_level=None)
    try:
        await db.backup(target)
    except BaseException:
        await target.close()
        _remove(copy)
        raise
    await target.close()
    os.chmod(copy, 0o600)
    await db.close()
    # The WAL and shared-memory files still at the path were the deleted file's (SQLite does not
    # write back the WAL of a file that is gone): left there, they would be applied to the new one.
    for suffix in SIDE_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    os.replace(copy, path)


async def release(db: aiosqlite.Connection, path: Path, wal: Identity | None) -> None:
    """Close `db`, whose file at `path` another file has replaced, and remove its WAL (`wal`:
    the identity of ``path-wal`` when `db` was opened): SQLite does not write back a moved
    file's WAL at close, and left at the path it would be applied to the new file. A WAL that
    came with the new file is left alone."""
    await db.close()
    if wal is not None and identity(Path(f"{path}-wal")) == wal:
        for suffix in SIDE_SUFFIXES:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")


async def let_go(
    db: aiosqlite.Connection | None, path: Path, now: Identity | None, wal: Identity | None
) -> None:
    """Close `db` (if open), whose file at `path` is no longer the one it opened: `restore` it if it
    is gone (`now` is None), else `release` it to the file that replaced it. The caller reopens."""
    if db is None:
        return
    if now is None:
        await restore(db, path)
    else:
        await release(db, path, wal)


def wal_identity(path: Path) -> Identity | None:
    """The identity of the WAL beside the database at `path` (see `release`)."""
    return identity(Path(f"{path}-wal"))


def _remove(path: Path) -> None:
    for name in (str(path), *(f"{path}{suffix}" for suffix in SIDE_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)

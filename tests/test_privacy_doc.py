"""docs/privacy.md states what the code does: each claim against the schema, defaults and tests."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

from bot.config import Settings
from bot.querylog import conversation, scrub
from bot.querylog.store import USER_TABLES, QueryLog
from bot.tg import privacy
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")


def schema(tmp_path: Path) -> dict[str, list[str]]:
    database = tmp_path / "log.sqlite3"

    async def create() -> None:
        async with QueryLog(database, "k"):
            pass

    asyncio.run(create())
    with sqlite3.connect(database) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_the_tables_and_columns_listed_are_exactly_the_databases(tmp_path: Path) -> None:
    listed = {
        table: re.findall(r"`(\w+)`", columns)
        for table, columns in re.findall(r"^\| `(\w+)` \| (.+?) \|$", DOC, re.MULTILINE)
    }
    assert listed == schema(tmp_path)
    assert set(USER_TABLES) <= set(listed)  # /forget reaches every table that holds a user's rows


def test_durations_and_limits_are_the_codes() -> None:
    defaults = Settings()
    assert f"**{defaults.retention_days} days** (`retention_days`)" in DOC
    assert f"`inline_settle_seconds` (default {defaults.inline_settle_seconds:g})" in DOC
    assert f"**{conversation.DELETABLE_FOR.total_seconds() / 3600:g} hours**" in DOC
    assert f"1 to **{conversation.MAX_AUTODELETE_MINUTES}** minutes" in DOC
    assert f"runs every {privacy.AUTODELETE_CHECK_SECONDS:g} seconds" in DOC
    assert f"numbers of {scrub.LONG_DIGITS} digits or more" in DOC
    assert defaults.log_private_text and "`log_private_text: false`" in DOC


def test_every_placeholder_is_named() -> None:
    for placeholder in scrub.PLACEHOLDERS.values():
        assert f"`{placeholder}`" in DOC


def test_every_test_named_as_proof_exists() -> None:
    named = set(re.findall(r"`(test_\w+)`", DOC))
    assert len(named) >= 6
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for test in named:
        assert f"def {test}(" in sources, test

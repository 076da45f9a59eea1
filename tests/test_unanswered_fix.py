"""Unanswered questions as a to-do list: grouping, dismissing, where the matcher would add each,
and ``python -m bot unanswered --fix`` with piped answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.querylog import triage
from bot.querylog.store import QueryLog, Unanswered
from bot.tg.fixes import describe
from tests.conftest import KNOWLEDGE
from tests.helpers import bot_env, run_cli

CHESS_GOAT = "that chess goat who hates putin"  # declined by the shipped base; about Kasparov


def row(query: str, count: int = 1, at: str = "2026-12-01T10:00:00.000+00:00") -> Unanswered:
    return Unanswered(query=query, count=count, last_asked=at, lang="en")


def test_near_duplicates_are_one_group_with_their_counts_added() -> None:
    rows = [
        row("Where does Kasparov keep his chess trophies?", 2, "2026-12-01T12:00:00.000+00:00"),
        row("what is the airspeed velocity of a swallow"),
        row("where does kasparov keep his chess trophies", 3),
        row("kasparov: where does he keep his chess trophies"),
    ]
    groups = triage.group(rows)
    assert [(g.query, g.count) for g in groups] == [
        ("where does kasparov keep his chess trophies", 6),
        ("what is the airspeed velocity of a swallow", 1),
    ]
    assert groups[0].last_asked.startswith("2026-12-01T12:00")
    assert len(groups[0].keys) == 3


def test_a_dismissed_question_hides_its_near_duplicates_too() -> None:
    rows = [row("What is the airspeed velocity of a swallow?"), row("kasparov chess trophies")]
    assert [g.query for g in triage.group(rows, ["what is the airspeed velocity of a swallow"])] == [
        "kasparov chess trophies"
    ]


@pytest.mark.asyncio
async def test_dismissed_questions_are_stored_and_purged_with_the_log(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    async with QueryLog(db) as log:
        for text in ("swallow speed?", "kasparov trophies"):
            log.log(front="private", text=text, outcome="none")
        await log.flush()
        await log.dismiss(["swallow speed"])
    async with QueryLog(db) as log:  # another process later
        assert await log.dismissed() == ["swallow speed"]
        assert [u.query for u in await log.unanswered()] == ["kasparov trophies"]
        await log.purge(retention_days=0)
        assert await log.dismissed() == []


def test_a_declined_name_is_offered_as_an_alias_and_a_declined_question_as_a_phrasing(engine: Engine) -> None:
    assert engine.ask("Garik Kimovich").outcome == "none"
    assert [(t.id, t.adds, t.title) for t in engine.targets("Garik Kimovich")] == [
        ("kasparov", "alias", "Garry Kasparov")
    ]
    assert engine.ask(CHESS_GOAT).outcome == "none"
    offered = engine.targets(CHESS_GOAT)
    assert (offered[0].id, offered[0].adds, offered[0].title) == (
        "kasparov_who_is",
        "question",
        "Who is Garry Kasparov?",
    )
    assert len(offered) == 3 and all(t.adds == "question" and t.type == "faq" for t in offered)
    assert engine.targets("hello") == ()  # small talk is nothing to add


def unanswered_log(path: Path, questions: list[str]) -> Path:
    """A query log holding `questions`, declined, asked a minute apart in this order."""
    first = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)

    async def fill() -> None:
        async with QueryLog(path, "secret") as log:
            for minute, text in enumerate(questions):
                at = first + dt.timedelta(minutes=minute)
                log.log(front="private", text=text, outcome="none", lang="en", user=42, at=at)

    asyncio.run(fill())
    return path


def test_unanswered_fix_walks_the_list_adding_skipping_and_dismissing(tmp_path: Path) -> None:
    kb = shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    db = unanswered_log(
        tmp_path / "log.sqlite3", ["swallow airspeed velocity please", CHESS_GOAT, "Garik Kimovich"]
    )
    env = bot_env(BOT_DATABASE=str(db), BOT_KNOWLEDGE_DIR=str(kb))
    # Most recent first: the name (1 = alias of Kasparov), the chess goat ("x" is no choice, then
    # 1), the swallow (dismissed).
    run = run_cli("unanswered", "--fix", stdin="1\nx\n1\nd\n", env=env)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("3 unanswered question(s)")
    assert "people/kasparov.yaml:20: kasparov: aliases + 'Garik Kimovich'" in out
    assert "faq/kasparov.yaml:" in out and f"kasparov_who_is: questions.en + '{CHESS_GOAT}'" in out
    assert "the bot answers it with Who is Garry Kasparov? (kasparov_who_is)" in out
    assert "? add to 1-3, d=dismiss, s=skip, q=quit" in out
    assert "dismissed: not listed again" in out
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT query_key FROM dismissed").fetchall() == [
            ("swallow airspeed velocity please",)
        ]
    again = run_cli("unanswered", "--fix", stdin="", env=env)  # fixed, answered now, or dismissed
    assert again.stdout.startswith("0 unanswered question(s)"), again.stdout
    engine = Engine.from_dir(kb)
    assert engine.ask("Garik Kimovich").answer.id == "kasparov"
    assert engine.ask(CHESS_GOAT).answer.id == "kasparov_who_is"


def test_unanswered_fix_reports_a_refused_edit_and_changes_nothing(tmp_path: Path) -> None:
    kb = shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    broken = kb / "people" / "zz_broken.yaml"
    broken.write_text("id: zz_broken\nname: [unclosed\n", encoding="utf-8")
    db = unanswered_log(tmp_path / "log.sqlite3", ["Garik Kimovich"])
    env = bot_env(BOT_DATABASE=str(db), BOT_KNOWLEDGE_DIR=str(kb))
    run = run_cli("unanswered", "--fix", stdin="q\n", env=env)  # the folder must load to start
    assert run.returncode == 1 and "zz_broken.yaml:3: malformed YAML" in run.stderr
    broken.unlink()
    shipped = {p: p.read_bytes() for p in kb.rglob("*.yaml")}
    too_long = "Garik " + "Kimovich " * 40  # declined, and longer than a question may be
    db = unanswered_log(tmp_path / "other.sqlite3", [too_long])
    run = run_cli(
        "unanswered", "--fix", stdin="1\nq\n", env=bot_env(BOT_DATABASE=str(db), BOT_KNOWLEDGE_DIR=str(kb))
    )
    assert "not added; nothing was changed:" in run.stdout
    assert "faq/kasparov.yaml:" in run.stdout and "text too long (365 characters, at most 300)" in run.stdout
    assert {p: p.read_bytes() for p in kb.rglob("*") if p.is_file() and p.suffix == ".yaml"} == shipped


def test_a_fix_offer_reads_in_the_admins_language(engine: Engine) -> None:
    target = engine.targets("Garik Kimovich")[0]
    where = engine.knowledge.where[target.id].file
    assert describe(target, engine, "en") == f"add as alias of kasparov “{target.title}” ({where})"
    assert (
        describe(target, engine, "ru")
        == f"добавить как псевдоним в запись kasparov «{target.title}» ({where})"
    )

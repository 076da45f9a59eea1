"""The command line, run as a user would: `python -m bot ask | chat | validate | stats | unanswered | schema`."""

import asyncio
import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import _settings, parser
from bot.config import ENV_VARS
from bot.querylog.store import QueryLog
from tests.conftest import KNOWLEDGE
from tests.helpers import bot_env, run_cli


def in_db(tmp_path: Path) -> dict[str, str]:
    """The environment for a run that logs to a fresh database in `tmp_path`."""
    return bot_env(BOT_DATABASE=str(tmp_path / "log.sqlite3"))


def test_ask_json_prints_one_object_per_question_from_stdin_in_one_process(tmp_path):
    questions = ["Where does Kasparov live now?", "Gudkov", "what's the weather in Moscow", "кто такой Яшин"]
    run = run_cli("ask", "--json", stdin="\n".join(questions) + "\n", env=in_db(tmp_path))
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["query"] for line in lines] == questions
    assert [line["outcome"] for line in lines] == ["answer", "suggest", "none", "answer"]
    assert lines[0]["answer"]["type"] in {"person", "faq"}
    assert {"id": "kasparov", "name_en": "Garry Kasparov"} in lines[0]["answer"]["entities"]
    assert lines[3]["lang"] == "ru" and lines[0]["lang"] == "en"
    assert all(isinstance(line["elapsed_ms"], float) for line in lines)
    with sqlite3.connect(tmp_path / "log.sqlite3") as db:
        rows = db.execute("SELECT front, query, outcome, user_hash FROM queries ORDER BY id").fetchall()
    assert rows == [("terminal", q, line["outcome"], None) for q, line in zip(questions, lines, strict=True)]


def test_ask_plain_text_has_summary_sources_and_date(tmp_path):
    run = run_cli("ask", "--lang", "ru", "Who is Khodorkovsky?", env=in_db(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "Ходорковский" in run.stdout
    assert "Источники:" in run.stdout and "https://" in run.stdout
    assert "Проверено 23\u00a0ноября 2026\u00a0года" in run.stdout


def test_chat_answers_until_an_empty_line(tmp_path):
    run = run_cli("chat", "--no-log", stdin="kasparov\nasdfgh\n\nnot reached\n")
    assert run.returncode == 0, run.stderr
    assert "Garry Kasparov" in run.stdout
    assert "I don't have an answer" in run.stdout
    assert "not reached" not in run.stdout


def test_validate_prints_the_summary_line():
    run = run_cli("validate")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: ") and "people" in run.stdout and "faq" in run.stdout


def test_knowledge_option_wins_over_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*ENV_VARS, "BOT_CONFIG"]:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.yaml"
    path.write_text("knowledge_dir: from-file\nretention_days: 7\n", encoding="utf-8")
    args = parser().parse_args(["--knowledge", str(tmp_path / "k"), "stats", "--config", str(path)])
    settings = _settings(args)
    assert settings.knowledge_dir == tmp_path / "k"
    assert (settings.retention_days, settings.source) == (7, path)


# --- query log reports: `stats` and `unanswered` ------------------------------------------------

NOW = dt.datetime.now(dt.UTC)


def fill(tmp_path: Path, rows: list[dict]) -> Path:
    """A query log in tmp_path with these rows, written as the bot would (closing flushes them)."""
    path = tmp_path / "log.sqlite3"

    async def write() -> None:
        async with QueryLog(path) as log:
            for row in rows:
                log.log(**{"latency_ms": 2.0, **row})

    asyncio.run(write())
    return path


def asked(text: str, outcome: str, front: str, user: int, ago: dt.timedelta, lang: str | None = "en") -> dict:
    return {"text": text, "outcome": outcome, "front": front, "user": user, "at": NOW - ago, "lang": lang}


HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
LOG = [
    *[asked("Where does Kasparov live?", "answer", "private", 1, HOUR) for _ in range(3)],
    asked("gudkov", "suggest", "group", 2, 2 * HOUR),
    asked("what is the weather", "none", "inline", 3, HOUR / 2),
    asked("What is the weather?", "none", "inline", 3, HOUR / 2),
    asked("old unanswered", "none", "private", 4, 3 * DAY),
    asked("last month", "answer", "private", 5, 30 * DAY),
]


def test_stats_prints_counts_rates_fronts_and_top_questions_for_a_day_and_a_week(tmp_path):
    db = fill(tmp_path, LOG)
    run = run_cli("stats", env=bot_env(BOT_DATABASE=str(db)))
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        "Last 24 hours: 6 questions from 3 users\n"
        "answered 50% · choices offered 17% · no answer 33%\n"
        "From: private chats 3 · inline 2 · groups 1\n"
        "Asked most:\n"
        "1. where does kasparov live (3)\n"
        "2. what is the weather (2)\n"
        "3. gudkov (1)\n"
        "Asked most, with no answer:\n"
        "1. what is the weather (2)\n"
        "\n"
        "Last 7 days: 7 questions from 4 users\n"
        "answered 43% · choices offered 14% · no answer 43%\n"
        "From: private chats 4 · inline 2 · groups 1\n"
        "Asked most:\n"
        "1. where does kasparov live (3)\n"
        "2. what is the weather (2)\n"
        "3. gudkov (1)\n"
        "4. old unanswered (1)\n"
        "Asked most, with no answer:\n"
        "1. what is the weather (2)\n"
        "2. old unanswered (1)\n"
    )


def test_stats_of_an_empty_log_says_there_were_no_questions(tmp_path):
    db = fill(tmp_path, [])
    run = run_cli("stats", env=bot_env(BOT_DATABASE=str(db)))
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Last 24 hours: no questions\n\nLast 7 days: no questions\n"


@pytest.mark.parametrize("command", [("stats",), ("unanswered",), ("unanswered", "--csv")])
def test_reports_without_a_query_log_say_where_they_looked_and_how_to_point_them(tmp_path, command):
    run = run_cli(*command, env=bot_env(BOT_DATABASE=str(tmp_path / "absent.sqlite3")))
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == (
        f"error: no query log at {tmp_path / 'absent.sqlite3'} (set BOT_DATABASE or `database:` in the config)\n"
    )
    assert not (tmp_path / "absent.sqlite3").exists()


LONG = "кто " + "очень " * 20 + "длинный вопрос, с запятой"
UNANSWERED = [
    asked("Is Pevchikh in Vilnius", "none", "private", 1, 2 * DAY),
    asked("is pevchikh in vilnius?", "none", "group", 2, 2 * HOUR),
    asked(LONG, "none", "private", 3, 3 * HOUR, lang="ru"),
    asked("who is yashin", "answer", "private", 1, HOUR),
]


def minute(ago: dt.timedelta) -> str:
    return (NOW - ago).strftime("%Y-%m-%d %H:%M")


def test_unanswered_lists_questions_without_an_answer_most_recent_first(tmp_path):
    db = fill(tmp_path, UNANSWERED)
    run = run_cli("unanswered", env=bot_env(BOT_DATABASE=str(db)))
    assert run.returncode == 0, run.stderr
    expected = [
        "2 questions with no answer, most recent first:",
        f"{minute(2 * HOUR)} [en] ×2 is pevchikh in vilnius?",  # grouped by wording
        f"{minute(3 * HOUR)} [ru] {LONG[:79]}…",  # cut to 80 characters
    ]
    assert run.stdout == "\n".join(expected) + "\n"


def test_unanswered_limit_keeps_the_most_recent(tmp_path):
    db = fill(tmp_path, UNANSWERED)
    run = run_cli("unanswered", "--limit", "1", env=bot_env(BOT_DATABASE=str(db)))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "1 question with no answer:",
        f"{minute(2 * HOUR)} [en] ×2 is pevchikh in vilnius?",
    ]


def test_unanswered_csv_has_a_header_full_timestamps_and_whole_questions(tmp_path):
    db = fill(
        tmp_path,
        [*UNANSWERED, asked("no language", "none", "terminal", 4, 4 * HOUR, lang=None)],
    )
    run = run_cli("unanswered", "--csv", env=bot_env(BOT_DATABASE=str(db)))
    assert run.returncode == 0, run.stderr
    iso = [(NOW - ago).isoformat(timespec="milliseconds") for ago in (2 * HOUR, 3 * HOUR, 4 * HOUR)]
    assert list(csv.reader(io.StringIO(run.stdout))) == [
        ["last_asked", "count", "lang", "query"],
        [iso[0], "2", "en", "is pevchikh in vilnius?"],
        [iso[1], "1", "ru", LONG],  # the comma is quoted, nothing is cut
        [iso[2], "1", "", "no language"],
    ]


def test_unanswered_of_a_log_where_everything_was_answered(tmp_path):
    db = fill(tmp_path, [asked("who is yashin", "answer", "private", 1, HOUR)])
    run = run_cli("unanswered", env=bot_env(BOT_DATABASE=str(db)))
    assert (run.returncode, run.stdout) == (0, "No unanswered questions.\n")
    csv_run = run_cli("unanswered", "--csv", env=bot_env(BOT_DATABASE=str(db)))
    assert (csv_run.returncode, csv_run.stdout) == (0, "last_asked,count,lang,query\n")


# --- `schema` and `schema --check` -------------------------------------------------------------


def test_schema_writes_the_file_the_knowledge_base_ships(tmp_path):
    run = run_cli("schema", str(tmp_path))
    assert (run.returncode, run.stdout, run.stderr) == (0, f"wrote {tmp_path / 'schema.json'}\n", "")
    assert (tmp_path / "schema.json").read_bytes() == (KNOWLEDGE / "schema.json").read_bytes()


def test_schema_check_passes_on_an_up_to_date_file(tmp_path):
    assert run_cli("schema", str(tmp_path)).returncode == 0
    run = run_cli("schema", "--check", str(tmp_path))
    assert (run.returncode, run.stdout, run.stderr) == (0, f"{tmp_path / 'schema.json'}: up to date\n", "")
    shipped = run_cli("schema", "--check")  # the shipped knowledge/ by default
    assert (shipped.returncode, shipped.stdout) == (0, "knowledge/schema.json: up to date\n")


@pytest.mark.parametrize("state", ["edited", "missing"])
def test_schema_check_fails_on_an_out_of_date_or_missing_file_and_says_how_to_fix_it(tmp_path, state):
    target = tmp_path / "schema.json"
    if state == "edited":
        assert run_cli("schema", str(tmp_path)).returncode == 0
        target.write_text(
            target.read_text(encoding="utf-8").replace('"Person"', '"Persona"', 1), encoding="utf-8"
        )
    before = target.read_bytes() if target.exists() else None
    run = run_cli("--knowledge", str(tmp_path), "schema", "--check")
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == f"{target}: out of date; run `python -m bot schema`\n"
    assert (target.read_bytes() if target.exists() else None) == before  # --check never writes

"""The terminal front end, run as a user would: `python -m bot ask | chat | validate`."""

import json
import sqlite3
from pathlib import Path

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
    assert "По состоянию на" in run.stdout


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

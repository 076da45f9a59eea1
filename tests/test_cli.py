"""The terminal front end, run as a user would: `python -m bot ask | chat | validate`."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import _settings, parser
from bot.config import ENV_VARS
from tests.conftest import ROOT


def bot(*args: str, stdin: str = "", env_db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if env_db:
        env["BOT_DATABASE"] = str(env_db)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, env=env, check=False, timeout=60,
    )  # fmt: skip


def test_ask_json_prints_one_object_per_question_from_stdin_in_one_process(tmp_path):
    questions = ["Where does Kasparov live now?", "Gudkov", "what's the weather in Moscow", "кто такой Яшин"]
    run = bot("ask", "--json", stdin="\n".join(questions) + "\n", env_db=tmp_path / "log.sqlite3")
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
    run = bot("ask", "--lang", "ru", "Who is Khodorkovsky?", env_db=tmp_path / "log.sqlite3")
    assert run.returncode == 0, run.stderr
    assert "Ходорковский" in run.stdout
    assert "Источники:" in run.stdout and "https://" in run.stdout
    assert "По состоянию на" in run.stdout


def test_chat_answers_until_an_empty_line(tmp_path):
    run = bot("chat", "--no-log", stdin="kasparov\nasdfgh\n\nnot reached\n")
    assert run.returncode == 0, run.stderr
    assert "Garry Kasparov" in run.stdout
    assert "I don't have an answer" in run.stdout
    assert "not reached" not in run.stdout


def test_validate_prints_the_summary_line():
    run = bot("validate")
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

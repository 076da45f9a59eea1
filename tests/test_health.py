"""``python -m bot health``: healthy while the bot runs and can work, and says why when it is not."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import Listen, Settings
from bot.tg import healthcheck
from tests.emulator import Emulator
from tests.helpers import ROOT, bot_env, bot_process, run_cli, wait_for_line, wait_until

NOW = 1_800_000_000.0
COUNTS = {"people": 46, "organisations": 20, "events": 8, "faq": 294}


def status(**changes: Any) -> dict[str, Any]:
    """A status file as a healthy polling bot writes it at NOW."""
    base = {"pid": 4242, "mode": "polling", "started": NOW - 300, "written": NOW - 5, "knowledge": COUNTS,
            "querylog_failing_for": 0.0, "last_poll": NOW - 3}  # fmt: skip
    return base | changes


def problems(state: dict[str, Any], running: bool = True, answer: str | None = None) -> list[str]:
    return healthcheck.problems(state, NOW, running=lambda _pid: running, answers=lambda _listen: answer)


def test_a_fresh_status_of_a_polling_bot_is_healthy() -> None:
    assert problems(status()) == []
    assert problems(status(last_poll=None, started=NOW - 20)) == []  # the first long poll is still out


@pytest.mark.parametrize(
    ("changes", "running", "expected"),
    [
        ({}, False, "the bot (pid 4242) is not running"),
        ({"written": NOW - 60}, True, "status last written 60 s ago: the bot is stuck"),
        ({"knowledge": {"people": 0}}, True, "no knowledge loaded"),
        ({"querylog_failing_for": 75.0}, True, "the query log cannot be written for 75 s"),
        ({"last_poll": NOW - 90}, True, "no getUpdates answered for 90 s: is the Bot API server reachable?"),
        ({"last_poll": None, "started": NOW - 61}, True, "no getUpdates answered for 61 s"),
    ],
)  # fmt: skip
def test_each_reason_to_be_unhealthy_is_named(changes: dict[str, Any], running: bool, expected: str) -> None:
    found = problems(status(**changes), running=running)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_webhook_bot_is_healthy_while_its_server_answers_http() -> None:
    hook = status(mode="webhook", listen=["0.0.0.0", 8080], last_poll=None, started=NOW - 3600)
    assert problems(hook) == []
    assert problems(hook, answer="Connection refused") == [
        "the webhook server at 0.0.0.0:8080 does not answer: Connection refused"
    ]


def test_the_probe_reaches_a_listening_server_and_names_a_closed_port(emu: Emulator) -> None:
    port = int(emu.url.rsplit(":", 1)[1])
    assert healthcheck.probe(Listen("0.0.0.0", port)) is None  # the emulator answers 404: it answers
    emu.stop()
    assert "refused" in str(healthcheck.probe(Listen("127.0.0.1", port))).lower()


def test_a_missing_or_foreign_status_file_is_unhealthy(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "q.sqlite3")
    assert healthcheck.check(settings) == (
        False,
        f"unhealthy: not running (no status file {settings.status_file})",
    )
    settings.status_file.write_text(json.dumps({"pid": 1}), encoding="utf-8")
    healthy, line = healthcheck.check(settings)
    assert not healthy and "is not one the bot wrote" in line


def test_health_follows_the_running_bot_from_start_to_crash_and_to_a_clean_stop(
    tmp_path: Path, emu: Emulator
) -> None:
    database = tmp_path / "q.sqlite3"
    env, status_file = bot_env(BOT_DATABASE=str(database)), Settings(database=database).status_file

    def written_by(pid: int) -> bool:
        return status_file.exists() and json.loads(status_file.read_text())["pid"] == pid

    for stop in (signal.SIGKILL, signal.SIGTERM):
        log = tmp_path / f"bot-{stop.name}.log"
        with bot_process(emu, database, log) as process:
            wait_until(lambda: written_by(process.pid), 30, "the first status file of this run")
            done = run_cli("health", env=env)
            assert done.returncode == 0, done.stderr
            assert done.stdout == "ok: 46 people, 21 organisations, 8 events, 290 faq " \
                                  f"(polling, pid {process.pid})\n"  # fmt: skip
            process.send_signal(stop)
            process.wait(30)
        done = run_cli("health", env=env)
        assert done.returncode == 1 and done.stdout == ""
        if stop == signal.SIGKILL:
            assert f"the bot (pid {process.pid}) is not running; it did not stop cleanly" in done.stderr
        else:
            wait_for_line(log, "query log closed")
            assert "unhealthy: not running (no status file" in done.stderr


def test_the_check_imports_neither_ptb_nor_the_knowledge_loader(tmp_path: Path) -> None:
    # It runs every few seconds in the container: it used to import everything (1.5 s of CPU).
    code = """import sys
from bot.__main__ import main
main(["health"])
heavy = ("telegram", "httpx", "bot.knowledge.load", "bot.answers", "bot.matching", "bot.querylog")
print(sorted(m for m in sys.modules if m.startswith(heavy)))"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=bot_env(BOT_DATABASE=str(tmp_path / "q.sqlite3")), check=False)  # fmt: skip
    assert done.stdout.strip() == "[]", done.stderr
    assert "unhealthy: not running" in done.stderr

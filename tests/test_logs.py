"""Logs as JSON lines (``log_format: json`` / BOT_LOG_FORMAT): one object per line, the token redacted."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tg import logs
from bot.tg.redact import MASK
from tests.emulator import Emulator
from tests.helpers import bot_process, wait_for_line
from tests.replies import KASPAROV_LIVES, assert_shows

TOKEN = "123456:AAE-very_secret"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """The root logger's handlers and level, restored after the test."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = saved[0], saved[1]


def test_a_record_with_a_traceback_is_one_json_line_without_the_token(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("json", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected;\nurl /bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("telegram.ext.Updater").exception("failed with %s", TOKEN)
    logging.getLogger("bot.tg.app").info("«Ходорковский»: ok")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    failed, ok = map(json.loads, lines)
    assert set(failed) == {"time", "level", "logger", "message", "exc"}
    assert failed["level"] == "ERROR" and failed["logger"] == "telegram.ext.Updater"
    assert failed["message"] == f"failed with {MASK}"
    assert failed["exc"].startswith("Traceback") and "RuntimeError: The token `<redacted>`" in failed["exc"]
    assert "very_secret" not in lines[0]
    assert ok["message"] == "«Ходорковский»: ok" and "exc" not in ok
    assert failed["time"].endswith("+00:00") and len(failed["time"]) == len("2026-12-02T05:21:53.743+00:00")


def test_text_is_the_default_format(root_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", TOKEN)
    logging.getLogger("x").warning("token %s", TOKEN)
    line = capsys.readouterr().err
    assert line.endswith(f" WARNING x: token {MASK}\n") and not line.startswith("{")


def test_the_running_bot_logs_only_json_lines(tmp_path: Path, emu: Emulator) -> None:
    log = tmp_path / "bot.log"
    with bot_process(emu, tmp_path / "q.sqlite3", log, BOT_LOG_FORMAT="json") as process:
        emu.fail("getUpdates", status=502)  # PTB logs the polling error with its traceback
        user = Emulator.user(7_301_888_001, "Jason")
        assert_shows(emu.reply_to(emu.private_message(user, "where does kasparov live")), KASPAROV_LIVES)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    wait_for_line(log, "query log closed")
    text = log.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"].startswith("@exile_desk_bot is up") for r in records)
    assert not any(r["message"].startswith("Running job") for r in records)  # not every 10 s
    assert any(r["level"] == "ERROR" and "NetworkError" in r.get("exc", "") for r in records), text
    assert emu.token.split(":")[1] not in text and f"/bot{MASK}/getUpdates" in text

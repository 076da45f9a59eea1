"""Helpers shared by the test files: waiting for a condition, the bot as a process, its query log."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.conftest import ROOT
from tests.emulator import Emulator

#: Seconds a bot process may take to start polling.
START_TIMEOUT = 30.0


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `predicate` until true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def logged(database: Path) -> int:
    """How many questions the query log at `database` holds."""
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM queries").fetchone()[0]


# --- a small knowledge base --------------------------------------------------------------------

#: A valid person file (see `person`) and a valid FAQ file about `{about}`.
PERSON = """\
id: {id}
name:
  en: {en}
  ru: {ru}
aliases: [{alias}]
role:
  en: Opposition politician
  ru: Оппозиционный политик
summary:
  en: A person used in tests of the validator.
  ru: Человек для проверки валидатора.
based_in:
  city: {{en: Vilnius, ru: Вильнюс}}
  country: {{en: Lithuania, ru: Литва}}
  as_of: 2025
as_of: 2026-11-23
sources:
  - title: A page
    url: https://example.org/page
    accessed: 2026-11-23
"""

FAQ = """\
- id: test_where
  questions:
    en:
      - Where does Testov live?
    ru:
      - Где живёт Тестов?
  answer:
    en: In Vilnius.
    ru: В Вильнюсе.
  about: [{about}]
  as_of: 2026-11-23
  sources:
    - title: A page
      url: https://example.org/page
      accessed: 2026-11-23
"""


def person(**values: str) -> str:
    """A person file: Ivan Testov (id testov), or with other `id`, `en`, `ru` names or `alias`."""
    defaults = {"id": "testov", "en": "Ivan Testov", "ru": "Иван Тестов", "alias": "Testoff"}
    return PERSON.format(**(defaults | values))


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root`; returns `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


# --- the bot as a process ----------------------------------------------------------------------


def bot_env(**settings: str) -> dict[str, str]:
    """This environment without the bot's own variables (BOT_*, TELEGRAM_*), plus `settings`.

    PYTHONPATH points at this checkout, so `python -m bot` runs the code under test from any cwd.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m bot <args>`` to the end (at most 60 s), with its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=bot_env() if env is None else env, check=False, timeout=60,
    )  # fmt: skip


def free_port() -> int:
    """A loopback port nobody listens on (free once this returns; the caller binds it soon)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def bot_process(
    emu: Emulator, database: Path, log: Path, ready: str = "getUpdates", **settings: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m bot run`` against `emu`, logging to `database`, its output going to `log`.

    Entered once this process has called the Bot API method `ready` (getUpdates: it polls;
    setWebhook: it has set its webhook) successfully, at most 30 s after the start (an earlier
    process's calls on the same emulator do not count); on the way out the process is killed if it
    is still running.
    """
    env = bot_env(BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.url, BOT_DATABASE=str(database), **settings)
    earlier = len(emu.calls)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not any(c.method == ready and c.status == 200 for c in list(emu.calls)[earlier:]):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"bot did not start polling:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def wait_for_line(log: Path, text: str, count: int = 1, timeout: float = 30.0) -> None:
    """Wait until `text` has appeared `count` times in the bot process's `log`."""
    wait_until(
        lambda: log.read_text(errors="replace").count(text) >= count, timeout, f"{text!r} in {log.name}"
    )

"""/reload with broken knowledge files: a clear report, and the old knowledge keeps serving.

The loading side of each fault is tested in test_knowledge.py; this is the /reload side.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from bot.config import Settings
from bot.tg import admin
from bot.tg.state import BotState
from tests.emulator import check_text
from tests.helpers import FAQ, ROOT, bot_env, person, write

FAULTS: dict[str, tuple[dict[str, str], str]] = {
    "malformed YAML": ({"people/bad.yaml": "id: bad\nname: {en: a, ru: б\n"}, "malformed YAML"),
    "wrong types": ({"people/bad.yaml": person(id="bad", en="Petr Petrov", ru="Пётр Петров", alias="Pp")
                     .replace("as_of: 2026-11-23", "as_of: [soon]")}, "as_of"),
    "duplicate ids": ({"people/dup.yaml": person(en="Petr Petrov", ru="Пётр Петров", alias="Pp")},
                      "duplicate id 'testov'"),
    "alias bomb": ({"people/bomb.yaml": 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'}, "aliases are not allowed"),
    "huge file": ({"people/huge.yaml": "x: " + "y" * 1_100_000 + "\n"}, "file too large"),
    "nested 1000 deep": ({"people/deep.yaml": "[" * 1000 + "]" * 1000 + "\n"},
                         "people/deep.yaml:1: nested too deep"),
    "nested 600 deep": ({"people/deep.yaml": "".join(" " * i + "a:\n" for i in range(600)) + " " * 600 + "b\n"},
                        "people/deep.yaml:52: nested too deep"),
    "upper-case ending": ({"people/petrov.YAML": person(id="petrov", en="Petr Petrov", ru="Пётр Петров",
                                                        alias="Pp")}, "petrov.YAML: write the ending in lower case"),
}  # fmt: skip


@pytest.fixture
def state(tmp_path: Path) -> BotState:
    root = write(
        tmp_path / "kb", {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="testov")}
    )
    state = BotState()
    state.settings = Settings(knowledge_dir=root)
    state.engine = Engine.from_dir(root)
    return state


async def assert_refused_and_old_knowledge_serves(state: BotState, expected: str) -> None:
    before = state.engine
    report = await admin.reload_knowledge(state)
    assert not report.ok
    plain, _ = check_text(report.text("en"), "HTML")
    assert plain.startswith("Reload failed") and expected in plain
    assert state.engine is before
    assert state.engine.ask("where does testov live").outcome == "answer"


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_broken_file_is_reported_and_the_old_knowledge_keeps_serving(
    state: BotState, fault: str
) -> None:
    files, expected = FAULTS[fault]
    write(state.settings.knowledge_dir, files)
    await assert_refused_and_old_knowledge_serves(state, expected)
    for name in files:
        (state.settings.knowledge_dir / name).unlink()
    report = await admin.reload_knowledge(state)
    assert report.ok and report.text("en").startswith("Knowledge reloaded in")


async def test_a_missing_directory_and_a_link_outside_are_refused(state: BotState, tmp_path: Path) -> None:
    root = state.settings.knowledge_dir
    outside = tmp_path / "outside.yaml"
    outside.write_text(person(id="other", en="Petr Petrov", ru="Пётр Петров", alias="Pp"), encoding="utf-8")
    (root / "people" / "link.yaml").symlink_to(outside)
    await assert_refused_and_old_knowledge_serves(state, "outside the knowledge directory")
    (root / "people" / "link.yaml").unlink()
    shutil.move(root, tmp_path / "moved")
    await assert_refused_and_old_knowledge_serves(state, "knowledge directory not found")


async def test_an_unexpected_error_while_loading_is_reported_too(
    state: BotState, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(path: object, *settings: object) -> Engine:
        raise MemoryError("out of memory while indexing")

    monkeypatch.setattr(Engine, "from_dir", explode)
    await assert_refused_and_old_knowledge_serves(state, "MemoryError: out of memory while indexing")


async def test_a_linked_directory_is_reported_never_silently_skipped(state: BotState, tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "elsewhere", {"other.yaml": person(id="other", en="Petr Petrov",
                                                                     ru="Пётр Петров", alias="Pp")})  # fmt: skip
    (state.settings.knowledge_dir / "people" / "more").symlink_to(elsewhere, target_is_directory=True)
    await assert_refused_and_old_knowledge_serves(state, "linked directory (pointing outside")


async def test_a_fifo_is_refused_without_blocking(state: BotState) -> None:
    fifo = state.settings.knowledge_dir / "people" / "pipe.yaml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer for ever
    await assert_refused_and_old_knowledge_serves(state, "pipe.yaml: not a regular file")


async def test_a_reload_that_hangs_is_given_up_and_the_lock_released(
    state: BotState, monkeypatch: pytest.MonkeyPatch
) -> None:
    hung = threading.Event()
    real = Engine.from_dir

    def stuck(path: Path, *settings: object) -> Engine:  # a file on a mount that stopped answering
        hung.wait(30)
        return real(path, *settings)  # type: ignore[arg-type]

    monkeypatch.setattr(admin, "RELOAD_TIMEOUT", 0.5)
    monkeypatch.setattr(Engine, "from_dir", stuck)
    try:
        await assert_refused_and_old_knowledge_serves(state, "took over 0 s (a file on a hung mount")
        assert not state.reload_lock.locked()
        monkeypatch.setattr(Engine, "from_dir", real)
        report = await admin.reload_knowledge(state)  # the next reload is not locked out
        assert report.ok and report.text("en").startswith("Knowledge reloaded in")
    finally:
        hung.set()


#: `python -m bot` in which reading a file named hung.yaml never ends (as on a mount that stopped
#: answering); every other file reads as usual.
HUNG_READ = """
import pathlib, sys, threading
real = pathlib.Path.read_text
def read_text(self, *args, **kwargs):
    if self.name == "hung.yaml":
        threading.Event().wait()
    return real(self, *args, **kwargs)
pathlib.Path.read_text = read_text
from bot.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def hangs_when_read(monkeypatch: pytest.MonkeyPatch, name: str, release: threading.Event) -> None:
    real = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == name:
            release.wait(30)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", read_text)


async def test_a_reload_stuck_on_one_file_names_it(state: BotState, monkeypatch: pytest.MonkeyPatch) -> None:
    write(state.settings.knowledge_dir, {"people/hung.yaml": person(id="hung", en="Petr Petrov",
                                                                    ru="Пётр Петров", alias="Pp")})  # fmt: skip
    release = threading.Event()
    hangs_when_read(monkeypatch, "hung.yaml", release)
    monkeypatch.setattr(admin, "RELOAD_TIMEOUT", 0.5)
    try:
        await assert_refused_and_old_knowledge_serves(state, "people/hung.yaml: reading the knowledge files")
    finally:
        release.set()


def test_validate_names_a_file_that_cannot_be_read_in_time_and_exits(tmp_path: Path) -> None:
    root = write(tmp_path / "kb", {"people/testov.yaml": person(), "faq/testov.yaml": FAQ.format(about="testov"),
                                   "people/hung.yaml": person(id="hung", en="Petr Petrov", ru="Пётр Петров",
                                                              alias="Pp")})  # fmt: skip
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", HUNG_READ, "validate", str(root), "--timeout", "1"],
                          capture_output=True, text=True, cwd=ROOT, env=bot_env(), timeout=30)  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{root / 'people' / 'hung.yaml'}: not readable within 1 s (a file on a hung mount?)",
        f"error: could not read {root}",
    ]
    assert took < 10  # the stuck read is left behind: the process does not wait for it
    (root / "people" / "hung.yaml").rename(root / "people" / "fine.yaml")
    done = subprocess.run([sys.executable, "-c", HUNG_READ, "validate", str(root), "--timeout", "1"],
                          capture_output=True, text=True, cwd=ROOT, env=bot_env(), timeout=30)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("ok: 2 people"), done.stderr

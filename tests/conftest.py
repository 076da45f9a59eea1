"""Fixtures shared by the test files: paths, the engine over the shipped knowledge base, the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answers.engine import Engine
from tests.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the shipped knowledge base (raises, listing every problem, if it is invalid)."""
    return Engine.from_dir(KNOWLEDGE)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A running Bot API emulator, stopped after the test."""
    with Emulator() as running:
        yield running

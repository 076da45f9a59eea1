"""Fixtures shared by the test files: paths and the engine over the shipped knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the shipped knowledge base (raises, listing every problem, if it is invalid)."""
    return Engine.from_dir(KNOWLEDGE)

"""Run the real PTB application in this process against the emulator, while a script drives it.

The script runs in a worker thread and talks to the emulator with its blocking methods;
`Running.call` runs a coroutine inside the bot's event loop (e.g. to break its database).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.answers.engine import Engine
from bot.config import Settings
from bot.querylog.store import QueryLog
from bot.tg.app import App, _post_init, _post_shutdown, build_application
from tests.emulator import Emulator

T = TypeVar("T")
ADMIN_ID = 1
#: Seconds of one long poll: short, so the application stops quickly after the script.
POLL_TIMEOUT = 1


@dataclass
class Running:
    """The application while the script runs, with what the test needs to reach into it."""

    app: App
    emu: Emulator
    loop: asyncio.AbstractEventLoop
    errors: list[BaseException] = field(default_factory=list)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        """Run `coroutine` in the bot's loop (from the script's thread) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    @property
    def querylog(self) -> QueryLog:
        return self.app.bot_data.querylog


def settings_for(emu: Emulator, tmp_path: Path, **changes: Any) -> Settings:
    """Settings for a bot talking to `emu`, with one admin (id 1) and a fresh database."""
    base = Settings(token=emu.token, api_base_url=emu.url, database=tmp_path / "log.sqlite3",
                    admin_ids=frozenset({ADMIN_ID}), hash_secret="test-secret")  # fmt: skip
    return base.model_copy(update=changes)


def run_app(
    settings: Settings,
    engine: Engine | Any,
    script: Callable[[Running], None],
    emu: Emulator,
    querylog: QueryLog | None = None,
    admin_chat: bool = True,
) -> Running:
    """Start the application, run `script(running)` in a thread, then shut down cleanly.

    With `admin_chat`, the admin's private chat exists first (so their command menu can be set).
    """
    holder: list[Running] = []
    if admin_chat and ADMIN_ID not in emu.chats:
        emu.private_message(Emulator.user(ADMIN_ID, "Admin"), "/start")

    async def main() -> None:
        app = build_application(settings, engine, querylog)
        running = Running(app, emu, asyncio.get_running_loop())
        holder.append(running)

        async def record(_update: object, context: Any) -> None:
            running.errors.append(context.error)

        app.add_error_handler(record)
        await app.initialize()
        await _post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(timeout=POLL_TIMEOUT)
        await app.start()
        try:
            await asyncio.to_thread(script, running)
        finally:
            await app.updater.stop()
            await app.stop()
            await _post_shutdown(app)
            await app.shutdown()

    asyncio.run(main())
    return holder[0]

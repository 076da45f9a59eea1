"""Health of the running bot: the status file it rewrites every few seconds (read by
``python -m bot health``: `bot.tg.healthcheck`).

The bot writes `Settings.status_file` (JSON, beside the database) once up and every `HEARTBEAT_INTERVAL`
from its event loop, so a fresh file alone says the loop is not stuck. It holds what else
"healthy" needs: the knowledge loaded, the query log writing, and, with long polling, when
getUpdates last came back (a long poll lasts up to `POLL_TIMEOUT`); in webhook mode the check asks the
webhook server itself over HTTP. A clean stop removes the file; after a crash its pid is gone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram.ext import CallbackContext
from telegram.request import HTTPXRequest

from bot.config import Settings

#: How often the bot rewrites its status file.
HEARTBEAT_INTERVAL = dt.timedelta(seconds=10)
#: How long one long poll may last (PTB's default for ``run_polling``).
POLL_TIMEOUT = dt.timedelta(seconds=10)


class PollClock(HTTPXRequest):
    """PTB's HTTP transport for getUpdates that also notes when a long poll last came back."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.last_ok: float | None = None  #: wall-clock time of the last answered getUpdates

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send the request; note the time if the server answered it."""
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == HTTPStatus.OK:
            self.last_ok = time.time()
        return code, payload


class Heartbeat:
    """Writes the status file for `settings` (a job of the bot's job queue) and removes it on stop."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.status_file
        self.webhook = settings.webhook_url is not None
        self.listen = settings.listen
        self.poll_clock = PollClock()
        self.started = time.time()

    def status(self, counts: dict[str, int], querylog_failing_for: float) -> dict[str, Any]:
        """What the status file says now."""
        status: dict[str, Any] = {
            "pid": os.getpid(),
            "mode": "webhook" if self.webhook else "polling",
            "started": self.started,
            "written": time.time(),
            "knowledge": counts,
            "querylog_failing_for": round(querylog_failing_for, 1),
        }
        if self.webhook:
            status["listen"] = list(self.listen)
        else:
            status["last_poll"] = self.poll_clock.last_ok
        return status

    async def beat(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Job: rewrite the status file."""
        await self.write(context.bot_data)

    async def write(self, state: Any) -> None:
        """Write the status file for the bot's state (atomically, off the event loop)."""
        status = self.status(state.engine.counts, state.querylog.failing_for)
        await asyncio.to_thread(_write_atomically, self.path, json.dumps(status))

    def clear(self) -> None:
        """The bot stops: no status file, so the check says it is not running."""
        self.path.unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)

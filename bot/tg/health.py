"""Health of the running bot: a status file it rewrites every few seconds, and ``python -m bot health``.

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
import urllib.error
import urllib.request
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram.ext import CallbackContext
from telegram.request import HTTPXRequest

from bot.config import Listen, Settings
from bot.knowledge.load import summary_line

#: How often the bot rewrites its status file.
HEARTBEAT_INTERVAL = dt.timedelta(seconds=10)
#: A status file older than this: the bot is stuck or gone (four missed heartbeats).
STALE_AFTER = 45.0
#: How long one long poll may last (PTB's default for ``run_polling``).
POLL_TIMEOUT = dt.timedelta(seconds=10)
#: Long polling: no getUpdates answered for this long means the Bot API cannot be reached.
POLL_STALE_AFTER = 60.0
#: The query log may fail (and retry) this long before the bot counts as unhealthy.
QUERYLOG_GRACE = 60.0
#: Seconds the check waits for the webhook server to answer.
PROBE_TIMEOUT = 5.0


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


# --- the check (another process: the container's HEALTHCHECK) ---------------------------------


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


#: No HTTP(S)_PROXY from the environment: the server is on this host.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def probe(listen: Listen) -> str | None:
    """Why the webhook server at `listen` does not answer HTTP, or None if it does (any status)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(listen.host, listen.host)
    url = f"http://{f'[{host}]' if ':' in host else host}:{listen.port}/"
    try:
        with _DIRECT.open(url, timeout=PROBE_TIMEOUT):
            return None
    except urllib.error.HTTPError:  # it answered (405: the webhook takes POST only)
        return None
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


def problems(
    status: dict[str, Any],
    now: float,
    running: Callable[[int], bool] = _running,
    answers: Callable[[Listen], str | None] = probe,
) -> list[str]:
    """What is wrong with the bot whose status file says `status`, at wall-clock time `now`."""
    found = []
    if not running(status["pid"]):
        found.append(f"the bot (pid {status['pid']}) is not running; it did not stop cleanly")
    elif (age := now - status["written"]) > STALE_AFTER:
        found.append(f"status last written {age:.0f} s ago: the bot is stuck")
    if not sum(status["knowledge"].values()):
        found.append("no knowledge loaded")
    if status["querylog_failing_for"] > QUERYLOG_GRACE:
        found.append(f"the query log cannot be written for {status['querylog_failing_for']:.0f} s")
    if status["mode"] == "polling":
        quiet = now - (status["last_poll"] or status["started"])
        if quiet > POLL_STALE_AFTER:
            found.append(f"no getUpdates answered for {quiet:.0f} s: is the Bot API server reachable?")
    elif why := answers(Listen(*status["listen"])):
        found.append(f"the webhook server at {Listen(*status['listen'])} does not answer: {why}")
    return found


def check(settings: Settings, now: float | None = None) -> tuple[bool, str]:
    """Whether the bot running with `settings` is healthy, and one line saying so."""
    path = settings.status_file
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False, f"unhealthy: not running (no status file {path})"
    except (OSError, ValueError) as exc:
        return False, f"unhealthy: cannot read the status file {path}: {exc}"
    try:
        found = problems(status, time.time() if now is None else now)
    except (KeyError, TypeError, AttributeError) as exc:  # not a file this module wrote
        return False, f"unhealthy: the status file {path} is not one the bot wrote ({exc!r})"
    if found:
        return False, "unhealthy: " + "; ".join(found)
    return True, f"{summary_line(status['knowledge'])} ({status['mode']}, pid {status['pid']})"

"""``python -m bot health`` (the container's HEALTHCHECK): is the bot whose status file this is healthy?

Run in a process of its own every few seconds, so it imports neither PTB nor the knowledge
loader: only the settings (`bot.tg.health` is the bot's side, which writes the file).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.config import Listen, Settings
from bot.knowledge.summary import summary_line

#: A status file older than this: the bot is stuck or gone (four missed heartbeats).
STALE_AFTER = 45.0
#: Long polling: no getUpdates answered for this long means the Bot API cannot be reached.
POLL_STALE_AFTER = 60.0
#: The query log may fail (and retry) this long before the bot counts as unhealthy.
QUERYLOG_GRACE = 60.0
#: Seconds the check waits for the webhook server to answer.
PROBE_TIMEOUT = 5.0


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

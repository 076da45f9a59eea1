"""Per-user question limit: a sliding window over the last minute, kept in memory only.

A user over the limit gets one polite notice, then silence until their window holds fewer
accepted questions than the limit again. Questions refused are not counted, so a user who keeps
flooding still gets `limit` answers a minute and nobody else waits behind them.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

#: Users remembered before the idle ones are forgotten.
PRUNE_AT = 10_000


class Verdict(Enum):
    """What to do with one question."""

    ALLOW = "allow"
    NOTICE = "notice"  # over the limit for the first time: say so once
    QUIET = "quiet"  # over the limit again: ignore


@dataclass
class _Window:
    times: collections.deque[float] = field(default_factory=collections.deque)
    noticed: bool = False


class RateLimit:
    """At most `limit` accepted questions per user in any `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit <= 0:
            raise ValueError("limit must be positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._users: dict[int, _Window] = {}
        self.refused = 0  #: questions refused so far

    def check(self, user_id: int) -> Verdict:
        """Count a question from `user_id` if it is allowed; say what to do with it."""
        now = self._clock()
        state = self._users.get(user_id)
        if state is None:
            if len(self._users) >= PRUNE_AT:
                self._prune(now)
            state = self._users[user_id] = _Window()
        times = state.times
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            state.noticed = False
            return Verdict.ALLOW
        self.refused += 1
        if state.noticed:
            return Verdict.QUIET
        state.noticed = True
        return Verdict.NOTICE

    def retry_in(self, user_id: int) -> float:
        """Seconds until `user_id` may ask again (0 if they may now)."""
        state = self._users.get(user_id)
        if state is None or len(state.times) < self.limit:
            return 0.0
        return max(0.0, state.times[0] + self.window - self._clock())

    def __len__(self) -> int:
        """Users currently remembered."""
        return len(self._users)

    def _prune(self, now: float) -> None:
        idle = [u for u, s in self._users.items() if not s.times or s.times[-1] <= now - self.window]
        for user_id in idle:
            del self._users[user_id]

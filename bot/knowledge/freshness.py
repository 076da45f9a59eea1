"""When a dated fact counts as possibly out of date.

A fact's `When` names a period (a year, a month or a day); the fact was last reported true at the
end of that period. It is stale once that end lies more than `months` months before `today`.
"""

from __future__ import annotations

import calendar
import datetime as dt

#: Default age after which a changeable fact is shown as possibly out of date.
STALE_MONTHS = 12


def period_end(value: str | dt.date) -> dt.date:
    """The last day of the period a `When` names: "2021" -> 2021-12-31, "2025-10" -> 2025-10-31."""
    if isinstance(value, dt.date):
        return value
    bits = [int(b) for b in str(value).split("-")]
    if len(bits) == 3:
        return dt.date(*bits)
    year = bits[0]
    month = bits[1] if len(bits) == 2 else 12
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_before(today: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (clamped to the month's last day)."""
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def is_stale(value: str | dt.date, today: dt.date, months: int = STALE_MONTHS) -> bool:
    """True if a fact reported for `value` is older than `months` months on `today`."""
    return period_end(value) < months_before(today, months)

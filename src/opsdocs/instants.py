"""Points in time typed by people (``--at``, ``--started``), read the same way by every command.

One rule everywhere: a time without a zone is UTC, like every time opsdocs writes (incident
timelines, milestones, reports). Accepted forms:

- ISO 8601 with or without a zone: ``2026-11-26T14:02:00Z``, ``2026-11-26T15:02+01:00``,
  ``2026-11-26 14:02`` (UTC);
- a time of day alone, ``14:02`` or ``14:02:30``: the latest such UTC time that is not in the
  future (today, or yesterday when today's is still ahead);
- ``now`` and ``now-2h`` (units s, m, h, d, w);
- Unix seconds, ``1795176000``.

Anything else, or a time outside 1970–9999, is one :class:`~opsdocs.errors.UsageError`.
Results are timezone-aware UTC datetimes to the second.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from opsdocs.errors import UsageError

__all__ = ["parse_instant", "utc_now"]

_RELATIVE = re.compile(r"^now(?:\s*-\s*([0-9]{1,9})\s*([smhdw]))?$")
_TIME_OF_DAY = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?Z?$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def utc_now(now: dt.datetime | None = None) -> dt.datetime:
    """The current time (or ``now``, for tests) in UTC to the second: what every command takes
    for "now" when no time is given."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)


def _not_a_time(what: str, text: str) -> UsageError:
    return UsageError(
        f"{what} {text!r} is not a time",
        hint="write it like 2026-11-26T14:02:00Z (no zone: UTC), 14:02, now-2h or Unix seconds",
    )


def _out_of_range(what: str, text: str) -> UsageError:
    return UsageError(
        f"{what} {text!r} is out of range", hint="give a time between 1970 and 9999 (UTC)"
    )


def parse_instant(text: str, *, what: str = "--at", now: dt.datetime | None = None) -> dt.datetime:
    """``text`` as a UTC datetime to the second (see the module for the forms)."""
    value = text.strip()
    current = utc_now(now)
    relative = _RELATIVE.match(value.lower())
    if relative:
        if relative.group(1) is None:
            return current
        seconds = int(relative.group(1)) * _UNITS[relative.group(2)]
        return _bounded(lambda: current - dt.timedelta(seconds=seconds), what, text)
    clock = _TIME_OF_DAY.match(value)
    if clock:
        hour, minute, second = (int(g or 0) for g in clock.groups())
        when = current.replace(hour=hour, minute=minute, second=second)
        return when - dt.timedelta(days=1) if when > current + dt.timedelta(minutes=5) else when
    if re.fullmatch(r"[+-]?[0-9.eE+-]+|[+-]?(?:inf|infinity|nan)", value.lower()):
        return _from_seconds(value, what, text)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise _not_a_time(what, text) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return _bounded(lambda: parsed.astimezone(dt.UTC).replace(microsecond=0), what, text)


def _from_seconds(value: str, what: str, text: str) -> dt.datetime:
    try:
        seconds = float(value)
    except ValueError:
        raise _not_a_time(what, text) from None
    if not math.isfinite(seconds):
        raise _not_a_time(what, text)
    return _bounded(
        lambda: dt.datetime.fromtimestamp(seconds, dt.UTC).replace(microsecond=0), what, text
    )


def _bounded(compute: Callable[[], dt.datetime], what: str, text: str) -> dt.datetime:
    """The time ``compute`` gives, when it lies in 1970-9999 (an overflow is out of range)."""
    try:
        when = compute()
    except (OverflowError, OSError, ValueError):
        raise _out_of_range(what, text) from None
    if not _EARLIEST <= when <= _LATEST:
        raise _out_of_range(what, text)
    return when

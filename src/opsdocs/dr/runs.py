"""A run of a backup job, the one record every evidence reader returns, and the one way they read
a time (with a zone, or refused)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from opsdocs.errors import InputError

__all__ = ["Run", "parse_timestamp"]

# A zone after a time of day: a bare date ("2026-11-30") ends in "-30", which is not a zone.
_ZONED = re.compile(
    r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
)
_FRACTION = re.compile(r"(\.[0-9]{6})[0-9]+")


@dataclass(frozen=True)
class Run:
    """One run of a backup job: when it finished and whether it succeeded."""

    system: str | None  # None: attributed by tool and tag (see attribute)
    job: str | None
    finished_at: dt.datetime
    ok: bool
    size: int | None = None
    tags: tuple[str, ...] = ()  # restic tags, the pgBackRest stanza, the Velero schedule
    source: str = ""
    tool: str | None = None  # the tool that reported it: restic, pgbackrest, velero
    kept_for: int | None = None  # seconds the copy is kept (Velero's spec.ttl); None: not said


def parse_timestamp(text: str, *, where: str, what: str = "timestamp") -> dt.datetime:
    """An ISO 8601 time with a zone, as UTC; InputError without a zone or when unreadable."""
    value = text.strip()
    if not _ZONED.search(value):
        raise InputError(
            f"{where}: {what} {value!r} has no time zone",
            hint="write times with a zone, e.g. 2026-11-30T02:00:00Z",
        )
    try:
        when = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value))
        if when.tzinfo is None:
            raise ValueError(value)
    except ValueError:
        raise InputError(
            f"{where}: {what} {value!r} is not an ISO 8601 time",
            hint="write it like 2026-11-30T02:00:00Z",
        ) from None
    return when.astimezone(dt.UTC)

"""Durations: the one parser and formatter every feature uses.

Two grammars; the function names say what they return (seconds or a timedelta):

* a *duration* is Prometheus's spelling, one or more ``<number><unit>`` parts with units
  ``y w d h m s`` (``5m``, ``1h30m``, ``4w``), longer than zero: :func:`duration_seconds`,
  :func:`duration_timedelta`;
* a *period* is a whole number of days or weeks (``30d``, ``12w``), the unit of SLO periods
  (:func:`period_seconds`) and review intervals (:func:`review_interval`, a timedelta).

Every parser raises :class:`ValueError` with a message that completes "<key> ..." (``must be a
duration such as ...``), so pydantic validators and config loaders can report it at the key.
:func:`format_duration` writes seconds back the way Prometheus prints them;
:func:`format_span` writes them for people (``43m 12s``).

This module imports nothing of opsdocs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "MAX_PERIOD_DAYS",
    "MAX_REVIEW_DAYS",
    "UNITS",
    "checked",
    "duration_seconds",
    "duration_timedelta",
    "format_duration",
    "format_span",
    "period_seconds",
    "review_interval",
]

#: Seconds per unit letter (a year is 365 days, as in Prometheus).
UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}

_DURATION = re.compile(r"^(?:[0-9]+[ywdhms])+$")
_PART = re.compile(r"([0-9]+)([ywdhms])")
_PERIOD = re.compile(r"^([1-9][0-9]*)([dw])$")

_DURATION_EXPECTED = "must be a duration such as '5m', '1h' or '3d'"
#: The longest period: Prometheus reads durations as Go's time.Duration, which ends at about
#: 292 years, and refuses a longer range selector ("duration out of range").
MAX_PERIOD_DAYS = 106_751

#: The longest review interval: a hundred years (a longer one is a typo, and overflows dates).
MAX_REVIEW_DAYS = 36_500


def checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    """A validator that reads a setting with ``parse`` (its ValueError is the message) and keeps
    the text as written: ``Annotated[str, AfterValidator(checked(duration_seconds))]``."""

    def check(text: str) -> str:
        parse(text)
        return text

    return check


def duration_seconds(text: str) -> int:
    """A Prometheus duration (``5m``, ``1h30m``, ``4w``) in whole seconds.

    Raises :class:`ValueError` for anything else, or for zero.
    """
    return _duration_seconds(text if isinstance(text, str) else "")


@lru_cache(maxsize=1024)
def _duration_seconds(text: str) -> int:
    text = text.strip()
    if not _DURATION.match(text):
        raise ValueError(f"{_DURATION_EXPECTED} (got {text!r})")
    seconds = sum(int(n) * UNITS[u] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"must be a duration longer than zero (got {text!r})")
    return seconds


def duration_timedelta(text: str) -> dt.timedelta:
    """:func:`duration_seconds` as a :class:`datetime.timedelta`."""
    return dt.timedelta(seconds=duration_seconds(text))


def period_seconds(text: str) -> int:
    """An SLO period, ``Nd`` or ``Nw`` (at most :data:`MAX_PERIOD_DAYS`), in seconds.

    Raises :class:`ValueError` otherwise.
    """
    days = _period_days(text, "must be a rolling period of days or weeks such as '30d'")
    if days > MAX_PERIOD_DAYS:
        raise ValueError(
            f"must be at most {MAX_PERIOD_DAYS}d, the longest duration Prometheus accepts"
            f" (got {text!r})"
        )
    return days * 86400


def review_interval(text: str) -> dt.timedelta:
    """A document's ``review_every`` (``90d``, ``12w``, at most :data:`MAX_REVIEW_DAYS`).

    Raises :class:`ValueError` otherwise.
    """
    days = _period_days(text, "must be a number of days or weeks such as '90d' or '12w'")
    if days > MAX_REVIEW_DAYS:
        raise ValueError(f"must be at most {MAX_REVIEW_DAYS}d, a hundred years (got {text!r})")
    return dt.timedelta(days=days)


def _period_days(text: str, expected: str) -> int:
    match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{expected} (got {text!r})")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


@lru_cache(maxsize=1024)
def format_duration(seconds: int) -> str:
    """Seconds as Prometheus prints a duration (``model.Duration.String``).

    Years and weeks are used only when they divide exactly, so 28 days is ``4w`` and 30 days is
    ``30d``; this is the spelling Sloth uses in record names and ``sloth_window`` labels.
    """
    if seconds <= 0:
        return "0s"
    out = []
    rest = seconds
    for unit, size in UNITS.items():
        if unit in "yw" and rest % size:
            continue
        count, rest = divmod(rest, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


def format_span(seconds: float) -> str:
    """``2592.0`` → ``43m 12s``: for people; at most three units, tenths below a minute."""
    if seconds < 60:
        tenths = round(seconds, 1)
        return f"{int(tenths) if tenths == int(tenths) else tenths}s"
    rest = round(seconds)
    parts = []
    for unit in "dhms":
        count, rest = divmod(rest, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts[:3])

"""Durations, burn-rate windows and their factors (Google SRE Workbook, "Alerting on SLOs").

A window pair alerts when both its short and its long window burn the error budget faster than
``factor``; ``factor = budget_percent / 100 × period / long_window``, the rate at which the pair's
share of the budget is spent in exactly one long window. The default catalogue is the workbook's:
page on 2 % in 1 h (short 5 m) or 5 % in 6 h (30 m), ticket on 10 % in 1 d (2 h) or 10 % in 3 d
(6 h). For a 30-day period that gives the familiar 14.4, 6, 3 and 1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Literal

__all__ = [
    "DEFAULT_WINDOWS",
    "Severity",
    "WindowPair",
    "format_duration",
    "format_float",
    "parse_duration",
    "parse_period",
]

Severity = Literal["page", "ticket"]

_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:[0-9]+[ywdhms])+$")
_PART = re.compile(r"([0-9]+)([ywdhms])")
_PERIOD = re.compile(r"^([1-9][0-9]*)([dw])$")


def parse_duration(text: str) -> int:
    """A Prometheus duration (``5m``, ``1h30m``, ``4w``) in whole seconds.

    Raises :class:`ValueError` for anything else, or for zero.
    """
    return _parse_duration(text) if isinstance(text, str) else _parse_duration("")


@lru_cache(maxsize=1024)
def _parse_duration(text: str) -> int:
    text = text.strip()
    if not _DURATION.match(text):
        raise ValueError(f"must be a duration such as '5m', '1h' or '3d' (got {text!r})")
    seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"must be a duration longer than zero (got {text!r})")
    return seconds


def parse_period(text: str) -> int:
    """An SLO period, ``Nd`` or ``Nw``, in seconds. Raises :class:`ValueError` otherwise."""
    if isinstance(text, str):
        return _parse_period(text)
    raise _period_error(text)


def _period_error(text: object) -> ValueError:
    return ValueError(f"must be a rolling period of days or weeks such as '30d' (got {text!r})")


#: The longest period: Prometheus reads durations as Go's time.Duration, which ends at about
#: 292 years, and refuses a longer range selector ("duration out of range").
MAX_PERIOD_DAYS = 106_751


@lru_cache(maxsize=1024)
def _parse_period(text: str) -> int:
    match = _PERIOD.match(text.strip())
    if match is None or len(match.group(1)) > 9:
        raise _period_error(text)
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds > MAX_PERIOD_DAYS * 86400:
        raise ValueError(
            f"must be at most {MAX_PERIOD_DAYS}d, the longest duration Prometheus accepts"
            f" (got {text!r})"
        )
    return seconds


@lru_cache(maxsize=1024)
def _factor(budget_percent: float, period: int, long: int) -> float:
    return float(Fraction(str(budget_percent)) * period / (100 * long))


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
    for unit, size, exact in (
        ("y", _UNITS["y"], True),
        ("w", _UNITS["w"], True),
        ("d", _UNITS["d"], False),
        ("h", _UNITS["h"], False),
        ("m", _UNITS["m"], False),
        ("s", 1, False),
    ):
        if exact and rest % size:
            continue
        count, rest = divmod(rest, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


@lru_cache(maxsize=4096)
def format_float(value: float) -> str:
    """Shortest text that reads back as ``value``, without a trailing ``.0``.

    The same digits Go prints with ``%v`` (Sloth renders its rules that way), so outputs compare
    as text. Raises :class:`ValueError` for NaN and infinities.
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True)
class WindowPair:
    """One multi-window condition of an alert."""

    severity: Severity
    short: int  # seconds
    long: int  # seconds
    budget_percent: float  # share of the period's budget this pair spends in one long window

    def factor(self, period: int) -> float:
        """Burn-rate factor for an SLO period (seconds), correctly rounded (28d: 13.44, 5.6)."""
        return _factor(self.budget_percent, period, self.long)

    def sloth_factor(self, period: int) -> float:
        """The factor as Sloth computes it in float64 (28d page slow: 5.6000000000000005)."""
        hours_to_spend = self.budget_percent * (period / 3600) / 100
        return hours_to_spend / (self.long / 3600)

    @property
    def label(self) -> str:
        return f"{format_duration(self.short)}/{format_duration(self.long)}"


DEFAULT_WINDOWS: tuple[WindowPair, ...] = (
    WindowPair("page", 5 * 60, 3600, 2),
    WindowPair("page", 30 * 60, 6 * 3600, 5),
    WindowPair("ticket", 2 * 3600, 86400, 10),
    WindowPair("ticket", 6 * 3600, 3 * 86400, 10),
)

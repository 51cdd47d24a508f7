"""Burn-rate windows and their factors (Google SRE Workbook, "Alerting on SLOs").

A window pair alerts when both its short and its long window burn the error budget faster than
``factor``; ``factor = budget_percent / 100 × period / long_window``, the rate at which the pair's
share of the budget is spent in exactly one long window. The default catalogue is the workbook's:
page on 2 % in 1 h (short 5 m) or 5 % in 6 h (30 m), ticket on 10 % in 1 d (2 h) or 10 % in 3 d
(6 h). For a 30-day period that gives the familiar 14.4, 6, 3 and 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from opsdocs.durations import format_duration

__all__ = [
    "DEFAULT_WINDOWS",
    "Severity",
    "WindowPair",
    "format_float",
]

Severity = Literal["page", "ticket"]


@lru_cache(maxsize=1024)
def _factor(budget_percent: float, period: int, long: int) -> float:
    return float(Fraction(str(budget_percent)) * period / (100 * long))


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

"""What a data source measures for one SLO at one evaluation time.

Sources (``sources/logs.py``, ``sources/prometheus.py``) return a :class:`Measurement`; the report
(``report.py``) turns it into SLIs, budgets, burn rates and a status. Keeping the arithmetic out
of the sources is what lets both sources give the same numbers for the same events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["Counts", "Measurement", "Step"]


@dataclass(frozen=True)
class Counts:
    """Events in one window that ends at the evaluation time.

    ``good`` and ``total`` are event counts (Prometheus: rate × window, so possibly fractional);
    ``error_ratio`` is set by sources that measure the ratio itself (a raw PromQL SLI, a probe)
    or, for Prometheus, divided from the rates exactly as the recording rules divide them.
    """

    good: float | None
    total: float | None
    error_ratio: float | None = None

    @property
    def bad(self) -> float | None:
        if self.good is None or self.total is None:
            return None
        return self.total - self.good

    def ratio(self) -> float | None:
        """The error ratio, or None when the window has no events."""
        if self.error_ratio is not None:
            return self.error_ratio
        if self.total is None or self.good is None or self.total <= 0:
            return None
        return (self.total - self.good) / self.total


@dataclass(frozen=True)
class Step:
    """Events in one step of the period, for charts: the step ends at ``end``."""

    end: dt.datetime
    bad: float
    total: float


@dataclass(frozen=True)
class Measurement:
    """Counts per window (seconds → counts) at ``at``, plus the period in steps for charts."""

    source: str
    at: dt.datetime
    windows: dict[int, Counts]
    steps: tuple[Step, ...] = ()
    step_seconds: int = 0
    malformed: int = 0
    empty_files: int = 0
    files: int = 0
    notes: tuple[str, ...] = field(default=())
    #: The newest event or sample at or before ``at`` (None: none found within ``searched``).
    newest: dt.datetime | None = None
    #: How far back from ``at`` the source looked for ``newest`` (seconds; 0: it did not look).
    searched: int = 0

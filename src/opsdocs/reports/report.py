"""An SLO's standing at one evaluation time: SLI, error budget, burn rates, status.

Everything here is arithmetic over a :class:`~opsdocs.reports.measurement.Measurement`, so the
numbers do not depend on where the events came from. The alert conditions are the ones the
generated rules use (``opsdocs.slo.windows``: the same window pairs and factors, compared the same
way, ``error ratio > factor × budget``), so "burning" means exactly "an alert would fire now".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from opsdocs.durations import format_duration, format_span
from opsdocs.records import json_dict, json_form, json_method
from opsdocs.reports.measurement import Counts, Measurement
from opsdocs.slo.spec import SloSpec
from opsdocs.slo.windows import DEFAULT_WINDOWS, Severity, WindowPair

__all__ = [
    "REPORTED_WINDOWS",
    "AlertCheck",
    "SloReport",
    "Status",
    "WindowReport",
    "build_report",
    "needed_windows",
    "utc_second",
]

Status = Literal["healthy", "burning", "exhausted", "no-data", "stale"]

#: Windows whose burn rate the report shows (besides the period).
REPORTED_WINDOWS = (3600, 6 * 3600, 86400, 3 * 86400)
#: The window whose burn rate projects the time of exhaustion.
CURRENT_WINDOW = 3600
#: Projections further out than this (about 100 years) are "never".
_HORIZON = 100 * 365 * 86400


def utc_second(when: dt.datetime) -> str:
    """``when`` in UTC to the second, ISO 8601 with ``Z``: how report text writes a time."""
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


@dataclass(frozen=True)
class WindowReport:
    """One window ending at the evaluation time."""

    seconds: int
    good: float | None
    total: float | None
    error_ratio: float | None  # after the no-data policy; None: no data
    burn_rate: float | None

    @property
    def label(self) -> str:
        return format_duration(self.seconds)

    to_dict = json_method(
        ("window", "label"), "seconds", "good", "total", "error_ratio", "burn_rate"
    )


@dataclass(frozen=True)
class AlertCheck:
    """One window pair of an alert, evaluated now."""

    severity: Severity
    short: int
    long: int
    factor: float
    short_burn_rate: float | None
    long_burn_rate: float | None
    firing: bool

    to_dict = json_method(
        "severity",
        ("short", format_duration),
        ("long", format_duration),
        "factor",
        "short_burn_rate",
        "long_burn_rate",
        "firing",
    )


@dataclass(frozen=True)
class SloReport:
    """The report of one SLO (see ``docs/reports.md`` for every field)."""

    service: str
    name: str
    document: str
    source: str
    at: dt.datetime
    objective: float  # percent
    period_seconds: int
    budget: float  # allowed share of bad events
    sli: float | None  # share of good events over the period
    error_ratio: float | None
    budget_consumed: float | None  # share of the budget
    budget_remaining: float | None
    windows: tuple[WindowReport, ...]
    alerts: tuple[AlertCheck, ...]
    status: Status
    exhaustion: dt.datetime | None
    malformed: int = 0
    notes: tuple[str, ...] = field(default=())
    measurement: Measurement | None = field(default=None, compare=False, repr=False)
    newest: dt.datetime | None = None  # newest data at or before `at`
    data_age: float | None = None  # seconds from `newest` to `at` (a lower bound without newest)
    stale_after: int | None = None  # the limit that was applied (seconds), None: none

    @property
    def period(self) -> str:
        return format_duration(self.period_seconds)

    @property
    def budget_minutes(self) -> float:
        """The whole budget as minutes of full outage over the period."""
        return self.budget * self.period_seconds / 60

    @property
    def consumed_minutes(self) -> float | None:
        if self.error_ratio is None:
            return None
        return self.error_ratio * self.period_seconds / 60

    @property
    def remaining_minutes(self) -> float | None:
        if self.error_ratio is None:
            return None
        return (self.budget - self.error_ratio) * self.period_seconds / 60

    @property
    def is_finding(self) -> bool:
        """The SLO needs someone: budget spent, an alert firing, no data, or stale data."""
        return self.status != "healthy"

    @property
    def shown_windows(self) -> list[WindowReport]:
        """The windows whose burn rate the report shows: the reported ones and the period."""
        return [
            w
            for w in self.windows
            if w.seconds in REPORTED_WINDOWS or w.seconds == self.period_seconds
        ]

    def window(self, seconds: int) -> WindowReport | None:
        return next((w for w in self.windows if w.seconds == seconds), None)

    def burn_rate(self, seconds: int) -> float | None:
        found = self.window(seconds)
        return found.burn_rate if found is not None else None

    JSON_FORM = json_form(
        "service",
        ("slo", "name"),
        "document",
        "source",
        ("at", _iso),
        "status",
        "objective",
        "period",
        "sli",
        "error_ratio",
    )
    BUDGET_FORM = json_form(
        ("total", "budget"),
        ("total_minutes", "budget_minutes"),
        ("consumed", "budget_consumed"),
        "consumed_minutes",
        ("remaining", "budget_remaining"),
        "remaining_minutes",
    )
    TAIL_FORM = json_form(
        ("exhaustion", _iso),
        ("windows", lambda windows: [w.to_dict() for w in windows]),
        ("alerts", lambda alerts: [a.to_dict() for a in alerts]),
        "malformed",
        ("newest_data", "newest", _iso),
        ("data_age_seconds", "data_age"),
        ("stale_after_seconds", "stale_after"),
        ("notes", list),
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            **json_dict(self, self.JSON_FORM),
            "error_budget": json_dict(self, self.BUDGET_FORM),
            "burn_rates": {w.label: w.burn_rate for w in self.shown_windows},
            **json_dict(self, self.TAIL_FORM),
        }


def needed_windows(slo: SloSpec, pairs: Sequence[WindowPair] = DEFAULT_WINDOWS) -> list[int]:
    """Every window the report evaluates: the shown ones, the alerts' pairs, and the period."""
    period = slo.period_seconds
    wanted = {*REPORTED_WINDOWS, *(p.short for p in pairs), *(p.long for p in pairs), period}
    return sorted(w for w in wanted if w <= period)


def _ratio(counts: Counts | None, policy: str) -> float | None:
    if counts is None:
        return None
    value = counts.ratio()
    if value is not None:
        return value
    if counts.total is not None and counts.total > 0:
        return None  # events, but the source could not give a ratio
    return {"good": 0.0, "bad": 1.0}.get(policy)  # no events: as the no-data policy says


def build_report(
    service: str,
    slo: SloSpec,
    measurement: Measurement,
    *,
    document: str = "",
    pairs: Sequence[WindowPair] = DEFAULT_WINDOWS,
    stale_after: int | None = None,
) -> SloReport:
    """The report of ``slo`` from what a source measured (pure arithmetic, no I/O).

    With ``stale_after`` (seconds), data whose newest point is older than that before the
    evaluation time gives the status ``stale`` instead of a verdict, and no projection.
    """
    period = slo.period_seconds
    budget = slo.budget
    windows = []
    for seconds in needed_windows(slo, pairs):
        counts = measurement.windows.get(seconds)
        ratio = _ratio(counts, slo.no_data)
        windows.append(
            WindowReport(
                seconds=seconds,
                good=counts.good if counts else None,
                total=counts.total if counts else None,
                error_ratio=ratio,
                burn_rate=None if ratio is None else ratio / budget,
            )
        )
    by_seconds = {w.seconds: w for w in windows}

    alerts = []
    for pair in pairs:
        if not getattr(slo.alerting, pair.severity).enabled:
            continue
        factor = pair.factor(period)
        short = by_seconds.get(pair.short)
        long = by_seconds.get(pair.long)
        ratios = [w.error_ratio if w else None for w in (short, long)]
        # The rules compare "ratio > factor * budget"; so do we, to the last bit.
        firing = all(r is not None and r > factor * budget for r in ratios)
        alerts.append(
            AlertCheck(
                pair.severity,
                pair.short,
                pair.long,
                factor,
                short.burn_rate if short else None,
                long.burn_rate if long else None,
                firing,
            )
        )

    whole = by_seconds[period]
    error_ratio = whole.error_ratio
    status: Status
    exhaustion = None
    if error_ratio is None:
        status = "no-data"
        sli = consumed = remaining = None
    else:
        sli = 1 - error_ratio
        consumed = error_ratio / budget
        remaining = 1 - consumed
        if remaining <= 0:
            status = "exhausted"
        elif any(a.firing for a in alerts):
            status = "burning"
        else:
            status = "healthy"
        current = by_seconds.get(CURRENT_WINDOW)
        if status != "exhausted" and current is not None and current.burn_rate:
            # At burn rate b the budget lasts period / b; what is left lasts that share of it.
            seconds_left = remaining * period / current.burn_rate
            if seconds_left < _HORIZON:
                exhaustion = measurement.at + dt.timedelta(seconds=seconds_left)
    age, notes = _freshness(measurement)
    if stale_after is not None and age is not None and age > stale_after and status != "no-data":
        status = "stale"
        exhaustion = None
        alerts = []  # old data fires or clears nothing: an "ok" here would be a false comfort
        notes = (
            *notes,
            f"stale: the newest data is {_age_text(measurement, age)} old, more than"
            f" {format_duration(stale_after)} (report.stale_after): no verdict",
        )
    return SloReport(
        service=service,
        name=slo.name,
        document=document,
        source=measurement.source,
        at=measurement.at,
        objective=slo.objective,
        period_seconds=period,
        budget=budget,
        sli=sli,
        error_ratio=error_ratio,
        budget_consumed=consumed,
        budget_remaining=remaining,
        windows=tuple(windows),
        alerts=tuple(alerts),
        status=status,
        exhaustion=exhaustion,
        malformed=measurement.malformed,
        notes=notes,
        measurement=measurement,
        newest=measurement.newest,
        data_age=age,
        stale_after=stale_after,
    )


def _freshness(measurement: Measurement) -> tuple[float | None, tuple[str, ...]]:
    """Seconds from the newest data to ``at`` (None when the source did not look), and the
    notes with one saying so."""
    notes = measurement.notes
    if not measurement.searched:
        return None, notes
    if measurement.newest is None:
        age = float(measurement.searched)
        return age, (*notes, f"no data in the {format_duration(measurement.searched)} before --at")
    age = max(0.0, (measurement.at - measurement.newest).total_seconds())
    when = utc_second(measurement.newest)
    return age, (*notes, f"newest data {when} ({_age_text(measurement, age)} before --at)")


def _age_text(measurement: Measurement, age: float) -> str:
    prefix = "more than " if measurement.newest is None else ""
    return prefix + format_span(age)

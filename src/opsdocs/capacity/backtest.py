"""Backtesting: forecasts made at past points, held against what happened next.

For each origin (every ``every`` seconds over the last ``over`` seconds before the report time)
the forecast is fitted on the resource's ``history`` before the origin, exactly as the report
would have fitted it then, and compared with the readings after it up to the horizon or the
report time: the mean absolute percentage error (MAPE), and, when usage crossed the threshold
after the origin, whether the crossing fell inside the forecast's 80 % interval. A team reads
from it how far to trust the report's dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from opsdocs.capacity.forecast import NO_CROSSING, Crossing, crossing_times, iso_seconds
from opsdocs.records import dicts, json_method

if TYPE_CHECKING:
    from opsdocs.capacity.report import History, Target
    from opsdocs.workspace import Workspace

__all__ = ["BacktestPoint", "BacktestResult", "backtest_history", "backtest_resources"]


@dataclass(frozen=True)
class BacktestPoint:
    """One forecast made at ``origin`` (Unix seconds)."""

    origin: float
    compared: int = 0  # readings compared
    mape: float | None = None  # percent; None when nothing could be compared
    crossed: float | None = None  # when usage actually reached the threshold after the origin
    interval: Crossing = NO_CROSSING  # when the forecast said it would
    inside: bool | None = None  # the crossing fell inside the interval (None: no crossing)
    note: str = ""

    as_dict = json_method(
        ("origin", iso_seconds),
        "compared",
        ("mape_percent", "mape"),
        ("crossed", iso_seconds),
        ("interval", crossing_times),
        "inside",
        "note",
    )


@dataclass
class BacktestResult:
    """Every origin of one resource."""

    key: str
    points: list[BacktestPoint] = field(default_factory=list)

    @property
    def mape(self) -> float | None:
        values = [p.mape for p in self.points if p.mape is not None]
        return sum(values) / len(values) if values else None

    @property
    def crossings(self) -> int:
        return sum(1 for p in self.points if p.inside is not None)

    @property
    def inside(self) -> int:
        return sum(1 for p in self.points if p.inside)

    as_dict = json_method(
        ("resource", "key"),
        ("mape_percent", "mape"),
        "crossings",
        ("inside_interval", "inside"),
        ("points", dicts),
    )


def _point(
    history: History, origin: float, *, step: int, span: int, horizon: int, level: float
) -> BacktestPoint:
    import numpy as np

    from opsdocs.capacity.forecast import ForecastRefused, crossing, fit_forecast

    times = np.asarray(history.times, dtype=np.float64)
    values = np.asarray(history.values, dtype=np.float64)
    before = (times > origin - span) & (times <= origin)
    end = min(origin + horizon, float(times[-1]))
    after = (times > origin) & (times <= end)
    if not after.any():
        return BacktestPoint(origin, note="no readings after the origin")
    try:
        forecast = fit_forecast(times[before], values[before], step=step, until=end)
    except ForecastRefused as exc:
        return BacktestPoint(origin, note=str(exc))
    actual_t, actual = times[after], values[after]
    predicted = np.interp(actual_t, forecast.times, forecast.mean)
    nonzero = actual != 0
    mape = (
        float(np.mean(np.abs((actual[nonzero] - predicted[nonzero]) / actual[nonzero])) * 100)
        if nonzero.any()
        else None
    )
    at_origin = values[before][-1] if before.any() else None
    reached = np.flatnonzero(actual >= level)
    crossed = float(actual_t[reached[0]]) if len(reached) else None
    found = crossing(forecast, level)
    inside: bool | None = None
    if crossed is not None and at_origin is not None and at_origin < level:
        lo = found.earliest
        hi = found.latest
        inside = lo is not None and lo <= crossed and (hi is None or crossed <= hi)
    else:
        crossed = None
    return BacktestPoint(
        origin=origin,
        compared=int(after.sum()),
        mape=mape,
        crossed=crossed,
        interval=found,
        inside=inside,
    )


def backtest_history(
    target: Target, history: History, at: dt.datetime, *, over: int, every: int
) -> BacktestResult:
    """Forecasts at every ``every`` seconds over the ``over`` seconds before ``at``."""
    from opsdocs.durations import duration_seconds

    resource = target.resource
    step = duration_seconds(resource.step)
    span = duration_seconds(resource.history)
    horizon = duration_seconds(resource.horizon)
    level = history.limit * resource.threshold / 100
    result = BacktestResult(target.key)
    if not history.times:
        return result
    now = at.timestamp()
    origin = now - over
    while origin < now - step:
        result.points.append(
            _point(history, origin, step=step, span=span, horizon=horizon, level=level)
        )
        origin += every
    return result


def backtest_resources(
    workspace: Workspace,
    selectors: Sequence[str],
    at: dt.datetime,
    *,
    over: int,
    every: int,
    prometheus_url: str | None = None,
) -> list[BacktestResult]:
    """Backtest the resources ``selectors`` name (``service`` or ``service/resource``; none:
    every resource of every capacity document): each one's history is read over ``over`` plus
    its own history window. Raises :class:`UsageError` for a selector that names nothing."""
    from dataclasses import replace

    from opsdocs.capacity.report import (
        find_targets,
        load_capacity_documents,
        open_prometheus,
        read_history,
    )
    from opsdocs.durations import duration_seconds, format_duration
    from opsdocs.sources.prometheus import check_instant

    targets = find_targets(load_capacity_documents(workspace), selectors)
    at = check_instant(at, "--at")
    results = []
    with open_prometheus(workspace, targets, prometheus_url) as client:
        for target in targets:
            longer = duration_seconds(target.resource.history) + over
            wide = replace(
                target,
                resource=target.resource.model_copy(update={"history": format_duration(longer)}),
            )
            history = read_history(workspace, wide, at, client=client)
            results.append(backtest_history(target, history, at, over=over, every=every))
    return results

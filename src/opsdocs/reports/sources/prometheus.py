"""Measure an SLO through the Prometheus HTTP query API (also Thanos, Mimir, VictoriaMetrics).

Every query is an instant query evaluated at the one evaluation time (``time=``), never "now",
so that all numbers of a report describe the same moment. The queries are the SLO's indicator
queries with the window filled in, the same ones the generated recording rules evaluate, and the
error ratio is divided from the rates the way the rules divide them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

from opsdocs.durations import format_duration
from opsdocs.errors import InputError
from opsdocs.promql import SliQueries, sli_queries, vector_selectors
from opsdocs.reports.measurement import Counts, Measurement, Step
from opsdocs.slo.spec import SloSpec, render_window
from opsdocs.sources.prometheus import EARLIEST, PrometheusClient, Series, one_line

__all__ = ["CHART_POINTS", "FRESHNESS_LOOKBACK", "measure_prometheus"]

#: Charts from Prometheus use at most this many steps over the period.
CHART_POINTS = 720
#: How far back the newest sample is looked for by default (seconds).
FRESHNESS_LOOKBACK = 3600


class _NotFinite(Exception):
    """A query answered NaN or ±Inf: the window has no number, so no data."""


class _Queries:
    """Instant queries of one SLO at one time, remembering what came back not finite."""

    def __init__(self, client: PrometheusClient, at: dt.datetime) -> None:
        self.client = client
        self.at = at
        self.not_finite: list[str] = []

    def single(self, query: str, *, required: bool) -> float | None:
        """The one value of ``query``, None for no series; raises :class:`_NotFinite`."""
        result = self.client.query(query, self.at)
        if not result:
            if required:
                raise InputError(
                    f"query {one_line(query)!r} returned nothing at {self.at.isoformat()}",
                    hint="check the metric names and labels, and that Prometheus has data then",
                )
            return None
        if len(result) > 1:
            raise InputError(
                f"query {one_line(query)!r} returned {len(result)} series, not one",
                hint="aggregate it, e.g. sum(rate(...[{{window}}]))",
            )
        sample = result[0]
        if sample.finite:
            return sample.value
        # NaN (0/0) or ±Inf (x/0): no number to report, so no data, and the note says why.
        spelled = "NaN" if math.isnan(sample.value) else ("+Inf" if sample.value > 0 else "-Inf")
        self.not_finite.append(f"{one_line(query)} returned {spelled}")
        raise _NotFinite

    def notes(self) -> tuple[str, ...]:
        if not self.not_finite:
            return ()
        first = self.not_finite[0]
        more = len(self.not_finite) - 1
        return (f"no data where a query was not finite: {first}" + (f" (+{more})" if more else ""),)


def _counts(queries: _Queries, q: SliQueries, seconds: int, *, is_period: bool) -> Counts:
    window = format_duration(seconds)
    single = queries.single
    if q.total is not None:
        total_rate = single(render_window(q.total, window), required=is_period)
        if total_rate is None or total_rate <= 0:
            return Counts(0.0, 0.0)
        if q.errors is not None:
            bad_rate = single(render_window(q.errors, window), required=False) or 0.0
            ratio = bad_rate / total_rate
            good = (total_rate - bad_rate) * seconds
        else:
            assert q.good is not None
            good_rate = single(render_window(q.good, window), required=False) or 0.0
            ratio = (total_rate - good_rate) / total_rate
            good = good_rate * seconds
        if not (math.isfinite(ratio) and math.isfinite(good)):
            return Counts(None, None)
        return Counts(good, total_rate * seconds, ratio)
    assert q.ratio is not None
    measured = single(render_window(q.ratio, window), required=is_period)
    good_n = total_n = None
    if q.total_count is not None and q.good_count is not None:
        total_n = single(render_window(q.total_count, window), required=False)
        good_n = single(render_window(q.good_count, window), required=False)
    if measured is None:
        return Counts(None if total_n is None else 0.0, None if total_n is None else 0.0)
    return Counts(good_n, total_n, measured)


def _summed(series: list[Series]) -> dict[int, float]:
    """Finite values summed over the series per time (milliseconds), in one pass."""
    out: dict[int, float] = {}
    for one in series:
        for stamp, value in zip(one.times, one.values, strict=True):
            if math.isfinite(value):
                key = round(stamp * 1000)
                out[key] = out.get(key, 0.0) + value
    return out


def _steps(
    client: PrometheusClient, q: SliQueries, period: int, at: dt.datetime
) -> tuple[tuple[Step, ...], int]:
    step = max(300, math.ceil(period / CHART_POINTS / 60) * 60)
    window = format_duration(step)
    # The first step, unless the period reaches back before 1970 (no data there to ask for).
    first = min(period // step - 1, int((at - EARLIEST).total_seconds() // step))
    start = at - dt.timedelta(seconds=first * step)

    def fetch(query: str) -> dict[int, float]:
        return _summed(client.query_range(render_window(query, window), start, at, step))

    if q.total is not None:
        total = fetch(q.total)
        if q.errors is not None:
            bad = fetch(q.errors)
        else:
            assert q.good is not None
            good = fetch(q.good)
            bad = {t: total[t] - good.get(t, 0.0) for t in total}
        weights = {t: v * step for t, v in total.items()}
        bads = {t: bad.get(t, 0.0) * step for t in total}
    else:
        assert q.ratio is not None
        ratios = fetch(q.ratio)
        weights = {t: 1.0 for t in ratios}  # a ratio has no events: every step weighs the same
        bads = dict(ratios)
    steps = []
    at_ms = round(at.timestamp() * 1000)
    # Prometheus answers at start + k × step exactly, so each step is one look-up.
    for index in range(period // step - 1, -1, -1):
        key = at_ms - index * step * 1000
        steps.append(
            Step(
                end=at - dt.timedelta(seconds=index * step),
                bad=bads.get(key, 0.0),
                total=weights.get(key, 0.0),
            )
        )
    return tuple(steps), step


def measure_prometheus(
    slo: SloSpec,
    client: PrometheusClient,
    *,
    at: dt.datetime,
    windows: Sequence[int],
    with_steps: bool = False,
    progress: Callable[[float], None] | None = None,
    freshness: int = FRESHNESS_LOOKBACK,
) -> Measurement:
    """Counts and error ratios per window ending at ``at`` (seconds), queried at ``at``.

    ``freshness``: how far back (seconds) to look for the newest sample of the series the
    indicator reads (0: do not look). Raises :class:`InputError` when Prometheus cannot be
    reached, rejects a query, or returns nothing for the period (a misspelt metric looks
    exactly like that).
    """
    q = sli_queries(slo)
    queries = _Queries(client, at)
    period = slo.period_seconds
    all_windows = sorted({*windows, period})
    counts: dict[int, Counts] = {}
    for done, seconds in enumerate(sorted(all_windows, reverse=True)):
        try:
            counts[seconds] = _counts(queries, q, seconds, is_period=seconds == period)
        except _NotFinite:
            counts[seconds] = Counts(None, None)
        if progress is not None:
            progress(100.0 * (done + 1) / (len(all_windows) + (1 if with_steps else 0)))
    steps: tuple[Step, ...] = ()
    step = 0
    if with_steps:
        steps, step = _steps(client, q, period, at)
        if progress is not None:
            progress(100.0)
    newest = _newest(client, q, at, freshness) if freshness > 0 else None
    return Measurement(
        source="prometheus",
        at=at,
        windows=counts,
        steps=steps,
        step_seconds=step,
        notes=(f"queried {client.url}", *queries.notes()),
        newest=newest,
        searched=freshness,
    )


def _newest(
    client: PrometheusClient, q: SliQueries, at: dt.datetime, lookback: int
) -> dt.datetime | None:
    """The time of the newest sample, at or before ``at``, of any series the indicator reads.

    ``timestamp()`` gives a sample's own time (an instant query at ``at`` alone would see only
    the lookback delta, 5 minutes by default); a subquery every minute over ``lookback`` finds
    the newest one further back. A series that does not exist (an error counter before the first
    error) is no evidence of staleness, so the newest of all the series counts.
    """
    selectors: list[str] = []
    for query in (q.total, q.errors, q.good, q.ratio):
        for found in vector_selectors(query) if query else ():
            if found not in selectors:
                selectors.append(found)
    newest: float | None = None
    window = format_duration(lookback)
    for selector in selectors:
        expr = f"max(max_over_time(timestamp({selector})[{window}:1m]))"
        for sample in client.query(expr, at):
            if (
                sample.finite
                and sample.value <= at.timestamp()
                and (newest is None or sample.value > newest)
            ):
                newest = sample.value
    return None if newest is None else dt.datetime.fromtimestamp(newest, dt.UTC)

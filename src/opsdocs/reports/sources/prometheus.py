"""Measure an SLO through the Prometheus HTTP query API (also Thanos, Mimir, VictoriaMetrics).

Every query is an instant query evaluated at the one evaluation time (``time=``), never "now",
so that all numbers of a report describe the same moment. The queries are the SLO's indicator
queries with the window filled in, the same ones the generated recording rules evaluate, and the
error ratio is divided from the rates the way the rules divide them.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from opsdocs.errors import InputError
from opsdocs.reports.measurement import Counts, Measurement, Step
from opsdocs.slo.spec import SloSpec, render_window
from opsdocs.slo.windows import format_duration

__all__ = ["PrometheusClient", "SliQueries", "measure_prometheus", "sli_queries"]

#: Charts from Prometheus use at most this many steps over the period.
CHART_POINTS = 720


@dataclass(frozen=True)
class SliQueries:
    """An indicator as PromQL with ``{{window}}``: rates of bad/good and all events, or a ratio.

    ``good_count`` and ``total_count`` give event counts for indicators that have no rates (a probe
    gauge: samples that succeeded, samples taken).
    """

    errors: str | None = None
    good: str | None = None
    total: str | None = None
    ratio: str | None = None
    good_count: str | None = None
    total_count: str | None = None


def sli_queries(slo: SloSpec) -> SliQueries:
    """The SLO's indicator as the queries the rules use (``opsdocs.slo.prometheus``)."""
    from opsdocs.slo import prometheus as rules

    q = rules.sli_queries(slo)
    if q.kind == "probe":
        from opsdocs.slo.spec import ProbeIndicator

        ind = slo.indicator
        assert isinstance(ind, ProbeIndicator)
        gauge = _selector(ind.metric, ind.selector)
        return SliQueries(
            ratio=q.ratio,
            good_count=f"sum(sum_over_time({gauge}[{{{{window}}}}]))",
            total_count=f"sum(count_over_time({gauge}[{{{{window}}}}]))",
        )
    return SliQueries(errors=q.errors, good=q.good, total=q.total, ratio=q.ratio)


def _selector(metric: str, selector: str) -> str:
    inner = selector.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip()
    return f"{metric}{{{inner.rstrip(', ')}}}"


def _rfc3339(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return f"{at.timestamp():.3f}"


class PrometheusClient:
    """A small client of the HTTP query API: timeouts, bearer token, retries on 5xx."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx

        headers = {"Accept": "application/json", "User-Agent": "opsdocs"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, str]) -> Any:
        import httpx

        attempt = 0
        while True:
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError as exc:
                if attempt < self.retries:
                    self._sleep(self.backoff * 2**attempt)
                    attempt += 1
                    continue
                raise InputError(
                    f"cannot reach Prometheus at {self.url}: {exc or type(exc).__name__}",
                    hint="check --prometheus-url (or report.prometheus_url) and that it is up",
                ) from None
            if response.status_code >= 500 and attempt < self.retries:
                self._sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            return self._decode(response, params.get("query", ""))

    def _decode(self, response: Any, query: str) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if status in (401, 403):
            raise InputError(
                f"Prometheus at {self.url} refused the request (HTTP {status})",
                hint="set report.token_env to a variable holding a valid bearer token",
            )
        if not isinstance(body, dict):
            raise InputError(
                f"Prometheus at {self.url} answered HTTP {status} without a JSON body",
                hint="check that the URL is the Prometheus API root (no /api/v1 suffix)",
            )
        if body.get("status") != "success":
            detail = body.get("error") or f"HTTP {status}"
            raise InputError(
                f"Prometheus rejected the query {_one_line(query)!r}: {detail}",
                hint="fix the SLO's indicator query",
            )
        return body.get("data")

    def query(self, query: str, at: dt.datetime) -> list[tuple[dict[str, str], float]]:
        """An instant query at ``at``: (labels, value) per series (a scalar has no labels)."""
        params = {"query": query, "time": _rfc3339(at), "timeout": f"{self.timeout:g}s"}
        data = self._get("/api/v1/query", params)
        kind = data.get("resultType") if isinstance(data, dict) else None
        if kind == "scalar":
            return [({}, float(data["result"][1]))]
        if kind != "vector":
            raise InputError(
                f"query {_one_line(query)!r} returned a {kind}, not an instant vector",
                hint="the indicator queries must return one number",
            )
        return [(dict(r.get("metric", {})), float(r["value"][1])) for r in data["result"]]

    def query_range(
        self, query: str, start: dt.datetime, end: dt.datetime, step: int
    ) -> dict[float, float]:
        """A range query: timestamp → sum of the series' values at that step."""
        params = {
            "query": query,
            "start": _rfc3339(start),
            "end": _rfc3339(end),
            "step": f"{step}s",
            "timeout": f"{self.timeout:g}s",
        }
        data = self._get("/api/v1/query_range", params)
        out: dict[float, float] = {}
        for series in data.get("result", []) if isinstance(data, dict) else []:
            for stamp, value in series.get("values", []):
                number = float(value)
                if not math.isnan(number):
                    out[float(stamp)] = out.get(float(stamp), 0.0) + number
        return out


def _one_line(query: str) -> str:
    return " ".join(query.split())


def _single(
    client: PrometheusClient, query: str, at: dt.datetime, *, required: bool
) -> float | None:
    result = client.query(query, at)
    if not result:
        if required:
            raise InputError(
                f"query {_one_line(query)!r} returned nothing at {at.isoformat()}",
                hint="check the metric names and labels, and that Prometheus has data then",
            )
        return None
    if len(result) > 1:
        raise InputError(
            f"query {_one_line(query)!r} returned {len(result)} series, not one",
            hint="aggregate it, e.g. sum(rate(...[{{window}}]))",
        )
    value = result[0][1]
    return None if math.isnan(value) else value


def _window_counts(
    client: PrometheusClient, q: SliQueries, seconds: int, at: dt.datetime, *, is_period: bool
) -> Counts:
    window = format_duration(seconds)
    if q.total is not None:
        total_rate = _single(client, render_window(q.total, window), at, required=is_period)
        if total_rate is None or total_rate <= 0:
            return Counts(0.0, 0.0)
        if q.errors is not None:
            bad_rate = _single(client, render_window(q.errors, window), at, required=False) or 0.0
            ratio = bad_rate / total_rate
            good = (total_rate - bad_rate) * seconds
        else:
            assert q.good is not None
            good_rate = _single(client, render_window(q.good, window), at, required=False) or 0.0
            ratio = (total_rate - good_rate) / total_rate
            good = good_rate * seconds
        return Counts(good, total_rate * seconds, ratio)
    assert q.ratio is not None
    measured = _single(client, render_window(q.ratio, window), at, required=is_period)
    good_n = total_n = None
    if q.total_count is not None and q.good_count is not None:
        total_n = _single(client, render_window(q.total_count, window), at, required=False)
        good_n = _single(client, render_window(q.good_count, window), at, required=False)
    if measured is None:
        return Counts(None if total_n is None else 0.0, None if total_n is None else 0.0)
    return Counts(good_n, total_n, measured)


def _steps(
    client: PrometheusClient, q: SliQueries, period: int, at: dt.datetime
) -> tuple[tuple[Step, ...], int]:
    step = max(300, math.ceil(period / CHART_POINTS / 60) * 60)
    window = format_duration(step)
    start = at - dt.timedelta(seconds=period - step)
    if q.total is not None:
        total = client.query_range(render_window(q.total, window), start, at, step)
        if q.errors is not None:
            bad = client.query_range(render_window(q.errors, window), start, at, step)
        else:
            assert q.good is not None
            good = client.query_range(render_window(q.good, window), start, at, step)
            bad = {t: total[t] - good.get(t, 0.0) for t in total}
        weights = {t: v * step for t, v in total.items()}
        bads = {t: bad.get(t, 0.0) * step for t in total}
    else:
        assert q.ratio is not None
        ratios = client.query_range(render_window(q.ratio, window), start, at, step)
        weights = {t: 1.0 for t in ratios}  # a ratio has no events: every step weighs the same
        bads = dict(ratios)
    steps = []
    n = period // step
    at_s = at.timestamp()
    for index in range(n - 1, -1, -1):
        stamp = at_s - index * step
        key = min(weights, key=lambda t: abs(t - stamp), default=None) if weights else None
        hit = key is not None and abs(key - stamp) < 1
        steps.append(
            Step(
                end=at - dt.timedelta(seconds=index * step),
                bad=bads[key] if hit and key is not None else 0.0,
                total=weights[key] if hit and key is not None else 0.0,
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
) -> Measurement:
    """Counts and error ratios per window ending at ``at`` (seconds), queried at ``at``.

    Raises :class:`InputError` when Prometheus cannot be reached, rejects a query, or returns
    nothing for the period (a misspelt metric looks exactly like that).
    """
    q = sli_queries(slo)
    period = slo.period_seconds
    all_windows = sorted({*windows, period})
    counts: dict[int, Counts] = {}
    for done, seconds in enumerate(sorted(all_windows, reverse=True)):
        counts[seconds] = _window_counts(client, q, seconds, at, is_period=seconds == period)
        if progress is not None:
            progress(100.0 * (done + 1) / (len(all_windows) + (1 if with_steps else 0)))
    steps: tuple[Step, ...] = ()
    step = 0
    if with_steps:
        steps, step = _steps(client, q, period, at)
        if progress is not None:
            progress(100.0)
    return Measurement(
        source="prometheus",
        at=at,
        windows=counts,
        steps=steps,
        step_seconds=step,
        notes=(f"queried {client.url}",),
    )

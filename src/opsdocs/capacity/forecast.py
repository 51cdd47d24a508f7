"""The forecast: a linear trend plus daily and weekly seasonality, with an 80 % interval.

The history (on a regular grid, gaps allowed) is fitted by least squares with statsmodels' OLS:
a constant, a linear trend, and three harmonics each of the daily and the weekly cycle (the
weekly ones only with two weeks of history). The interval is the regression's *prediction*
interval for one future reading, whose parameter covariance is Newey-West (HAC, a day of lags),
so that readings that wander together for hours do not make the trend look surer than it is.
``docs/architecture.md`` says why this model rather than exponential smoothing.

A crossing date comes with an interval from simulated futures: each path draws the model's
parameters from their (HAC) covariance and adds noise that wanders as the residuals did (an AR(1)
process with their standard deviation and lag-one autocorrelation, starting from the last
residual). The first time each path reaches the level is its crossing; the 10th, 50th and 90th
percentiles of those are the earliest, expected and latest dates (``None``: that share of paths
does not cross within the horizon). A noisy series crosses on a spike, earlier than its mean
curve: the paths say by how much.

numpy and statsmodels are imported inside the functions: ``opsdocs --help`` stays instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "DAY",
    "LEVEL",
    "MIN_HISTORY",
    "NO_CROSSING",
    "WEEK",
    "Crossing",
    "Forecast",
    "ForecastRefused",
    "crossing",
    "crossing_times",
    "crossings",
    "day_text",
    "fit_forecast",
    "iso_seconds",
]

DAY = 86400
WEEK = 7 * DAY
#: The interval's coverage.
LEVEL = 0.8
#: Less history than this (first to last reading) is too short to forecast.
MIN_HISTORY = 2 * DAY
#: The weekly cycle is fitted only with this much history (two cycles).
WEEKLY_HISTORY = 2 * WEEK
#: Simulated paths behind a crossing interval (fixed seed: the same data give the same dates).
PATHS = 200
_SEED = 20261204
#: Fewer readings than this are too few, whatever their span.
MIN_POINTS = 24
_HARMONICS = 3


class ForecastRefused(Exception):
    """The history cannot be forecast; ``args[0]`` says why, for people (``history too short:
    ...``)."""


@dataclass(frozen=True)
class Forecast:
    """The fitted model and its forecast on the grid after the last reading."""

    times: NDArray[np.float64]  # Unix seconds, every step after the last reading
    mean: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    growth_per_day: float  # the trend's slope, units per day
    growth_sd: float  # its standard error (HAC)
    residual_sd: float  # how far readings scatter around the fit
    seasonality: tuple[str, ...]  # "daily", "weekly"
    # what the simulation needs
    design: NDArray[np.float64]  # the future rows of the regression
    params: NDArray[np.float64]
    cov: NDArray[np.float64]
    rho: float  # lag-one autocorrelation of the residuals
    last_residual: float


@dataclass(frozen=True)
class Crossing:
    """When a forecast reaches a level: earliest, expected and latest (Unix seconds or None)."""

    earliest: float | None
    expected: float | None
    latest: float | None


#: No crossing within the horizon.
NO_CROSSING = Crossing(None, None, None)


def iso_seconds(seconds: float | None) -> str | None:
    """Unix seconds as UTC ISO 8601 to the second, how capacity output writes a time (None
    stays None)."""
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_text(seconds: float | None) -> str:
    """Unix seconds as their UTC day (``2026-05-01``); ``later`` for no time (beyond the
    horizon)."""
    if seconds is None:
        return "later"
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d")


def crossing_times(crossing: Crossing | None) -> dict[str, str | None] | None:
    """A crossing's dates in ISO 8601 (None: no crossing)."""
    if crossing is None:
        return None
    return {key: iso_seconds(getattr(crossing, key)) for key in ("earliest", "expected", "latest")}


def _design(days: NDArray[np.float64], weekly: bool) -> NDArray[np.float64]:
    import numpy as np

    columns = [np.ones_like(days), days]
    periods = (1.0, 7.0) if weekly else (1.0,)
    for period in periods:
        for k in range(1, _HARMONICS + 1):
            angle = 2 * np.pi * k * days / period
            columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def fit_forecast(
    times: Sequence[float] | NDArray[np.float64],
    values: Sequence[float] | NDArray[np.float64],
    *,
    step: int,
    until: float,
) -> Forecast:
    """Fit ``values`` read at ``times`` (Unix seconds, ascending) and forecast every ``step``
    seconds after the last reading up to ``until``.

    Raises :class:`ForecastRefused` when the history is too short.
    """
    import numpy as np

    t = np.asarray(times, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(t) & np.isfinite(y)
    t, y = t[keep], y[keep]
    span = float(t[-1] - t[0]) if len(t) else 0.0
    if len(t) < MIN_POINTS or span < MIN_HISTORY:
        raise ForecastRefused(
            f"history too short: {len(t)} readings over {span / 3600:.0f} h "
            f"(at least {MIN_HISTORY // 3600} h and {MIN_POINTS} readings needed)"
        )
    weekly = span >= WEEKLY_HISTORY
    last = float(t[-1])
    # days before the last reading: the trend's intercept is the level now
    days = (t - last) / DAY
    x = _design(days, weekly)
    ahead = np.arange(last + step, until + step / 2, step, dtype=np.float64)
    future = _design((ahead - last) / DAY, weekly)
    from statsmodels.regression.linear_model import OLS  # not for a history refused above

    lags = max(1, min(DAY // step, len(y) // 4))
    fitted: Any = OLS(y, x).fit(method="qr", cov_type="HAC", cov_kwds={"maxlags": lags})
    params = np.asarray(fitted.params, dtype=np.float64)
    residual_sd = float(np.sqrt(fitted.scale))
    resid = np.asarray(fitted.resid, dtype=np.float64)
    rho = 0.0
    if len(resid) > 2 and float(np.dot(resid, resid)) > 0:
        rho = float(np.dot(resid[1:], resid[:-1]) / np.dot(resid, resid))
        rho = min(max(rho, 0.0), 0.99)
    if len(ahead):
        prediction = fitted.get_prediction(future)
        mean = np.asarray(prediction.predicted_mean, dtype=np.float64)
        bounds = np.asarray(prediction.conf_int(obs=True, alpha=1 - LEVEL), dtype=np.float64)
        lower, upper = bounds[:, 0], bounds[:, 1]
    else:
        mean = lower = upper = np.zeros(0, dtype=np.float64)
    return Forecast(
        times=ahead,
        mean=mean,
        lower=lower,
        upper=upper,
        growth_per_day=float(params[1]),
        growth_sd=float(np.sqrt(fitted.cov_params()[1, 1])),
        residual_sd=residual_sd,
        seasonality=("daily", "weekly") if weekly else ("daily",),
        design=future,
        params=params,
        cov=np.asarray(fitted.cov_params(), dtype=np.float64),
        rho=rho,
        last_residual=float(resid[-1]),
    )


def _paths(forecast: Forecast, start: int, stop: int) -> NDArray[np.float64]:
    """:data:`PATHS` simulated futures over the steps ``start:stop`` (paths × steps)."""
    import numpy as np
    from scipy.signal import lfilter

    rng = np.random.default_rng(_SEED)
    steps = stop - start
    try:
        draws = rng.multivariate_normal(
            np.zeros(len(forecast.params)), forecast.cov, size=PATHS, method="eigh"
        )
    except np.linalg.LinAlgError:
        draws = np.zeros((PATHS, len(forecast.params)))
    trend = forecast.design[start:stop] @ (forecast.params[:, None] + draws.T)  # steps × paths
    rho = forecast.rho
    sd = forecast.residual_sd
    shocks = rng.standard_normal((PATHS, steps)) * sd * np.sqrt(1 - rho * rho)
    # AR(1) noise: e[t] = rho e[t-1] + shock[t], from the last residual carried to the start
    # of the window (after a few steps it is the stationary noise)
    carried = rho ** (start + 1)
    shocks[:, 0] = carried * forecast.last_residual + (
        rng.standard_normal(PATHS) * sd * np.sqrt(1 - carried * carried)
    )
    noise = lfilter([1.0], [1.0, -rho], shocks, axis=1)
    paths: NDArray[np.float64] = trend.T + noise
    return paths


#: Outside this many standard deviations of the forecast no path is looked for.
_REACH = 5.0


def crossings(forecast: Forecast, levels: Sequence[float]) -> list[Crossing]:
    """When the simulated futures first reach each of ``levels``: the 10th, 50th and 90th
    percentiles of the first-passage times (``None``: not within the horizon).

    Only the steps where a path can plausibly first reach a level are simulated: from the first
    step whose mean is within :data:`_REACH` standard deviations below the lowest level to the
    first whose mean is that far above the highest (a flat resource simulates nothing).
    """
    import numpy as np

    count = len(forecast.times)
    if not count or not levels:
        return [NO_CROSSING for _ in levels]
    sd = (forecast.upper - forecast.lower) / (2 * 1.2816)
    reach = np.flatnonzero(forecast.mean + _REACH * sd >= min(levels))
    if not len(reach):
        return [NO_CROSSING for _ in levels]
    start = int(reach[0])
    past = np.flatnonzero(forecast.mean - _REACH * sd >= max(levels))
    stop = int(past[0]) + 1 if len(past) else count
    paths = _paths(forecast, start, max(stop, start + 1))
    found = []
    tail = (1 - LEVEL) / 2
    for level in levels:
        above = paths >= level
        first = np.where(above.any(axis=1), above.argmax(axis=1) + start, count)
        picks = [int(np.quantile(first, q, method="lower")) for q in (tail, 0.5, 1 - tail)]
        found.append(Crossing(*(float(forecast.times[i]) if i < count else None for i in picks)))
    return found


def crossing(forecast: Forecast, level: float) -> Crossing:
    """:func:`crossings` of one level."""
    return crossings(forecast, [level])[0]

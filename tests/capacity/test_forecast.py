"""The forecast on generated series whose trend, seasonality and crossing dates are known."""

from __future__ import annotations

import pytest

from opsdocs.capacity.forecast import ForecastRefused, crossing, fit_forecast
from tests.capacity.series import END, Shape, days_before

HOUR = 3600


def _hourly(shape: Shape, seed: int, days: float = 56) -> tuple[list[float], list[float]]:
    """Hourly means of 5-minute samples over the last ``days`` (as the files source reads)."""
    samples = [s for s in shape.samples(seed=seed) if s[0] > days_before(days).timestamp()]
    buckets: dict[int, list[float]] = {}
    for t, v in samples:
        buckets.setdefault(int(t // HOUR), []).append(v)
    times = [(k + 1) * HOUR for k in sorted(buckets)]
    values = [sum(buckets[k]) / len(buckets[k]) for k in sorted(buckets)]
    return [float(t) for t in times], values


GROWING = Shape(start=days_before(90), base=400, slope=2.0, daily=10, weekly=15, noise=3)


@pytest.mark.parametrize("seed", range(1, 11))
def test_the_true_crossing_falls_inside_the_interval(seed: int) -> None:
    times, values = _hourly(GROWING, seed)
    forecast = fit_forecast(times, values, step=HOUR, until=END.timestamp() + 200 * 86400)
    truth = GROWING.crossing(END, 800)
    found = crossing(forecast, 800)
    assert found.earliest is not None and found.expected is not None
    assert found.latest is not None
    assert found.earliest <= found.expected <= found.latest
    assert found.earliest - HOUR <= truth <= found.latest + HOUR
    # the expected date is near the truth: within two days of a crossing ~110 days out
    assert abs(found.expected - truth) < 2 * 86400


def test_trend_and_both_seasons_are_recovered() -> None:
    times, values = _hourly(GROWING, 3)
    forecast = fit_forecast(times, values, step=HOUR, until=END.timestamp() + 7 * 86400)
    assert forecast.seasonality == ("daily", "weekly")
    assert forecast.growth_per_day == pytest.approx(2.0, rel=0.05)
    # the forecast follows the weekly and daily swings, not a straight line
    for t, mean in zip(forecast.times[::13], forecast.mean[::13], strict=False):
        assert mean == pytest.approx(GROWING.value(t), abs=3)


def test_without_seasonality_the_weekly_peak_is_missed() -> None:
    # the daily/weekly swings decide the date: a straight line through the same data would be
    # days late, so the interval above is the seasonal model's doing
    times, values = _hourly(GROWING, 3)
    import numpy as np

    slope, intercept = np.polyfit(np.asarray(times), np.asarray(values), 1)
    straight = (800 - intercept) / slope
    assert straight - GROWING.crossing(END, 800) > 5 * 86400


def test_ten_days_of_history_fit_the_daily_cycle_only() -> None:
    times, values = _hourly(GROWING, 2, days=10)
    forecast = fit_forecast(times, values, step=HOUR, until=END.timestamp() + 86400)
    assert forecast.seasonality == ("daily",)


def test_a_day_of_history_is_too_short() -> None:
    times, values = _hourly(GROWING, 2, days=1)
    with pytest.raises(
        ForecastRefused, match=r"^history too short: 25 readings over 24 h \(at least 48 h"
    ):
        fit_forecast(times, values, step=HOUR, until=END.timestamp() + 86400)


def test_no_readings_is_too_short() -> None:
    with pytest.raises(ForecastRefused, match="history too short: 0 readings"):
        fit_forecast([], [], step=HOUR, until=END.timestamp())


def test_a_flat_series_never_crosses() -> None:
    flat = Shape(start=days_before(60), base=300, slope=0, daily=5, weekly=5, noise=3)
    times, values = _hourly(flat, 5)
    forecast = fit_forecast(times, values, step=HOUR, until=END.timestamp() + 365 * 86400)
    found = crossing(forecast, 800)
    assert (found.earliest, found.expected, found.latest) == (None, None, None)
    assert abs(forecast.growth_per_day) < 2 * forecast.growth_sd + 0.05

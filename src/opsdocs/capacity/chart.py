"""A resource's chart: its history, the forecast with its 80 % band, the threshold and limit.

Drawn with the shared chart primitives (:mod:`opsdocs.charts`); the same report gives the same
bytes.
"""

from __future__ import annotations

import datetime as dt

from opsdocs.capacity.report import ResourceReport

__all__ = ["render_chart"]

_HISTORY = "#1f77b4"
_FORECAST = "#ff7f0e"
_THRESHOLD = "#e67e22"
_LIMIT = "#c0392b"


def _at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def render_chart(report: ResourceReport) -> str:
    """The SVG chart of one resource (its history must have readings)."""
    from opsdocs.charts import (
        Frame,
        Scale,
        Threshold,
        band,
        document,
        grid,
        labelled_lines,
        line,
        nice_ticks,
        peaks,
        sample,
        text,
        time_axis,
    )

    history = report.history
    assert history is not None and history.times
    forecast = report.forecast
    if forecast is not None and not len(forecast.times):
        forecast = None  # no step ahead to draw
    times = [_at(t) for t in history.times]
    values: list[float | None] = list(history.values)
    end = report.at + report.horizon
    highs = [report.limit, *history.values]
    lows = [0.0, *history.values]
    if forecast is not None:
        end = max(end, float(forecast.times[-1]))
        highs.append(float(forecast.upper.max()))
        lows.append(float(forecast.lower.min()))
    frame = Frame(width=820, height=340, left=70, right=20, start=times[0], end=_at(end))
    low = min(lows)
    ticks = nice_ticks(max(highs) * 1.08 - min(low, 0.0))
    scale = Scale(top=50, bottom=280, high=ticks[-1] + min(low, 0.0), low=min(low, 0.0))
    unit = f" ({report.unit})" if report.unit else ""
    lines, labels = labelled_lines(
        frame,
        scale,
        [
            Threshold(report.threshold_value, f"threshold {report.threshold:g}%", _THRESHOLD),
            Threshold(report.limit, "limit", _LIMIT),
        ],
    )
    parts = [
        text(frame.left, scale.top - 10, f"Usage{unit}: history, forecast and 80% interval"),
        *grid(frame, scale, [t + scale.low for t in ticks], label=lambda v: f"{v:g}"),
    ]
    if forecast is not None:
        future = [_at(t) for t in forecast.times]
        f_times, f_low = sample(future, list(forecast.lower))
        _, f_high = sample(future, list(forecast.upper))
        _, f_mean = sample(future, list(forecast.mean))
        parts += band(frame, scale, f_times, f_low, f_high, fill=_FORECAST)
        parts += line(frame, scale, f_times, f_mean, cls="forecast", stroke=_FORECAST)
    parts += line(frame, scale, *peaks(times, values), cls="history", stroke=_HISTORY)
    parts += [*lines, *time_axis(frame, scale.bottom + 18, strftime="%Y-%m-%d"), *labels]
    return document(frame, f"{report.key}: {report.status}", parts)

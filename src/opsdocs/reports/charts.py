"""Budget burn-down charts, drawn with the chart primitives of :mod:`opsdocs.charts`.

Top panel: the error budget remaining over the period, from the period's start to the evaluation
time, as a share of the whole budget (events-weighted: bad events so far over the budget of all the
period's events, so the last point equals the report's "remaining"). Bottom panel: the burn rate
over the page alert's long window (1 h by default), with the alert thresholds (the factors of the
generated rules) as horizontal lines, so one can see when an alert would have fired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from opsdocs.charts import (
    Frame,
    Scale,
    Threshold,
    document,
    grid,
    hline,
    labelled_lines,
    line,
    nice_ticks,
    peaks,
    sample,
    text,
    time_axis,
)
from opsdocs.durations import format_duration
from opsdocs.errors import UsageError
from opsdocs.reports.report import SloReport

__all__ = ["ChartData", "chart_data", "render_svg"]

_WIDTH, _HEIGHT = 800, 520
_LEFT, _RIGHT = 70, 20
_TOP_PANEL = (50, 250)  # y from, y to
_BOTTOM_PANEL = (310, 470)
_COLOURS = {"page": "#c0392b", "ticket": "#d68910"}


@dataclass(frozen=True)
class ChartData:
    """What the chart draws, computed from the measurement (also what the tests check)."""

    title: str
    times: tuple[dt.datetime, ...]
    remaining: tuple[float, ...]  # share of the budget left at each time
    burn_window: int  # seconds
    burn: tuple[float | None, ...]  # burn rate over burn_window ending at each time
    thresholds: tuple[tuple[str, float], ...]  # (label, factor)
    start: dt.datetime
    end: dt.datetime


def chart_data(report: SloReport) -> ChartData:
    """Budget remaining and burn rate per step of the period (needs the measurement's steps)."""
    m = report.measurement
    if m is None or not m.steps:
        raise UsageError(
            f"no data over time for {report.service}/{report.name}; a chart needs the period in"
            " steps",
            hint="run the report with --chart so the source fetches them",
        )
    steps = m.steps
    step = m.step_seconds
    total = sum(s.total for s in steps)
    allowance = report.budget * total
    burn_window = next((a.long for a in report.alerts if a.severity == "page"), 3600)
    per_window = max(1, burn_window // step) if step else 1
    remaining: list[float] = []
    burn: list[float | None] = []
    spent = 0.0
    for index, s in enumerate(steps):
        spent += s.bad
        remaining.append(1 - spent / allowance if allowance > 0 else (1.0 if spent == 0 else 0.0))
        window = steps[max(0, index + 1 - per_window) : index + 1]
        window_bad = sum(w.bad for w in window)
        window_total = sum(w.total for w in window)
        burn.append(window_bad / window_total / report.budget if window_total > 0 else None)
    thresholds = tuple(
        (f"{a.severity} {format_duration(a.short)}/{format_duration(a.long)}", a.factor)
        for a in report.alerts
    )
    times = tuple(s.end for s in steps)
    return ChartData(
        title=f"{report.service}/{report.name}: {report.objective:g} % over {report.period}",
        times=times,
        remaining=tuple(remaining),
        burn_window=burn_window,
        burn=tuple(burn),
        thresholds=thresholds,
        start=report.at - dt.timedelta(seconds=report.period_seconds),
        end=report.at,
    )


def _remaining_panel(data: ChartData, frame: Frame) -> list[str]:
    """Top panel: budget remaining, from min(0, lowest) to 100 %."""
    top, bottom = _TOP_PANEL
    low = min(0.0, *data.remaining) if data.remaining else 0.0
    scale = Scale(top=top, bottom=bottom, low=low, high=1.0)
    ticks = [t for t in (0.0, 0.25, 0.5, 0.75, 1.0) if t >= low]
    if low < 0:  # an overspent budget: label the bottom of the scale too
        ticks = [1.0 - t for t in nice_ticks(1.0 - low) if t <= 1.0 - low]
    return [
        text(frame.left, top - 8, "Error budget remaining"),
        *grid(frame, scale, ticks, label=lambda tick: f"{round(tick * 100):d} %"),
        hline(frame, scale.y(0.0), stroke="#333", dash="4 3", title="budget exhausted"),
        *line(frame, scale, *sample(data.times, data.remaining), cls="remaining", stroke="#1f77b4"),
    ]


def _burn_panel(data: ChartData, frame: Frame) -> list[str]:
    """Bottom panel: the burn rate, a labelled scale, and the alert thresholds."""
    top, bottom = _BOTTOM_PANEL
    values = [b for b in data.burn if b is not None]
    factors = [f for _, f in data.thresholds]
    peak = max(values, default=0.0)
    # A spike far above every threshold would squeeze the thresholds into the bottom pixels:
    # the scale stops at twice the highest threshold and the spike is cut there, labelled.
    ceiling = 2 * max([1.0, *factors])
    high = max([1.0, *factors, min(peak, ceiling)]) * 1.1
    scale = Scale(top=top, bottom=bottom, high=high, clamp=True)
    heading = f"Burn rate over {format_duration(data.burn_window)} and alert thresholds"
    out = [text(frame.left, top - 8, heading)]
    if peak > high:
        out.append(text(frame.right_edge, top - 8, f"peak {peak:.0f}× (cut)", text_anchor="end"))
    out += grid(
        frame,
        scale,
        nice_ticks(high),
        label=lambda tick: f"{tick:g}×",
        stroke=lambda tick: "#333" if tick == 0 else "#eee",
    )
    thresholds = [
        Threshold(
            factor,
            f"{label} {factor:g}×",
            _COLOURS["page" if label.startswith("page") else "ticket"],
            title=f"{label}: {factor:g}×",
        )
        for label, factor in data.thresholds
    ]
    lines, labels = labelled_lines(frame, scale, thresholds)
    burn = line(
        frame, scale, *peaks(data.times, data.burn), cls="burn", stroke="#2c3e50", width=1.5
    )
    return out + lines + burn + labels  # labels drawn last, over the lines


def render_svg(data: ChartData) -> str:
    """The chart as a standalone SVG document."""
    frame = Frame(_WIDTH, _HEIGHT, _LEFT, _RIGHT, data.start, data.end)
    return document(
        frame,
        data.title,
        [
            *_remaining_panel(data, frame),
            *_burn_panel(data, frame),
            *time_axis(frame, _BOTTOM_PANEL[1] + 18),
            text(frame.left, _HEIGHT - 12, f"UTC; evaluated at {data.end.isoformat()}"),
        ],
    )

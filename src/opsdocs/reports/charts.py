"""Budget burn-down charts: SVG written by hand (no dependency), PNG through matplotlib.

Top panel: the error budget remaining over the period, from the period's start to the evaluation
time, as a share of the whole budget (events-weighted: bad events so far over the budget of all the
period's events, so the last point equals the report's "remaining"). Bottom panel: the burn rate
over the page alert's long window (1 h by default), with the alert thresholds (the factors of the
generated rules) as horizontal lines, so one can see when an alert would have fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from opsdocs.durations import format_duration
from opsdocs.errors import UsageError
from opsdocs.reports.report import SloReport

__all__ = ["ChartData", "chart_data", "render_png", "render_svg"]

_MAX_POINTS = 1000
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
    bad_q: list[float] = []
    total_q: list[float] = []
    for s in steps:
        spent += s.bad
        remaining.append(1 - spent / allowance if allowance > 0 else (1.0 if spent == 0 else 0.0))
        bad_q.append(s.bad)
        total_q.append(s.total)
        window_bad = sum(bad_q[-per_window:])
        window_total = sum(total_q[-per_window:])
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


def _thin(values: Sequence[float | None], times: Sequence[dt.datetime]) -> list[int]:
    if len(values) <= _MAX_POINTS:
        return list(range(len(values)))
    stride = len(values) / _MAX_POINTS
    picked = sorted({int(i * stride) for i in range(_MAX_POINTS)} | {len(values) - 1})
    return picked


def _peaks(values: Sequence[float | None]) -> list[tuple[int, float | None]]:
    """At most ``_MAX_POINTS`` points, each the highest of its stretch, so no spike is lost."""
    if len(values) <= _MAX_POINTS:
        return list(enumerate(values))
    out: list[tuple[int, float | None]] = []
    stride = len(values) / _MAX_POINTS
    for k in range(_MAX_POINTS):
        lo, hi = int(k * stride), max(int((k + 1) * stride), int(k * stride) + 1)
        present = [v for v in values[lo:hi] if v is not None]
        out.append((hi - 1, max(present) if present else None))
    return out


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def render_svg(data: ChartData) -> str:
    """The chart as a standalone SVG document."""
    span = (data.end - data.start).total_seconds() or 1.0
    plot_w = _WIDTH - _LEFT - _RIGHT

    def x(at: dt.datetime) -> float:
        return _LEFT + plot_w * (at - data.start).total_seconds() / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}"'
        f' viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(data.title)}</title>",
        f'<rect width="{_WIDTH}" height="{_HEIGHT}" fill="white"/>',
        f'<text x="{_LEFT}" y="24" font-size="15" font-weight="bold">{escape(data.title)}</text>',
    ]

    # Top panel: budget remaining, from min(0, lowest) to 100 %.
    top, bottom = _TOP_PANEL
    low = min(0.0, *data.remaining) if data.remaining else 0.0
    high = 1.0

    def y1(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    out.append(f'<text x="{_LEFT}" y="{top - 8}">Error budget remaining</text>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        if tick < low:
            continue
        ty = _fmt(y1(tick))
        out.append(
            f'<line x1="{_LEFT}" y1="{ty}" x2="{_WIDTH - _RIGHT}" y2="{ty}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 6}" y="{ty}" text-anchor="end" dy="4">{int(tick * 100)} %</text>'
        )
    zero = _fmt(y1(0.0))
    out.append(
        f'<line x1="{_LEFT}" y1="{zero}" x2="{_WIDTH - _RIGHT}" y2="{zero}" stroke="#333"'
        ' stroke-dasharray="4 3"><title>budget exhausted</title></line>'
    )
    picked = _thin(data.remaining, data.times)
    points = " ".join(f"{_fmt(x(data.times[i]))},{_fmt(y1(data.remaining[i]))}" for i in picked)
    if points:
        out.append(
            f'<polyline class="remaining" fill="none" stroke="#1f77b4" stroke-width="2"'
            f' points="{points}"/>'
        )

    # Bottom panel: burn rate with the alert thresholds.
    top2, bottom2 = _BOTTOM_PANEL
    values = [b for b in data.burn if b is not None]
    factors = [f for _, f in data.thresholds]
    high2 = max([1.0, *values, *factors]) * 1.1

    def y2(value: float) -> float:
        return bottom2 - (bottom2 - top2) * min(value, high2) / high2

    out.append(
        f'<text x="{_LEFT}" y="{top2 - 8}">Burn rate over {format_duration(data.burn_window)}'
        " and alert thresholds</text>"
    )
    out.append(
        f'<line x1="{_LEFT}" y1="{bottom2}" x2="{_WIDTH - _RIGHT}" y2="{bottom2}" stroke="#333"/>'
        f'<text x="{_LEFT - 6}" y="{bottom2}" text-anchor="end" dy="4">0×</text>'
    )
    for label, factor in data.thresholds:
        colour = _COLOURS["page" if label.startswith("page") else "ticket"]
        ty = _fmt(y2(factor))
        out.append(
            f'<line class="threshold" x1="{_LEFT}" y1="{ty}" x2="{_WIDTH - _RIGHT}" y2="{ty}"'
            f' stroke="{colour}" stroke-dasharray="6 4"><title>{escape(label)}: {factor:g}×'
            "</title></line>"
            f'<text x="{_WIDTH - _RIGHT - 4}" y="{ty}" dy="-3" text-anchor="end"'
            f' fill="{colour}">{escape(label)} {factor:g}×</text>'
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, value in _peaks(data.burn):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_fmt(x(data.times[i]))},{_fmt(y2(value))}")
    if segment:
        segments.append(segment)
    for seg in segments:
        out.append(
            f'<polyline class="burn" fill="none" stroke="#2c3e50" stroke-width="1.5"'
            f' points="{" ".join(seg)}"/>'
        )

    # Time axis.
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        at = data.start + dt.timedelta(seconds=span * frac)
        tx = _fmt(_LEFT + plot_w * frac)
        label = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        out.append(f'<text x="{tx}" y="{bottom2 + 18}" text-anchor="middle">{label}</text>')
    out.append(
        f'<text x="{_LEFT}" y="{_HEIGHT - 12}">UTC; evaluated at {data.end.isoformat()}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(data: ChartData, path: Path) -> None:
    """The same chart as PNG (needs matplotlib: ``pip install 'opsdocs[charts]'``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(
            "PNG charts need matplotlib, which is not installed",
            hint="pip install 'opsdocs[charts]', or leave out --png to get SVG",
        ) from None
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.2), sharex=True)
    top.plot(list(data.times), [100 * v for v in data.remaining], color="#1f77b4")
    top.axhline(0, color="#333", linestyle="--", linewidth=1)
    top.set_ylabel("budget remaining (%)")
    top.set_title(data.title)
    burn = [float("nan") if b is None else b for b in data.burn]
    bottom.plot(list(data.times), burn, color="#2c3e50", linewidth=1)
    for label, factor in data.thresholds:
        colour = _COLOURS["page" if label.startswith("page") else "ticket"]
        bottom.axhline(
            factor, color=colour, linestyle="--", linewidth=1, label=f"{label} {factor:g}×"
        )
    bottom.set_ylabel(f"burn rate ({format_duration(data.burn_window)})")
    if data.thresholds:
        bottom.legend(fontsize="small", loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)

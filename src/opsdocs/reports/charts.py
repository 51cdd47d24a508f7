"""Budget burn-down charts: SVG written by hand (no dependency), PNG rasterised from it (resvg).

Top panel: the error budget remaining over the period, from the period's start to the evaluation
time, as a share of the whole budget (events-weighted: bad events so far over the budget of all the
period's events, so the last point equals the report's "remaining"). Bottom panel: the burn rate
over the page alert's long window (1 h by default), with the alert thresholds (the factors of the
generated rules) as horizontal lines, so one can see when an alert would have fired.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

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
_LABEL_GAP = 13  # pixels between the baselines of two 11-pixel labels
_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


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


def _nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round values from 0 up to ``high``, about ``count`` of them (steps of 1, 2 or 5 × 10^k)."""
    raw = high / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = []
    value = 0.0
    while value <= high * (1 + 1e-9):
        ticks.append(round(value, 10))
        value += step
    return ticks


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions (y, top to bottom) near ``wanted`` but at least ``gap`` apart and within
    [low, high]: pushed down from the top, then back up from the bottom where they ran out."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    last = low - gap
    for i in order:
        placed[i] = max(wanted[i], last + gap, low)
        last = placed[i]
    limit = high
    for i in reversed(order):
        placed[i] = min(placed[i], limit)
        limit = placed[i] - gap
    return placed


@dataclass(frozen=True)
class _Frame:
    """Where things go on the canvas; x() places a time."""

    start: dt.datetime
    span: float

    @property
    def plot_w(self) -> float:
        return _WIDTH - _LEFT - _RIGHT

    def x(self, at: dt.datetime) -> float:
        return _LEFT + self.plot_w * (at - self.start).total_seconds() / self.span


def _text(x: float | str, y: float | str, label: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x}" y="{y}"{extra}>{escape(label)}</text>'


def _remaining_panel(data: ChartData, frame: _Frame) -> list[str]:
    """Top panel: budget remaining, from min(0, lowest) to 100 %."""
    top, bottom = _TOP_PANEL
    low = min(0.0, *data.remaining) if data.remaining else 0.0

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (1.0 - low)

    out = [_text(_LEFT, top - 8, "Error budget remaining")]
    ticks = [t for t in (0.0, 0.25, 0.5, 0.75, 1.0) if t >= low]
    if low < 0:  # an overspent budget: label the bottom of the scale too
        ticks = [t for t in _nice_ticks(1.0 - low) if t <= 1.0 - low]
        ticks = [1.0 - t for t in ticks]
    for tick in _without_crowding(ticks, y):
        ty = _fmt(y(tick))
        out.append(
            f'<line x1="{_LEFT}" y1="{ty}" x2="{_WIDTH - _RIGHT}" y2="{ty}" stroke="#ddd"/>'
            + _text(_LEFT - 6, ty, f"{round(tick * 100):d} %", text_anchor="end", dy="4")
        )
    zero = _fmt(y(0.0))
    out.append(
        f'<line x1="{_LEFT}" y1="{zero}" x2="{_WIDTH - _RIGHT}" y2="{zero}" stroke="#333"'
        ' stroke-dasharray="4 3"><title>budget exhausted</title></line>'
    )
    picked = _thin(data.remaining, data.times)
    points = " ".join(
        f"{_fmt(frame.x(data.times[i]))},{_fmt(y(data.remaining[i]))}" for i in picked
    )
    if points:
        out.append(
            f'<polyline class="remaining" fill="none" stroke="#1f77b4" stroke-width="2"'
            f' points="{points}"/>'
        )
    return out


def _without_crowding(ticks: list[float], y: Callable[[float], float]) -> list[float]:
    """Ticks at least one label height apart (the first ones kept)."""
    kept: list[float] = []
    for tick in ticks:
        if all(abs(y(tick) - y(k)) >= _LABEL_GAP for k in kept):
            kept.append(tick)
    return kept


def _burn_panel(data: ChartData, frame: _Frame) -> list[str]:
    """Bottom panel: the burn rate, a labelled scale, and the alert thresholds."""
    top, bottom = _BOTTOM_PANEL
    values = [b for b in data.burn if b is not None]
    factors = [f for _, f in data.thresholds]
    peak = max(values, default=0.0)
    # A spike far above every threshold would squeeze the thresholds into the bottom pixels:
    # the scale stops at twice the highest threshold and the spike is cut there, labelled.
    ceiling = 2 * max([1.0, *factors])
    high = max([1.0, *factors, min(peak, ceiling)]) * 1.1

    def y(value: float) -> float:
        return bottom - (bottom - top) * min(value, high) / high

    out = [
        _text(
            _LEFT,
            top - 8,
            f"Burn rate over {format_duration(data.burn_window)} and alert thresholds",
        )
    ]
    if peak > high:
        out.append(_text(_WIDTH - _RIGHT, top - 8, f"peak {peak:.0f}× (cut)", text_anchor="end"))
    for tick in _without_crowding(_nice_ticks(high), y):
        ty = _fmt(y(tick))
        stroke = "#333" if tick == 0 else "#eee"
        out.append(
            f'<line x1="{_LEFT}" y1="{ty}" x2="{_WIDTH - _RIGHT}" y2="{ty}" stroke="{stroke}"/>'
            + _text(_LEFT - 6, ty, f"{tick:g}×", text_anchor="end", dy="4")
        )
    # Threshold labels sit above their line, moved apart where lines are close together.
    wanted = [y(factor) - 4 for _, factor in data.thresholds]
    placed = _spread(wanted, _LABEL_GAP, top + _LABEL_GAP - 4, bottom - 4)
    labels = []
    for (label, factor), label_y in zip(data.thresholds, placed, strict=True):
        colour = _COLOURS["page" if label.startswith("page") else "ticket"]
        ty = _fmt(y(factor))
        out.append(
            f'<line class="threshold" x1="{_LEFT}" y1="{ty}" x2="{_WIDTH - _RIGHT}" y2="{ty}"'
            f' stroke="{colour}" stroke-dasharray="6 4"><title>{escape(label)}: {factor:g}×'
            "</title></line>"
        )
        labels.append(
            _text(
                _WIDTH - _RIGHT - 4,
                _fmt(label_y),
                f"{label} {factor:g}×",
                text_anchor="end",
                fill=colour,
                # a white halo keeps the label legible where it crosses a line
                stroke="white",
                stroke_width="3",
                paint_order="stroke",
            )
        )
    out.extend(_burn_lines(data, frame, y))
    return out + labels  # drawn last, over the lines


def _burn_lines(data: ChartData, frame: _Frame, y: Callable[[float], float]) -> list[str]:
    segments: list[list[str]] = []
    segment: list[str] = []
    for i, value in _peaks(data.burn):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_fmt(frame.x(data.times[i]))},{_fmt(y(value))}")
    if segment:
        segments.append(segment)
    return [
        f'<polyline class="burn" fill="none" stroke="#2c3e50" stroke-width="1.5"'
        f' points="{" ".join(seg)}"/>'
        for seg in segments
    ]


def _time_axis(data: ChartData, frame: _Frame) -> list[str]:
    """Five times under the bottom panel; the first and last flush with the plot's edges."""
    _, bottom = _BOTTOM_PANEL
    out = []
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        at = data.start + dt.timedelta(seconds=frame.span * frac)
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        label = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        out.append(_text(_fmt(_LEFT + frame.plot_w * frac), bottom + 18, label, text_anchor=anchor))
    out.append(_text(_LEFT, _HEIGHT - 12, f"UTC; evaluated at {data.end.isoformat()}"))
    return out


def render_svg(data: ChartData) -> str:
    """The chart as a standalone SVG document."""
    frame = _Frame(data.start, (data.end - data.start).total_seconds() or 1.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}"'
        f' viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="{_FONT}" font-size="11">',
        f"<title>{escape(data.title)}</title>",
        f'<rect width="{_WIDTH}" height="{_HEIGHT}" fill="white"/>',
        _text(_LEFT, 24, data.title, font_size="15", font_weight="bold"),
        *_remaining_panel(data, frame),
        *_burn_panel(data, frame),
        *_time_axis(data, frame),
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def render_png(svg: str) -> bytes:
    """An SVG chart as PNG bytes (needs resvg-py: ``pip install 'opsdocs[charts]'``)."""
    try:
        import resvg_py
    except ImportError:
        raise UsageError(
            "PNG charts need resvg-py, which is not installed",
            hint="pip install 'opsdocs[charts]', or leave out --png to get SVG",
        ) from None
    png: bytes = bytes(resvg_py.svg_to_bytes(svg_string=svg, background="white"))
    return png

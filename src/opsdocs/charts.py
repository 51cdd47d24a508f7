"""Time-series charts as SVG written by hand (no plotting dependency), PNG rasterised by resvg.

The pieces are small functions that each return SVG elements as strings; a chart is a list of
them joined by :func:`document`. A :class:`Frame` places times along x, a :class:`Scale` places
values along y inside one panel, and the rest draws on them: :func:`grid` (a labelled value
axis), :func:`time_axis`, :func:`line` (``None`` is a gap), :func:`band` (a shaded interval such
as a forecast's), :func:`hline` and :func:`labelled_lines` (thresholds, limits, budgets), and
:func:`text` (every label is escaped). Long series are cut down first with :func:`sample` (for
smooth lines) or :func:`peaks` (so no spike is lost).

A new chart, for example used capacity against its limit with a forecast interval::

    frame = Frame(width=800, height=320, left=70, right=20, start=start, end=end)
    scale = Scale(top=50, bottom=260, high=max(limit, *used) * 1.1)
    limits, labels = labelled_lines(frame, scale, [Threshold(limit, "limit", "#c0392b")])
    svg = document(
        frame,
        "db-1 disk",
        [
            text(frame.left, scale.top - 8, "Disk used (GiB)"),
            *grid(frame, scale, nice_ticks(scale.high), label=lambda v: f"{v:g}"),
            *band(frame, scale, times, lows, highs, fill="#1f77b4"),
            *line(frame, scale, *sample(times, used), cls="used", stroke="#1f77b4"),
            *limits,
            *time_axis(frame, scale.bottom + 18),
            *labels,  # last, so they are drawn over the lines
        ],
    )
    png = render_png(svg)  # optional: needs the 'charts' extra

Numbers are written with one decimal (:func:`fmt`), so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby
from typing import TypeVar

from opsdocs.errors import UsageError

__all__ = [
    "FONT",
    "LABEL_GAP",
    "MAX_POINTS",
    "Frame",
    "Scale",
    "Threshold",
    "band",
    "document",
    "fmt",
    "grid",
    "hline",
    "labelled_lines",
    "line",
    "nice_ticks",
    "peaks",
    "render_png",
    "sample",
    "spread",
    "text",
    "time_axis",
    "without_crowding",
]

#: A line keeps at most this many points (see :func:`sample` and :func:`peaks`).
MAX_POINTS = 1000
#: Pixels between the baselines of two 11-pixel labels.
LABEL_GAP = 13
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

Number = int | float
_T = TypeVar("_T")


def fmt(value: float) -> str:
    """A coordinate as SVG text: one decimal, so output is stable and small."""
    return f"{value:.1f}"


def text(x: Number | str, y: Number | str, label: str, **attrs: str) -> str:
    """A ``<text>`` element; attribute names are written with ``-`` for ``_``
    (``text_anchor="end"`` → ``text-anchor="end"``)."""
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x}" y="{y}"{extra}>{escape(label)}</text>'


@dataclass(frozen=True)
class Frame:
    """The canvas and its time axis: ``x()`` places a time from ``left`` to ``width - right``."""

    width: int
    height: int
    left: int
    right: int
    start: dt.datetime
    end: dt.datetime

    @property
    def span(self) -> float:
        """Seconds from start to end (1 when they are equal, so ``x()`` never divides by 0)."""
        return (self.end - self.start).total_seconds() or 1.0

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def right_edge(self) -> int:
        return self.width - self.right

    def x(self, at: dt.datetime) -> float:
        return self.left + self.plot_w * (at - self.start).total_seconds() / self.span


@dataclass(frozen=True)
class Scale:
    """Values from ``low`` to ``high`` placed from ``bottom`` up to ``top`` (pixels).

    With ``clamp``, a value above ``high`` is drawn at ``top`` (a spike cut at the panel's edge).
    """

    top: Number
    bottom: Number
    high: float
    low: float = 0.0
    clamp: bool = False

    def y(self, value: float) -> float:
        if self.clamp:
            value = min(value, self.high)
        return self.bottom - (self.bottom - self.top) * (value - self.low) / (self.high - self.low)


def nice_ticks(high: float, count: int = 5) -> list[float]:
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


def without_crowding(
    ticks: Iterable[float], y: Callable[[float], float], gap: float = LABEL_GAP
) -> list[float]:
    """Ticks at least ``gap`` pixels apart (the first ones kept)."""
    kept: list[float] = []
    for tick in ticks:
        if all(abs(y(tick) - y(k)) >= gap for k in kept):
            kept.append(tick)
    return kept


def spread(wanted: Sequence[float], gap: float, low: float, high: float) -> list[float]:
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


def sample(
    times: Sequence[dt.datetime], values: Sequence[float | None], limit: int = MAX_POINTS
) -> tuple[list[dt.datetime], list[float | None]]:
    """At most about ``limit`` evenly spaced points, always with the last one (for smooth lines)."""
    if len(values) <= limit:
        picked = list(range(len(values)))
    else:
        stride = len(values) / limit
        picked = sorted({int(i * stride) for i in range(limit)} | {len(values) - 1})
    return [times[i] for i in picked], [values[i] for i in picked]


def peaks(
    times: Sequence[dt.datetime], values: Sequence[float | None], limit: int = MAX_POINTS
) -> tuple[list[dt.datetime], list[float | None]]:
    """At most ``limit`` points, each the highest of its stretch (at the stretch's last time), so
    no spike is lost; a stretch with no value is a gap."""
    if len(values) <= limit:
        return list(times), list(values)
    out_t: list[dt.datetime] = []
    out_v: list[float | None] = []
    stride = len(values) / limit
    for k in range(limit):
        lo, hi = int(k * stride), max(int((k + 1) * stride), int(k * stride) + 1)
        present = [v for v in values[lo:hi] if v is not None]
        out_t.append(times[hi - 1])
        out_v.append(max(present) if present else None)
    return out_t, out_v


def _stretches(items: Iterable[_T | None]) -> list[list[_T]]:
    """The unbroken stretches of ``items`` (``None`` breaks them), in order."""
    grouped = groupby(items, key=lambda item: item is not None)
    return [[item for item in run if item is not None] for known, run in grouped if known]


def line(
    frame: Frame,
    scale: Scale,
    times: Sequence[dt.datetime],
    values: Sequence[float | None],
    *,
    cls: str,
    stroke: str,
    width: float = 2,
) -> list[str]:
    """A line series: one ``<polyline>`` per stretch without gaps (``None`` is a gap)."""
    points = (
        None if value is None else f"{fmt(frame.x(at))},{fmt(scale.y(value))}"
        for at, value in zip(times, values, strict=True)
    )
    return [
        f'<polyline class="{escape(cls)}" fill="none" stroke="{stroke}" stroke-width="{width:g}"'
        f' points="{" ".join(run)}"/>'
        for run in _stretches(points)
    ]


def band(
    frame: Frame,
    scale: Scale,
    times: Sequence[dt.datetime],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    fill: str,
    opacity: float = 0.2,
    cls: str = "band",
) -> list[str]:
    """A shaded interval between ``lows`` and ``highs`` (a forecast's, for example): one
    ``<polygon>`` per stretch where both are known."""
    # (x, y of the low, y of the high) of each time where both are known
    corners = (
        None if lo is None or hi is None else (fmt(frame.x(at)), fmt(scale.y(lo)), fmt(scale.y(hi)))
        for at, lo, hi in zip(times, lows, highs, strict=True)
    )
    out = []
    for run in _stretches(corners):
        upper = [f"{x},{high}" for x, _, high in run]
        lower = [f"{x},{low}" for x, low, _ in reversed(run)]
        out.append(
            f'<polygon class="{escape(cls)}" fill="{fill}" fill-opacity="{opacity:g}" stroke="none"'
            f' points="{" ".join(upper + lower)}"/>'
        )
    return out


def hline(
    frame: Frame,
    y: float | str,
    *,
    stroke: str,
    dash: str | None = None,
    title: str | None = None,
    cls: str | None = None,
) -> str:
    """A horizontal line across the plot at pixel ``y``; ``title`` is its tooltip."""
    y = y if isinstance(y, str) else fmt(y)
    head = f'<line class="{escape(cls)}"' if cls else "<line"
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    body = f' x1="{frame.left}" y1="{y}" x2="{frame.right_edge}" y2="{y}" stroke="{stroke}"{dashed}'
    if title is None:
        return f"{head}{body}/>"
    return f"{head}{body}><title>{escape(title)}</title></line>"


def grid(
    frame: Frame,
    scale: Scale,
    ticks: Iterable[float],
    *,
    label: Callable[[float], str],
    stroke: str | Callable[[float], str] = "#ddd",
) -> list[str]:
    """A value axis: a light line across the plot and a label left of it for each tick that is not
    crowded by the one before."""
    out = []
    for tick in without_crowding(ticks, scale.y):
        ty = fmt(scale.y(tick))
        colour = stroke(tick) if callable(stroke) else stroke
        out.append(
            hline(frame, ty, stroke=colour)
            + text(frame.left - 6, ty, label(tick), text_anchor="end", dy="4")
        )
    return out


@dataclass(frozen=True)
class Threshold:
    """A labelled horizontal line: ``label`` is drawn above it, ``title`` (or the label) is its
    tooltip."""

    value: float
    label: str
    colour: str
    title: str | None = None


def labelled_lines(
    frame: Frame, scale: Scale, lines: Sequence[Threshold], *, dash: str = "6 4"
) -> tuple[list[str], list[str]]:
    """Dashed lines at each threshold's value and their labels (right-aligned above the line,
    moved apart where lines are close together). Returns (lines, labels): draw the labels last,
    over everything else."""
    wanted = [scale.y(t.value) - 4 for t in lines]
    placed = spread(wanted, LABEL_GAP, scale.top + LABEL_GAP - 4, scale.bottom - 4)
    drawn, labels = [], []
    for threshold, label_y in zip(lines, placed, strict=True):
        title = threshold.label if threshold.title is None else threshold.title
        drawn.append(
            hline(
                frame,
                scale.y(threshold.value),
                stroke=threshold.colour,
                dash=dash,
                title=title,
                cls="threshold",
            )
        )
        labels.append(
            text(
                frame.right_edge - 4,
                fmt(label_y),
                threshold.label,
                text_anchor="end",
                fill=threshold.colour,
                # a white halo keeps the label legible where it crosses a line
                stroke="white",
                stroke_width="3",
                paint_order="stroke",
            )
        )
    return drawn, labels


def time_axis(
    frame: Frame, y: Number, *, count: int = 5, strftime: str = "%Y-%m-%d %H:%M"
) -> list[str]:
    """``count`` evenly spaced UTC times at baseline ``y``; the first and last flush with the
    plot's edges."""
    out = []
    for k in range(count):
        frac = k / (count - 1) if count > 1 else 0.0
        at = frame.start + dt.timedelta(seconds=frame.span * frac)
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        label = at.astimezone(dt.UTC).strftime(strftime)
        out.append(text(fmt(frame.left + frame.plot_w * frac), y, label, text_anchor=anchor))
    return out


def document(frame: Frame, title: str, parts: Iterable[str], *, font_size: int = 11) -> str:
    """A standalone SVG document: white background, ``title`` as its tooltip and heading, then
    ``parts`` in order (later parts are drawn over earlier ones)."""
    w, h = frame.width, frame.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"'
        f' viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="{font_size}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{w}" height="{h}" fill="white"/>',
        text(frame.left, 24, title, font_size="15", font_weight="bold"),
        *parts,
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

"""The capacity report as a text table, JSON or Markdown (strings; the CLI prints them)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from opsdocs.capacity.backtest import BacktestResult
from opsdocs.capacity.forecast import Crossing, day_text
from opsdocs.capacity.report import ResourceReport
from opsdocs.sanitize import escape_line
from opsdocs.tables import aligned, markdown_table

__all__ = [
    "render_backtest_table",
    "render_json",
    "render_markdown",
    "render_table",
]

_HEADER = [
    "resource",
    "current",
    "limit",
    "headroom",
    "growth/week",
    "threshold crossed (80% interval)",
    "limit crossed",
    "status",
]


def render_json(reports: Sequence[ResourceReport] | Sequence[BacktestResult]) -> str:
    """The reports (or backtest results) as indented JSON (times in UTC, ISO 8601)."""
    return json.dumps([r.as_dict() for r in reports], indent=2)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    return f"{text} {unit}".rstrip()


def _crossing(crossing: Crossing | None) -> str:
    if crossing is None:
        return "-"
    if crossing.expected is None and crossing.earliest is None:
        return "none in horizon"
    expected = day_text(crossing.expected) if crossing.expected is not None else "none in horizon"
    return f"{expected} ({day_text(crossing.earliest)} .. {day_text(crossing.latest)})"


def _rows(reports: Sequence[ResourceReport]) -> list[list[str]]:
    rows = [list(_HEADER)]
    for r in reports:
        headroom = "-"
        if r.headroom is not None and r.headroom_percent is not None:
            headroom = f"{_number(r.headroom, r.unit)} ({r.headroom_percent:.0f}%)"
        growth = "-" if r.growth_per_week is None else f"{r.growth_per_week:+.3g} {r.unit}".rstrip()
        rows.append(
            [
                r.key,
                _number(r.current, r.unit),
                _number(r.limit, r.unit),
                headroom,
                growth,
                _crossing(r.threshold_crossing),
                _crossing(r.limit_crossing),
                r.status.upper() if r.order_now else r.status,
            ]
        )
    return rows


def _notes(reports: Sequence[ResourceReport]) -> list[str]:
    lines = []
    for r in reports:
        text = r.note
        if r.order_now and r.action:
            text = f"{text}; action: {r.action}" if text else f"action: {r.action}"
        if text:
            lines.append(f"{r.key}: {text}")
    return lines


def _when(reports: Sequence[ResourceReport]) -> str:
    at = dt.datetime.fromtimestamp(reports[0].at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"capacity at {at}; crossing dates are expected (earliest .. latest, 80% interval)"


def render_table(reports: Sequence[ResourceReport]) -> str:
    """Aligned columns, then one line of notes per resource."""
    if not reports:
        return "no capacity resources\n"
    lines = [_when(reports), "", *aligned(_rows(reports), right=range(1, 5))]
    notes = _notes(reports)
    if notes:
        lines += ["", *(escape_line(n) for n in notes)]
    return "\n".join(lines) + "\n"


def render_markdown(
    reports: Sequence[ResourceReport], *, chart_links: dict[str, str] | None = None
) -> str:
    """The reports as a Markdown table with notes (and chart links)."""
    if not reports:
        return "No capacity resources.\n"
    lines = [f"_{_when(reports)}._", "", *markdown_table(_rows(reports)), ""]
    notes = _notes(reports)
    for r in reports:
        if chart_links and r.key in chart_links:
            notes.append(f"{r.key}: chart [{r.key}]({chart_links[r.key]})")
    if notes:
        lines += [f"- {escape_line(n)}" for n in notes] + [""]
    return "\n".join(lines)


def render_backtest_table(results: Sequence[BacktestResult]) -> str:
    """One line per resource, then one per forecast origin."""
    if not results:
        return "no capacity resources\n"
    rows = [["resource", "forecasts", "MAPE", "crossings", "inside 80% interval"]]
    for r in results:
        made = sum(1 for p in r.points if p.compared)
        rows.append(
            [
                r.key,
                str(made),
                "-" if r.mape is None else f"{r.mape:.1f}%",
                str(r.crossings),
                f"{r.inside}/{r.crossings}" if r.crossings else "-",
            ]
        )
    lines = aligned(rows, right_from=1)
    for r in results:
        lines += ["", f"{r.key}:"]
        for p in r.points:
            detail = p.note or (
                f"MAPE {p.mape:.1f}% over {p.compared} readings" if p.mape is not None else ""
            )
            if p.inside is not None:
                where = "inside" if p.inside else "outside"
                detail += (
                    f"; crossed {day_text(p.crossed)}, {where} {day_text(p.interval.earliest)}"
                    f" .. {day_text(p.interval.latest)}"
                )
            lines.append(f"  from {day_text(p.origin)}: {detail}")
    return "\n".join(escape_line(line) for line in lines) + "\n"

"""Reports as text: a table for the terminal, JSON, and the Markdown status block.

The Markdown block is what ``--write`` puts into an SLO document's Measurement section, between
``<!-- opsdocs:report:start -->`` and ``<!-- opsdocs:report:end -->``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from opsdocs.durations import format_duration
from opsdocs.reports.report import SloReport, utc_second
from opsdocs.tables import aligned, markdown_table

__all__ = [
    "format_percent",
    "render_json",
    "render_markdown",
    "render_table",
]


_NONE = "—"


def format_percent(ratio: float | None, digits: int = 4) -> str:
    """``0.99953`` as ``99.953 %`` (trailing zeros dropped); ``—`` for no value."""
    if ratio is None:
        return _NONE
    text = f"{100 * ratio:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _rate(value: float | None) -> str:
    return _NONE if value is None else f"{value:.2f}×"


def _count(value: float | None) -> str:
    if value is None:
        return _NONE
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _minutes(value: float | None) -> str:
    if value is None:
        return _NONE
    if abs(value) >= 120:
        return f"{value / 60:.1f} h"
    return f"{value:.1f} min"


def _exhaustion(report: SloReport) -> str:
    if report.status == "exhausted":
        return "exhausted"
    if report.status in ("no-data", "stale"):
        return _NONE
    return utc_second(report.exhaustion) if report.exhaustion else "not at this rate"


def _finite_only(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by None (strict JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_only(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_only(v) for v in value]
    return value


def render_json(reports: Sequence[SloReport]) -> str:
    """All reports as one JSON document (``{"reports": [...]}``), strict: no NaN, no Infinity."""
    data = _finite_only({"reports": [r.to_dict() for r in reports]})
    return json.dumps(data, indent=2, sort_keys=False, allow_nan=False)


def render_table(reports: Sequence[SloReport]) -> str:
    """A plain-text report for the terminal."""
    out: list[str] = []
    for report in reports:
        if out:
            out.append("")
        out.append(
            f"{report.service}/{report.name}: {report.status.upper()}"
            f"  ({report.source}, at {utc_second(report.at)})"
        )
        out.append(
            f"  objective {format_percent(report.objective / 100)} over {report.period};"
            f" SLI {format_percent(report.sli)}"
        )
        out.append(
            f"  error budget {format_percent(report.budget)} = {_minutes(report.budget_minutes)}"
            f" of full outage; consumed {format_percent(report.budget_consumed, 1)}"
            f" ({_minutes(report.consumed_minutes)}); remaining"
            f" {format_percent(report.budget_remaining, 1)} ({_minutes(report.remaining_minutes)})"
        )
        out.append(f"  projected exhaustion: {_exhaustion(report)}")
        rows = [("window", "good", "total", "error ratio", "burn rate")]
        for w in report.windows:
            rows.append(
                (
                    w.label,
                    _count(w.good),
                    _count(w.total),
                    format_percent(w.error_ratio),
                    _rate(w.burn_rate),
                )
            )
        out.extend("  " + line for line in aligned(rows, right_from=1))
        for alert in report.alerts:
            state = "FIRING" if alert.firing else "ok"
            out.append(
                f"  {alert.severity} {format_duration(alert.short)}&{format_duration(alert.long)}"
                f" > {alert.factor:g}×: {_rate(alert.short_burn_rate)},"
                f" {_rate(alert.long_burn_rate)} -> {state}"
            )
        for note in report.notes:
            out.append(f"  note: {note}")
    return "\n".join(out) + "\n"


def render_markdown(
    reports: Sequence[SloReport], *, chart_links: dict[str, str] | None = None
) -> str:
    """The status block: one table row per SLO, then the counts behind each window."""
    if not reports:
        return "\n_No SLOs to report._\n"
    first = reports[0]
    windows = sorted({w.seconds for r in reports for w in r.shown_windows})
    head = [
        "SLO",
        "Status",
        "Objective",
        "SLI",
        "Budget remaining",
        *(f"Burn {format_duration(s)}" for s in windows),
        "Exhaustion",
    ]
    lines = [
        "",
        f"_Measured by `opsdocs slo report` from {first.source} at {utc_second(first.at)}._",
        "",
    ]
    table = [head]
    for r in reports:
        remaining = format_percent(r.budget_remaining, 1)
        if r.remaining_minutes is not None:
            remaining += f" ({_minutes(r.remaining_minutes)})"
        cells = [
            f"{r.name} ({r.period})",
            r.status,
            format_percent(r.objective / 100),
            format_percent(r.sli),
            remaining,
            *(_rate(r.burn_rate(s)) if r.window(s) else _NONE for s in windows),
            _exhaustion(r),
        ]
        table.append(cells)
    lines += [*markdown_table(table), ""]
    for r in reports:
        counts = ", ".join(
            f"{w.label} {_count(w.good)}/{_count(w.total)}"
            for w in r.windows
            if w.total is not None
        )
        lines.append(f"- {r.name}: good/total events per window: {counts or _NONE}.")
        if chart_links and r.name in chart_links:
            lines.append(f"  Budget chart: [{r.name}]({chart_links[r.name]}).")
        for note in r.notes:
            lines.append(f"  Note: {note}.")
    lines.append("")
    return "\n".join(lines)

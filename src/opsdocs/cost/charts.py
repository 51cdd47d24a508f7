"""A budget's month as an SVG chart: its daily spend against its daily share of the budget.

Drawn with :mod:`opsdocs.charts`: one line for the spend of each day with data, a dashed line at
the budget's daily share (monthly amount ÷ days in the month), a dotted one at the daily spend
its forecast implies, and a ring on each day with anomalous spend. Same data, same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from opsdocs.cost.report import BudgetLine, CostReport

__all__ = ["render_svg"]

_SPEND = "#1f77b4"
_BUDGET = "#c0392b"
_FORECAST = "#7f7f7f"
_ANOMALY = "#d35400"


def render_svg(report: CostReport, line: BudgetLine) -> str:
    """The chart of budget ``line`` in ``report``."""
    from opsdocs.charts import (
        Frame,
        Scale,
        Threshold,
        document,
        fmt,
        grid,
        labelled_lines,
        nice_ticks,
        text,
        time_axis,
    )
    from opsdocs.charts import line as polyline

    first = dt.datetime.combine(report.first_day, dt.time(), dt.UTC)
    days = [first + dt.timedelta(days=i) for i in range(report.days_in_month)]
    spend = report.daily.get(line.name, [])[: report.days_elapsed]
    daily_budget = line.budget / report.days_in_month
    daily_forecast = line.forecast / report.days_in_month
    high = float(max([*spend, daily_budget, daily_forecast, Decimal(1)]))
    frame = Frame(width=800, height=320, left=80, right=20, start=days[0], end=days[-1])
    scale = Scale(top=50, bottom=260, high=high * 1.15)
    over = f" (forecast over {line.threshold}% of budget)" if line.over_threshold else ""
    thresholds = [
        Threshold(float(daily_budget), f"budget {daily_budget:.2f}/day", _BUDGET),
        Threshold(float(daily_forecast), f"forecast {daily_forecast:.2f}/day", _FORECAST),
    ]
    drawn, labels = labelled_lines(frame, scale, thresholds)
    rings = [
        f'<circle class="anomaly" cx="{fmt(frame.x(first + dt.timedelta(days=a.day.day - 1)))}"'
        f' cy="{fmt(scale.y(float(a.spend)))}" r="6" fill="none" stroke="{_ANOMALY}"'
        f' stroke-width="2"><title>{a.day.isoformat()}: {a.spend} (median {a.median},'
        f" score {a.score})</title></circle>"
        for a in report.anomalies
        if a.owner == line.name
    ]
    return document(
        frame,
        f"{line.name}: {report.month}{over}",
        [
            text(frame.left, scale.top - 8, f"Spend per day ({report.currency})"),
            *grid(frame, scale, nice_ticks(scale.high), label=lambda v: f"{v:g}"),
            *drawn,
            *polyline(
                frame,
                scale,
                days[: len(spend)],
                [float(v) for v in spend],
                cls="spend",
                stroke=_SPEND,
            ),
            *rings,
            *time_axis(frame, scale.bottom + 18, strftime="%Y-%m-%d"),
            *labels,
        ],
    )

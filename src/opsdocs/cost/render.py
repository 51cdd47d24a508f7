"""The cost report as a text table, JSON or Markdown (strings; the CLI prints them)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from opsdocs.cost.report import BudgetLine, CostReport
from opsdocs.sanitize import escape_line
from opsdocs.tables import aligned, markdown_table

__all__ = ["render_block", "render_json", "render_markdown", "render_table"]


def render_json(report: CostReport) -> str:
    """The report as indented JSON; amounts are strings so no digit is lost."""
    return json.dumps(report.as_dict(), indent=2)


def _unit(line: BudgetLine) -> str:
    if line.unit_slo is None:
        return ""
    cost = line.unit_cost
    if cost is None:
        return "no requests" if line.requests is not None else "not measured"
    per = "M" if line.unit_per == 1_000_000 else f"{line.unit_per:,}"
    return f"{cost} per {per}"


def _budget_rows(report: CostReport, names: Sequence[str] | None = None) -> list[list[str]]:
    chosen = [b for b in report.budgets if names is None or b.name in names]
    units = any(line.unit_slo for line in chosen)
    rows = [["budget", "month to date", "forecast", "budget", "variance", "forecast %"]]
    if units:
        rows[0].append("unit cost")
    for line in chosen:
        flag = " over" if line.over_threshold else ""
        row = [
            line.name,
            str(line.month_to_date),
            str(line.forecast),
            str(line.budget),
            f"{line.variance:+}",
            f"{line.forecast_percent}{flag}",
        ]
        if units:
            row.append(_unit(line))
        rows.append(row)
    return rows


def _anomaly_rows(report: CostReport, names: Sequence[str] | None = None) -> list[list[str]]:
    rows = [["day", "owner", "spend", "median", "score"]]
    for item in report.anomalies:
        if names is not None and item.owner not in names:
            continue
        rows.append(
            [item.day.isoformat(), item.owner, str(item.spend), str(item.median), f"{item.score:+}"]
        )
    return rows


def _mover_rows(report: CostReport) -> list[list[str]]:
    rows = [["service", "this month", "last month", "change"]]
    for mover in report.movers:
        rows.append([mover.service, str(mover.current), str(mover.previous), f"{mover.change:+}"])
    return rows


def _summary(report: CostReport) -> list[str]:
    limit = ""
    if report.untagged_max is not None:
        over = " over" if report.untagged_over else ""
        limit = f" (limit {report.untagged_max}%{over})"
    lines = [
        f"{report.month}: {report.days_elapsed} of {report.days_in_month} days with data; "
        f"forecast is linear on those days; amounts in {report.currency}",
        f"total {report.total}; untagged {report.untagged} ({report.untagged_percent}%){limit}",
    ]
    if report.converted:
        rates = ", ".join(f"{code} at {rate}" for code, rate in report.converted.items())
        lines.append(f"converted into {report.currency}: {rates}")
    return lines


def render_table(report: CostReport) -> str:
    """Aligned columns: the budgets, then the top movers."""
    lines = [*_summary(report), ""]
    lines += aligned(_budget_rows(report), right_from=1) if report.budgets else ["no budgets"]
    if report.movers:
        lines += ["", "top movers against the same days of last month:"]
        lines += aligned(_mover_rows(report), right_from=1)
    if report.anomalies:
        lines += ["", "days with anomalous spend (against the median of the 14 days before):"]
        lines += aligned(_anomaly_rows(report), right_from=1)
    return "\n".join(lines) + "\n"


def render_markdown(report: CostReport) -> str:
    """The report as Markdown tables."""
    lines = [f"## Cost {report.month}", "", *(f"- {line}" for line in _summary(report)), ""]
    if report.budgets:
        lines += [*markdown_table(_budget_rows(report)), ""]
    if report.movers:
        lines += ["### Top movers", "", *markdown_table(_mover_rows(report)), ""]
    if report.anomalies:
        lines += ["### Days with anomalous spend", "", *markdown_table(_anomaly_rows(report)), ""]
    return "\n".join(lines)


def render_block(
    report: CostReport, names: Sequence[str], *, chart_links: dict[str, str] | None = None
) -> str:
    """The status block of a cost document: its budgets ``names`` (their anomalous days and
    charts), with the month's untagged spend; starts and ends with a line break."""
    links = chart_links or {}
    summary = _summary(report)
    lines = [
        "",
        f"Measured by `opsdocs cost report --month {report.month} --write`. {summary[0]}.",
        "",
        *markdown_table(_budget_rows(report, names)),
        "",
        f"All cost documents: {summary[1]}.",
        "",
    ]
    anomalies = _anomaly_rows(report, names)
    if len(anomalies) > 1:
        lines += ["Days with anomalous spend:", "", *markdown_table(anomalies), ""]
    for name in names:
        if name in links:
            target = links[name].replace(" ", "%20")
            lines += [f"![{escape_line(name)}: daily spend against the budget]({target})", ""]
    return "\n".join(lines)

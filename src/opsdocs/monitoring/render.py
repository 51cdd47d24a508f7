"""The catalogue as text: an aligned table, Markdown or JSON (``opsdocs alerts list``)."""

from __future__ import annotations

import json
import os

from opsdocs.monitoring.analysis import Analysis, Entry
from opsdocs.tables import aligned, markdown_table

__all__ = ["render_catalogue"]

_COLUMNS = ("ALERT", "SEVERITY", "TEAM", "SERVICE", "RUNBOOK", "DASHBOARDS", "SOURCE")


def _runbook_cell(entry: Entry, root: str) -> str:
    runbook = entry.runbook
    if entry.alert.runbook_url is None:
        return "(none)"
    if runbook is None:
        return entry.alert.runbook_url
    if runbook.target is not None:
        cell = os.path.relpath(runbook.target, root)
        if runbook.anchor:
            cell += f"#{runbook.anchor}"
        return cell if runbook.status == "ok" else f"{cell} (no such anchor)"
    if runbook.status == "external":
        return runbook.url
    if runbook.status == "unchecked":
        return f"{runbook.url} (not checked)"
    return f"{runbook.url} (broken)"


def _row(entry: Entry, root: str) -> list[str]:
    alert = entry.alert
    return [
        alert.name,
        entry.severity or "-",
        alert.label("team") or "-",
        alert.service or "-",
        _runbook_cell(entry, root),
        ", ".join(d["title"] for d in entry.dashboards) or "-",
        f"{alert.file}:{alert.line}",
    ]


def render_catalogue(analysis: Analysis, root: str, fmt: str) -> str:
    """The catalogue in ``fmt`` (table, markdown or json), sorted by alert name then source."""
    entries = sorted(analysis.entries, key=lambda e: (e.alert.name, e.alert.file, e.alert.line))
    if fmt == "json":
        return json.dumps([e.as_dict(root) for e in entries], indent=2) + "\n"
    rows = [_row(e, root) for e in entries]
    if fmt == "markdown":
        return "\n".join(markdown_table([[c.title() for c in _COLUMNS], *rows])) + "\n"
    if not rows:
        return "No alerts found.\n"
    return "\n".join(aligned([list(_COLUMNS), *rows])) + "\n"

"""CP: capacity documents held against their usage data, as rules of ``opsdocs check``.

CP002 looks at one document. CP001 reads every resource's history (data files, and Prometheus
when ``[capacity] prometheus_url`` is set) up to the end of ``--today`` and forecasts it, once per
check run (not cached: the data changes while the documents do not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.check.context import diagnostic_at, required_key
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import WorkspaceContext

__all__ = ["RULES"]


def _report_time(today: dt.date) -> dt.datetime:
    """The end of ``today`` (UTC), or now when that is earlier: data is read up to it."""
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
    return min(end, dt.datetime.now(dt.UTC))


def _inside_lead_time(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.capacity.report import (
        CapacityDocument,
        assess,
        find_targets,
        load_settings,
        open_prometheus,
        read_capacity_document,
        read_history,
    )
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import OpsdocsError

    workspace = ctx.workspace
    if workspace is None:
        return
    documents: list[CapacityDocument] = []
    for facts in ctx.documents("capacity"):
        try:
            documents.append(read_capacity_document(read_document(Path(facts.path))))
        except OpsdocsError:
            continue  # front matter problems are FM findings
    targets = find_targets(documents)
    if not targets:
        return
    try:
        load_settings(workspace)
    except OpsdocsError:
        return  # reported by the commands that read the table
    at = _report_time(ctx.today)
    with open_prometheus(workspace, targets) as client:
        for target in targets:
            if target.resource.usage.query and client is None:
                continue  # no Prometheus configured: nothing to measure it with
            key = ("resources", target.index, "lead_time")
            try:
                report = assess(target, read_history(workspace, target, at, client=client), at)
            except OpsdocsError as exc:
                yield diagnostic_at(
                    target.document.doc,
                    key,
                    message=f"cannot forecast {target.resource.name!r}: {exc.message}",
                    hint=exc.hint,
                )
                continue
            if report.order_now:
                yield diagnostic_at(
                    target.document.doc,
                    key,
                    message=f"resource {target.resource.name!r}: {report.note}",
                    hint=(f"{target.resource.action}; " if target.resource.action else "")
                    + "'opsdocs capacity report' shows the forecast",
                )


RULES = [
    Rule(
        "CP001", "capacity-inside-lead-time", "warning", scope="workspace", check=_inside_lead_time
    ),
    Rule(
        "CP002",
        "capacity-source-missing",
        "warning",
        check=required_key(
            "capacity",
            "resources",
            message="the capacity document names no resource with a usage source",
            hint="list resources: each with a usage query or files, a limit and a lead_time",
        ),
    ),
]

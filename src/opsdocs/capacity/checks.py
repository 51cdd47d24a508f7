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
        Target,
        assess,
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
    targets = [Target(d, r, i) for d in documents for i, r in enumerate(d.spec.resources)]
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
        code="CP001",
        name="capacity-inside-lead-time",
        summary="A resource is forecast to cross its threshold inside the lead time of its "
        "scaling action.",
        severity="warning",
        scope="workspace",
        check=_inside_lead_time,
        what="Reads each resource of the capacity documents up to the end of today (`--today`): "
        "data files, and Prometheus queries when `[capacity] prometheus_url` is set. Reports "
        "each resource already over its threshold, or whose expected threshold crossing (trend "
        "plus daily and weekly seasonality) comes sooner than its `lead_time`.",
        why="When the crossing is nearer than the time the scaling action takes, ordering "
        "tomorrow is already late: the disk fills before the new one arrives.",
        example="```yaml\nresources:\n  - name: disk\n    usage: {files: [metrics/disk.csv], "
        "column: used}\n    limit: 1000\n    lead_time: 30d   # crossing expected in 12 days\n"
        "```",
        instead="Start the scaling action now (`action:` says which), then raise `limit` once "
        "it is done; `opsdocs capacity report` shows the dates and their interval.",
    ),
    Rule(
        code="CP002",
        name="capacity-source-missing",
        summary="A capacity document names no resource to measure.",
        severity="warning",
        check=required_key(
            "capacity",
            "resources",
            message="the capacity document names no resource with a usage source",
            hint="list resources: each with a usage query or files, a limit and a lead_time",
        ),
        what="Reports a `capacity` document whose front matter has no `resources:` (each with a "
        "usage query or files, a limit and a lead time).",
        why="A capacity plan nothing measures is prose: nobody learns that the disk fills "
        "until it is full.",
        example="```yaml\nkind: capacity\nservice: database\n```",
        instead="```yaml\nkind: capacity\nservice: database\nresources:\n  - name: disk\n"
        "    usage: {query: 'sum(node_filesystem_size_bytes - node_filesystem_avail_bytes)'}\n"
        "    limit: 1e12\n    lead_time: 14d\n```",
    ),
]

"""One run of ``opsdocs capacity report`` as a plan: the reports, and the files they would write.

:func:`plan_capacity` measures the chosen resources and prepares every file the run writes
(charts as SVG and PNG, status blocks in capacity documents) in one
:class:`~opsdocs.outputs.ReportFiles` without writing anything; the command line commits it and
prints. So a failure anywhere (an unreachable Prometheus, a document with repeated markers) leaves
every file as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opsdocs.capacity.report import (
    CapacityDocument,
    ResourceReport,
    find_targets,
    load_capacity_documents,
    report_resources,
)
from opsdocs.errors import UsageError
from opsdocs.outputs import BlockPlace, ReportFiles, relative_links
from opsdocs.workspace import Workspace

__all__ = ["BLOCK", "CapacityPlan", "plan_capacity"]

#: Where ``--write`` keeps the status block in each capacity document.
BLOCK = BlockPlace(
    "Growth & Forecast", "<!-- opsdocs:capacity:start -->", "<!-- opsdocs:capacity:end -->"
)


@dataclass
class CapacityPlan(ReportFiles):
    """What a report run measured and would write."""

    reports: list[ResourceReport] = field(default_factory=list)

    @property
    def order_now(self) -> bool:
        """Whether a resource must be ordered now (its threshold is inside its lead time)."""
        return any(r.order_now for r in self.reports)


def plan_capacity(
    workspace: Workspace,
    selectors: Sequence[str],
    *,
    at: dt.datetime,
    prometheus_url: str | None = None,
    chart_dir: Path | None = None,
    png: bool = False,
    write: bool = False,
) -> CapacityPlan:
    """Measure the chosen resources at ``at`` and prepare the charts and status blocks.

    With ``write`` every resource of a chosen document is measured (the block lists them all).
    Raises :class:`UsageError` for ``png`` without a chart folder.
    """
    from opsdocs.capacity.chart import render_chart
    from opsdocs.capacity.render import render_markdown

    if png and chart_dir is None:
        raise UsageError("--png needs --chart DIR", hint="give the folder to write charts into")
    documents = load_capacity_documents(workspace)
    targets = find_targets(documents, selectors)
    if write and selectors:
        paths = {t.document.path for t in targets}
        targets = [t for t in find_targets(documents) if t.document.path in paths]
    plan = CapacityPlan(
        reports=report_resources(workspace, targets, at, prometheus_url=prometheus_url),
    )
    links: dict[str, Path] = {}
    if chart_dir is not None:
        for report in plan.reports:
            if report.history is not None and report.history.times:  # else nothing to draw
                name = report.key.replace("/", "-")  # service-resource
                links[report.key] = chart_dir / f"capacity-{name}.svg"
                plan.add_chart(links[report.key], render_chart(report), png=png)
    if write:
        by_document: dict[Path, tuple[CapacityDocument, list[ResourceReport]]] = {}
        for target, report in zip(targets, plan.reports, strict=True):
            by_document.setdefault(target.document.path, (target.document, []))[1].append(report)
        for path, (document, items) in by_document.items():
            block = "\n" + render_markdown(items, chart_links=relative_links(links, path))
            plan.add_block(document.doc, block, BLOCK)
    for path in plan.documents:  # a folder typed with --chart is the user's; documents not
        workspace.check_inside(path)
    return plan

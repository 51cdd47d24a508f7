"""One run of ``opsdocs cost report`` as a plan: the report, and the files it would write.

:func:`plan_cost_report` measures the month and prepares every file the run writes (a chart per
budget as SVG and PNG, the status block of each cost document) in one
:class:`~opsdocs.outputs.ReportFiles` without writing anything; the command line commits it and
prints. A failure anywhere (unreadable exports, a document with repeated markers, a missing
rasteriser) leaves every file as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.outputs import BlockPlace, ReportFiles, relative_links

if TYPE_CHECKING:
    from opsdocs.cost.report import CostDocument, CostReport, RequestCounter
    from opsdocs.reports.settings import SourceName
    from opsdocs.workspace import Workspace

__all__ = ["BLOCK", "CostPlan", "plan_cost_report", "plan_workspace_cost"]

#: Where ``--write`` keeps the month's status block in each cost document.
BLOCK = BlockPlace(
    "Current Spend & Trend", "<!-- opsdocs:cost:start -->", "<!-- opsdocs:cost:end -->"
)


@dataclass
class CostPlan(ReportFiles):
    """What a cost report run measured and would write."""

    report: CostReport = field(kw_only=True)


def plan_cost_report(
    workspace: Workspace,
    documents: Sequence[CostDocument],
    month: dt.date,
    *,
    sources: Sequence[str] = (),
    count_requests: RequestCounter | None = None,
    chart_dir: Path | None = None,
    png: bool = False,
    write: bool = False,
) -> CostPlan:
    """Measure ``month`` and prepare the charts and status blocks to write.

    Raises :class:`UsageError` for ``png`` without ``chart_dir``, and whatever measuring raises
    (see :func:`opsdocs.cost.report.build_report`).
    """
    from opsdocs.cost.charts import render_svg
    from opsdocs.cost.render import render_block
    from opsdocs.cost.report import build_report
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import UsageError

    if png and chart_dir is None:
        raise UsageError("--png needs --chart DIR", hint="name the folder for the charts")
    report = build_report(
        workspace, documents, month, sources=sources, count_requests=count_requests
    )
    plan = CostPlan(report=report)
    links: dict[str, Path] = {}
    if chart_dir is not None:
        for line in report.budgets:
            links[line.name] = chart_dir / f"cost-{line.name}-{report.month}.svg"
            plan.add_chart(links[line.name], render_svg(report, line), png=png)
    for doc in documents:
        names = [b.name for b in doc.spec.budgets]
        if write and names:
            block = render_block(report, names, chart_links=relative_links(links, doc.path))
            plan.add_block(read_document(doc.path), block, BLOCK)
    for path in plan.documents:
        workspace.check_inside(path)
    return plan


def plan_workspace_cost(
    workspace: Workspace,
    month: str,
    *,
    sources: Sequence[str] = (),
    requests_from: SourceName | None = None,
    prometheus_url: str | None = None,
    chart_dir: Path | None = None,
    png: bool = False,
    write: bool = False,
) -> CostPlan:
    """:func:`plan_cost_report` of every cost document for ``month`` (``YYYY-MM``), the unit
    metrics' requests counted from ``requests_from`` (default: the ``report.source`` setting);
    the Prometheus clients that counting opens are closed before it returns."""
    from opsdocs.cost.report import load_cost_documents, parse_month
    from opsdocs.cost.units import request_counter

    first = parse_month(month)
    documents = load_cost_documents(workspace)
    counter, clients = request_counter(
        workspace, source=requests_from, prometheus_url=prometheus_url
    )
    try:
        return plan_cost_report(
            workspace,
            documents,
            first,
            sources=sources,
            count_requests=counter,
            chart_dir=chart_dir,
            png=png,
            write=write,
        )
    finally:
        for client in clients:
            client.close()

"""One run of ``opsdocs cost report`` as a plan: the report, and the files it would write.

:func:`plan_workspace_cost` measures the month and prepares every file the run writes (a chart per
budget as SVG and PNG, the status block of each cost document) in one
:class:`~opsdocs.outputs.ReportFiles` without writing anything; the command line commits it and
prints. A failure anywhere (unreadable exports, a document with repeated markers, a missing
rasteriser) leaves every file as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.outputs import BlockPlace, ReportFiles, relative_links

if TYPE_CHECKING:
    from opsdocs.cost.report import CostReport
    from opsdocs.reports.settings import SourceName
    from opsdocs.sources.prometheus import PrometheusClient
    from opsdocs.workspace import Workspace

__all__ = ["BLOCK", "CostPlan", "plan_workspace_cost"]

#: Where ``--write`` keeps the month's status block in each cost document.
BLOCK = BlockPlace(
    "Current Spend & Trend", "<!-- opsdocs:cost:start -->", "<!-- opsdocs:cost:end -->"
)


@dataclass
class CostPlan(ReportFiles):
    """What a cost report run measured and would write."""

    report: CostReport = field(kw_only=True)


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
    """Measure ``month`` (``YYYY-MM``) against every cost document and prepare the charts and
    status blocks to write; the unit metrics' requests are counted from ``requests_from``
    (default: the ``report.source`` setting), and the Prometheus clients that counting opens
    are closed before it returns.

    Raises :class:`UsageError` for ``png`` without ``chart_dir``, and whatever measuring raises
    (see :func:`opsdocs.cost.report.build_report`).
    """
    from opsdocs.cost.charts import render_svg
    from opsdocs.cost.render import render_block
    from opsdocs.cost.report import build_report, load_cost_documents, parse_month
    from opsdocs.errors import UsageError

    first = parse_month(month)
    documents = load_cost_documents(workspace)
    if png and chart_dir is None:
        raise UsageError("--png needs --chart DIR", hint="name the folder for the charts")
    clients: list[PrometheusClient] = []
    counter = partial(_count_requests, workspace, requests_from, prometheus_url, clients)
    try:
        report = build_report(workspace, documents, first, sources=sources, count_requests=counter)
    finally:
        for client in clients:
            client.close()
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
            plan.add_block(doc.doc, block, BLOCK)
    for path in plan.documents:
        workspace.check_inside(path)
    return plan


def _count_requests(
    workspace: Workspace,
    source: SourceName | None,
    prometheus_url: str | None,
    clients: list[PrometheusClient],
    selector: str,
    at: dt.datetime,
    seconds: int,
) -> float | None:
    """The requests an SLO's indicator counts over the ``seconds`` before ``at``, measured the
    way ``opsdocs slo report`` measures them (request logs with DuckDB, or Prometheus, as
    ``source`` or the ``report.source`` setting says), so that cost per million requests and
    the SLO report count the same requests. The Prometheus client it opens is kept in
    ``clients`` for the caller to close."""
    # imported here: a report without unit metrics never loads the SLO machinery
    from opsdocs.reports.collect import find_slos, measure_target, open_prometheus
    from opsdocs.reports.settings import load_report_settings

    settings = load_report_settings(
        workspace.config.section("report"), source=workspace.config.source_label
    )
    chosen = source or settings.source
    target = find_slos(workspace, [selector])[0]  # service/slo names one SLO
    if chosen == "prometheus" and not clients:
        clients.append(open_prometheus(settings, prometheus_url))
    measurement = measure_target(
        workspace, target, at=at, windows=[seconds], client=clients[0] if clients else None
    )
    return measurement.windows[seconds].total

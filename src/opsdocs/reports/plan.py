"""One run of ``opsdocs slo report`` as a plan: the reports, and the files they would write.

:func:`plan_report` picks the SLOs, measures them, and prepares every file the run writes (charts
as SVG and PNG, status blocks in SLO documents) in one :class:`~opsdocs.outputs.ReportFiles`
without writing anything; the command line commits it and prints. So a failure anywhere (an
unreachable Prometheus, a document with repeated markers, a missing rasteriser) leaves every
file as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opsdocs.documents.blocks import REPORT_END, REPORT_START
from opsdocs.errors import UsageError
from opsdocs.outputs import BlockPlace, ReportFiles, relative_links
from opsdocs.reports.collect import SloTarget, find_slos, report_slos
from opsdocs.reports.report import SloReport
from opsdocs.reports.settings import ReportSettings, SourceName
from opsdocs.workspace import Workspace

__all__ = ["BLOCK", "ReportPlan", "plan_report"]

#: Where ``--write`` keeps the status block in each SLO document.
BLOCK = BlockPlace("Measurement", REPORT_START, REPORT_END)


@dataclass
class ReportPlan(ReportFiles):
    """What a report run found and would write."""

    reports: list[SloReport] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # SLOs without a logs mapping
    found: bool = True  # False: no slo document defines SLOs

    @property
    def has_findings(self) -> bool:
        """Some SLO measured is not healthy (the command exits 1, as ``dr status`` does)."""
        return any(r.is_finding for r in self.reports)


def _choose(
    workspace: Workspace, selectors: Sequence[str], *, source: str, write: bool
) -> tuple[list[SloTarget], list[str]]:
    """The SLOs to measure, and the keys of those left out for want of a logs mapping."""
    targets = find_slos(workspace, selectors)
    named = {t.key for t in targets} if selectors else set()
    if write and selectors:
        # The status block lists every SLO of its document, so measure them all.
        documents = {t.document.path for t in targets}
        targets = [t for t in find_slos(workspace) if t.document.path in documents]
    if source != "logs" or not targets:
        return targets, []
    # Report what can be measured and say what was left out (an SLO named on the command line
    # without a logs mapping is an error, raised when it is measured).
    without = [t for t in targets if t.slo.logs is None and t.key not in named]
    kept = [t for t in targets if t not in without]
    if not kept:
        raise UsageError(
            "no SLO has a logs mapping to measure it from",
            hint="add slos[].logs to the SLO documents (docs/reports.md), or use --source"
            " prometheus",
        )
    return kept, [t.key for t in without]


def plan_report(
    workspace: Workspace,
    selectors: Sequence[str],
    *,
    at: dt.datetime,
    settings: ReportSettings,
    source: SourceName | None = None,
    prometheus_url: str | None = None,
    chart_dir: Path | None = None,
    png: bool = False,
    write: bool = False,
    progress: Callable[[str], Callable[[float], None] | None] | None = None,
) -> ReportPlan:
    """Measure the chosen SLOs at ``at`` and prepare the charts and status blocks to write.

    Raises :class:`UsageError` for ``png`` without a chart folder, or when no chosen SLO can be
    measured from logs; and whatever measuring raises (see :func:`report_slos`).
    """
    from opsdocs.documents.parse import read_document
    from opsdocs.reports.charts import chart_data, render_svg
    from opsdocs.reports.render import render_markdown

    chosen: SourceName = source or settings.source
    targets, left_out = _choose(workspace, selectors, source=chosen, write=write)
    if not targets:
        return ReportPlan(found=False)
    configured = False  # a folder typed with --chart is the user's; report.chart_dir is not
    if png and chart_dir is None:
        if not settings.chart_dir:
            raise UsageError("--png needs --chart DIR", hint="or set report.chart_dir")
        chart_dir = workspace.root / settings.chart_dir
        configured = True
    reports = report_slos(
        workspace,
        targets,
        at=at,
        source=chosen,
        settings=settings,
        prometheus_url=prometheus_url,
        with_steps=chart_dir is not None,
        progress=progress,
    )
    plan = ReportPlan(reports=reports, left_out=left_out)
    links: dict[str, Path] = {}
    if chart_dir is not None:
        for report in reports:
            links[report.name] = chart_dir / f"{report.service}-{report.name}.svg"
            plan.add_chart(links[report.name], render_svg(chart_data(report)), png=png)
        if configured:  # report.chart_dir must stay in the workspace
            for path in plan.charts:
                workspace.check_inside(path)
    if write:
        by_document: dict[Path, list[SloReport]] = {}
        for target, report in zip(targets, reports, strict=True):
            by_document.setdefault(Path(target.document.path), []).append(report)
        for path, items in by_document.items():
            block = render_markdown(items, chart_links=relative_links(links, path))
            plan.add_block(read_document(path), block, BLOCK)
        for path in plan.documents:
            workspace.check_inside(path)
    return plan

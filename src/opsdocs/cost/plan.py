"""One run of ``opsdocs cost report`` as a plan: the report, and the files it would write.

:func:`plan_cost_report` measures the month and prepares every file the run writes (a chart per
budget as SVG and PNG, the status block of each cost document) in one
:class:`~opsdocs.fileio.ChangeSet` without writing anything; the command line commits it and
prints. A failure anywhere (unreadable exports, a document with repeated markers, a missing
rasteriser) leaves every file as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.fileio import ChangeSet

if TYPE_CHECKING:
    from opsdocs.cost.report import CostDocument, CostReport, RequestCounter
    from opsdocs.workspace import Workspace

__all__ = ["COST_END", "COST_START", "CostPlan", "plan_cost_report"]

#: The markers of the status block ``--write`` keeps in each cost document.
COST_START = "<!-- opsdocs:cost:start -->"
COST_END = "<!-- opsdocs:cost:end -->"
#: The section of the cost document that holds the block (added when missing).
SECTION = "Current Spend & Trend"


@dataclass
class CostPlan:
    """What a cost report run measured and would write."""

    report: CostReport
    changes: ChangeSet = field(default_factory=ChangeSet)
    charts: list[Path] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)


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
    from opsdocs.cost.report import build_report
    from opsdocs.errors import UsageError

    if png and chart_dir is None:
        raise UsageError("--png needs --chart DIR", hint="name the folder for the charts")
    report = build_report(
        workspace, documents, month, sources=sources, count_requests=count_requests
    )
    plan = CostPlan(report)
    links: dict[str, Path] = {}
    if chart_dir is not None:
        links = _plan_charts(plan, chart_dir, png=png)
    if write:
        _plan_blocks(plan, documents, links)
        for path in plan.documents:
            workspace.check_inside(path)
    return plan


def _plan_charts(plan: CostPlan, folder: Path, *, png: bool) -> dict[str, Path]:
    from opsdocs.charts import render_png
    from opsdocs.cost.charts import render_svg

    links: dict[str, Path] = {}
    for line in plan.report.budgets:
        svg = render_svg(plan.report, line)
        stem = folder / f"cost-{line.name}-{plan.report.month}"
        paths = [stem.with_suffix(".svg")]
        plan.changes.write(paths[0], svg)
        if png:
            paths.append(stem.with_suffix(".png"))
            plan.changes.write(paths[1], render_png(svg))
        plan.charts.extend(paths)
        links[line.name] = paths[0]
    return links


def _plan_blocks(plan: CostPlan, documents: Sequence[CostDocument], links: dict[str, Path]) -> None:
    """The status block of each cost document with budgets, charts linked relative to it."""
    from opsdocs.cost.render import render_block
    from opsdocs.documents.blocks import write_block
    from opsdocs.documents.parse import read_document

    for doc in documents:
        names = [b.name for b in doc.spec.budgets]
        if not names:
            continue
        path = doc.path
        relative = {
            name: os.path.relpath(link, path.parent).replace(os.sep, "/")
            for name, link in links.items()
            if name in names
        }
        block = render_block(plan.report, names, chart_links=relative)
        document = read_document(path)
        raw = path.read_bytes().decode("utf-8")
        text = write_block(
            document, block, raw=raw, section=SECTION, start=COST_START, end=COST_END
        )
        if text != raw:
            plan.changes.write(path, text)
            plan.documents.append(path)

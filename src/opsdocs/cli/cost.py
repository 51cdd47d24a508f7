"""``opsdocs cost``: spend against the budgets of the cost documents, from FOCUS exports."""

from __future__ import annotations

from pathlib import Path

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import echo_rendered, echo_written, report_outputs


@click.group()
def cost() -> None:
    """Budgets from the cost documents, measured against FOCUS billing exports."""


@cost.command("report")
@click.option("--month", required=True, help="The month to report, YYYY-MM.")
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="A FOCUS export (glob; CSV or Parquet, gzip); repeatable. Default: the documents' "
    "'sources:'.",
)
@click.option(
    "--requests-from",
    type=click.Choice(["logs", "prometheus"]),
    default=None,
    help="Where the unit metrics' requests are counted (default: the report.source setting).",
)
@click.option("--prometheus-url", default=None, help="Base URL of the Prometheus HTTP API.")
@report_outputs(
    chart="Write a chart per budget into this folder (SVG): daily spend against the budget.",
    write="Put the month's status block into each cost document's 'Current Spend & Trend'.",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    month: str,
    sources: tuple[str, ...],
    requests_from: str | None,
    prometheus_url: str | None,
    fmt: str,
    chart_dir: Path | None,
    png: bool,
    write: bool,
) -> int:
    """Per budget: month to date, linear forecast, budget, variance, unit cost; untagged
    spend; movers; days with anomalous spend.

    With --write, the month's status block is kept in each cost document, between
    <!-- opsdocs:cost:start --> and <!-- opsdocs:cost:end -->.

    Exit status: 0 when nothing is marked, 1 when a forecast is over its threshold, the
    untagged share over its maximum or a day's spend anomalous (the report is shown all the
    same), 2 usage or input error (nothing written).
    """
    from opsdocs.cost.plan import plan_workspace_cost
    from opsdocs.cost.render import render_json, render_markdown, render_table

    workspace = app(ctx).workspace()
    plan = plan_workspace_cost(
        workspace,
        month,
        sources=sources,
        requests_from=requests_from,  # type: ignore[arg-type]  # click.Choice of the same names
        prometheus_url=prometheus_url,
        chart_dir=chart_dir,
        png=png,
        write=write,
    )
    echo_written(workspace, plan, set(plan.changes.commit()))
    echo_rendered(fmt, plan.report, json=render_json, markdown=render_markdown, table=render_table)
    return EXIT_FINDINGS if plan.report.has_findings else 0

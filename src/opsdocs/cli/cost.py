"""``opsdocs cost``: spend against the budgets of the cost documents, from FOCUS exports."""

from __future__ import annotations

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import format_option


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
@format_option("table", "json", "markdown")
@click.pass_context
def report_command(ctx: click.Context, month: str, sources: tuple[str, ...], fmt: str) -> None:
    """Per budget: month to date, linear forecast, budget, variance; untagged spend; movers."""
    from opsdocs.cost.render import render_json, render_markdown, render_table
    from opsdocs.cost.report import build_report, load_cost_documents, parse_month

    workspace = app(ctx).workspace()
    first = parse_month(month)
    report = build_report(workspace, load_cost_documents(workspace), first, sources=sources)
    if fmt == "json":
        click.echo(render_json(report))
    elif fmt == "markdown":
        click.echo(render_markdown(report), nl=False)
    else:
        click.echo(render_table(report), nl=False)

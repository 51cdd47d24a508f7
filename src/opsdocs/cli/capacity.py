"""``opsdocs capacity``: resources forecast to the day they cross their threshold and limit."""

from __future__ import annotations

import datetime as dt

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import format_option, time_option


@click.group()
def capacity() -> None:
    """Capacity plans: usage from Prometheus or data files, forecast against the limits."""


@capacity.command("report")
@click.argument("resources", nargs=-1)
@time_option("--at", "at_time", help="The report time; history is read up to it (default: now):")
@click.option("--prometheus-url", metavar="URL", help="Prometheus HTTP API root (or Thanos, ...).")
@format_option("table", "json", "markdown")
@click.pass_context
def report_command(
    ctx: click.Context,
    resources: tuple[str, ...],
    at_time: dt.datetime | None,
    prometheus_url: str | None,
    fmt: str,
) -> int:
    """Per resource: usage, headroom, growth per week, and when it crosses threshold and limit.

    RESOURCES are service/resource or a service (default: every resource of every capacity
    document). Exits 1 when a resource must be ordered now (its threshold falls inside the
    lead time of its scaling action).
    """
    from opsdocs.capacity.render import render_json, render_markdown, render_table
    from opsdocs.capacity.report import find_targets, load_capacity_documents, report_resources

    workspace = app(ctx).workspace()
    targets = find_targets(load_capacity_documents(workspace), resources)
    at = at_time or dt.datetime.now(dt.UTC)
    reports = report_resources(workspace, targets, at, prometheus_url=prometheus_url)
    if fmt == "json":
        click.echo(render_json(reports))
    elif fmt == "markdown":
        click.echo(render_markdown(reports), nl=False)
    else:
        click.echo(render_table(reports), nl=False)
    return EXIT_FINDINGS if any(r.order_now for r in reports) else 0

"""``opsdocs capacity``: resources forecast to the day they cross their threshold and limit."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import (
    echo_rendered,
    echo_written,
    format_option,
    report_outputs,
    time_option,
)


@click.group()
def capacity() -> None:
    """Capacity plans: usage from Prometheus or data files, forecast against the limits."""
    # Each forecast is a small regression: BLAS threads cost more than they give (several
    # times slower on a busy two-core machine). Set before numpy loads; the user's setting wins.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


@capacity.command("report")
@click.argument("resources", nargs=-1)
@time_option("--at", "at_time", help="The report time; history is read up to it (default: now):")
@click.option("--prometheus-url", metavar="URL", help="Prometheus HTTP API root (or Thanos, ...).")
@report_outputs(
    chart="Write a chart per resource into this folder (SVG): history, forecast, interval, "
    "threshold and limit.",
    write="Keep the Markdown status block in each capacity document's Growth & Forecast section.",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    resources: tuple[str, ...],
    at_time: dt.datetime | None,
    prometheus_url: str | None,
    fmt: str,
    chart_dir: Path | None,
    png: bool,
    write: bool,
) -> int:
    """Per resource: usage, headroom, growth per week, and when it crosses threshold and limit.

    RESOURCES are service/resource or a service (default: every resource of every capacity
    document). Crossing dates come with an 80% interval; a history too short or too noisy to
    date says so. Exits 1 when a resource must be ordered now (its threshold falls inside the
    lead time of its scaling action).
    """
    from opsdocs.capacity.plan import plan_capacity
    from opsdocs.capacity.render import render_json, render_markdown, render_table
    from opsdocs.instants import utc_now

    workspace = app(ctx).workspace()
    plan = plan_capacity(
        workspace,
        resources,
        at=at_time or utc_now(),
        prometheus_url=prometheus_url,
        chart_dir=chart_dir,
        png=png,
        write=write,
    )
    echo_written(workspace, plan, set(plan.changes.commit()))
    echo_rendered(fmt, plan.reports, json=render_json, markdown=render_markdown, table=render_table)
    return EXIT_FINDINGS if plan.order_now else 0


@capacity.command("backtest")
@click.argument("resources", nargs=-1)
@time_option("--at", "at_time", help="The end of the backtest (default: now):")
@click.option(
    "--over", default="4w", show_default=True, help="How far back the forecasts are made."
)
@click.option("--every", default="1w", show_default=True, help="Time between two forecasts.")
@click.option("--prometheus-url", metavar="URL", help="Prometheus HTTP API root (or Thanos, ...).")
@format_option("table", "json")
@click.pass_context
def backtest_command(
    ctx: click.Context,
    resources: tuple[str, ...],
    at_time: dt.datetime | None,
    over: str,
    every: str,
    prometheus_url: str | None,
    fmt: str,
) -> None:
    """Forecasts made at past points against what happened: MAPE, and whether each crossing of
    the threshold fell inside the forecast's 80% interval."""
    from opsdocs.capacity.backtest import backtest_resources
    from opsdocs.capacity.render import render_backtest_table, render_json
    from opsdocs.durations import duration_seconds
    from opsdocs.errors import UsageError
    from opsdocs.instants import utc_now

    spans = {}
    for name, text in (("--over", over), ("--every", every)):
        try:
            spans[name] = duration_seconds(text)
        except ValueError as exc:
            raise UsageError(f"{name} {exc}", hint="e.g. --over 4w --every 1w") from None
    results = backtest_resources(
        app(ctx).workspace(),
        resources,
        at_time or utc_now(),
        over=spans["--over"],
        every=spans["--every"],
        prometheus_url=prometheus_url,
    )
    echo_rendered(fmt, results, json=render_json, table=render_backtest_table)

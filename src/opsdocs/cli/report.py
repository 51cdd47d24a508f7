"""``opsdocs slo report``: how every SLO stands, from Prometheus or from request logs."""

from __future__ import annotations

import datetime as dt
import errno
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from opsdocs.cli import EXIT_FINDINGS, EXIT_USAGE
from opsdocs.cli.context import app
from opsdocs.cli.options import (
    echo_notes,
    echo_rendered,
    echo_written,
    report_outputs,
    time_option,
)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str], Callable[[float], None] | None]]:
    """A Rich progress bar on standard error, only when it is a terminal."""
    if not enabled:
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
    ) as bar:

        def factory(label: str) -> Callable[[float], None]:
            task = bar.add_task(f"scanning {label}", total=100)
            return lambda percent: bar.update(task, completed=percent)

        yield factory


@click.command("report")
@click.argument("slos", nargs=-1)
@time_option("--at", "at_time", help="Evaluation time for every query (default: now):")
@click.option(
    "--source",
    type=click.Choice(["logs", "prometheus"]),
    default=None,
    help="Where events come from (default: report.source, else logs).",
)
@click.option("--prometheus-url", metavar="URL", help="Prometheus HTTP API root (or Thanos, ...).")
@report_outputs(
    chart="Write a budget chart per SLO into this folder (SVG).",
    write="Put the Markdown status block into each SLO document's Measurement section.",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    slos: tuple[str, ...],
    at_time: dt.datetime | None,
    source: str | None,
    prometheus_url: str | None,
    fmt: str,
    chart_dir: Path | None,
    png: bool,
    write: bool,
) -> int:
    """Measure SLOs: SLI, error budget, burn rates and status at one time.

    SLOS are service/slo, an SLO name, or a service (default: every SLO). Every query is
    evaluated at --at, so all numbers describe the same moment. The logs source reads the files
    named in each SLO's logs mapping with DuckDB; the prometheus source queries the HTTP API.

    Exit status: 0 when every SLO measured is healthy, 1 when one is not (budget exhausted, a
    burn-rate alert firing, no data, stale data; the report is shown all the same), 2 usage or
    input error, or a full disk while writing (nothing written; a measured report is shown).
    """
    from opsdocs.instants import utc_now
    from opsdocs.reports.plan import plan_report
    from opsdocs.reports.render import render_json, render_markdown, render_table
    from opsdocs.reports.settings import load_report_settings

    workspace = app(ctx).workspace()
    settings = load_report_settings(
        workspace.config.section("report"), source=workspace.config.source_label
    )
    with _progress_bar(sys.stderr.isatty()) as progress:
        plan = plan_report(
            workspace,
            slos,
            at=at_time or utc_now(),
            settings=settings,
            source=source,  # type: ignore[arg-type]  # click.Choice of the same names
            prometheus_url=prometheus_url,
            chart_dir=chart_dir,
            png=png,
            write=write,
            progress=progress,
        )
    if not plan.found:
        click.echo("No SLOs found: no slo document defines slos in its front matter.", err=True)
        return 0
    hint = "add slos[].logs to its document, or use --source prometheus"
    echo_notes("warning", (f"{key}: no logs mapping, left out ({hint})" for key in plan.left_out))
    unsaved: OSError | None = None
    try:
        changed: set[Path] = set(plan.changes.commit())
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        unsaved = exc  # the numbers are measured: show them, then say they were not saved
        changed = set()
    echo_written(workspace, plan, changed)
    echo_rendered(fmt, plan.reports, json=render_json, markdown=render_markdown, table=render_table)
    if unsaved is not None:
        from opsdocs.cli.context import display_error
        from opsdocs.errors import from_os_error

        click.echo(f"error: {display_error(from_os_error(unsaved))}", err=True)
        return EXIT_USAGE  # as every writing command that meets a full disk
    return EXIT_FINDINGS if plan.has_findings else 0

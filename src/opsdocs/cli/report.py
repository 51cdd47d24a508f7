"""``opsdocs slo report``: how every SLO stands, from Prometheus or from request logs."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import format_option, time_option


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

            def update(percent: float) -> None:
                bar.update(task, completed=percent)

            return update

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
@format_option("table", "json", "markdown")
@click.option(
    "--chart",
    "chart_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write a budget chart per SLO into this folder (SVG).",
)
@click.option("--png", is_flag=True, help="With --chart, also write PNG (needs matplotlib).")
@click.option(
    "--write",
    is_flag=True,
    help="Put the Markdown status block into each SLO document's Measurement section.",
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
    """
    from opsdocs.reports.collect import find_slos, parse_at, report_slos
    from opsdocs.reports.render import render_json, render_markdown, render_table
    from opsdocs.reports.settings import load_report_settings

    workspace = app(ctx).workspace()
    settings = load_report_settings(
        workspace.config.section("report"), source=workspace.config.source_label
    )
    at = at_time or parse_at(None)
    chosen_source: Any = source or settings.source
    targets = find_slos(workspace, slos)
    named = {t.key for t in targets} if slos else set()
    if write and slos:
        # The status block lists every SLO of its document, so measure them all.
        documents = {t.document.path for t in targets}
        targets = [t for t in find_slos(workspace) if t.document.path in documents]
    if not targets:
        click.echo("No SLOs found: no slo document defines slos in its front matter.", err=True)
        return 0
    if chosen_source == "logs":
        # Report what can be measured and say what was left out (an SLO named on the command
        # line without a logs mapping is an error, raised when it is measured).
        without = [t for t in targets if t.slo.logs is None and t.key not in named]
        for target in without:
            click.echo(
                f"warning: {target.key}: no logs mapping, left out"
                " (add slos[].logs to its document, or use --source prometheus)",
                err=True,
            )
        targets = [t for t in targets if t not in without]
        if not targets:
            from opsdocs.errors import UsageError

            raise UsageError(
                "no SLO has a logs mapping to measure it from",
                hint="add slos[].logs to the SLO documents (docs/reports.md), or use --source"
                " prometheus",
            )
    configured = False  # the chart folder came from the configuration, not the command line
    if png and chart_dir is None:
        if not settings.chart_dir:
            from opsdocs.errors import UsageError

            raise UsageError("--png needs --chart DIR", hint="or set report.chart_dir")
        chart_dir = workspace.root / settings.chart_dir
        configured = True
    with _progress_bar(sys.stderr.isatty()) as progress:
        reports = report_slos(
            workspace,
            targets,
            at=at,
            source=chosen_source,
            settings=settings,
            prometheus_url=prometheus_url,
            with_steps=chart_dir is not None,
            progress=progress,
        )

    links: dict[str, str] = {}
    if chart_dir is not None:
        from opsdocs.fileio import ChangeSet
        from opsdocs.reports.charts import chart_data, render_png, render_svg

        # report.chart_dir must stay in the workspace; a folder typed with --chart is the user's
        changes = workspace.changes() if configured else ChangeSet()
        pngs = []
        for report in reports:
            data = chart_data(report)
            stem = f"{report.service}-{report.name}"
            changes.write(chart_dir / f"{stem}.svg", render_svg(data))
            links[report.name] = str(chart_dir / f"{stem}.svg")
            if png:
                pngs.append((data, chart_dir / f"{stem}.png"))
        chart_dir.mkdir(parents=True, exist_ok=True)
        for path in changes.commit():
            click.echo(f"wrote {workspace.relative(path)}", err=True)
        for data, path in pngs:
            if configured:
                workspace.check_inside(path)
            render_png(data, path)
            click.echo(f"wrote {workspace.relative(path)}", err=True)

    if write:
        _write_blocks(workspace, targets, reports, links)
    if fmt == "json":
        click.echo(render_json(reports))
    elif fmt == "markdown":
        click.echo(render_markdown(reports), nl=False)
    else:
        click.echo(render_table(reports), nl=False)
    return 0


def _write_blocks(workspace: Any, targets: Any, reports: Any, links: dict[str, str]) -> None:
    import os

    from opsdocs.documents.parse import read_document
    from opsdocs.reports.render import render_markdown, write_block

    by_document: dict[Path, list[Any]] = {}
    for target, report in zip(targets, reports, strict=True):
        by_document.setdefault(Path(target.document.path), []).append(report)
    changes = workspace.changes()
    for path, items in by_document.items():
        relative_links = {name: os.path.relpath(link, path.parent) for name, link in links.items()}
        document = read_document(path)
        raw = path.read_bytes().decode("utf-8")
        text = write_block(document, render_markdown(items, chart_links=relative_links), raw=raw)
        if text != raw:
            changes.write(path, text)
    for path in changes.commit():
        click.echo(f"updated {workspace.relative(path)}", err=True)

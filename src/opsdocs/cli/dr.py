"""``opsdocs dr``: the DR/BCP plan held against backup evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, format_option, time_option


@click.group()
def dr() -> None:
    """Disaster recovery: recovery objectives checked against real backups."""


@dr.command("status")
@time_option(help="The moment to judge the backups at (default: now).")
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="restic 'snapshots --json' output (.json) or a backup log (.csv, .jsonl); repeatable.",
)
@click.option(
    "--window", default="30d", show_default=True, help="Look-back window for gaps and failures."
)
@click.option(
    "--no-run",
    "no_run",
    is_flag=True,
    help="Do not run restic against the repositories named in the plan.",
)
@format_option("table", "json", "markdown")
@click.pass_context
def status_command(
    ctx: click.Context,
    at: dt.datetime | None,
    evidence: tuple[Path, ...],
    window: str,
    no_run: bool,
    fmt: str,
) -> None:
    """Per system and backup job: last good backup, its age, RPO met, longest gap, failures."""
    from opsdocs.dr.status import dr_status, render_markdown, render_table
    from opsdocs.sanitize import escape_line, escape_text

    moment = at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = dr_status(
        app(ctx).workspace(), at=moment, evidence=evidence, window=window, run_tools=not no_run
    )
    if fmt == "json":
        echo_json(result.as_dict())
        return
    if fmt == "markdown":
        click.echo(escape_text(render_markdown(result)), nl=False)
        return
    rows = render_table(result)
    cells = [[escape_line(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())

"""``opsdocs dr``: the DR/BCP plan held against backup evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli import EXIT_FINDINGS
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
    help="A tool's JSON output (.json: restic snapshots, pgbackrest info, velero backup get) "
    "or a backup log (.csv, .jsonl); repeatable (default: [dr] evidence).",
)
@click.option(
    "--window",
    default=None,
    help="Look-back window for gaps and failures (default: [dr] window, else 30d).",
)
@click.option(
    "--no-run",
    "no_run",
    is_flag=True,
    help="Do not run restic against the repositories named in the plan.",
)
@format_option("table", "json", "markdown")
@click.option(
    "--write",
    is_flag=True,
    help="Keep the Markdown status block in the plan's Backup Strategy section.",
)
@click.pass_context
def status_command(
    ctx: click.Context,
    at: dt.datetime | None,
    evidence: tuple[Path, ...],
    window: str | None,
    no_run: bool,
    fmt: str,
    write: bool,
) -> int:
    """Per system and backup job: last good backup, its age, RPO met, longest gap, failures,
    retention coverage.

    Exit status: 0 when every RPO with evidence is met, 1 when the evidence shows an RPO missed
    at --at, 2 usage or input error (nothing written).
    """
    from opsdocs.dr.status import dr_status, render_markdown, render_table, status_changes
    from opsdocs.sanitize import escape_line, escape_text

    workspace = app(ctx).workspace()
    moment = at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = dr_status(workspace, at=moment, evidence=evidence, window=window, run_tools=not no_run)
    if write:
        for path in status_changes(workspace, result).commit():
            click.echo(f"updated {workspace.relative(path)}", err=True)
    if fmt == "json":
        echo_json(result.as_dict())
    elif fmt == "markdown":
        click.echo(escape_text(render_markdown(result)), nl=False)
    else:
        rows = render_table(result)
        cells = [[escape_line(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        for row in cells:
            click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_FINDINGS if result.rpo_missed else 0

"""``opsdocs dr``: the DR/BCP plan held against backup evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, echo_notes, format_option, time_option

if TYPE_CHECKING:
    from opsdocs.dr.drills import DrillResult


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
    from opsdocs.sanitize import escape_text
    from opsdocs.tables import aligned

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
        for line in aligned(render_table(result)):
            click.echo(line)
    return EXIT_FINDINGS if result.rpo_missed else 0


def _drill_report(result: DrillResult, root: Path, fmt: str) -> None:
    """Print a recorded drill: one line per objective and the verdict, or JSON."""
    from opsdocs.dr.drills import verdict
    from opsdocs.durations import format_span

    echo_notes("warning", result.warnings)
    if fmt == "json":
        echo_json(result.as_dict(root))
        return
    click.echo(f"Recorded {result.path.relative_to(root).as_posix()}")
    for name, achieved, objective, met in (
        ("RTO", result.achieved_rto, result.rto, result.rto_met),
        ("RPO", result.achieved_rpo, result.rpo, result.rpo_met),
    ):
        wanted = format_span(objective) if objective is not None else "-"
        click.echo(f"  {name}: {format_span(achieved)} (objective {wanted}): {verdict(met)}")
    if result.verify is not None:
        check = "passed" if result.verify.passed else "FAILED"
        detail = f" ({result.verify.detail})" if result.verify.detail else ""
        click.echo(
            f"  restored {result.verify.files} file(s) of snapshot {result.verify.snapshot}; "
            f"check {result.verify.check}: {check}{detail}"
        )
    click.echo(f"Result: {'pass' if result.passed else 'FAIL'}")


@dr.command("drill")
@click.argument("system")
@time_option("--started", help="When the drill started.")
@time_option("--restored", help="When the system was back.")
@time_option("--data-as-of", help="How recent the restored data is.")
@click.option(
    "--test",
    "test",
    type=click.Choice(["restore", "failover"]),
    default="restore",
    show_default=True,
    help="What was tested.",
)
@click.option("--notes", help="What was done (the record's 'What Was Done').")
@click.option("--action", "actions", multiple=True, help="A follow-up action; repeatable.")
@click.option(
    "--owner", "owners", multiple=True, help="Owner of the actions: once for all, or per action."
)
@click.option(
    "--due",
    "dues",
    multiple=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Due date (YYYY-MM-DD) of the actions: once for all, or per action.",
)
@format_option("text", "json")
@click.pass_context
def drill_command(
    ctx: click.Context,
    system: str,
    started: dt.datetime | None,
    restored: dt.datetime | None,
    data_as_of: dt.datetime | None,
    test: str,
    notes: str | None,
    actions: tuple[str, ...],
    owners: tuple[str, ...],
    dues: tuple[dt.datetime, ...],
    fmt: str,
) -> None:
    """Record a restore or failover test of SYSTEM under dr-drills/: achieved RTO and RPO."""
    from opsdocs.dr.drills import record_drill
    from opsdocs.errors import UsageError

    missing = [
        option
        for option, value in (
            ("--started", started),
            ("--restored", restored),
            ("--data-as-of", data_as_of),
        )
        if value is None
    ]
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)}",
            hint="give when the drill started, when the system was back and how recent the "
            "restored data is",
        )
    assert started is not None and restored is not None and data_as_of is not None
    workspace = app(ctx).workspace()
    result = record_drill(
        workspace,
        system,
        started=started,
        restored=restored,
        data_as_of=data_as_of,
        test="failover" if test == "failover" else "restore",
        notes=notes,
        actions=actions,
        owners=owners,
        dues=[d.date() for d in dues],
    )
    _drill_report(result, workspace.root, fmt)


@dr.command("verify")
@click.argument("system")
@click.option("--job", help="The restic job to restore from (when the system has several).")
@click.option("--notes", help="What was done (the record's 'What Was Done').")
@format_option("text", "json")
@click.pass_context
def verify_command(
    ctx: click.Context, system: str, job: str | None, notes: str | None, fmt: str
) -> None:
    """Restore SYSTEM's latest restic snapshot into a fresh temporary folder, check it, time it
    and record the drill."""
    from opsdocs.dr.verify import verify_restore

    workspace = app(ctx).workspace()
    result = verify_restore(workspace, system, job=job, notes=notes)
    _drill_report(result, workspace.root, fmt)

"""``opsdocs alerts``: the alert catalogue, checked against the runbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import (
    echo_check,
    echo_notes,
    format_option,
    output_option,
    split_values,
    today_option,
)


@click.group("alerts")
def alerts() -> None:
    """The alert catalogue: alerts, their runbooks and dashboards, kept linked."""


def _require_monitoring(ctx: click.Context):  # type: ignore[no-untyped-def]
    from opsdocs.errors import UsageError
    from opsdocs.monitoring.estate import configured

    workspace = app(ctx).workspace()
    if not configured(workspace):
        raise UsageError(
            "no [monitoring] table in the configuration",
            hint="add [tool.opsdocs.monitoring] with rule_files (see docs/monitoring.md)",
        )
    return workspace


@alerts.command("list")
@format_option("table", "json", "markdown")
@click.option("--no-prometheus", is_flag=True, help="Read the rule files even if a URL is set.")
@click.pass_context
def list_command(ctx: click.Context, fmt: str, no_prometheus: bool) -> int:
    """List every alert: severity, team and service, runbook (file#section), dashboards and
    where the rule is written."""
    from opsdocs.monitoring.estate import read_catalogue
    from opsdocs.monitoring.render import render_catalogue

    workspace = _require_monitoring(ctx)
    analysis = read_catalogue(workspace, prometheus=not no_prometheus)
    click.echo(render_catalogue(analysis, str(workspace.root), fmt), nl=False)
    echo_notes("note", analysis.catalogue.notes)
    return 0


@alerts.command("check")
@format_option("text", "json", "sarif", "github", help="Output format (as for 'opsdocs check').")
@click.option("--select", multiple=True, help="Only these AL rules (codes or names).")
@click.option("--ignore", multiple=True, help="Skip these rules.")
@click.option("--strict", is_flag=True, default=None, help="Warnings fail the check too.")
@today_option("Date for date-dependent rules (default: today).")
@output_option("--output", "-o", help="Write the report to FILE instead of standard output.")
@click.pass_context
def check_command(
    ctx: click.Context,
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool | None,
    today: dt.date | None,
    output: Path | None,
) -> int:
    """Check the alerts against the runbooks: the AL rules of 'opsdocs check', alone.

    Exit status: 0 clean, 1 findings, 2 usage or configuration error.
    """
    from opsdocs.monitoring.checks import check_alerts

    workspace = _require_monitoring(ctx)
    result = check_alerts(
        workspace,
        select=split_values(select),
        ignore=split_values(ignore),
        strict=bool(strict),
        today=today,
    )
    return echo_check(result, fmt, output)


@alerts.command("stub")
@click.argument("names", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.option(
    "--write-rules",
    is_flag=True,
    help="Also add the runbook_url to the rule files (comments and layout kept).",
)
@click.pass_context
def stub_command(
    ctx: click.Context, names: tuple[str, ...], dry_run: bool, write_rules: bool
) -> int:
    """Write a runbook section for each alert without a runbook (or only NAMES).

    The service's runbook (runbook-SERVICE.md, created from the template when missing) gets an
    '### AlertName' section in 'Dashboards & Alerts' with the rule's expression, labels and
    summary. Prints the runbook_url to put on each alert.
    """
    from opsdocs.fileio import locked
    from opsdocs.monitoring.stub import plan_stubs

    workspace = _require_monitoring(ctx)
    with locked(workspace.root, workspace.readme):
        plan = plan_stubs(workspace, names=list(names), write_rules=write_rules)
        for alert, why in plan.skipped:
            click.echo(f"skipped {alert.name}: {why}", err=True)
        if not plan.alerts:
            click.echo("Every alert has a runbook_url.")
            return 0
        for stub in plan.alerts:
            where = f"{workspace.relative(stub.runbook)}#{stub.anchor}"
            click.echo(f"{stub.alert.name}: {where}  runbook_url: {stub.runbook_url}")
        if dry_run:
            for path in sorted(plan.writes):
                verb = "create" if path in plan.created else "update"
                click.echo(f"would {verb} {workspace.relative(path)}", err=True)
            return 0
        changed = plan.changes(workspace).commit()
    for path in changed:
        verb = "created" if path in plan.created else "updated"
        click.echo(f"{verb} {workspace.relative(path)}", err=True)
    if not write_rules:
        click.echo(
            "Add each runbook_url to its alert's annotations (or rerun with --write-rules).",
            err=True,
        )
    return 0

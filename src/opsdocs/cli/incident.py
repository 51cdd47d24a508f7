"""``opsdocs incident``: run an incident from the docs and keep its record in git."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, echo_notes, echo_table, format_option, time_option

if TYPE_CHECKING:
    from opsdocs.incidents.lifecycle import Change, Guidance

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

_ident = click.argument("ident", metavar="ID")
_at_option = time_option(help="When it happened (default: now):")


def _transition(name: str, *params: Decorator) -> Callable[[Callable[..., int]], click.Command]:
    """``incident NAME ID [params] [--at TIME]``: a command that changes one incident."""

    def declare(function: Callable[..., int]) -> click.Command:
        command = _at_option(click.pass_context(function))
        for param in reversed(params):
            command = param(command)
        return incident.command(name)(_ident(command))

    return declare


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A date option (``--since``, ``--today``) as a date; UsageError for anything else."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        from opsdocs.errors import UsageError

        what = param.opts[0]
        raise UsageError(f"{what} {value!r} is not a date", hint="write it as YYYY-MM-DD") from None


def _filter_options(command: F) -> F:
    """``--since``, ``--service`` and ``--severity``: which incidents ``list`` and ``stats`` see."""
    command = click.option("--severity", help="Only incidents of this severity.")(command)
    command = click.option("--service", help="Only incidents affecting this service.")(command)
    return click.option(
        "--since",
        callback=_date,
        help="Only incidents that started on or after DATE (YYYY-MM-DD).",
    )(command)


def _record(ctx: click.Context, action: Callable[..., Change], ident: str, **kwargs: Any) -> None:
    """Apply a lifecycle ``action`` to the workspace's incident and print the change."""
    _report(action(app(ctx).workspace(), ident, **kwargs))


def _report(change: Change) -> None:
    from opsdocs.incidents.records import format_time

    click.echo(f"{change.id}: {change.status} — {format_time(change.at)} {change.entry}")
    for note in change.notes:
        click.echo(f"  {note}")
    echo_notes("warning", change.warnings)


def _guidance(guidance: Guidance, ident: str) -> None:
    level = guidance.severity
    source = guidance.playbook
    click.echo("")
    click.echo(f"{level.name}: {level.definition}  [from {source}]")
    click.echo(f"  Page: {', '.join(level.page) if level.page else 'nobody (working hours)'}")
    click.echo(f"  Acknowledge within {level.ack_within}.")
    if level.update_every:
        click.echo(f"  Status updates every {level.update_every}.")
    for notify in level.notify:
        click.echo(f"  Notify {notify.who}: {notify.how}")
    if level.procedure:
        click.echo("  Procedure:")
        for n, step in enumerate(level.procedure, 1):
            click.echo(f"    {n}. {step}")
    if guidance.roles:
        click.echo(
            "  Roles: "
            + ", ".join(r.title for r in guidance.roles)
            + " (opsdocs incident assign ID ROLE PERSON)"
        )
    if level.postmortem.required:
        click.echo(f"  Postmortem required, due {level.postmortem.due} after resolution.")
    for service, runbook in guidance.runbooks.items():
        near = guidance.closest.get(service)
        if runbook:
            click.echo(f"  Runbook for {service}: {runbook}")
        elif near is not None:
            click.echo(
                f"  No runbook for {service}: did you mean {near!r}? "
                f"(fix it: opsdocs incident edit {ident} --remove-service {service} "
                f"--add-service {near})"
            )
        else:
            click.echo(f"  No runbook for {service} (create one: opsdocs new runbook {service})")
        for slo in guidance.slos.get(service, []):
            click.echo(f"  SLO for {service}: {slo}")


@click.group("incident")
def incident() -> None:
    """Run an incident from the playbook: open, log, ack, mitigate, resolve, postmortem.

    Records live in incidents/YYYY-MM-DD-<slug>.md below the operations folder; every change
    appends a UTC timeline entry. ID is the record's id (its file name without .md), the slug
    after the date, or the start of either, as long as one incident matches. Times without a
    zone are UTC.
    """


@incident.command("open")
@click.argument("title")
@click.option("--severity", "-s", required=True, help="A severity of the playbook's ladder.")
@click.option("--service", "services", multiple=True, help="Affected service (repeatable).")
@click.option("--owner", help="Owning team (default: the service runbook's owner).")
@time_option(help="When it was detected (default: now):")
@time_option("--started", help="When impact began, if before detection:")
@click.option("--drill", is_flag=True, help="A practice incident (left out of stats).")
@click.pass_context
def open_command(
    ctx: click.Context, /, title: str, services: tuple[str, ...], **options: Any
) -> int:
    """Open an incident titled TITLE and print what the playbook says to do now."""
    from opsdocs.incidents.lifecycle import open_incident

    workspace = app(ctx).workspace()
    result = open_incident(workspace, title, services=list(services), **options)
    click.echo(workspace.relative(result.change.path))
    _report(result.change)
    _guidance(result.guidance, result.change.id)
    return 0


#: The commands whose body is one lifecycle call with the values given (words joined into one
#: text): (name, the lifecycle function, its parameters, help).
_TRANSITIONS: tuple[tuple[str, str, tuple[Decorator, ...], str], ...] = (
    (
        "log",
        "log_entry",
        (click.argument("text", nargs=-1, required=True),),
        "Add TEXT (the rest of the line, quoted or not) to the incident's timeline.",
    ),
    (
        "ack",
        "acknowledge",
        (click.option("--by", help="Who acknowledged (becomes incident commander if none yet)."),),
        "Acknowledge the incident (triage → active).",
    ),
    (
        "mitigate",
        "mitigate",
        (click.argument("note", nargs=-1),),
        "Record that the impact has stopped (active → mitigated).",
    ),
    (
        "resolve",
        "resolve",
        (click.argument("note", nargs=-1),),
        "Record that the cause is fixed (→ resolved), with the error budget consumed.",
    ),
    (
        "close",
        "close",
        (
            click.option(
                "--duplicate-of",
                metavar="ID",
                help="Close it as a duplicate of incident ID (any status).",
            ),
            click.option(
                "--false-alarm", is_flag=True, help="Close it as a false alarm (any status)."
            ),
        ),
        "Close a resolved incident (its required postmortem must be written and Reviewed or\n"
        "Closed), or any incident as a duplicate or false alarm (left out of stats).",
    ),
    (
        "reopen",
        "reopen",
        (click.argument("reason", nargs=-1),),
        "Reopen a resolved or closed incident (the impact is back, or it was closed by mistake).",
    ),
    (
        "assign",
        "assign",
        (click.argument("role"), click.argument("person")),
        "Give ROLE (e.g. incident-commander, communications-lead, scribe) to PERSON.",
    ),
)


def _lifecycle_command(action: str, help: str) -> Callable[..., int]:
    def command(ctx: click.Context, ident: str, at: dt.datetime | None, **given: Any) -> int:
        from opsdocs.incidents import lifecycle

        values = {k: " ".join(v) if isinstance(v, tuple) else v for k, v in given.items()}
        _record(ctx, getattr(lifecycle, action), ident, at=at, **values)
        return 0

    command.__doc__ = help
    return command


for _name, _action, _params, _help in _TRANSITIONS:
    _transition(_name, *_params)(_lifecycle_command(_action, _help))


@_transition(
    "edit",
    click.option("--title", help="A new title (the id and file name stay)."),
    click.option(
        "--service", "services", multiple=True, help="The affected services (repeatable; replaces)."
    ),
    click.option("--add-service", "add_services", multiple=True, help="Add an affected service."),
    click.option(
        "--remove-service", "remove_services", multiple=True, help="Remove an affected service."
    ),
    click.option("--owner", help="The owning team."),
    time_option("--started", help="When impact began:"),
    time_option("--detected", help="When it was detected:"),
    time_option("--acknowledged", help="When it was acknowledged:"),
    time_option("--mitigated", help="When the impact stopped:"),
    time_option("--resolved", help="When the cause was fixed:"),
)
def edit_command(
    ctx: click.Context,
    ident: str,
    title: str | None,
    services: tuple[str, ...],
    add_services: tuple[str, ...],
    remove_services: tuple[str, ...],
    owner: str | None,
    at: dt.datetime | None,
    **milestones: dt.datetime | None,
) -> int:
    """Correct an open or resolved incident: title, services, owner, milestone times. Each
    change is a timeline entry (--at: when the correction was made)."""
    from opsdocs.incidents.lifecycle import edit

    _record(
        ctx,
        edit,
        ident,
        title=title,
        services=list(services) or None,
        add_services=list(add_services),
        remove_services=list(remove_services),
        owner=owner,
        milestones={k: v for k, v in milestones.items() if v is not None},
        at=at,
    )
    return 0


@_transition(
    "set-severity",
    click.argument("severity"),
    click.option("--reason", help="Why the severity changed."),
)
def set_severity_command(
    ctx: click.Context, ident: str, severity: str, reason: str | None, at: dt.datetime | None
) -> int:
    """Change the incident's severity and print the new severity's procedure."""
    from opsdocs.incidents.lifecycle import set_severity

    change, guidance = set_severity(app(ctx).workspace(), ident, severity, reason, at=at)
    _report(change)
    _guidance(guidance, change.id)
    return 0


@incident.command("show")
@_ident
@format_option("text", "json")
@click.pass_context
def show_command(ctx: click.Context, ident: str, fmt: str) -> int:
    """Show the incident: status, milestones, roles, timeline, and what is due or late (the
    acknowledgement target, the next status update)."""
    from opsdocs.incidents.deadlines import describe_incident
    from opsdocs.incidents.records import format_time

    view = describe_incident(app(ctx).workspace(), ident)
    model = view.incident.model
    echo_notes("warning", view.warnings)
    if fmt == "json":
        echo_json(view.as_dict())
        return 0
    drill = " (drill)" if model.drill else ""
    click.echo(f"{model.id}: {model.title}{drill}")
    status: str = model.status
    if model.closed_as == "duplicate":
        status += f" (duplicate of {model.duplicate_of})"
    elif model.closed_as == "false-alarm":
        status += " (false alarm)"
    click.echo(f"  {model.severity}, {status}; services: {', '.join(model.services) or '-'}")
    click.echo(f"  owner: {model.owner}; file: {view.path}")
    for key, person in model.roles.items():
        click.echo(f"  {key}: {person}")
    for name, when in model.milestones.items():
        click.echo(f"  {name + ':':<14}{format_time(when) if when else '-'}")
    for record in model.error_budget:
        text = f"{record.share * 100:.2f}%" if record.share is not None else record.reason
        click.echo(f"  error budget, {record.service}: {text}")
    if model.postmortem_due:
        click.echo(f"  postmortem due: {model.postmortem_due.isoformat()}")
    click.echo("Timeline:")
    for entry in view.timeline:
        click.echo(f"  {format_time(entry.at)}  {entry.text}")
    for deadline in view.deadlines:
        click.echo(deadline.describe())
    return 0


@incident.command("postmortem")
@_ident
@click.option("--owner", help="Owning team (default: the incident's owner).")
@click.option(
    "--status",
    help="Move an existing postmortem forward: 'In Review', 'Reviewed' or 'Closed'.",
)
@click.pass_context
def postmortem_command(
    ctx: click.Context, ident: str, owner: str | None, status: str | None
) -> int:
    """Write the postmortem of a resolved incident, or move its status forward."""
    from opsdocs.incidents.postmortem import create_postmortem, set_postmortem_status

    workspace = app(ctx).workspace()
    if status is not None:
        path, old, new = set_postmortem_status(workspace, ident, status)
        click.echo(f"{workspace.relative(path)}: {old} → {new}")
        return 0
    result = create_postmortem(workspace, ident, owner=owner)
    click.echo(workspace.relative(result.path))
    if result.due is not None:
        click.echo(f"  due {result.due.isoformat()} (from the severity ladder)")
    else:
        click.echo("  not required at this severity")
    return 0


@incident.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only incidents not yet resolved.")
@_filter_options
@format_option("table", "json")
@click.pass_context
def list_command(ctx: click.Context, /, open_only: bool, fmt: str, **filters: Any) -> int:
    """List incidents, newest first (drills are marked)."""
    from opsdocs.incidents.stats import list_incidents

    rows, warnings = list_incidents(app(ctx).workspace(), open_only=open_only, **filters)
    echo_notes("warning", warnings)
    if fmt == "json":
        echo_json([row.as_dict() for row in rows])
        return 0
    if not rows:
        click.echo("No incidents" + (" open." if open_only else " match."))
        return 0
    header = ("ID", "SEVERITY", "STATUS", "STARTED", "SERVICES", "LATE", "TITLE")
    table = [header] + [
        (
            row.id,
            row.severity,
            row.status,
            row.started or "-",
            ",".join(row.services) or "-",
            ", ".join(row.late) or "-",
            row.title
            + (" [drill]" if row.drill else "")
            + (f" [{row.closed_as}]" if row.closed_as else ""),
        )
        for row in rows
    ]
    echo_table(table)
    return 0


@incident.command("stats")
@_filter_options
@click.option("--drills", is_flag=True, help="Count drills too.")
@click.option("--today", callback=_date, help="Date to judge overdue items by (default: today).")
@format_option("text", "json")
@click.pass_context
def stats_command(ctx: click.Context, /, drills: bool, fmt: str, **filters: Any) -> int:
    """Counts by severity and service; time to detect, acknowledge, mitigate and resolve
    (median, p90, max); overdue postmortems and action items.

    Exit status: 0, or 1 when a postmortem or an action item is overdue (the numbers are shown
    all the same); 2 usage or input error.
    """
    from opsdocs.durations import format_span as span
    from opsdocs.incidents.stats import compute_stats

    stats = compute_stats(app(ctx).workspace(), include_drills=drills, **filters)
    if fmt == "json":
        echo_json(stats.as_dict())
        return EXIT_FINDINGS if stats.has_findings else 0
    echo_notes("warning", stats.warnings)
    left_out = []
    if stats.drills_excluded:
        left_out.append(f"{stats.drills_excluded} drills")
    if stats.not_incidents_excluded:
        left_out.append(f"{stats.not_incidents_excluded} duplicates or false alarms")
    drills_note = f" ({' and '.join(left_out)} left out)" if left_out else ""
    click.echo(f"Incidents: {stats.incidents}{drills_note}")
    click.echo(
        "By severity: " + (", ".join(f"{k} {v}" for k, v in stats.by_severity.items()) or "-")
    )
    click.echo("By service: " + (", ".join(f"{k} {v}" for k, v in stats.by_service.items()) or "-"))
    click.echo(f"{'Time to':<13}{'n':>4}{'median':>10}{'p90':>10}{'max':>10}")
    for metric, summary in stats.times.items():
        if summary is None:
            click.echo(f"{metric:<13}{0:>4}{'-':>10}{'-':>10}{'-':>10}")
            continue
        click.echo(
            f"{metric:<13}{summary.count:>4}{span(summary.median):>10}"
            f"{span(summary.p90):>10}{span(summary.max):>10}"
        )
    if stats.overdue_postmortems:
        click.echo("Overdue postmortems:")
        for pm in stats.overdue_postmortems:
            state = pm.status or "not written"
            click.echo(f"  {pm.incident} ({pm.severity}): due {pm.due.isoformat()}, {state}")
    if stats.overdue_action_items:
        click.echo("Overdue action items:")
        for item in stats.overdue_action_items:
            click.echo(
                f"  {item.postmortem}: {item.what} ({item.owner or 'no owner'}, "
                f"due {item.due.isoformat()})"
            )
    return EXIT_FINDINGS if stats.has_findings else 0

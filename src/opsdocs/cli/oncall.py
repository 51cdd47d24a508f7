"""``opsdocs oncall``: who is on call, the schedule, its gaps and load, and alert routing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, echo_table, format_option, output_option, write_output

if TYPE_CHECKING:
    from opsdocs.oncall.alertmanager import RouteProof
    from opsdocs.oncall.roster import Roster

_from_option = click.option(
    "--from", "since", required=True, help="Start: a date or an ISO 8601 time."
)
_to_option = click.option(
    "--to", "until", required=True, help="End: a date (included) or an ISO 8601 time (excluded)."
)
_team_option = click.option("--team", help="Only this team (default: every team).")
_zone_option = click.option(
    "--zone",
    default="UTC",
    show_default=True,
    help="IANA zone for times without an offset and for the table's times.",
)


def _roster(ctx: click.Context) -> Roster:
    from opsdocs.oncall.roster import load_roster

    return load_roster(app(ctx).workspace())


def _time(when: dt.datetime, zone: str) -> str:
    from opsdocs.oncall.spec import zone as get_zone

    local = when.astimezone(get_zone(zone))
    suffix = "Z" if zone == "UTC" else local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + suffix


@click.group()
def oncall() -> None:
    """On-call schedules from the on-call documents: who, when, gaps, load, alert routing."""


@oncall.command("who")
@click.option("--at", help="The moment (default: now); ISO 8601, or a date for its midnight.")
@_team_option
@_zone_option
@format_option("text", "json")
@click.pass_context
def who_command(ctx: click.Context, at: str | None, team: str | None, zone: str, fmt: str) -> None:
    """Who is on call at each escalation level, and until when."""
    from opsdocs.oncall.schedule import check_zone, parse_when, who

    check_zone(zone)
    moment = (
        parse_when(at, what="--at", zone_name=zone) if at is not None else dt.datetime.now(dt.UTC)
    )
    levels = who(_roster(ctx), moment, team=team)
    if fmt == "json":
        echo_json({"at": _time(moment, "UTC"), "levels": [lv.as_dict() for lv in levels]})
        return
    if not levels:
        click.echo("no on-call schedules (add 'teams' to an on-call document)")
        return
    click.echo(f"On call at {_time(moment, zone)}:")
    rows = [["team", "level", "after", "who", "until"]]
    for level in levels:
        target = level.level.person or ", ".join(level.level.rotations)
        if not level.members:
            rows.append([level.team, f"{level.number} {target}", level.level.after, "NOBODY", ""])
        for person, rotation, until in level.members:
            label = f"{level.number} {rotation if rotation != 'person' else target}"
            when = _time(until, zone) if until is not None else "(always)"
            rows.append([level.team, label, level.level.after, person, when])
    echo_table(rows)


@oncall.command("schedule")
@_from_option
@_to_option
@_team_option
@_zone_option
@format_option("table", "json", "ics")
@output_option("--out", help="Write to this file instead of standard output.")
@click.pass_context
def schedule_command(
    ctx: click.Context,
    since: str,
    until: str,
    team: str | None,
    zone: str,
    fmt: str,
    out: Path | None,
) -> None:
    """The shifts between two dates, overrides applied (an .ics calendar with --format ics)."""
    from opsdocs.oncall.schedule import parse_range, schedule
    from opsdocs.tables import aligned

    start, end = parse_range(since, until, zone)
    shifts = schedule(_roster(ctx), start, end, team=team)
    if fmt == "ics":
        from opsdocs.oncall.calendar import render_calendar

        write_output(render_calendar(shifts, stamp=start), out)
        return
    if fmt == "json":
        import json

        # one shift a line: readable, and the C encoder (indent= would use the slow one)
        body = ",\n".join(f"    {json.dumps(s.as_dict())}" for s in shifts)
        text = '{\n  "shifts": [\n' + body + "\n  ]\n}\n" if shifts else '{\n  "shifts": []\n}\n'
        write_output(text, out)
        return
    rows = [["start", "end", "team", "rotation", "who"]]
    for s in shifts:
        who = f"{s.member} (override)" if s.override else s.member
        rows.append([_time(s.start, zone), _time(s.end, zone), s.team, s.rotation, who])
    if len(rows) == 1:
        write_output("no shifts in the range\n", out)
        return
    write_output("\n".join(aligned(rows)) + "\n", out)


@oncall.command("gaps")
@_from_option
@_to_option
@_team_option
@_zone_option
@format_option("text", "json")
@click.pass_context
def gaps_command(
    ctx: click.Context, since: str, until: str, team: str | None, zone: str, fmt: str
) -> int:
    """Uncovered hours per level, overlapping and back-to-back shifts, outsider overrides.

    Exits 1 when it finds any.
    """
    from opsdocs.oncall.coverage import find_gaps, uncovered_hours
    from opsdocs.oncall.schedule import parse_range

    start, end = parse_range(since, until, zone)
    gaps = find_gaps(_roster(ctx), start, end, team=team)
    if fmt == "json":
        echo_json({"gaps": [g.as_dict() for g in gaps]})
        return 1 if gaps else 0
    if not gaps:
        click.echo("no gaps: every level is covered, nobody is on two shifts at once")
        return 0
    from opsdocs.sanitize import escape_line

    for gap in gaps:
        click.echo(escape_line(f"{gap.team}: {gap.kind}: {gap.message}"))
    hours = uncovered_hours(gaps)
    click.echo(f"Found {len(gaps)} problem{'s' if len(gaps) != 1 else ''}; {hours:g} h uncovered")
    return 1


@oncall.command("report")
@_from_option
@_to_option
@_team_option
@_zone_option
@click.option(
    "--holidays",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A file of holiday dates, one YYYY-MM-DD a line (default: the configured list).",
)
@format_option("text", "json")
@click.pass_context
def report_command(
    ctx: click.Context,
    since: str,
    until: str,
    team: str | None,
    zone: str,
    holidays: Path | None,
    fmt: str,
) -> None:
    """Hours on call per person, and how many fell on nights, weekends and holidays."""
    from opsdocs.oncall.coverage import workspace_load

    report = workspace_load(
        app(ctx).workspace(), since, until, zone_name=zone, team=team, holidays=holidays
    )
    if fmt == "json":
        echo_json(
            {
                "from": _time(report.start, "UTC"),
                "to": _time(report.end, "UTC"),
                "night": report.night,
                "holidays": [d.isoformat() for d in report.holidays],
                "people": [load.as_dict() for load in report.loads],
            }
        )
        return
    if not report.loads:
        click.echo("nobody is on call in the range")
        return
    rows = [["person", "shifts", "hours", "nights", "weekends", "holidays"]]
    for load in report.loads:
        data = load.as_dict()
        rows.append(
            [load.person, str(load.shifts)]
            + [f"{data[k]:g}" for k in ("hours", "night_hours", "weekend_hours", "holiday_hours")]
        )
    echo_table(rows)


@oncall.command("alertmanager")
@output_option("--out", help="Write the configuration to this file (default: standard output).")
@click.option(
    "--tests",
    is_flag=True,
    help="Prove it with amtool: check-config, then 'config routes test' for every severity × "
    "team; nothing is written unless every route reaches the expected receiver.",
)
@click.pass_context
def alertmanager_command(ctx: click.Context, out: Path | None, tests: bool) -> int:
    """An Alertmanager configuration from the ladder, the teams and the alert labels."""
    from opsdocs.oncall.alertmanager import alertmanager_config

    planned = alertmanager_config(app(ctx).workspace(), prove=tests)
    if planned.proofs is not None:
        _echo_proofs(planned.proofs, planned.failed)
        if planned.failed:
            return 1
    write_output(planned.text, out)
    if out is not None:
        click.echo(f"wrote {out}", err=True)
    return 0


def _echo_proofs(proofs: list[RouteProof], failed: int) -> None:
    """Say on standard error how each route test went (``failed`` of them did not)."""
    rows = [["labels", "expected", "opsdocs", "amtool", ""]]
    for proof in proofs:
        rows.append(
            [
                ",".join(f"{k}={v}" for k, v in proof.case.labels.items()),
                proof.case.expected,
                ",".join(proof.resolved),
                ",".join(proof.amtool),
                "ok" if proof.ok else "MISMATCH",
            ]
        )
    click.echo("amtool check-config: ok", err=True)
    echo_table(rows, err=True)
    click.echo(f"{len(proofs) - failed} of {len(proofs)} route tests pass with amtool", err=True)


@oncall.command("routes")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The Alertmanager configuration to read (alertmanager.yml).",
)
@format_option("text", "json")
@click.pass_context
def routes_command(ctx: click.Context, config_path: Path, fmt: str) -> int:
    """For each severity × team of the ladder, the receiver Alertmanager would choose.

    Exits 1 when a paging severity reaches no pager receiver.
    """
    from opsdocs.oncall.alertmanager import routes_of

    routes = routes_of(app(ctx).workspace(), config_path)
    rows = [["labels", "receiver", "pages"]]
    for route in routes:
        note = "yes" if route.pages else ("NO (the ladder pages for it)" if route.unpaged else "no")
        labels = ",".join(f"{k}={v}" for k, v in route.case.labels.items())
        rows.append([labels, ",".join(route.receivers), note])
    if fmt == "json":
        echo_json({"routes": [route.as_dict() for route in routes]})
    elif len(rows) == 1:
        click.echo("no teams with a schedule: nothing to route")
    else:
        echo_table(rows)
    return 1 if any(route.unpaged for route in routes) else 0

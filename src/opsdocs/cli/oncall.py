"""``opsdocs oncall``: who is on call, the schedule, its gaps and load, and alert routing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, format_option, output_option, write_output

if TYPE_CHECKING:
    from opsdocs.oncall.roster import Roster

F = TypeVar("F", bound=Callable[..., Any])

_team_option = click.option("--team", help="Only this team (default: every team).")
_zone_option = click.option(
    "--zone",
    default="UTC",
    show_default=True,
    help="IANA zone for times without an offset and for the table's times.",
)


def _range_options(command: F) -> F:
    command = click.option(
        "--to",
        "until",
        required=True,
        help="End: a date (included) or an ISO 8601 time (excluded).",
    )(command)
    return click.option(
        "--from", "since", required=True, help="Start: a date or an ISO 8601 time."
    )(command)


def _roster(ctx: click.Context) -> Roster:
    from opsdocs.oncall.roster import load_roster

    return load_roster(app(ctx).workspace())


def _range(since: str, until: str, zone: str) -> tuple[dt.datetime, dt.datetime]:
    from opsdocs.oncall.schedule import parse_when

    _check_zone(zone)
    return (
        parse_when(since, what="--from", zone_name=zone),
        parse_when(until, what="--to", zone_name=zone, end=True),
    )


def _check_zone(name: str) -> None:
    from opsdocs.errors import UsageError
    from opsdocs.oncall.roster import split_hint
    from opsdocs.oncall.spec import zone

    try:
        zone(name)
    except ValueError as exc:
        what, how = split_hint(str(exc))
        raise UsageError(f"--zone: {what}", hint=how) from None


def _time(when: dt.datetime, zone: str) -> str:
    from opsdocs.oncall.spec import zone as get_zone

    local = when.astimezone(get_zone(zone))
    suffix = "Z" if zone == "UTC" else local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + suffix


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


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
    from opsdocs.oncall.schedule import parse_when, who

    _check_zone(zone)
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
    _table(rows)


@oncall.command("schedule")
@_range_options
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
    from opsdocs.oncall.schedule import schedule

    start, end = _range(since, until, zone)
    shifts = schedule(_roster(ctx), start, end, team=team)
    if fmt == "ics":
        from opsdocs.oncall.calendar import render_calendar

        write_output(render_calendar(shifts, stamp=start), out)
        return
    if fmt == "json":
        import json

        text = json.dumps({"shifts": [s.as_dict() for s in shifts]}, indent=2) + "\n"
        write_output(text, out)
        return
    rows = [["start", "end", "team", "rotation", "who"]]
    for s in shifts:
        who = f"{s.member} (override)" if s.override else s.member
        rows.append([_time(s.start, zone), _time(s.end, zone), s.team, s.rotation, who])
    if len(rows) == 1:
        write_output("no shifts in the range\n", out)
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    write_output("\n".join(lines) + "\n", out)

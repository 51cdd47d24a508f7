"""What a schedule leaves uncovered or asks too much of, and how the load falls on people.

:func:`find_gaps` reports hours no one covers at an escalation level, a person on two shifts at
once, an override for someone who is not in the rotation, and a person whose shift starts the
moment another of theirs ends. :func:`load_report` counts each person's hours, and of them the
night, weekend and holiday hours, in the zone of the rotation they were on call for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from opsdocs.oncall.schedule import (
    LevelShifts,
    Shift,
    format_instant,
    level_shifts,
    merge,
    rotation_shifts,
    schedule,
    to_utc,
    windows,
)
from opsdocs.oncall.spec import parse_hours
from opsdocs.records import json_method

if TYPE_CHECKING:
    from pathlib import Path

    from opsdocs.oncall.roster import Roster
    from opsdocs.workspace import Workspace

__all__ = [
    "Gap",
    "Load",
    "LoadReport",
    "find_gaps",
    "level_holes",
    "load_report",
    "uncovered",
    "uncovered_hours",
    "workspace_load",
]

GapKind = Literal["uncovered", "overlap", "outsider-override", "back-to-back"]


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 4)


@dataclass(frozen=True)
class Gap:
    """One problem with a schedule, over [start, end)."""

    kind: GapKind
    team: str
    start: dt.datetime
    end: dt.datetime
    message: str
    level: int | None = None
    person: str | None = None
    rotation: str | None = None

    @property
    def hours(self) -> float:
        return _hours((self.end - self.start).total_seconds())

    as_dict = json_method(
        "kind",
        "team",
        "level",
        "rotation",
        "person",
        ("start", format_instant),
        ("end", format_instant),
        "hours",
        "message",
    )


def uncovered(
    shifts: Iterable[Shift], start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The parts of [start, end) that no shift covers."""
    holes = []
    cursor = start
    for a, b in merge((s.start, s.end) for s in shifts):
        if a > cursor:
            holes.append((cursor, min(a, end)))
        cursor = max(cursor, b)
    if cursor < end:
        holes.append((cursor, end))
    return [(a, b) for a, b in holes if a < b]


def level_holes(
    roster: Roster, team: str, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[LevelShifts, list[tuple[dt.datetime, dt.datetime]]]]:
    """Each escalation level of ``team`` that nobody covers all of [start, end), with the parts
    left uncovered (a level that pages a person is always covered)."""
    for level in level_shifts(roster, team, start, end):
        if level.level.person is None and (holes := uncovered(level.shifts, start, end)):
            yield level, holes


def _uncovered(roster: Roster, names: list[str], start: dt.datetime, end: dt.datetime) -> list[Gap]:
    gaps = []
    for name in names:
        for level, holes in level_holes(roster, name, start, end):
            for a, b in holes:
                gaps.append(
                    Gap(
                        "uncovered",
                        name,
                        a,
                        b,
                        f"nobody covers {level.label} from {format_instant(a)} "
                        f"to {format_instant(b)} ({_hours((b - a).total_seconds()):g} h)",
                        level=level.number,
                    )
                )
    return gaps


def _by_person(shifts: Sequence[Shift]) -> dict[str, list[Shift]]:
    people: dict[str, list[Shift]] = {}
    for shift in shifts:
        people.setdefault(shift.member, []).append(shift)
    for items in people.values():
        items.sort()
    return people


def _label(shift: Shift) -> str:
    return f"{shift.team}/{shift.rotation}"


def _overlaps(shifts: Sequence[Shift]) -> list[Gap]:
    gaps = []
    for person, items in _by_person(shifts).items():
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second.start >= first.end:
                    break
                if (first.team, first.rotation) == (second.team, second.rotation):
                    continue
                a, b = second.start, min(first.end, second.end)
                gaps.append(
                    Gap(
                        "overlap",
                        first.team,
                        a,
                        b,
                        f"{person} is on call for {_label(first)} and {_label(second)} at once "
                        f"from {format_instant(a)} to {format_instant(b)}",
                        person=person,
                        rotation=first.rotation,
                    )
                )
    return gaps


def _back_to_back(roster: Roster, shifts: Sequence[Shift]) -> list[Gap]:
    gaps = []
    for person, items in _by_person(shifts).items():
        ends = {(s.end, s.team, s.rotation, s.number) for s in items}
        for shift in items:
            for end, team, rotation, number in ends:
                if end != shift.start:
                    continue
                same = (team, rotation) == (shift.team, shift.rotation)
                if same and (number == shift.number or shift.override or number == -1):
                    continue  # two pieces of one shift, or an override cut out of it
                spec = roster.team(team).rotation(rotation)
                if same and spec is not None and len(spec.members) < 2:
                    continue  # a one-person rotation: every shift follows the last
                gaps.append(
                    Gap(
                        "back-to-back",
                        shift.team,
                        shift.start,
                        shift.end,
                        f"{person}'s shift on {_label(shift)} starts at "
                        f"{format_instant(shift.start)}, the moment their shift on "
                        f"{team}/{rotation} ends",
                        person=person,
                        rotation=shift.rotation,
                    )
                )
    return gaps


def _outsiders(roster: Roster, names: list[str], start: dt.datetime, end: dt.datetime) -> list[Gap]:
    gaps = []
    for name in names:
        for rotation in roster.team(name).rotations:
            for override in rotation.overrides:
                if override.who in rotation.members:
                    continue
                shifts = [
                    s
                    for s in rotation_shifts(name, rotation, start, end)
                    if s.override and s.member == override.who
                ]
                if not shifts:
                    continue
                gaps.append(
                    Gap(
                        "outsider-override",
                        name,
                        shifts[0].start,
                        shifts[-1].end,
                        f"the override gives {name}/{rotation.name} to {override.who}, who is "
                        "not one of its members",
                        person=override.who,
                        rotation=rotation.name,
                    )
                )
    return gaps


def find_gaps(
    roster: Roster, start: dt.datetime, end: dt.datetime, *, team: str | None = None
) -> list[Gap]:
    """Every gap, overlap, outsider override and back-to-back shift in [start, end), in time
    order."""
    names = roster.select(team)
    every = schedule(roster, start, end)  # overlaps and back-to-back look across teams
    mine = [s for s in every if s.team in names]
    people = {s.member for s in mine}
    theirs = [s for s in every if s.member in people]
    gaps = _uncovered(roster, names, start, end)
    gaps += [g for g in _overlaps(theirs) if g.team in names or team is None]
    gaps += [g for g in _back_to_back(roster, theirs) if g.team in names]
    gaps += _outsiders(roster, names, start, end)
    order = {"uncovered": 0, "overlap": 1, "back-to-back": 2, "outsider-override": 3}
    gaps.sort(key=lambda g: (g.start, g.team, order[g.kind], g.level or 0, g.person or ""))
    return gaps


def uncovered_hours(gaps: Iterable[Gap]) -> float:
    """The hours no one covers, over the ``uncovered`` gaps among ``gaps``."""
    return sum(g.hours for g in gaps if g.kind == "uncovered")


@dataclass
class Load:
    """One person's on-call load over a range."""

    person: str
    shifts: int = 0
    seconds: float = 0
    night: float = 0
    weekend: float = 0
    holiday: float = 0
    teams: set[str] = field(default_factory=set)

    as_dict = json_method(
        "person",
        "shifts",
        ("hours", "seconds", _hours),
        ("night_hours", "night", _hours),
        ("weekend_hours", "weekend", _hours),
        ("holiday_hours", "holiday", _hours),
        ("teams", sorted),
    )


def _overlap_seconds(shift: Shift, spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> float:
    return sum(
        (min(b, shift.end) - max(a, shift.start)).total_seconds()
        for a, b in spans
        if a < shift.end and b > shift.start
    )


def load_report(
    roster: Roster,
    start: dt.datetime,
    end: dt.datetime,
    *,
    team: str | None = None,
    holidays: Sequence[dt.date] = (),
    night: str = "22:00-06:00",
) -> list[Load]:
    """Each person's shifts and hours in [start, end), with night (``night``, local), weekend
    (Saturday and Sunday, local) and holiday hours, most hours first."""
    night_span = parse_hours(night)
    every_day = frozenset(range(7))
    weekend_days = frozenset((5, 6))
    loads: dict[str, Load] = {}
    counted: set[tuple[str, str, int, str]] = set()
    for shift in schedule(roster, start, end, team=team):
        rotation = roster.team(shift.team).rotation(shift.rotation)
        zone_name = rotation.zone if rotation is not None else "UTC"
        load = loads.setdefault(shift.member, Load(shift.member))
        key = (shift.team, shift.rotation, shift.number, shift.member)
        if shift.override or key not in counted:
            load.shifts += 1
            counted.add(key)
        load.seconds += (shift.end - shift.start).total_seconds()
        load.teams.add(shift.team)
        load.night += _overlap_seconds(
            shift, windows(every_day, night_span, zone_name, shift.start, shift.end)
        )
        load.weekend += _overlap_seconds(
            shift, windows(weekend_days, None, zone_name, shift.start, shift.end)
        )
        load.holiday += _overlap_seconds(
            shift,
            (
                (
                    to_utc(dt.datetime.combine(day, dt.time()), zone_name),
                    to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), zone_name),
                )
                for day in holidays
            ),
        )
    return sorted(loads.values(), key=lambda lo: (-lo.seconds, lo.person))


@dataclass
class LoadReport:
    """``oncall report``: each person's load over [start, end), with the night hours and the
    holidays it was counted with."""

    start: dt.datetime
    end: dt.datetime
    night: str
    holidays: list[dt.date]
    loads: list[Load]


def workspace_load(
    workspace: Workspace,
    since: str,
    until: str,
    *,
    zone_name: str = "UTC",
    team: str | None = None,
    holidays: Path | None = None,
) -> LoadReport:
    """The load report of the workspace's schedules from ``since`` to ``until`` (read in
    ``zone_name``): night hours from ``[oncall] night``, holidays from the file ``holidays``
    (one date a line) or ``[oncall] holidays``."""
    from opsdocs.oncall.roster import load_roster
    from opsdocs.oncall.schedule import parse_range
    from opsdocs.oncall.settings import load_settings, read_holidays

    settings = load_settings(workspace.config)
    days = read_holidays(holidays) if holidays is not None else list(settings.holidays)
    start, end = parse_range(since, until, zone_name)
    roster = load_roster(workspace)
    loads = load_report(roster, start, end, team=team, holidays=days, night=settings.night)
    return LoadReport(start, end, settings.night, days, loads)

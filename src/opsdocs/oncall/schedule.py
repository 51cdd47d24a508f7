"""Shifts, computed exactly across time zones and daylight-saving changes.

A rotation hands off at a wall-clock time in its zone: a weekly rotation handing off at 09:00
Europe/Berlin hands off at 09:00 local time every week, so the week that contains the change to
summer time lasts 167 hours and the one back 169. Wall-clock times are turned into instants with
:mod:`zoneinfo`; a handoff time that does not exist on the day of the spring change (02:30 in
Berlin) is read with the offset before the change (``fold=0``), and one that exists twice is the
first of the two. Every instant this module returns is an aware UTC datetime.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from opsdocs.oncall.spec import Level, Rotation, Team, parse_clock, parse_rrule, zone
from opsdocs.records import json_method

if TYPE_CHECKING:
    from opsdocs.oncall.roster import Roster

__all__ = [
    "LevelShifts",
    "OnCallNow",
    "Shift",
    "check_zone",
    "format_instant",
    "level_shifts",
    "merge",
    "parse_range",
    "parse_when",
    "rotation_shifts",
    "schedule",
    "to_utc",
    "who",
    "windows",
]

UTC = dt.UTC
#: How far ahead ``who`` looks to say until when someone is on call.
_LOOKAHEAD = dt.timedelta(days=120)


def format_instant(when: dt.datetime) -> str:
    """``when`` in UTC, ISO 8601 with a ``Z``: how on-call output writes a time."""
    if when.tzinfo is not UTC:  # every shift is in UTC already: skip the conversion
        when = when.astimezone(UTC)
    return when.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, order=True)
class Shift:
    """One person on call for one rotation from ``start`` to ``end`` (UTC)."""

    start: dt.datetime
    end: dt.datetime
    team: str
    rotation: str
    member: str
    number: int  # the handoff's index in the rotation (-1: an override)
    override: bool = False
    #: Where the piece begins before the range clips it: what its UID is made of.
    origin: dt.datetime | None = field(default=None, compare=False)

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def uid(self) -> str:
        """Stable across runs: the same shift gets the same UID, whoever is on it."""
        kind = "override" if self.override else "shift"
        stamp = (self.origin or self.start).strftime("%Y%m%dT%H%M%SZ")
        return f"{self.team}.{self.rotation}.{kind}.{stamp}@opsdocs"

    as_dict = json_method(
        "team",
        "rotation",
        "member",
        ("start", format_instant),
        ("end", format_instant),
        ("hours", lambda hours: round(hours, 4)),
        "override",
        "uid",
    )


def to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """The instant of the wall-clock time ``local`` (naive) in ``zone_name``."""
    return local.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def _aware(when: dt.datetime, zone_name: str) -> dt.datetime:
    return (to_utc(when, zone_name) if when.tzinfo is None else when).astimezone(UTC)


def _handoffs(
    rotation: Rotation, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[int, dt.datetime, dt.datetime]]:
    """(index, shift start, shift end) of every base shift that overlaps [start, end)."""
    first = dt.datetime.combine(rotation.start, parse_clock(rotation.handoff))
    days = rotation.days
    if days is not None:
        period = dt.timedelta(days=days)
        begin = to_utc(first, rotation.zone)
        # DST moves a handoff by hours, never by a period: one period of margin is enough.
        k = max(0, int((start - begin) / period) - 1)
        while True:
            shift_start = to_utc(first + k * period, rotation.zone)
            if shift_start >= end:
                return
            shift_end = to_utc(first + (k + 1) * period, rotation.zone)
            if shift_end > start:
                yield k, shift_start, shift_end
            k += 1
    rule = parse_rrule(rotation.length, first)
    previous: dt.datetime | None = None
    for k, local in enumerate(rule):
        instant = to_utc(local, rotation.zone)
        if previous is not None:
            if previous >= end:
                return
            if instant > start:
                yield k - 1, previous, instant
        previous = instant


def windows(
    restrict_days: frozenset[int],
    span: tuple[dt.time, dt.time] | None,
    zone_name: str,
    start: dt.datetime,
    end: dt.datetime,
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The restriction's windows (UTC) that overlap [start, end), in order."""
    tz = zone(zone_name)
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    # no hours: the whole day, midnight to midnight (an end at the start ends the next day)
    opens, closes = span or (dt.time(0, 0), dt.time(0, 0))
    while day <= last:
        if day.weekday() in restrict_days:
            w_start = dt.datetime.combine(day, opens)
            end_day = day if closes > opens else day + dt.timedelta(days=1)
            w_end = dt.datetime.combine(end_day, closes)
            a, b = to_utc(w_start, zone_name), to_utc(w_end, zone_name)
            if a < end and b > start:
                yield max(a, start), min(b, end)
        day += dt.timedelta(days=1)


def merge(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _subtract(shifts: list[Shift], a: dt.datetime, b: dt.datetime) -> list[Shift]:
    out: list[Shift] = []
    for shift in shifts:
        if shift.end <= a or shift.start >= b:
            out.append(shift)
            continue
        if shift.start < a:
            out.append(replace(shift, end=a))
        if shift.end > b:
            out.append(replace(shift, start=b, origin=b))
    return out


def rotation_shifts(
    team: str, rotation: Rotation, start: dt.datetime, end: dt.datetime
) -> list[Shift]:
    """The shifts of ``rotation`` between ``start`` and ``end`` (aware), restrictions and
    overrides applied, clipped to the range, in time order."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    members = rotation.members
    restrict = rotation.restrict
    # Pieces are cut from whole shifts and clipped to the range last, so that a piece's origin
    # (its UID) does not depend on the range asked for.
    shifts: list[Shift] = []
    for k, a, b in _handoffs(rotation, start, end):
        member = members[k % len(members)]
        if restrict is None:
            pieces = [(a, b)]
        else:
            pieces = merge(windows(restrict.weekdays, restrict.span, rotation.zone, a, b))
        shifts.extend(Shift(p, q, team, rotation.name, member, k, origin=p) for p, q in pieces)
    for override in rotation.overrides:
        a = _aware(override.start, rotation.zone)
        b = _aware(override.end, rotation.zone)
        if a >= end or b <= start:
            continue
        shifts = _subtract(shifts, a, b)
        shifts.append(Shift(a, b, team, rotation.name, override.who, -1, True, origin=a))
    shifts = [
        s
        if s.start >= start and s.end <= end
        else replace(s, start=max(s.start, start), end=min(s.end, end))
        for s in shifts
        if s.start < end and s.end > start
    ]
    shifts.sort()
    return shifts


def schedule(
    roster: Roster, start: dt.datetime, end: dt.datetime, *, team: str | None = None
) -> list[Shift]:
    """Every shift of the selected teams' rotations in [start, end), in time order."""
    if end <= start:
        from opsdocs.errors import UsageError

        raise UsageError("the range is empty: --to must be after --from")
    shifts: list[Shift] = []
    for name in roster.select(team):
        for rotation in roster.team(name).rotations:
            shifts.extend(rotation_shifts(name, rotation, start, end))
    shifts.sort(key=lambda s: (s.start, s.team, s.rotation, s.end))
    return shifts


@dataclass(frozen=True)
class LevelShifts:
    """One escalation level of a team and who covers it over a range."""

    number: int  # 1-based
    level: Level
    shifts: list[Shift]  # a person level: one shift over the whole range

    @property
    def label(self) -> str:
        target = self.level.person or ", ".join(self.level.rotations)
        return f"level {self.number} ({target}, after {self.level.after})"


def level_shifts(
    roster: Roster, team_name: str, start: dt.datetime, end: dt.datetime
) -> list[LevelShifts]:
    """Each escalation level of ``team_name`` with the shifts that cover it in [start, end)."""
    team: Team = roster.team(team_name)
    cache: dict[tuple[str, str], list[Shift]] = {}
    result = []
    for number, level in enumerate(team.levels(), start=1):
        shifts: list[Shift] = []
        if level.person is not None:
            shifts.append(Shift(start, end, team_name, "person", level.person, 0))
        for ref in level.rotations:
            found = roster.resolve(ref, team_name)
            if found is None:
                continue
            owner, rotation = found
            key = (owner, rotation.name)
            if key not in cache:
                cache[key] = rotation_shifts(owner, rotation, start, end)
            shifts.extend(cache[key])
        shifts.sort()
        result.append(LevelShifts(number, level, shifts))
    return result


@dataclass(frozen=True)
class OnCallNow:
    """Who is on call at one level at one moment, and until when."""

    team: str
    number: int
    level: Level
    members: list[tuple[str, str, dt.datetime | None]]  # (person, rotation, until; None: always)

    def as_dict(self) -> dict[str, object]:
        return {
            "team": self.team,
            "level": self.number,
            "after": self.level.after,
            "target": self.level.person or self.level.rotations,
            "on_call": [
                {"person": p, "rotation": r, "until": format_instant(u) if u is not None else None}
                for p, r, u in self.members
            ],
        }


def who(roster: Roster, at: dt.datetime, *, team: str | None = None) -> list[OnCallNow]:
    """Who is on call at ``at`` at each level of each selected team, and until when (the end of
    their unbroken cover: contiguous shifts of the same person are one stretch)."""
    at = at.astimezone(UTC)
    horizon = at + _LOOKAHEAD
    result = []
    for name in roster.select(team):
        for level in level_shifts(roster, name, at, horizon):
            members: list[tuple[str, str, dt.datetime | None]] = []
            for shift in level.shifts:
                if not shift.start <= at < shift.end:
                    continue
                until = shift.end
                for later in level.shifts:  # shifts are sorted by start
                    if later.member == shift.member and later.start <= until < later.end:
                        until = later.end
                if shift.rotation == "person" and level.level.person is not None:
                    members.append((shift.member, shift.rotation, None))
                else:
                    label = (
                        shift.rotation if shift.team == name else f"{shift.team}/{shift.rotation}"
                    )
                    members.append((shift.member, label, until))
            result.append(OnCallNow(name, level.number, level.level, members))
    return result


def parse_when(value: str, *, what: str, zone_name: str = "UTC", end: bool = False) -> dt.datetime:
    """A command-line time, read as every command reads one (:func:`opsdocs.instants.parse_instant`:
    ISO 8601, ``now-2h``, Unix seconds), except that a date is its midnight (with ``end``, the
    midnight after it, so that ``--to 2026-03-31`` includes the 31st) and a time without an
    offset is read in ``zone_name`` (UTC unless ``--zone`` says otherwise)."""
    from opsdocs.instants import parse_instant

    text = value.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return parse_instant(text, what=what)  # its one-line error
        local = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time())
        return to_utc(local, zone_name)
    if zone_name != "UTC" and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+", text):
        try:
            return to_utc(dt.datetime.fromisoformat(text), zone_name)
        except ValueError:
            pass
    return parse_instant(text, what=what)


def check_zone(name: str) -> None:
    """UsageError when ``--zone`` names no IANA zone."""
    from opsdocs.errors import UsageError
    from opsdocs.oncall.roster import split_hint

    try:
        zone(name)
    except ValueError as exc:
        what, how = split_hint(str(exc))
        raise UsageError(f"--zone: {what}", hint=how) from None


def parse_range(since: str, until: str, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """``--from`` and ``--to`` as :func:`parse_when` reads them, in ``--zone``."""
    check_zone(zone_name)
    return (
        parse_when(since, what="--from", zone_name=zone_name),
        parse_when(until, what="--to", zone_name=zone_name, end=True),
    )

"""The on-call spec carried in the front matter of ``on-call`` documents.

A document (``on-call-{team}.md``, or one ``on-call.md`` for every team) lists ``teams:``. Each
team has rotations (layers) of members in order, each handing off at a wall-clock time in an IANA
zone after a length (daily, weekly, ``Nd`` or an RFC 5545 RRULE), optionally restricted to hours
and weekdays, with overrides; and an escalation policy whose levels name a rotation (its own, or
``other-team/rotation``), a person, and when they are paged. Everything is strict
(``extra="forbid"``): a misspelt key must fail rather than silently leave a gap. The keys are
described in ``docs/oncall.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from opsdocs.documents.schemas import OptionalServiceFrontMatter
from opsdocs.durations import checked
from opsdocs.validators import NAME, NAME_PATTERN, Strict, unique_names

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "WEEKDAYS",
    "Level",
    "OnCallFrontMatter",
    "OnCallSection",
    "Override",
    "Restriction",
    "Rotation",
    "Team",
    "parse_after",
    "parse_clock",
    "parse_hours",
    "parse_rrule",
    "zone",
]

_PERSON = r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$"
_ROTATION_REF = rf"^(?:{NAME_PATTERN}/)?{NAME_PATTERN}$"
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_ZERO = re.compile(r"^0+[smhdwy]?$")
_DAYS_LENGTH = re.compile(r"^([1-9][0-9]*)\s*d$")
#: Monday first, as :meth:`datetime.date.weekday` counts.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError when the zone database does not know it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'"
        ) from None


def parse_clock(value: object) -> dt.time:
    """``"09:00"`` as a time. An unquoted ``17:00`` reaches us as the YAML 1.1 base-60 integer
    1020, which is the same number of minutes, so it is read back as 17:00."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be a time of day 'HH:MM' such as '09:00' (got {value!r})")
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_hours(value: str) -> tuple[dt.time, dt.time]:
    """``"09:00-17:00"`` as (start, end); an end at or before the start ends the next day."""
    start, sep, end = value.partition("-") if isinstance(value, str) else ("", "", "")
    if not sep:
        raise ValueError(f"must be 'HH:MM-HH:MM' such as '09:00-17:00' (got {value!r})")
    first, last = parse_clock(start), parse_clock(end)
    if first == last:
        raise ValueError(f"covers no time: start and end are both {start.strip()}")
    return first, last


def parse_after(value: object) -> dt.timedelta:
    """An escalation delay: a duration (``15m``, ``1h30m``), or zero (``0``, ``0m``: at once).
    ValueError otherwise."""
    from opsdocs.durations import duration_timedelta

    text = str(value).strip() if isinstance(value, str | int) else ""
    if _ZERO.match(text):
        return dt.timedelta(0)
    try:
        return duration_timedelta(text)
    except ValueError:
        raise ValueError(
            f"must be a duration such as '15m' or '1h30m', or '0m' (got {value!r})"
        ) from None


def _check_span(value: object) -> str:
    parse_after(value)
    return str(value).strip()


def _clock_text(value: object) -> str:
    time = parse_clock(value)
    return f"{time.hour:02d}:{time.minute:02d}"


Clock = Annotated[str, BeforeValidator(_clock_text)]
Hours = Annotated[str, AfterValidator(checked(parse_hours))]
Zone = Annotated[str, AfterValidator(checked(zone))]
Span = Annotated[str, BeforeValidator(_check_span)]


class Restriction(Strict):
    """When a rotation is on call: weekdays and hours of the day in the rotation's zone."""

    days: list[Weekday] | None = Field(
        default=None, min_length=1, description="Weekdays, e.g. [mon, tue, wed, thu, fri]."
    )
    hours: Hours | None = Field(
        default=None, description="'HH:MM-HH:MM' (an end before the start ends the next day)."
    )

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(
            WEEKDAYS.index(d) for d in (self.days if self.days is not None else WEEKDAYS)
        )

    @property
    def span(self) -> tuple[dt.time, dt.time] | None:
        return parse_hours(self.hours) if self.hours is not None else None


BUSINESS_HOURS = Restriction(days=["mon", "tue", "wed", "thu", "fri"], hours="09:00-17:00")


def _restriction(value: Any) -> Any:
    if value == "business-hours":
        return BUSINESS_HOURS
    if isinstance(value, str):
        raise ValueError(
            f"must be 'business-hours' or a mapping with 'days' and 'hours' (got {value!r})"
        )
    return value


class Override(Strict):
    """Someone who takes the rotation's place from ``from`` to ``to``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    who: str = Field(pattern=_PERSON, description="The person on call instead.")
    start: dt.datetime = Field(
        alias="from", description="ISO 8601; without an offset, in the rotation's zone."
    )
    end: dt.datetime = Field(alias="to", description="ISO 8601, after 'from'.")
    reason: str = ""

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("start")
        if isinstance(start, dt.datetime) and _comparable(value) <= _comparable(start):
            raise ValueError(
                f"the override ends ({value.isoformat()}) at or before it starts"
                f" ({start.isoformat()})"
            )
        return value


def _comparable(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _start(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD); the time of day is 'handoff'")
    return value


class Rotation(Strict):
    """One layer: members in order, one after the other, each for one length."""

    name: str = Field(pattern=NAME, description="Unique in the team, e.g. 'primary'.")
    role: str | None = Field(
        default=None,
        min_length=1,
        description="The ladder role it provides (default: '<name> on-call').",
    )
    members: list[Annotated[str, Field(pattern=_PERSON)]] = Field(
        description="People in rotation order."
    )
    zone: Zone = Field(description="IANA time zone of the handoff, e.g. 'Europe/Berlin'.")
    start: Annotated[dt.date, BeforeValidator(_start)] = Field(
        description="Date of the first handoff (the first member starts then)."
    )
    handoff: Clock = Field(default="09:00", description="Wall-clock time of each handoff.")
    length: str = Field(
        default="weekly",
        description="'daily', 'weekly', 'Nd', or an RFC 5545 RRULE ('RRULE:FREQ=WEEKLY;...').",
    )
    restrict: Annotated[Restriction | None, BeforeValidator(_restriction)] = Field(
        default=None, description="'business-hours', or 'days' and 'hours' in the zone."
    )
    overrides: list[Override] = Field(default_factory=list)

    @field_validator("members")
    @classmethod
    def _members(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("the member list is empty; a rotation needs at least one person")
        return value

    @field_validator("length")
    @classmethod
    def _length(cls, value: str, info: ValidationInfo) -> str:
        text = value.strip()
        if text.lower() in ("daily", "weekly") or _DAYS_LENGTH.match(text):
            return text.lower()
        if text.upper().startswith(("RRULE:", "FREQ=")):
            start = info.data.get("start")
            handoff = info.data.get("handoff")
            if isinstance(start, dt.date) and isinstance(handoff, str):
                first = dt.datetime.combine(start, parse_clock(handoff))
                _check_rrule(text, first)
            return text
        raise ValueError(
            f"must be 'daily', 'weekly', 'Nd' or an RRULE such as "
            f"'RRULE:FREQ=WEEKLY;BYDAY=MO' (got {value!r})"
        )

    @property
    def role_name(self) -> str:
        return self.role if self.role is not None else f"{self.name} on-call"

    @property
    def days(self) -> int | None:
        """The length in days, or None for an RRULE."""
        if self.length == "daily":
            return 1
        if self.length == "weekly":
            return 7
        match = _DAYS_LENGTH.match(self.length)
        return int(match.group(1)) if match else None


def parse_rrule(text: str, first: dt.datetime) -> Iterable[dt.datetime]:
    """A rotation's RRULE length (``RRULE:`` optional) as the handoffs from ``first`` on."""
    from dateutil.rrule import rrulestr

    body = text if text.upper().startswith("RRULE:") else f"RRULE:{text}"
    return rrulestr(body, dtstart=first)


def _check_rrule(text: str, first: dt.datetime) -> None:
    from itertools import islice

    try:
        handoffs = list(islice(parse_rrule(text, first), 2))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an RFC 5545 RRULE: {exc}") from None
    if len(handoffs) < 2:
        raise ValueError(f"the RRULE {text!r} never repeats; a rotation needs a second handoff")


class Level(Strict):
    """One escalation level: who is paged, and how long after the alert."""

    after: Span = Field(default="0m", description="When this level is paged, e.g. '15m'.")
    rotation: str | list[str] | None = Field(
        default=None,
        description="A rotation of the team, 'other-team/rotation', or several (follow the sun).",
    )
    person: str | None = Field(default=None, pattern=_PERSON, description="A person paged.")
    role: str | None = Field(
        default=None, min_length=1, description="The ladder role this level provides."
    )

    @field_validator("rotation")
    @classmethod
    def _refs(cls, value: str | list[str] | None) -> str | list[str] | None:
        for ref in [value] if isinstance(value, str) else value or []:
            if not re.match(_ROTATION_REF, ref):
                raise ValueError(
                    f"must name a rotation as 'rotation' or 'team/rotation' (got {ref!r})"
                )
        if isinstance(value, list) and not value:
            raise ValueError("the rotation list is empty")
        return value

    @field_validator("person")
    @classmethod
    def _one_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("rotation") is not None:
            raise ValueError("give either 'rotation' or 'person', not both")
        return value

    @property
    def rotations(self) -> list[str]:
        if self.rotation is None:
            return []
        return [self.rotation] if isinstance(self.rotation, str) else list(self.rotation)

    @property
    def delay(self) -> dt.timedelta:
        return parse_after(self.after)

    def target(self, team: str) -> str:
        """What the level pages, in full (``team/rotation`` or ``person:name``)."""
        if self.person is not None:
            return f"person:{self.person}"
        return ",".join(sorted(r if "/" in r else f"{team}/{r}" for r in self.rotations))


class Team(Strict):
    """A team's rotations, escalation policy and contact references."""

    name: str = Field(pattern=NAME, description="The team, as runbooks name it in 'owner'.")
    rotations: list[Rotation] = Field(min_length=1)
    escalation: list[Level] = Field(
        default_factory=list,
        description="Levels in order (default: each rotation in turn, 15 minutes apart).",
    )
    contacts: dict[str, str] = Field(
        default_factory=dict,
        description="Person -> a reference to their contact details kept outside git.",
    )

    def levels(self) -> list[Level]:
        """The escalation levels in force (the default: each rotation, 15 minutes apart)."""
        if self.escalation:
            return list(self.escalation)
        return [Level(after=f"{15 * i}m", rotation=r.name) for i, r in enumerate(self.rotations)]

    def rotation(self, name: str) -> Rotation | None:
        return next((r for r in self.rotations if r.name == name), None)


_unique_rotations = unique_names("two rotations are named {!r}; names must be unique")
_unique_team_names = unique_names("two teams are named {!r}; names must be unique")


def _unique_teams(value: list[Team]) -> list[Team]:
    for team in value:
        _unique_rotations(team.rotations)
    return _unique_team_names(value)


#: Teams with unique names, each with uniquely named rotations.
Teams = Annotated[list[Team], AfterValidator(_unique_teams)]


class OnCallSection(BaseModel):
    """Only the schedules (``teams``), so that a document whose other keys are incomplete still
    computes its schedule."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    teams: Teams = Field(default_factory=list)


class OnCallFrontMatter(OptionalServiceFrontMatter):
    """Front matter of an ``on-call`` document: the common keys plus ``teams``."""

    teams: Teams = Field(
        default_factory=list, description="Each team's rotations and escalation policy."
    )

"""Shifts as an RFC 5545 calendar that calendar applications import.

One event per shift. Each event's UID is derived from the team, the rotation and the shift's start
(:attr:`Shift.uid`), never from who is on it, so re-importing an updated schedule updates the
events in place instead of adding copies; ``DTSTAMP`` is the time given (not the wall clock), so
the same schedule renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsdocs.oncall.schedule import Shift

__all__ = ["render_calendar"]

PRODID = "-//opsdocs//on-call schedule//EN"


def render_calendar(shifts: Sequence[Shift], *, stamp: dt.datetime, name: str = "On-call") -> str:
    """The shifts as an iCalendar file (text with CRLF line ends)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = stamp.astimezone(dt.UTC).replace(microsecond=0)
    for shift in shifts:
        event = Event()
        event.add("uid", shift.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        what = "override" if shift.override else "on call"
        event.add("summary", f"{shift.member} {what}: {shift.team} {shift.rotation}")
        event.add("categories", [shift.team, shift.rotation])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    text: str = calendar.to_ical().decode("utf-8")
    return text

"""What is late on an incident: the acknowledgement target and the next status update.

Both come from the severity ladder: ``ack_within`` counts from detection, ``update_every``
from the latest timeline entry while the incident is open. ``incident list`` and ``show`` use
this module, so the two never disagree about what is overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsdocs.incidents.records import OPEN_STATUSES, Incident, TimelineEntry, format_time
from opsdocs.instants import utc_now
from opsdocs.records import json_method

if TYPE_CHECKING:
    from opsdocs.incidents.policy import Playbook
    from opsdocs.workspace import Workspace

__all__ = ["Deadline", "Deadlines", "IncidentView", "deadlines_for", "describe_incident"]


def format_elapsed(delta: dt.timedelta) -> str:
    """How late, for people (``4h 55m``, ``12m 30s``): :func:`opsdocs.durations.format_span`,
    to the minute from an hour on (seconds there are noise)."""
    from opsdocs.durations import format_span

    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 3600:
        seconds -= seconds % 60
    return format_span(seconds)


@dataclass(frozen=True)
class Deadline:
    """One target: when it was (or is) due, and by how much it was missed (None: it was not)."""

    what: str  # "acknowledgement" or "status update"
    due: dt.datetime
    late: dt.timedelta | None = None
    met_at: dt.datetime | None = None  # when the target was met (acknowledged)

    as_dict = json_method(
        "what",
        ("due", format_time),
        ("late_seconds", "late", lambda late: None if late is None else int(late.total_seconds())),
        ("met", "met_at", lambda met: None if met is None else format_time(met)),
    )

    @property
    def mark(self) -> str | None:
        """A short mark for a table (``ack late 4h55m``), or None when not late."""
        if self.late is None:
            return None
        short = "ack" if self.what == "acknowledgement" else "update"
        return f"{short} late {format_elapsed(self.late)}"

    def describe(self) -> str:
        """One sentence for ``show``."""
        due = format_time(self.due)
        if self.what == "acknowledgement":
            if self.met_at is not None:
                return (
                    f"Acknowledged {format_elapsed(self.late)} after the target ({due})."
                    if self.late
                    else f"Acknowledged within the target ({due})."
                )
            if self.late is not None:
                late = format_elapsed(self.late)
                return f"NOT ACKNOWLEDGED: the target ({due}) was missed by {late}."
            return f"Acknowledge by {due}."
        if self.late is not None:
            return f"STATUS UPDATE OVERDUE by {format_elapsed(self.late)} (was due by {due})."
        return f"Next status update due by {due}."


@dataclass(frozen=True)
class Deadlines:
    ack: Deadline | None = None
    update: Deadline | None = None

    def __iter__(self) -> Iterator[Deadline]:
        """The deadlines there are, the acknowledgement first."""
        return (d for d in (self.ack, self.update) if d is not None)

    @property
    def marks(self) -> list[str]:
        """Marks for what is late now, for ``list``."""
        return [d.mark for d in self if d.met_at is None and d.mark]


def deadlines_for(incident: Incident, playbook: Playbook, now: dt.datetime) -> Deadlines:
    """The acknowledgement and status-update deadlines of ``incident`` at ``now``.

    Nothing for a severity off the ladder; no status update once the incident is resolved.
    """
    level = playbook.find_severity(incident.model.severity)
    if level is None:
        return Deadlines()
    milestones = incident.milestones
    detected = milestones.detected or milestones.started
    due = detected + level.ack_target
    acked = milestones.acknowledged
    ack: Deadline | None = None
    if acked is not None:
        ack = Deadline("acknowledgement", due, acked - due if acked > due else None, acked)
    elif incident.status in OPEN_STATUSES:
        ack = Deadline("acknowledgement", due, now - due if now > due else None)
    update: Deadline | None = None
    cadence = level.update_cadence
    if incident.status in OPEN_STATUSES and cadence is not None:
        last = max((e.at for e in incident.timeline), default=detected)
        next_due = last + cadence
        update = Deadline("status update", next_due, now - next_due if now > next_due else None)
    return Deadlines(ack, update)


@dataclass
class IncidentView:
    """An incident as ``show`` presents it: the record, its timeline and its deadlines."""

    incident: Incident
    path: str  # relative to the workspace root
    timeline: list[TimelineEntry]
    deadlines: Deadlines
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: the record's fields as stored, its path, timeline and deadlines."""
        data: dict[str, Any] = self.incident.model.model_dump(mode="json")
        data["path"] = self.path
        data["timeline"] = [{"at": format_time(e.at), "text": e.text} for e in self.timeline]
        data["deadlines"] = [d.as_dict() for d in self.deadlines]
        return data


def describe_incident(
    workspace: Workspace, ident: str, *, now: dt.datetime | None = None
) -> IncidentView:
    """Read the incident ``ident`` names and work out what is late at ``now``."""
    from opsdocs.incidents.policy import load_playbook
    from opsdocs.incidents.records import find_incident, read_incident

    incident = read_incident(find_incident(workspace, ident))
    playbook = load_playbook(workspace)
    return IncidentView(
        incident,
        workspace.relative(incident.path),
        incident.timeline,
        deadlines_for(incident, playbook, utc_now(now)),
        list(playbook.warnings),
    )

"""Numbers over the incident history: counts, response times, overdue follow-ups.

Response times, per incident, from its milestones:

- detect: started → detected
- acknowledge: detected → acknowledged
- mitigate: started → mitigated
- resolve: started → resolved

Each is summarised as median, p90 (linear interpolation between closest ranks, the "inclusive"
method of :func:`statistics.quantiles`) and max, never as a mean alone: a few long incidents
would hide in a mean. Fewer than :data:`SMALL_SAMPLE` values gets a warning. Drills are left
out unless asked for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.folder import document_paths
from opsdocs.errors import OpsdocsError
from opsdocs.incidents.records import OPEN_STATUSES, Incident, read_incident
from opsdocs.instants import utc_now
from opsdocs.records import dicts, json_method

if TYPE_CHECKING:
    from opsdocs.incidents.policy import Playbook
    from opsdocs.workspace import Workspace

__all__ = [
    "METRICS",
    "SMALL_SAMPLE",
    "ActionItemDue",
    "IncidentRow",
    "PostmortemDue",
    "Stats",
    "Summary",
    "compute_stats",
    "list_incidents",
    "load_history",
    "percentile",
    "summarise",
]

#: Below this many values, percentiles say little: the report says so.
SMALL_SAMPLE = 10

#: metric -> (from milestone, to milestone)
METRICS: dict[str, tuple[str, str]] = {
    "detect": ("started", "detected"),
    "acknowledge": ("detected", "acknowledged"),
    "mitigate": ("started", "mitigated"),
    "resolve": ("started", "resolved"),
}


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.9 for p90) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """Median, p90 and max of one metric, in seconds."""

    count: int
    median: float
    p90: float
    max: float

    as_dict = json_method("count", "median", "p90", "max")


def summarise(values: list[float]) -> Summary | None:
    if not values:
        return None
    return Summary(len(values), percentile(values, 0.5), percentile(values, 0.9), max(values))


@dataclass(frozen=True)
class PostmortemDue:
    incident: str
    severity: str
    due: dt.date
    status: str | None  # None: not written yet

    as_dict = json_method("incident", "severity", ("due", dt.date.isoformat), "status")


@dataclass(frozen=True)
class ActionItemDue:
    postmortem: str  # path relative to the root
    what: str
    owner: str | None
    due: dt.date

    as_dict = json_method("postmortem", "what", "owner", ("due", dt.date.isoformat))


@dataclass
class Stats:
    incidents: int
    drills_excluded: int
    by_severity: dict[str, int]
    by_service: dict[str, int]
    times: dict[str, Summary | None]
    not_incidents_excluded: int = 0  # closed as duplicates or false alarms
    overdue_postmortems: list[PostmortemDue] = field(default_factory=list)
    overdue_action_items: list[ActionItemDue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    as_dict = json_method(
        "incidents",
        "drills_excluded",
        "by_severity",
        "by_service",
        ("times", lambda times: {k: None if v is None else v.as_dict() for k, v in times.items()}),
        "not_incidents_excluded",
        ("overdue_postmortems", dicts),
        ("overdue_action_items", dicts),
        "warnings",
    )

    @property
    def has_findings(self) -> bool:
        """A postmortem or an action item is overdue (``incident stats`` exits 1)."""
        return bool(self.overdue_postmortems or self.overdue_action_items)


def load_history(workspace: Workspace) -> tuple[list[Incident], list[str]]:
    """Every incident record that reads; the others become warnings."""
    incidents: list[Incident] = []
    warnings: list[str] = []
    for path in document_paths(workspace, "incident"):
        try:
            incidents.append(read_incident(path))
        except OpsdocsError as exc:
            if exc.path is not None and Path(exc.path).is_absolute():
                exc.path = workspace.relative(Path(exc.path))  # as the user sees it
            warnings.append(f"skipped {exc.format()}")
    return incidents, warnings


def _history(
    workspace: Workspace, *, since: dt.date | None, service: str | None, severity: str | None
) -> tuple[list[Incident], list[str], Playbook]:
    """The incidents the filters choose, the warnings for records that do not read, and the
    playbook. A filter severity must be on the ladder or on some record; else UsageError."""
    from opsdocs.incidents.policy import load_playbook

    history, warnings = load_history(workspace)
    playbook = load_playbook(workspace)
    if severity is not None and not any(
        i.model.severity.lower() == severity.lower() for i in history
    ):
        playbook.severity(severity)
    chosen = []
    for incident in history:
        model = incident.model
        if since is not None and model.milestones.started.date() < since:
            continue
        if service is not None and service not in model.services:
            continue
        if severity is not None and model.severity.lower() != severity.lower():
            continue
        chosen.append(incident)
    return chosen, warnings, playbook


def compute_stats(
    workspace: Workspace,
    *,
    since: dt.date | None = None,
    service: str | None = None,
    severity: str | None = None,
    include_drills: bool = False,
    today: dt.date | None = None,
) -> Stats:
    """Counts, response times and overdue follow-ups over the chosen incidents."""
    from opsdocs.incidents.postmortem import postmortem_path, read_postmortem

    today = today or dt.date.today()
    chosen, warnings, playbook = _history(
        workspace, since=since, service=service, severity=severity
    )
    # Duplicates and false alarms were never incidents of their own: always left out.
    not_incidents = [i for i in chosen if i.model.closed_as is not None]
    chosen = [i for i in chosen if i.model.closed_as is None]
    drills = [i for i in chosen if i.model.drill]
    if not include_drills:
        chosen = [i for i in chosen if not i.model.drill]
    severities = Counter(i.model.severity for i in chosen)
    by_severity = {
        name: severities[name] for name in sorted(severities, key=lambda n: (playbook.rank(n), n))
    }
    services = Counter(s for i in chosen for s in i.model.services)
    by_service = dict(sorted(services.items(), key=lambda item: (-item[1], item[0])))
    times: dict[str, Summary | None] = {}
    for metric, (start, end) in METRICS.items():
        spans = [(getattr(i.milestones, start), getattr(i.milestones, end)) for i in chosen]
        values = [(b - a).total_seconds() for a, b in spans if a is not None and b is not None]
        times[metric] = summarise(values)
        if len(values) < SMALL_SAMPLE:
            warnings.append(
                f"time to {metric}: only {len(values)} incident"
                f"{'' if len(values) == 1 else 's'} with both milestones; median and p90 say "
                f"little below {SMALL_SAMPLE}"
            )
    stats = Stats(
        incidents=len(chosen),
        drills_excluded=0 if include_drills else len(drills),
        not_incidents_excluded=len(not_incidents),
        by_severity=by_severity,
        by_service=by_service,
        times=times,
        warnings=warnings,
    )
    for incident in chosen:
        path = postmortem_path(workspace, incident.id)
        due = incident.model.postmortem_due
        status = None
        if path.is_file():
            try:
                _, postmortem = read_postmortem(path)
            except OpsdocsError as exc:
                stats.warnings.append(f"skipped {exc}")
                continue
            status = postmortem.status
            for item in postmortem.action_items:
                if item.status != "done" and item.due is not None and item.due < today:
                    stats.overdue_action_items.append(
                        ActionItemDue(workspace.relative(path), item.what, item.owner, item.due)
                    )
        if due is not None and due < today and status not in ("Reviewed", "Closed"):
            stats.overdue_postmortems.append(
                PostmortemDue(incident.id, incident.model.severity, due, status)
            )
    return stats


@dataclass(frozen=True)
class IncidentRow:
    id: str
    path: str
    title: str
    severity: str
    status: str
    services: list[str]
    started: str
    drill: bool
    late: list[str] = field(default_factory=list)  # missed targets now: "ack late 4h55m"
    closed_as: str | None = None

    as_dict = json_method(
        "id",
        "path",
        "title",
        "severity",
        "status",
        "services",
        "started",
        "drill",
        "late",
        "closed_as",
    )


def list_incidents(
    workspace: Workspace,
    *,
    open_only: bool = False,
    since: dt.date | None = None,
    service: str | None = None,
    severity: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[IncidentRow], list[str]]:
    """Incidents, newest first, with the filters applied and what is late at ``now`` marked;
    unreadable records are warnings."""
    from opsdocs.incidents.deadlines import deadlines_for
    from opsdocs.incidents.records import format_time

    chosen, warnings, playbook = _history(
        workspace, since=since, service=service, severity=severity
    )
    when = utc_now(now)
    rows = []
    for incident in chosen:
        if open_only and incident.status not in OPEN_STATUSES:
            continue
        model = incident.model
        rows.append(
            IncidentRow(
                id=incident.id,
                path=workspace.relative(incident.path),
                title=model.title,
                severity=model.severity,
                status=model.status,
                services=list(model.services),
                started=format_time(model.milestones.started),
                drill=model.drill,
                late=deadlines_for(incident, playbook, when).marks,
                closed_as=model.closed_as,
            )
        )
    rows.sort(key=lambda r: (r.started, r.id), reverse=True)
    return rows, warnings

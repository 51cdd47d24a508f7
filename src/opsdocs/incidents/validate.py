"""Check rules for incident records and postmortems, as pure functions.

Each function takes a parsed :class:`~opsdocs.documents.parse.Document` (and the date to judge
deadlines by) and returns :class:`Finding` tuples ``(name, line, col, message)``. They read the
raw front matter, so a record with a schema error elsewhere still gets these findings; the
schema itself is checked by the kind's model. The ``check`` command wires them in as a rule
family.

Rules (name: what it finds):

- ``incident-milestones-out-of-order``: a milestone earlier than one that must precede it
  (started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved).
- ``incident-status-without-milestone``: a status whose milestone is missing (``resolved``
  without ``milestones.resolved``, ...).
- ``incident-timeline-out-of-order``: a timeline entry earlier than the entry above it.
- ``incident-postmortem-overdue``: a required postmortem past its due date and not yet
  Reviewed or Closed.
- ``postmortem-action-item-without-owner`` / ``postmortem-action-item-without-due-date``.
- ``postmortem-action-item-overdue``: an open action item past its due date.
- ``postmortem-overdue``: the postmortem itself past due and still Draft or In Review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from opsdocs.documents.parse import Document
from opsdocs.documents.schemas import as_date
from opsdocs.incidents.records import MILESTONES, format_time, parse_timeline

__all__ = [
    "RULES",
    "Finding",
    "incident_findings",
    "postmortem_findings",
]


class Finding(NamedTuple):
    name: str
    line: int
    col: int
    message: str


#: name -> one-line summary, for the check registry.
RULES: dict[str, str] = {
    "incident-milestones-out-of-order": "An incident milestone is earlier than one before it.",
    "incident-status-without-milestone": "An incident's status has no matching milestone.",
    "incident-timeline-out-of-order": "A timeline entry is earlier than the one above it.",
    "incident-postmortem-overdue": "A required postmortem is past due and not reviewed.",
    "postmortem-action-item-without-owner": "A postmortem action item has no owner.",
    "postmortem-action-item-without-due-date": "A postmortem action item has no due date.",
    "postmortem-action-item-overdue": "An open postmortem action item is past its due date.",
    "postmortem-overdue": "A postmortem is past its due date and still in Draft or In Review.",
}

#: The milestone each status needs.
_STATUS_MILESTONE = {
    "active": "acknowledged",
    "mitigated": "mitigated",
    "resolved": "resolved",
    "closed": "resolved",
}


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else None
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return when.astimezone(dt.UTC) if when.tzinfo else None
    return None


def incident_findings(
    doc: Document, *, today: dt.date, postmortem_status: str | None = None
) -> list[Finding]:
    """Findings for an incident record.

    ``postmortem_status`` is the status of the incident's postmortem (None: not written).
    """
    fm = doc.front_matter or {}
    findings: list[Finding] = []
    milestones = fm.get("milestones")
    times: dict[str, dt.datetime] = {}
    if isinstance(milestones, dict):
        for name in MILESTONES:
            when = _time(milestones.get(name))
            if when is not None:
                times[name] = when
        latest: tuple[str, dt.datetime] | None = None
        for name in MILESTONES:
            if name not in times:
                continue
            if latest is not None and times[name] < latest[1]:
                line, col = doc.position(("milestones", name))
                findings.append(
                    Finding(
                        "incident-milestones-out-of-order",
                        line,
                        col,
                        f"{name} ({format_time(times[name])}) is before {latest[0]} "
                        f"({format_time(latest[1])})",
                    )
                )
            else:
                latest = (name, times[name])
    status = fm.get("status")
    needed = _STATUS_MILESTONE.get(status) if isinstance(status, str) else None
    if needed is not None and needed not in times:
        line, col = doc.position(("status",))
        findings.append(
            Finding(
                "incident-status-without-milestone",
                line,
                col,
                f"status is {status} but milestones.{needed} is not set",
            )
        )
    previous = None
    for entry in parse_timeline(doc):
        if previous is not None and entry.at < previous:
            findings.append(
                Finding(
                    "incident-timeline-out-of-order",
                    entry.line,
                    1,
                    f"entry at {format_time(entry.at)} comes after one at {format_time(previous)}",
                )
            )
        previous = entry.at if previous is None else max(previous, entry.at)
    due = as_date(fm.get("postmortem_due"))
    if due is not None and due < today and postmortem_status not in ("Reviewed", "Closed"):
        line, col = doc.position(("postmortem_due",))
        state = "not written" if postmortem_status is None else postmortem_status
        findings.append(
            Finding(
                "incident-postmortem-overdue",
                line,
                col,
                f"the required postmortem was due {due.isoformat()} and is {state}",
            )
        )
    return findings


def postmortem_findings(doc: Document, *, today: dt.date) -> list[Finding]:
    """Findings for a postmortem: action items and the review's own due date."""
    fm = doc.front_matter or {}
    findings: list[Finding] = []
    items = fm.get("action_items")
    if isinstance(items, list):
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            line, col = doc.position(("action_items", n))
            what = str(item.get("what") or f"action item {n + 1}").strip()
            owner = item.get("owner")
            if not (isinstance(owner, str) and owner.strip()):
                findings.append(
                    Finding(
                        "postmortem-action-item-without-owner", line, col, f"{what!r} has no owner"
                    )
                )
            due = as_date(item.get("due"))
            if due is None:
                findings.append(
                    Finding(
                        "postmortem-action-item-without-due-date",
                        line,
                        col,
                        f"{what!r} has no due date",
                    )
                )
            elif due < today and item.get("status", "open") != "done":
                findings.append(
                    Finding(
                        "postmortem-action-item-overdue",
                        line,
                        col,
                        f"{what!r} was due {due.isoformat()} and is still open",
                    )
                )
    due = as_date(fm.get("due"))
    status = fm.get("status")
    if due is not None and due < today and status in ("Draft", "In Review"):
        line, col = doc.position(("due",))
        findings.append(
            Finding(
                "postmortem-overdue",
                line,
                col,
                f"the postmortem was due {due.isoformat()} and is still {status}",
            )
        )
    return findings

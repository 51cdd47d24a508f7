"""Check rules for incident records and postmortems, as pure functions.

Each function takes a parsed :class:`~opsdocs.documents.parse.Document` (and the date to judge
deadlines by) and returns :class:`~opsdocs.diagnostics.Diagnostic` objects carrying the rule's
code and name (:data:`CODES`); the check registry adds the hint and the path. They read the
raw front matter, so a record with a schema error elsewhere still gets these findings; the
schema itself is checked by the kind's model. Rules that depend on the date (or on another
document, the postmortem's status) also come as a pair: ``*_due_facts(doc)`` extracts JSON that
can be cached with the document, ``*_due_findings(facts, today=...)`` judges it.

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
- ``incident-severity-not-on-ladder``: an incident whose severity is not a rung of the
  playbook's ladder (or of the default ladder when the playbook defines none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.parse import Document
from opsdocs.documents.schemas import as_date
from opsdocs.incidents.records import MILESTONES, format_time, parse_timeline

__all__ = [
    "CODES",
    "RULES",
    "incident_due_facts",
    "incident_due_findings",
    "incident_findings",
    "ladder_facts",
    "ladder_findings",
    "postmortem_due_facts",
    "postmortem_due_findings",
    "postmortem_findings",
]


#: The IR rules by name, in the order of their codes (IR001, IR002, ...).
RULES: tuple[str, ...] = (
    "incident-milestones-out-of-order",
    "incident-status-without-milestone",
    "incident-timeline-out-of-order",
    "incident-postmortem-overdue",
    "postmortem-action-item-without-owner",
    "postmortem-action-item-without-due-date",
    "postmortem-action-item-overdue",
    "postmortem-overdue",
    "incident-severity-not-on-ladder",
)

#: name -> rule code.
CODES: dict[str, str] = {name: f"IR{n:03d}" for n, name in enumerate(RULES, start=1)}


def _finding(name: str, at: Sequence[int], message: str) -> Diagnostic:
    """A finding of rule ``name`` at ``at`` (line, column)."""
    line, col = at
    return Diagnostic(line=line, col=col, code=CODES[name], name=name, message=message)


#: The milestone each status needs.
_STATUS_MILESTONE = {
    "active": "acknowledged",
    "mitigated": "mitigated",
    "resolved": "resolved",
    "closed": "resolved",
}


def _time(value: Any) -> dt.datetime | None:
    """A milestone's time in UTC (None: not a time, or one without a zone)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) and value.tzinfo else None


def incident_findings(
    doc: Document, *, today: dt.date | None, postmortem_status: str | None = None
) -> list[Diagnostic]:
    """Findings for an incident record.

    ``today`` None leaves out the rules that depend on the date. ``postmortem_status`` is the
    status of the incident's postmortem (None: not written).
    """
    findings = _incident_document(doc)
    if today is not None:
        findings += incident_due_findings(
            incident_due_facts(doc), today=today, postmortem_status=postmortem_status
        )
    return findings


def _incident_document(doc: Document) -> list[Diagnostic]:
    fm = doc.front_matter or {}
    findings: list[Diagnostic] = []
    raw = fm.get("milestones")
    milestones: dict[str, Any] = raw if isinstance(raw, dict) else {}
    times: dict[str, dt.datetime] = {}
    latest: tuple[str, dt.datetime] | None = None
    for name in MILESTONES:
        when = _time(milestones.get(name))
        if when is None:
            continue
        times[name] = when
        if latest is not None and when < latest[1]:
            findings.append(
                _finding(
                    "incident-milestones-out-of-order",
                    doc.position(("milestones", name)),
                    f"{name} ({format_time(when)}) is before {latest[0]} "
                    f"({format_time(latest[1])})",
                )
            )
        else:
            latest = (name, when)
    status = fm.get("status")
    needed = _STATUS_MILESTONE.get(status) if isinstance(status, str) else None
    if fm.get("closed_as") and status == "closed":
        needed = None  # a duplicate or false alarm is closed without being resolved
    if needed is not None and needed not in times:
        findings.append(
            _finding(
                "incident-status-without-milestone",
                doc.position(("status",)),
                f"status is {status} but milestones.{needed} is not set",
            )
        )
    previous = None
    for entry in parse_timeline(doc):
        if previous is not None and entry.at < previous:
            findings.append(
                _finding(
                    "incident-timeline-out-of-order",
                    (entry.line, 1),
                    f"entry at {format_time(entry.at)} comes after one at {format_time(previous)}",
                )
            )
        previous = entry.at if previous is None else max(previous, entry.at)
    return findings


def incident_due_facts(doc: Document) -> dict[str, Any]:
    """What the date-dependent incident rule needs, as JSON (``check`` caches it)."""
    fm = doc.front_matter or {}
    due = as_date(fm.get("postmortem_due"))
    ident = fm.get("id")
    return {
        "id": ident if isinstance(ident, str) else doc.path.stem,
        "postmortem_due": due.isoformat() if due else None,
        "position": list(doc.position(("postmortem_due",))),
    }


def incident_due_findings(
    facts: dict[str, Any], *, today: dt.date, postmortem_status: str | None
) -> list[Diagnostic]:
    """``incident-postmortem-overdue`` from :func:`incident_due_facts`."""
    due = as_date(facts.get("postmortem_due"))
    if due is None or due >= today or postmortem_status in ("Reviewed", "Closed"):
        return []
    state = "not written" if postmortem_status is None else postmortem_status
    return [
        _finding(
            "incident-postmortem-overdue",
            facts.get("position") or (1, 1),
            f"the required postmortem was due {due.isoformat()} and is {state}",
        )
    ]


def postmortem_findings(doc: Document, *, today: dt.date | None) -> list[Diagnostic]:
    """Findings for a postmortem: action items and the review's own due date.

    ``today`` None leaves out the rules that depend on the date.
    """
    findings: list[Diagnostic] = []
    for n, item in _action_items(doc):
        at, what = doc.position(("action_items", n)), _what(item, n)
        owner = item.get("owner")
        if not (isinstance(owner, str) and owner.strip()):
            findings.append(
                _finding("postmortem-action-item-without-owner", at, f"{what!r} has no owner")
            )
        if as_date(item.get("due")) is None:
            findings.append(
                _finding("postmortem-action-item-without-due-date", at, f"{what!r} has no due date")
            )
    if today is not None:
        findings += postmortem_due_findings(postmortem_due_facts(doc), today=today)
    return findings


def _action_items(doc: Document) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) of each action item of a postmortem that is a mapping."""
    items = (doc.front_matter or {}).get("action_items")
    for n, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield n, item


def _what(item: dict[str, Any], n: int) -> str:
    return str(item.get("what") or f"action item {n + 1}").strip()


def postmortem_due_facts(doc: Document) -> dict[str, Any]:
    """What the date-dependent postmortem rules need, as JSON (``check`` caches it)."""
    fm = doc.front_matter or {}
    status = fm.get("status")
    incident = fm.get("incident")
    due = as_date(fm.get("due"))
    items = []
    for n, item in _action_items(doc):
        item_due = as_date(item.get("due"))
        items.append(
            {
                "what": _what(item, n),
                "due": item_due.isoformat() if item_due else None,
                "done": item.get("status") == "done",
                "position": list(doc.position(("action_items", n))),
            }
        )
    return {
        "incident": incident if isinstance(incident, str) else None,
        "status": status if isinstance(status, str) else None,
        "due": due.isoformat() if due else None,
        "position": list(doc.position(("due",))),
        "items": items,
    }


def postmortem_due_findings(facts: dict[str, Any], *, today: dt.date) -> list[Diagnostic]:
    """``postmortem-action-item-overdue`` and ``postmortem-overdue`` from
    :func:`postmortem_due_facts`."""
    findings: list[Diagnostic] = []
    for item in facts.get("items") or []:
        due = as_date(item.get("due"))
        if due is not None and due < today and not item.get("done"):
            findings.append(
                _finding(
                    "postmortem-action-item-overdue",
                    item.get("position") or (1, 1),
                    f"{item.get('what')!r} was due {due.isoformat()} and is still open",
                )
            )
    due = as_date(facts.get("due"))
    status = facts.get("status")
    if due is not None and due < today and status in ("Draft", "In Review"):
        findings.append(
            _finding(
                "postmortem-overdue",
                facts.get("position") or (1, 1),
                f"the postmortem was due {due.isoformat()} and is still {status}",
            )
        )
    return findings


def ladder_facts(doc: Document, kind: str | None) -> dict[str, Any] | None:
    """What ``incident-severity-not-on-ladder`` needs from one document, as JSON.

    A playbook gives its ladder (``severities: None`` when it defines none, so the default
    ladder applies; ``valid: False`` when its ladder does not validate, which the schema rule
    reports); an incident gives its severity and where it is written.
    """
    fm = doc.front_matter or {}
    if kind == "incident-response":
        if "severities" not in fm:
            return {"severities": None, "valid": True}
        from pydantic import TypeAdapter, ValidationError

        from opsdocs.incidents.policy import Severity

        try:
            ladder = TypeAdapter(list[Severity]).validate_python(fm["severities"])
        except ValidationError:
            return {"severities": None, "valid": False}
        return {"severities": [severity.name for severity in ladder], "valid": True}
    if kind == "incident":
        severity = fm.get("severity")
        if not isinstance(severity, str) or not severity.strip():
            return None  # the schema rule reports a missing severity
        return {"severity": severity, "position": list(doc.position(("severity",)))}
    return None


def ladder_findings(incident: dict[str, Any], ladder: list[str], source: str) -> list[Diagnostic]:
    """``incident-severity-not-on-ladder`` for one incident's :func:`ladder_facts`."""
    severity = str(incident["severity"]).strip()
    if severity.lower() in {name.lower() for name in ladder}:
        return []
    return [
        _finding(
            "incident-severity-not-on-ladder",
            incident.get("position") or (1, 1),
            f"severity {severity!r} is not on the ladder ({', '.join(ladder)} from {source})",
        )
    ]

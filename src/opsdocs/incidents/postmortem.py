"""Postmortems: the blameless review of one incident, ``postmortems/<incident id>.md``.

``opsdocs incident postmortem ID`` writes it from the template with the timeline and the numbers
(duration, times to detect, acknowledge, mitigate and resolve, error budget) taken from the
incident record, and the due date from the severity ladder. Its status moves forward one step
at a time: Draft → In Review → Reviewed → Closed; it cannot be marked Reviewed while an action
item lacks an owner or a due date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, ValidationError

from opsdocs.documents.frontmatter import edit_front_matter
from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import Document, parse_document, read_document
from opsdocs.documents.render import render_template
from opsdocs.documents.schemas import ActionItem, FrontMatter
from opsdocs.errors import DocumentError, InputError, UsageError
from opsdocs.fileio import locked
from opsdocs.incidents.records import (
    Incident,
    find_incident,
    format_time,
    read_incident,
    template_source,
    validate_front_matter,
    write_record,
)

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "POSTMORTEM_STATUSES",
    "ActionItem",
    "PostmortemFrontMatter",
    "PostmortemResult",
    "create_postmortem",
    "postmortem_gap",
    "postmortem_path",
    "read_postmortem",
    "set_postmortem_status",
    "unfinished_sections",
]

PostmortemStatus = Literal["Draft", "In Review", "Reviewed", "Closed"]
POSTMORTEM_STATUSES: tuple[PostmortemStatus, ...] = ("Draft", "In Review", "Reviewed", "Closed")
DONE_STATUSES = ("Reviewed", "Closed")


class PostmortemFrontMatter(FrontMatter):
    """Front matter of a postmortem."""

    last_reviewed: dt.date | None = Field(  # type: ignore[assignment]
        default=None, description="Not used for postmortems (see status)."
    )
    incident: str = Field(min_length=1, description="Id of the incident reviewed.")
    severity: str = Field(min_length=1, description="The incident's severity.")
    status: PostmortemStatus = Field(description="Draft, In Review, Reviewed or Closed.")
    due: dt.date | None = Field(default=None, description="When the review is due.")
    action_items: list[Annotated[ActionItem, Field()]] = Field(
        default_factory=list, description="Follow-ups with owner, due date and tracker link."
    )


@dataclass
class PostmortemResult:
    path: Path
    due: dt.date | None


def postmortem_path(workspace: Workspace, incident_id: str) -> Path:
    kind = get_kind("postmortem")
    return workspace.docs_dir / kind.folder / f"{incident_id}.md"


def read_postmortem(path: Path) -> tuple[Document, PostmortemFrontMatter]:
    """Parse and validate a postmortem; DocumentError at the offending key."""
    doc = read_document(path)
    hint = "fix the postmortem's front matter (see docs/incidents.md)"
    return doc, validate_front_matter(doc, PostmortemFrontMatter, hint=hint)


def _span(start: dt.datetime | None, end: dt.datetime | None) -> str:
    if start is None or end is None:
        return "not recorded"
    minutes = int((end - start).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _impact(incident: Incident) -> str:
    m = incident.milestones
    lines = [
        f"- Duration (started to resolved): {_span(m.started, m.resolved)}",
        f"- Time to detect: {_span(m.started, m.detected)}",
        f"- Time to acknowledge (from detection): {_span(m.detected, m.acknowledged)}",
        f"- Time to mitigate (from start): {_span(m.started, m.mitigated)}",
        f"- Time to resolve (from start): {_span(m.started, m.resolved)}",
    ]
    for record in incident.model.error_budget:
        slo = f" ({record.slo})" if record.slo else ""
        share = (
            f"unknown ({record.reason})" if record.share is None else f"{record.share * 100:.2f}%"
        )
        lines.append(f"- Error budget consumed, {record.service}{slo}: {share}")
    return "\n".join(lines)


def _timeline(incident: Incident) -> str:
    entries = incident.timeline
    if not entries:
        return "TODO: no entries in the incident record."
    return "\n".join(f"- {format_time(e.at)} — {e.text}" for e in entries)


def create_postmortem(
    workspace: Workspace, ident: str, *, owner: str | None = None
) -> PostmortemResult:
    """Write the postmortem of a resolved incident from the template.

    Raises :class:`UsageError` when the incident is unknown or not resolved yet and
    :class:`InputError` when the postmortem exists already.
    """
    incident = read_incident(find_incident(workspace, ident))
    if incident.status not in ("resolved", "closed"):
        raise UsageError(
            f"incident {incident.id} is {incident.status}: write the postmortem once it is "
            "resolved",
            hint=f"resolve it first: opsdocs incident resolve {incident.id}",
        )
    path = postmortem_path(workspace, incident.id)
    if path.exists():
        raise InputError(
            "postmortem already exists",
            path=workspace.relative(path),
            hint="edit it, or move it forward with --status",
        )
    source, label = template_source(workspace, "postmortem")
    link = os.path.relpath(incident.path, path.parent).replace(os.sep, "/")
    due = incident.model.postmortem_due
    text = render_template(
        source,
        {
            "kind": "postmortem",
            "title": f"Postmortem: {incident.model.title}",
            "owner": owner or incident.model.owner,
            "incident_id": incident.id,
            "incident_link": link,
            "severity": incident.model.severity,
            "services": ", ".join(incident.model.services),
            "due": due.isoformat() if due else "",
            "impact": _impact(incident),
            "timeline": _timeline(incident),
            "today": dt.date.today().isoformat(),
        },
        path=label,
    )
    doc = parse_document(path, text)
    try:
        PostmortemFrontMatter.model_validate(doc.require_front_matter())
    except ValidationError as exc:
        raise InputError(
            f"the template renders to an invalid postmortem: {exc.errors()[0]['msg']}",
            path=label,
            hint="fix the template's front matter",
        ) from None
    with locked(workspace.root, path):
        write_record(workspace, path, text, create=True)
    return PostmortemResult(path, due)


def unfinished_sections(workspace: Workspace, doc: Document) -> list[tuple[str, int, str]]:
    """The postmortem's required sections that are not written yet, as (title, line, what):
    missing, empty (nothing but the template's guidance), or still holding a placeholder by
    the same test as ``check``'s placeholder-text rule (CT001)."""
    from opsdocs.check.context import DocContext, resolve_type
    from opsdocs.check.registry import get_rule
    from opsdocs.check.settings import load_settings

    settings = load_settings(workspace.config)
    rel = [workspace.relative(doc.path)]
    ctx = DocContext(doc.path, doc, resolve_type(doc, rel, settings), rel, settings)
    hits: dict[int, str] = {}
    for found in get_rule("CT001").run(ctx):
        hits.setdefault(found.line, found.message)
    kind = get_kind("postmortem")
    guidance = {f"_{spec.guidance}_" for spec in kind.sections}
    gaps: list[tuple[str, int, str]] = []
    for spec in kind.sections:
        section = doc.section(spec.title)
        if section is None:
            gaps.append((spec.title, 1, "missing"))
            continue
        lines = range(section.start_line, section.end_line + 1)
        placeholder = next((n for n in lines if n in hits), None)
        if placeholder is not None:
            gaps.append((spec.title, placeholder, hits[placeholder]))
        elif not any(doc.lines[n - 1].strip() not in ("", *guidance) for n in lines):
            gaps.append((spec.title, section.line, "empty"))
    return gaps


def _require_filled(workspace: Workspace, doc: Document, wanted: str) -> None:
    gaps = unfinished_sections(workspace, doc)
    if not gaps:
        return
    title, line, what = gaps[0]
    more = (
        f" (and {len(gaps) - 1} more section{'s' if len(gaps) > 2 else ''})"
        if len(gaps) > 1
        else ""
    )
    raise DocumentError(
        f"section {title!r} is not written yet: {what}{more}",
        path=workspace.relative(doc.path),
        line=line,
        col=1,
        hint=f"fill in every section before {wanted} ('opsdocs check' lists what is left)",
    )


def postmortem_gap(workspace: Workspace, incident_id: str) -> str | None:
    """Why the incident's postmortem does not yet allow closing it (None: it does): not
    written, not Reviewed or Closed, or with sections still unwritten."""
    path = postmortem_path(workspace, incident_id)
    try:
        doc = read_document(path) if path.is_file() else None
    except InputError:
        doc = None
    status = doc.get("status") if doc is not None else None
    if doc is None or not isinstance(status, str):
        return "there is no postmortem"
    if status not in DONE_STATUSES:
        return f"the postmortem is {status}"
    gaps = unfinished_sections(workspace, doc)
    if gaps:
        names = ", ".join(repr(title) for title, _, _ in gaps)
        return f"the postmortem's sections {names} are not written yet"
    return None


def _normalise_status(value: str) -> PostmortemStatus:
    key = " ".join(value.replace("-", " ").replace("_", " ").split()).lower()
    for status in POSTMORTEM_STATUSES:
        if status.lower() == key:
            return status
    raise UsageError(
        f"unknown postmortem status {value!r}", hint=f"use one of {', '.join(POSTMORTEM_STATUSES)}"
    )


def next_status(status: str) -> PostmortemStatus | None:
    """The status after ``status`` (None after Closed or for an unknown one)."""
    following: dict[str, PostmortemStatus] = dict(itertools.pairwise(POSTMORTEM_STATUSES))
    return following.get(status)


def set_postmortem_status(workspace: Workspace, ident: str, status: str) -> tuple[Path, str, str]:
    """Move a postmortem one step forward (Draft → In Review → Reviewed → Closed): a review
    cannot be skipped.

    The front matter is edited round-trip (:func:`edit_front_matter`): only the ``status``
    key is written anew, so comments and layout stay. Returns (path, old, new).
    """
    wanted = _normalise_status(status)
    incident_path = find_incident(workspace, ident)
    path = postmortem_path(workspace, incident_path.stem)
    if not path.is_file():
        raise UsageError(
            f"incident {incident_path.stem} has no postmortem yet",
            hint=f"write it: opsdocs incident postmortem {incident_path.stem}",
        )
    with locked(workspace.root, path):
        doc, model = read_postmortem(path)
        old = model.status
        step = POSTMORTEM_STATUSES.index(wanted) - POSTMORTEM_STATUSES.index(old)
        if step != 1:
            following = next_status(old)
            then = f"next is {following}; " if following and step > 1 else ""
            raise UsageError(
                f"postmortem is {old}; it cannot move to {wanted}",
                hint=f"{then}the order is {' → '.join(POSTMORTEM_STATUSES)}, one step at a time",
            )
        if old == "Draft":
            _require_filled(workspace, doc, wanted)
        if wanted in DONE_STATUSES:
            for n, item in enumerate(model.action_items):
                missing = [k for k in ("owner", "due") if getattr(item, k) in (None, "")]
                if missing:
                    line, col = doc.position(("action_items", n))
                    raise DocumentError(
                        f"action item {item.what!r} has no {' and no '.join(missing)}",
                        path=workspace.relative(path),
                        line=line,
                        col=col,
                        hint=f"give every action item an owner and a due date before {wanted}",
                    )
        values = {**doc.require_front_matter(), "status": wanted}
        text = edit_front_matter(doc.text, values, path=workspace.relative(path))
        write_record(workspace, path, text)
    return path, old, wanted

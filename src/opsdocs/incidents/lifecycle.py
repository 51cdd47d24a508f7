"""The incident lifecycle: open, log, acknowledge, mitigate, resolve, close, and the rest.

Status moves one way: triage → active → mitigated → resolved → closed. Milestones (started,
detected, acknowledged, mitigated, resolved) are set by the transitions and must stay in time
order. A transition that is impossible from the current status, or a time that would put the
milestones out of order, is refused with a :class:`UsageError` and nothing is written.

Every command that changes a record holds the workspace lock for that file around its
read-modify-write and writes atomically (the README index with it, when the index changes), so
parallel commands on one incident lose nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.folder import document_paths
from opsdocs.documents.kinds import Kind, get_kind
from opsdocs.documents.parse import parse_document, read_document
from opsdocs.documents.render import render_template
from opsdocs.errors import InputError, UsageError
from opsdocs.fileio import locked
from opsdocs.incidents.budget import BudgetEstimator, BudgetShare, default_estimator
from opsdocs.incidents.policy import Playbook, Role, Severity, load_playbook
from opsdocs.incidents.records import (
    MILESTONES,
    OPEN_STATUSES,
    Incident,
    Status,
    find_incident,
    format_time,
    incident_from_document,
    read_incident,
    slug_for,
    template_source,
    write_record,
)
from opsdocs.instants import utc_now

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "Change",
    "Guidance",
    "OpenResult",
    "acknowledge",
    "assign",
    "close",
    "edit",
    "guidance_for",
    "log_entry",
    "mitigate",
    "open_incident",
    "reopen",
    "resolve",
    "set_severity",
]

#: How far ahead of the clock a given time may be (clock skew between laptops).
FUTURE_SLACK = dt.timedelta(minutes=5)


@dataclass
class Change:
    """What a command did to one incident."""

    id: str
    path: Path
    entry: str  # the timeline entry added
    at: dt.datetime
    status: str
    notes: list[str] = field(default_factory=list)  # facts worth printing
    warnings: list[str] = field(default_factory=list)
    budget: list[BudgetShare] = field(default_factory=list)


@dataclass
class Guidance:
    """What the playbook says to do now."""

    severity: Severity
    roles: list[Role]
    playbook: str  # where the ladder comes from: the playbook's path, or the default ladder
    runbooks: dict[str, str | None]  # service -> runbook path (None: no runbook)
    slos: dict[str, list[str]]  # service -> SLO documents
    # service without a runbook -> the closest service that has one (a typo, probably)
    closest: dict[str, str] = field(default_factory=dict)


@dataclass
class OpenResult:
    change: Change
    guidance: Guidance


def _check_not_future(at: dt.datetime) -> None:
    if at > utc_now() + FUTURE_SLACK:
        raise UsageError(
            f"time {format_time(at)} is in the future",
            hint="pass --at with a time that has passed (UTC)",
        )


def _check_after(at: dt.datetime, what: str, incident: Incident) -> None:
    """``at`` must not come before any milestone already recorded."""
    for name, when in incident.milestones.items():
        if when is not None and at < when:
            raise UsageError(
                f"{what} time {format_time(at)} is before the incident was {name} "
                f"({format_time(when)})",
                hint="give a later --at, or correct the milestone in the record",
            )


def _check_started(at: dt.datetime, incident: Incident) -> None:
    started = incident.milestones.started
    if at < started:
        raise UsageError(
            f"time {format_time(at)} is before the incident started ({format_time(started)})",
            hint="give a later --at",
        )


def _refuse(incident: Incident, action: str, hint: str) -> UsageError:
    return UsageError(f"cannot {action} incident {incident.id}: it is {incident.status}", hint=hint)


def _require(incident: Incident, action: str, allowed: tuple[Status, ...], already: str) -> None:
    """Refuse ``action`` unless the incident is in one of the ``allowed`` statuses, with a hint
    at the step still missing (or ``already`` when it is past them)."""
    if incident.status in allowed:
        return
    if "resolved" in allowed and incident.status in OPEN_STATUSES:
        hint = f"resolve it first: opsdocs incident resolve {incident.id}"
    elif incident.status == "triage":
        hint = f"acknowledge it first: opsdocs incident ack {incident.id}"
    else:
        hint = already
    raise _refuse(incident, action, hint)


#: The status moves: action -> (the statuses it moves from, the status it moves to, the
#: milestone it records, what the time is called when it comes before a recorded one).
_MOVES: dict[str, tuple[tuple[Status, ...], Status, str, str]] = {
    "acknowledge": (("triage",), "active", "acknowledged", "acknowledge"),
    "mitigate": (("active",), "mitigated", "mitigated", "mitigation"),
    "resolve": (("active", "mitigated"), "resolved", "resolved", "resolution"),
}


def _advance(incident: Incident, when: dt.datetime, action: str) -> None:
    """Make the status move ``action`` (see :data:`_MOVES`) and record its milestone at
    ``when``, which must come after every milestone recorded."""
    allowed, status, milestone, what = _MOVES[action]
    _require(incident, action, allowed, f"it was {milestone} already")
    _check_after(when, what, incident)
    incident.set_milestone(milestone, when)
    incident.update(status=status)


def _when(at: dt.datetime | None) -> dt.datetime:
    """The time a command records: ``at`` (not in the future) or the clock."""
    when = at or utc_now()
    _check_not_future(when)
    return when


def _with_note(entry: str, note: str | None, what: str = "note") -> str:
    return entry + (f": {_clean(note, what)}" if note else "")


def _record(
    workspace: Workspace,
    ident: str,
    when: dt.datetime,
    change: Callable[[Incident], str | list[str]],
    notes: list[str] | None = None,
) -> Change:
    """Lock the record, read it, apply ``change``, add the timeline entry (or entries) it
    returns at ``when`` and write the record back atomically."""
    path = find_incident(workspace, ident)
    with locked(workspace.root, path):
        incident = read_incident(path)
        listed = _listed(incident)
        made = change(incident)
        entries = [made] if isinstance(made, str) else made
        for entry in entries:
            incident.add_entry(when, entry)
        # A timeline entry changes nothing the index shows: leave the README alone then.
        warnings = write_record(workspace, path, incident.text(), index=_listed(incident) != listed)
    entry = "; ".join(entries)
    return Change(incident.id, incident.path, entry, when, incident.status, notes or [], warnings)


def _listed(incident: Incident) -> tuple[str, ...]:
    """What the README index shows of the record."""
    from opsdocs.documents.index import fact_text

    fm = incident.front_matter
    facts = (fact_text(k, fm.get(k)) for k in get_kind("incident").index_facts)
    return (incident.model.title, *facts)


def guidance_for(
    workspace: Workspace, playbook: Playbook, severity: Severity, services: list[str]
) -> Guidance:
    """The playbook's entry for ``severity`` and the documents of ``services``."""
    from opsdocs.incidents.budget import slo_documents_for
    from opsdocs.incidents.policy import closest

    kind = get_kind("runbook")
    existing = {kind.match(p.name) or "": p for p in document_paths(workspace, "runbook")}
    runbooks = {s: workspace.relative(existing[s]) if s in existing else None for s in services}
    guesses = {s: closest(s, list(existing)) for s in services if s not in existing}
    near = {s: guess for s, guess in guesses.items() if guess is not None}
    slos = {service: slo_documents_for(workspace, service) for service in services}
    return Guidance(severity, list(playbook.roles), playbook.source, runbooks, slos, near)


#: The owner written when nobody could be found; ``incident edit --owner`` sets the real one.
UNASSIGNED = "unassigned"


def _default_owner(
    workspace: Workspace, services: list[str], playbook: Playbook
) -> tuple[str, list[str]]:
    """The owner of a new incident and warnings: the first service runbook naming a real team,
    else the playbook's owner, else the configured owners' first, else ``unassigned``."""
    from opsdocs.incidents.policy import usable_owner

    warnings: list[str] = []
    for service in services:
        path = workspace.docs_dir / get_kind("runbook").filename_for(service)
        if not path.is_file():
            continue
        try:
            value = read_document(path).get("owner")
        except InputError:
            continue
        owner = usable_owner(value)
        if owner is not None:
            return owner, warnings
        warnings.append(
            f"{workspace.relative(path)} names no owning team (owner: {value!r}); not used"
        )
    return playbook.owner or next(iter(workspace.config.owners), UNASSIGNED), warnings


@dataclass
class _Opening:
    """What ``incident open`` will write, decided before anything is touched."""

    title: str
    level: Severity
    services: list[str]
    owner: str
    begun: dt.datetime
    detected: dt.datetime
    drill: bool


def _title(title: str) -> tuple[str, str]:
    """The title on one line with its whitespace folded, and its slug (UsageError for a title
    that is not one printable line or has no words)."""
    from opsdocs.documents.inputs import check_line

    check_line(title, what="title", hint="the title names the record: write it on one line")
    title = " ".join(title.split())
    return title, slug_for(title)


def _check_names(services: list[str], owner: str | None) -> None:
    from opsdocs.documents.kinds import validate_name

    for service in services:
        validate_name(service, what="service")
    if owner is not None:
        validate_name(owner, what="owner", example="team-api")


def _render_record(
    workspace: Workspace, opening: _Opening, path: Path, name: str
) -> tuple[Incident, str]:
    """The new record (template body, front matter written by opsdocs) and its first entry."""
    from opsdocs.yamlio import dump_yaml

    kind = get_kind("incident")
    source, label = template_source(workspace, "incident")
    # What the template may use and the front matter says alike.
    common: dict[str, object] = {
        "kind": "incident",
        "id": path.stem,
        "title": opening.title,
        "owner": opening.owner,
        "severity": opening.level.name,
    }
    rendered = render_template(
        source,
        {
            **common,
            "name": name,
            "service": opening.services[0] if opening.services else "",
            "services": ", ".join(opening.services),
            "started": format_time(opening.begun),
            "today": opening.detected.date().isoformat(),
            "review_every": workspace.config.review_every,
        },
        path=label,
    )
    doc = parse_document(path, rendered)
    front_matter: dict[str, object] = {
        **common,
        "status": "triage",
        "services": opening.services,
        "drill": opening.drill,
        "roles": {},
        "milestones": {
            "started": format_time(opening.begun),
            "detected": format_time(opening.detected),
            "acknowledged": None,
            "mitigated": None,
            "resolved": None,
        },
    }
    for key, value in doc.require_front_matter().items():
        front_matter.setdefault(key, value)
    body = _strip_guidance("\n".join(doc.lines[doc.body_line - 1 :]), kind)
    text = f"---\n{dump_yaml(front_matter)}---\n{body}"
    incident = incident_from_document(parse_document(path, text))
    what = "Drill opened" if opening.drill else "Opened"
    on = f" on {', '.join(opening.services)}" if opening.services else ""
    if opening.begun < opening.detected:
        incident.add_entry(opening.begun, "Impact started")
    entry = f"{what} at {opening.level.name}{on}: {opening.title}"
    incident.add_entry(opening.detected, entry)
    return incident, entry


def _similar_open(workspace: Workspace, opening: _Opening, ident: str) -> list[str]:
    """Warnings for open incidents on the same service with a similar title (a second
    ``incident open`` for the same outage)."""
    import difflib

    from opsdocs.incidents.stats import load_history

    warnings: list[str] = []
    for other in load_history(workspace)[0]:
        if other.status not in OPEN_STATUSES:
            continue
        shared = set(other.model.services) & set(opening.services)
        if opening.services and other.model.services and not shared:
            continue
        ratio = difflib.SequenceMatcher(
            None, other.model.title.lower(), opening.title.lower()
        ).ratio()
        if ratio >= 0.6:
            on = f" on {', '.join(sorted(shared))}" if shared else ""
            warnings.append(
                f"{other.id} is open{on} with a similar title ({other.model.title!r}); if this "
                f"is the same incident: opsdocs incident close {ident} --duplicate-of {other.id}"
            )
    return warnings


def open_incident(
    workspace: Workspace,
    title: str,
    *,
    severity: str,
    services: list[str],
    at: dt.datetime | None = None,
    started: dt.datetime | None = None,
    owner: str | None = None,
    drill: bool = False,
) -> OpenResult:
    """Create ``incidents/YYYY-MM-DD-<slug>.md`` and say what the playbook wants done now.

    ``at`` is when the incident was detected (default: now); ``started`` when impact began
    (default: ``at``). Never blocked by an unfinished workspace: a missing owner, a playbook
    still being written, a severity typed as an alias (``p1`` for ``SEV1``) or an index that
    cannot be updated become warnings. Raises :class:`UsageError` only for what would write a
    wrong record: an unknown severity, a bad service or owner name, a title that is empty or
    not one printable line, times out of order; nothing is written then.
    """
    playbook = load_playbook(workspace)
    title, slug = _title(title)
    warnings = list(playbook.warnings)
    level, alias = playbook.match_severity(severity)
    if alias is not None:
        warnings.append(alias)
    _check_names(services, owner)
    services = list(dict.fromkeys(services))
    detected = _when(at)
    begun = started or detected
    if begun > detected:
        raise UsageError(
            f"start {format_time(begun)} is after detection {format_time(detected)}",
            hint="--started is when impact began, --at when it was detected",
        )
    chosen, guessed = (
        (owner, []) if owner is not None else _default_owner(workspace, services, playbook)
    )
    opening = _Opening(title, level, services, chosen, begun, detected, drill)
    kind = get_kind("incident")
    folder = workspace.docs_dir / kind.folder
    with locked(workspace.root, folder):
        name = kind.free_name(folder, slug, begun.date())
        path = folder / kind.filename_for(name, begun.date())
        similar = _similar_open(workspace, opening, path.stem)
        incident, entry = _render_record(workspace, opening, path, name)
        written = write_record(workspace, path, incident.text(), create=True)
    warnings += [*guessed, *similar, *written]
    if chosen == UNASSIGNED and owner is None:
        warnings.append(
            f"no owning team found: the incident is owned by {UNASSIGNED!r} "
            f"(set it: opsdocs incident edit {path.stem} --owner TEAM)"
        )
    change = Change(path.stem, path, entry, detected, "triage", warnings=warnings)
    return OpenResult(change, guidance_for(workspace, playbook, level, services))


def _strip_guidance(body: str, kind: Kind) -> str:
    """The body without the template's guidance lines (``_..._`` under each heading).

    A record is written by a command, not filled in from a template, so the guidance would
    only be noise (and ``check`` would report it as left in).
    """
    guidance = {f"_{section.guidance}_" for section in kind.sections}
    kept: list[str] = []
    after_guidance = False  # the blank line under a guidance line goes with it
    for line in body.split("\n"):
        if line.strip() not in guidance and not (after_guidance and not line.strip()):
            kept.append(line)
        after_guidance = line.strip() in guidance
    return "\n".join(kept)


def _clean(text: str, what: str) -> str:
    """``text`` as one timeline line: whitespace folded, control characters refused."""
    from opsdocs.documents.inputs import check_line

    text = check_line(text, what=what, fold=True)
    if not text:
        raise UsageError(f"the {what} is empty", hint="say what happened in a few words")
    return text


def log_entry(
    workspace: Workspace, ident: str, text: str, *, at: dt.datetime | None = None
) -> Change:
    """Append a timeline entry (in time order)."""
    text = _clean(text, "entry")
    when = _when(at)

    def change(incident: Incident) -> str:
        _check_started(when, incident)
        return text

    return _record(workspace, ident, when, change)


def acknowledge(
    workspace: Workspace, ident: str, *, by: str | None = None, at: dt.datetime | None = None
) -> Change:
    """triage → active; records ``acknowledged`` and how it compares with the ack target."""
    from opsdocs.incidents.deadlines import format_elapsed

    when = _when(at)
    playbook = load_playbook(workspace)
    notes: list[str] = []

    def change(incident: Incident) -> str:
        _advance(incident, when, "acknowledge")
        entry = f"Acknowledged by {by}" if by else "Acknowledged"
        detected = incident.milestones.detected or incident.milestones.started
        took = when - detected
        level = playbook.find_severity(incident.model.severity)
        if level is not None:
            verdict = "within" if took <= level.ack_target else "missed"
            notes.append(
                f"acknowledged {format_elapsed(took)} after detection "
                f"({verdict} the {level.ack_within} target for {level.name})"
            )
        if by and "incident-commander" in {r.key for r in playbook.roles}:
            commander = incident.model.roles.get("incident-commander", by)
            incident.update(roles={**incident.model.roles, "incident-commander": commander})
        return entry

    result = _record(workspace, ident, when, change, notes)
    result.warnings[:0] = playbook.warnings
    return result


def mitigate(
    workspace: Workspace, ident: str, note: str | None = None, *, at: dt.datetime | None = None
) -> Change:
    """active → mitigated; records ``mitigated``."""
    when = _when(at)

    def change(incident: Incident) -> str:
        _advance(incident, when, "mitigate")
        return _with_note("Mitigated", note)

    return _record(workspace, ident, when, change)


def resolve(
    workspace: Workspace,
    ident: str,
    note: str | None = None,
    *,
    at: dt.datetime | None = None,
    estimator: BudgetEstimator | None = None,
) -> Change:
    """active or mitigated → resolved; records ``resolved`` (and ``mitigated`` when it was
    not), the postmortem due date from the ladder, and the error budget consumed."""
    when = _when(at)
    playbook = load_playbook(workspace)
    estimate = estimator or default_estimator(workspace)
    # Measuring can take a while (a month of logs): do it before taking the record's lock, and
    # again under the lock only if the record changed what it depends on meanwhile.
    before = read_incident(find_incident(workspace, ident))
    key: tuple[dt.datetime, tuple[str, ...]] | None = None
    shares: list[BudgetShare] = []
    if before.status in ("active", "mitigated"):
        key = (before.milestones.started, tuple(before.model.services))
        shares = _estimate(estimate, key[1], key[0], when)

    notes: list[str] = []
    unknown: list[str] = []

    def change(incident: Incident) -> str:
        _advance(incident, when, "resolve")
        if incident.milestones.mitigated is None:
            incident.set_milestone("mitigated", when)
            notes.append(
                f"mitigated set to {format_time(when)} too (no mitigation was recorded; "
                f"correct it with: opsdocs incident edit {incident.id} --mitigated TIME)"
            )
        level = playbook.find_severity(incident.model.severity)
        due = level.postmortem.due_date(when.date()) if level is not None else None
        if level is not None:
            incident.update(postmortem_due=due)
        else:
            unknown.append(
                f"severity {incident.model.severity!r} is not one of "
                f"{', '.join(playbook.severity_names)} (from {playbook.source}): no postmortem due "
                f"date set (give it one: opsdocs incident set-severity {incident.id} SEVERITY)"
            )
        now_key = (incident.milestones.started, tuple(incident.model.services))
        if now_key != key:
            shares[:] = _estimate(estimate, now_key[1], now_key[0], when)
        incident.update(error_budget=[share.as_record() for share in shares])
        notes.extend(share.describe() for share in shares)
        if due is not None:
            notes.append(
                f"postmortem due {due.isoformat()}: opsdocs incident postmortem {incident.id}"
            )
        return _with_note("Resolved", note)

    result = _record(workspace, ident, when, change, notes)
    result.warnings[:0] = [*playbook.warnings, *unknown]
    result.budget = shares
    return result


def _estimate(
    estimate: BudgetEstimator, services: tuple[str, ...], start: dt.datetime, end: dt.datetime
) -> list[BudgetShare]:
    shares: list[BudgetShare] = []
    for service in services:
        try:
            shares.extend(estimate(service, start, end))
        except Exception as exc:  # a failed measurement must never block the resolution
            first = str(exc).splitlines()[0] if str(exc) else ""
            shares.append(
                BudgetShare(service, reason=f"could not measure: {type(exc).__name__}: {first}")
            )
    return shares


def set_severity(
    workspace: Workspace,
    ident: str,
    severity: str,
    reason: str | None = None,
    *,
    at: dt.datetime | None = None,
) -> tuple[Change, Guidance]:
    """Change the severity (not once closed); returns the new severity's guidance."""
    when = _when(at)
    playbook = load_playbook(workspace)
    level, alias = playbook.match_severity(severity)
    services: list[str] = []

    def change(incident: Incident) -> str:
        if incident.status == "closed":
            raise _refuse(incident, "change the severity of", "it is closed")
        old = incident.model.severity
        if old.lower() == level.name.lower():
            raise UsageError(f"incident {incident.id} is {old} already", hint="nothing to change")
        _check_started(when, incident)
        incident.update(severity=level.name)
        services[:] = incident.model.services
        resolved = incident.milestones.resolved
        if resolved is not None:
            incident.update(postmortem_due=level.postmortem.due_date(resolved.date()))
        return _with_note(f"Severity {old} → {level.name}", reason, "reason")

    result = _record(workspace, ident, when, change)
    result.warnings[:0] = [*playbook.warnings, *([alias] if alias else [])]
    return result, guidance_for(workspace, playbook, level, services)


def assign(
    workspace: Workspace, ident: str, role: str, person: str, *, at: dt.datetime | None = None
) -> Change:
    """Give ``role`` (a key of the playbook's roles) to ``person``."""
    when = _when(at)
    the_role = load_playbook(workspace).role(role)
    person = _clean(person, "person")

    def change(incident: Incident) -> str:
        if incident.status == "closed":
            raise _refuse(incident, "assign roles in", "it is closed")
        _check_started(when, incident)
        before = incident.model.roles.get(the_role.key)
        incident.update(roles={**incident.model.roles, the_role.key: person})
        return f"{the_role.title}: {person}" + (f" (was {before})" if before else "")

    return _record(workspace, ident, when, change)


def close(
    workspace: Workspace,
    ident: str,
    *,
    duplicate_of: str | None = None,
    false_alarm: bool = False,
    at: dt.datetime | None = None,
) -> Change:
    """resolved → closed, once a required postmortem is Reviewed or Closed (with its required
    sections filled in).

    With ``duplicate_of`` (another incident's id) or ``false_alarm`` the incident is closed from
    any status, needs no postmortem and is left out of statistics.
    """
    from opsdocs.incidents.postmortem import postmortem_gap

    when = _when(at)
    if duplicate_of is not None and false_alarm:
        raise UsageError(
            "an incident is either a duplicate or a false alarm",
            hint="pass --duplicate-of ID or --false-alarm, not both",
        )
    original = find_incident(workspace, duplicate_of).stem if duplicate_of is not None else None

    def change(incident: Incident) -> str:
        if original is not None or false_alarm:
            return _close_as(incident, when, original)
        _require(incident, "close", ("resolved",), "it is closed already")
        _check_after(when, "closing", incident)
        if incident.model.postmortem_due is not None:
            gap = postmortem_gap(workspace, incident.id)
            if gap is not None:
                raise UsageError(
                    f"cannot close incident {incident.id}: its postmortem is required and {gap}",
                    hint=f"write it with 'opsdocs incident postmortem {incident.id}', fill it in "
                    "and get it reviewed",
                )
        incident.update(status="closed")
        return "Closed"

    return _record(workspace, ident, when, change)


def _close_as(incident: Incident, when: dt.datetime, original: str | None) -> str:
    if incident.status == "closed":
        raise _refuse(incident, "close", "it is closed already; reopen it first")
    if original == incident.id:
        raise UsageError(
            f"incident {incident.id} cannot duplicate itself", hint="name the other incident"
        )
    _check_started(when, incident)
    incident.update(
        status="closed",
        closed_as="duplicate" if original else "false-alarm",
        duplicate_of=original,
        postmortem_due=None,
    )
    return f"Closed as a duplicate of {original}" if original else "Closed as a false alarm"


def reopen(
    workspace: Workspace, ident: str, reason: str | None = None, *, at: dt.datetime | None = None
) -> Change:
    """resolved or closed → active (triage when never acknowledged): the impact is back, or
    the incident was closed by mistake. The resolution (and a mitigation recorded with it) is
    cleared, its times kept in the timeline entry; resolving again sets them anew."""
    when = _when(at)

    def change(incident: Incident) -> str:
        if incident.status in OPEN_STATUSES:
            raise _refuse(incident, "reopen", "it is still open: nothing to reopen")
        _check_started(when, incident)
        cleared = []
        for name in ("mitigated", "resolved"):
            value = getattr(incident.milestones, name)
            if value is not None and incident.model.closed_as is None:
                cleared.append(f"{name} {format_time(value)}")
                incident.set_milestone(name, None)
        was = incident.model.closed_as or incident.status
        status: Status = "active" if incident.milestones.acknowledged else "triage"
        incident.update(status=status, closed_as=None, duplicate_of=None, postmortem_due=None)
        detail = f"; cleared {', '.join(cleared)}" if cleared else ""
        return _with_note(f"Reopened (was {was}{detail})", reason, "reason")

    return _record(workspace, ident, when, change)


def edit(
    workspace: Workspace,
    ident: str,
    *,
    title: str | None = None,
    services: list[str] | None = None,
    add_services: list[str] | None = None,
    remove_services: list[str] | None = None,
    owner: str | None = None,
    milestones: dict[str, dt.datetime] | None = None,
    at: dt.datetime | None = None,
) -> Change:
    """Correct an incident: its title, services, owner or milestone times, each change a
    timeline entry (the id and file name stay). Milestones must stay in order; UsageError when
    nothing would change."""
    when = _when(at)
    if title is not None:
        title, _ = _title(title)  # the slug refuses a title without words
    _check_names([*(services or []), *(add_services or []), *(remove_services or [])], owner)
    times = milestones or {}
    for name, value in times.items():
        if name not in MILESTONES:
            raise UsageError(f"unknown milestone {name!r}", hint=", ".join(MILESTONES))
        _check_not_future(value)

    def change(incident: Incident) -> list[str]:
        if incident.status == "closed":
            raise _refuse(
                incident, "edit", f"reopen it first: opsdocs incident reopen {incident.id}"
            )
        model = incident.model
        entries: list[str] = []
        if title is not None and title != model.title:
            entries.append(f"Title changed from {model.title!r} to {title!r}")
            incident.update(title=title)
        wanted = list(model.services) if services is None else list(dict.fromkeys(services))
        wanted += [s for s in add_services or [] if s not in wanted]
        wanted = [s for s in wanted if s not in (remove_services or [])]
        if wanted != list(model.services):
            old = ", ".join(model.services) or "none"
            entries.append(f"Services changed from {old} to {', '.join(wanted) or 'none'}")
            incident.update(services=wanted)
        if owner is not None and owner != model.owner:
            entries.append(f"Owner changed from {model.owner} to {owner}")
            incident.update(owner=owner)
        for name, before in incident.milestones.items():
            if name not in times or before == times[name]:
                continue
            was = format_time(before) if before else "not set"
            entries.append(f"Milestone {name} changed from {was} to {format_time(times[name])}")
            incident.set_milestone(name, times[name])
        _check_order(incident)
        if not entries:
            raise UsageError(
                f"nothing to change in incident {incident.id}",
                hint="pass --title, --service, --owner or a milestone time",
            )
        return entries

    return _record(workspace, ident, when, change)


def _check_order(incident: Incident) -> None:
    """Milestones in order (started ≤ detected ≤ ... ≤ resolved); UsageError otherwise."""
    latest: tuple[str, dt.datetime] | None = None
    for name, when in incident.milestones.items():
        if when is None:
            continue
        if latest is not None and when < latest[1]:
            raise UsageError(
                f"{name} {format_time(when)} would be before {latest[0]} {format_time(latest[1])}",
                hint="milestones go started, detected, acknowledged, mitigated, resolved",
            )
        latest = (name, when)

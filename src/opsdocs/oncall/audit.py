"""The on-call schedules held against the ladder, the runbooks and the alert routing: what the OC
rules of ``opsdocs check`` report.

Everything is computed once per check run by :func:`audit` and handed to the rules by code. The
rules that compare schedules with the rest of the workspace (OC001, OC003) apply once a workspace
keeps at least one schedule as data: until then there is nothing to compare with.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document
    from opsdocs.incidents.policy import Playbook, Severity
    from opsdocs.oncall.roster import Roster, TeamSource
    from opsdocs.oncall.settings import OnCallSettings
    from opsdocs.workspace import Workspace

__all__ = ["Inputs", "Owner", "audit", "normalize_role", "roles_provided"]


@dataclass(frozen=True)
class Owner:
    """A runbook's owner: the facts key of the runbook, the team and where ``owner`` is."""

    path: str
    team: str
    line: int
    col: int


@dataclass
class Inputs:
    """What the audit reads, keyed by the check engine's paths."""

    oncall: list[tuple[str, Document]]  # (facts key, document)
    playbook: tuple[str, Document] | None
    owners: list[Owner]
    settings: OnCallSettings
    workspace: Workspace
    today: dt.date


def normalize_role(role: str) -> str:
    """``Primary On Call``, ``primary oncall`` and ``primary on-call`` are one role; a remark in
    parentheses (``team-sre on call (incident commander)``) is not part of it."""
    text = re.sub(r"\([^)]*\)", " ", role.lower())
    text = " ".join(text.split())
    return re.sub(r"\bon[ -]?call\b", "on-call", text)


def roles_provided(roster: Roster) -> set[str]:
    """Every ladder role a schedule provides: rotations' roles, levels' roles, ``<team> on-call``
    for each team with a schedule, and ``owning team on-call`` once any team has one."""
    roles: set[str] = set()
    if roster.teams:
        roles.add("owning team on-call")
    for name, source in roster.teams.items():
        roles.add(f"{name} on-call")
        for rotation in source.team.rotations:
            roles.add(normalize_role(rotation.role_name))
        for level in source.team.escalation:
            if level.role is not None:
                roles.add(normalize_role(level.role))
    return roles


def _playbook(inputs: Inputs) -> Playbook | None:
    from opsdocs.errors import OpsdocsError
    from opsdocs.incidents.policy import playbook_from_document

    if inputs.playbook is None:
        return None
    try:
        return playbook_from_document(inputs.playbook[1])
    except OpsdocsError:
        return None  # FM and IR rules report a broken ladder


def _at(
    source: TeamSource, key: tuple[str | int, ...], *, code: str, message: str, hint: str
) -> Diagnostic:
    """A finding at ``key`` of a team's spec, in the document the team is written in."""
    line, col = source.position(*key)
    return Diagnostic(path=source.path, line=line, col=col, code=code, message=message, hint=hint)


def audit(inputs: Inputs) -> list[Diagnostic]:
    """Every OC finding of the workspace (OC007 excepted: it is a document rule)."""
    from opsdocs.incidents.policy import DEFAULT_SEVERITIES
    from opsdocs.oncall.roster import collect_roster

    # each team's findings are reported at the check engine's path of its document
    keys = {doc.path: key for key, doc in inputs.oncall}
    roster, _ = collect_roster([doc for _, doc in inputs.oncall], label=keys.__getitem__)
    playbook = _playbook(inputs)
    severities = playbook.severities if playbook is not None else list(DEFAULT_SEVERITIES)
    return [
        *_unscheduled_roles(inputs, roster, playbook),
        *_slow_escalation(roster, severities),
        *_gaps(inputs, roster),
        *_unknown_members(inputs, roster),
        *_unscheduled_owners(inputs, roster),
        *_unrouted_pages(inputs, roster, severities),
    ]


def _unscheduled_roles(
    inputs: Inputs, roster: Roster, playbook: Playbook | None
) -> Iterator[Diagnostic]:
    if not roster.teams or playbook is None or inputs.playbook is None:
        return
    key, doc = inputs.playbook
    provided = roles_provided(roster)
    for i, severity in enumerate(playbook.severities):
        for j, role in enumerate(severity.page):
            if normalize_role(role) in provided:
                continue
            line, col = doc.position(("severities", i, "page", j))
            known = ", ".join(sorted(provided)) or "none"
            yield Diagnostic(
                path=key,
                line=line,
                col=col,
                code="OC001",
                message=f"{severity.name} pages {role!r}, a role no on-call schedule provides",
                hint=f"give a rotation or a level 'role: {role}'; schedules provide: {known}",
            )


def _slow_escalation(roster: Roster, severities: Sequence[Severity]) -> Iterator[Diagnostic]:
    paging = [s for s in severities if s.page]
    if not paging:
        return
    strictest = min(paging, key=lambda s: s.ack_target)
    for name, source in roster.teams.items():
        if not source.team.escalation:
            continue  # the default policy pages the first rotation at once
        first = source.team.escalation[0]
        if first.delay <= strictest.ack_target:
            continue
        yield _at(
            source,
            ("escalation", 0, "after"),
            code="OC002",
            message=(
                f"team {name}'s first escalation level is paged after {first.after}, later than "
                f"{strictest.name}'s ack_within {strictest.ack_within}"
            ),
            hint=f"page the first level within {strictest.ack_within} (after: 0m)",
        )


def _gaps(inputs: Inputs, roster: Roster) -> Iterator[Diagnostic]:
    from opsdocs.oncall.coverage import level_holes

    days = inputs.settings.gap_days
    start = dt.datetime.combine(inputs.today, dt.time(), tzinfo=dt.UTC)
    end = start + dt.timedelta(days=days)
    for name, source in roster.teams.items():
        for level, holes in level_holes(roster, name, start, end):
            hours = sum((b - a).total_seconds() for a, b in holes) / 3600
            first = holes[0]
            part = "escalation" if source.team.escalation else "rotations"
            yield _at(
                source,
                (part, level.number - 1),
                code="OC004",
                message=(
                    f"nobody covers team {name}'s {level.label} for {hours:g} h in the next "
                    f"{days} days, first from {_iso(first[0])} to {_iso(first[1])}"
                ),
                hint="extend the rotation, add members or an override; 'opsdocs oncall gaps' "
                "lists every hole",
            )


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%MZ")


def _unknown_members(inputs: Inputs, roster: Roster) -> Iterator[Diagnostic]:
    people = inputs.settings.people
    for name, source in roster.teams.items():
        known = people.get(name)
        if known is None:
            continue
        allowed = set(known)
        for r, rotation in enumerate(source.team.rotations):
            spots: list[tuple[str, tuple[str | int, ...]]] = [
                (m, ("rotations", r, "members", k)) for k, m in enumerate(rotation.members)
            ]
            spots += [
                (o.who, ("rotations", r, "overrides", k, "who"))
                for k, o in enumerate(rotation.overrides)
            ]
            for person, key_path in spots:
                if person in allowed:
                    continue
                yield _at(
                    source,
                    key_path,
                    code="OC005",
                    message=f"{person} is on team {name}'s {rotation.name} rotation but not in "
                    f"the configured people of {name}",
                    hint=f"add them to [oncall.people] {name}, or correct the name",
                )


def _unscheduled_owners(inputs: Inputs, roster: Roster) -> Iterator[Diagnostic]:
    if not roster.teams:
        return
    for owner in inputs.owners:
        if owner.team in roster.teams:
            continue
        yield Diagnostic(
            path=owner.path,
            line=owner.line,
            col=owner.col,
            code="OC003",
            message=f"team {owner.team} owns this service but has no on-call schedule",
            hint=f"add team {owner.team} to an on-call document ('opsdocs new on-call "
            f"{owner.team}')",
        )


def _unrouted_pages(
    inputs: Inputs, roster: Roster, severities: Sequence[Severity]
) -> Iterator[Diagnostic]:
    from opsdocs.errors import OpsdocsError
    from opsdocs.oncall.alertmanager import (
        Routing,
        load_alertmanager_config,
        route_cases,
        routed,
    )

    settings = inputs.settings.alertmanager
    if settings.config is None or not roster.teams:
        return
    path = Path(inputs.workspace.root, settings.config)
    key = str(Path(path).resolve())
    try:
        config = load_alertmanager_config(path)
    except OpsdocsError as exc:
        yield Diagnostic(
            path=key,
            line=exc.line or 1,
            col=exc.col or 1,
            code="OC006",
            message=f"cannot check the routing: {exc.message}",
            hint=exc.hint or "fix [oncall.alertmanager] config",
        )
        return
    routing = Routing(list(severities), roster.names(), {}, settings)
    line, col = config.position(("route",)) or (1, 1)
    for route in routed(config.value, route_cases(routing)):
        if not route.unpaged:
            continue
        case, chosen = route.case, route.receivers
        yield Diagnostic(
            path=key,
            line=line,
            col=col,
            code="OC006",
            message=(
                f"{case.severity} pages, but an alert with "
                f"{', '.join(f'{k}={v}' for k, v in case.labels.items())} reaches "
                f"{', '.join(chosen) or 'no receiver'}, which pages nobody"
            ),
            hint=f"route it to a pager receiver ('opsdocs oncall alertmanager' writes "
            f"{case.team}-pager)",
        )

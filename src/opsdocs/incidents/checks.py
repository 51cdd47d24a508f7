"""The incident rule family (IR) for ``opsdocs check``.

The rule logic lives in :mod:`opsdocs.incidents.validate` as pure functions returning
diagnostics with their rule codes; this module registers each rule once. The rules that look at
one document share one analysis of it (computed once per document, not once per rule) and each
takes the diagnostics with its code; rules that depend on the date, or on the postmortem's
status for an incident, run over facts collected from each document (also cached) every time
``check`` runs. An overdue postmortem is reported once: on the postmortem (IR008) when it
exists with a due date of its own, else on the incident (IR004).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from opsdocs.check.context import DocContext, WorkspaceContext
from opsdocs.check.registry import Rule, Severity
from opsdocs.diagnostics import Diagnostic
from opsdocs.incidents.validate import (
    CODES,
    incident_due_facts,
    incident_due_findings,
    incident_findings,
    ladder_facts,
    ladder_findings,
    postmortem_due_facts,
    postmortem_due_findings,
    postmortem_findings,
)

__all__ = ["RULES"]

_DUE_FACTS = "IR004"  # the rule whose collect() holds incidents' and postmortems' due facts
_LADDER_FACTS = "IR009"  # the rule whose collect() holds ladders and incidents' severities


#: The last document analysed and its diagnostics: the engine runs every document rule on one
#: document before the next, so one entry is enough for each to reuse the same analysis.
_last: list[tuple[object, list[Diagnostic]]] = []


def _analysis(ctx: DocContext) -> list[Diagnostic]:
    """Every per-document IR diagnostic of ``ctx``'s document, computed once."""
    if _last and _last[0][0] is ctx.doc:
        return _last[0][1]
    analyse = {"incident": incident_findings, "postmortem": postmortem_findings}.get(
        ctx.kind_name or ""
    )
    found = analyse(ctx.doc, today=None) if analyse is not None else []
    _last[:] = [(ctx.doc, found)]
    return found


def _document_rule(name: str, severity: Severity, hint: str) -> Rule:
    """IR rule ``name`` over one document's analysis: its findings of ``name``, with ``hint``."""
    code = CODES[name]

    def check(ctx: DocContext) -> Iterator[Diagnostic]:
        for found in _analysis(ctx):
            if found.code == code:
                yield Diagnostic(line=found.line, col=found.col, message=found.message, hint=hint)

    return Rule(code, name, severity, check=check)


def _collect_due(ctx: DocContext) -> dict[str, Any] | None:
    collect = {"incident": incident_due_facts, "postmortem": postmortem_due_facts}.get(
        ctx.kind_name or ""
    )
    return collect(ctx.doc) if collect is not None else None


def _postmortems(ctx: WorkspaceContext) -> dict[str, dict[str, Any]]:
    """Incident id -> its postmortem's due facts."""
    due = [facts.extra.get(_DUE_FACTS) for facts in ctx.documents("postmortem")]
    return {str(d["incident"]): d for d in due if isinstance(d, dict) and d.get("incident")}


def _incident_overdue(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    postmortems = _postmortems(ctx)
    for facts, data in ctx.collected("incident", _DUE_FACTS):
        ident = str(data.get("id"))
        postmortem = postmortems.get(ident)
        if postmortem is not None and postmortem.get("due"):
            continue  # IR008 reports it on the postmortem, with its own due date
        status = postmortem.get("status") if postmortem is not None else None
        if status is None:
            hint = f"write it ('opsdocs incident postmortem {ident}') and get it reviewed"
        else:
            hint = _review_hint(ident, status)
        for finding in incident_due_findings(data, today=ctx.today, postmortem_status=status):
            yield replace(finding, path=facts.path, hint=hint)


def _review_hint(ident: str, status: str | None) -> str:
    """How to move a postmortem in ``status`` on to Reviewed."""
    from opsdocs.incidents.postmortem import next_status

    following = next_status(status or "Draft") or "Reviewed"
    return f"finish the review: 'opsdocs incident postmortem {ident} --status \"{following}\"'" + (
        "" if following == "Reviewed" else ", then 'Reviewed'"
    )


def _postmortem_rule(name: str, severity: Severity, hint: str | None) -> Rule:
    """IR rule ``name`` over postmortems' date facts; ``hint`` None: the hint names the next
    status."""
    code = CODES[name]

    def check(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
        for facts, data in ctx.collected("postmortem", _DUE_FACTS):
            ident = str(data.get("incident") or "ID")
            for finding in postmortem_due_findings(data, today=ctx.today):
                if finding.code == code:
                    yield replace(
                        finding,
                        path=facts.path,
                        hint=hint or _review_hint(ident, data.get("status")),
                    )

    return Rule(code, name, severity, scope="workspace", check=check)


def _collect_ladder(ctx: DocContext) -> dict[str, Any] | None:
    return ladder_facts(ctx.doc, ctx.kind_name)


def _severity_off_ladder(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.incidents.policy import DEFAULT_SEVERITIES

    ladder = [s.name for s in DEFAULT_SEVERITIES]
    source = "the default ladder"
    for facts in ctx.documents("incident-response")[:1]:  # XD003 reports a second playbook
        data = facts.extra.get(_LADDER_FACTS)
        if not isinstance(data, dict) or not data.get("valid"):
            return  # FM005 reports the broken ladder
        if data.get("severities"):
            ladder = list(data["severities"])
            source = os.path.basename(facts.path)
        else:
            source = f"the default ladder; {os.path.basename(facts.path)} defines none"
    hint = (
        f"use one of {', '.join(ladder)} ('opsdocs incident set-severity ID SEVERITY'), "
        "or add the severity to the playbook's 'severities'"
    )
    for facts, data in ctx.collected("incident", _LADDER_FACTS):
        for finding in ladder_findings(data, ladder, source):
            yield replace(finding, path=facts.path, hint=hint)


RULES = [
    _document_rule(
        "incident-milestones-out-of-order",
        "error",
        "correct the milestone; the order is started, detected, acknowledged, mitigated, resolved",
    ),
    _document_rule(
        "incident-status-without-milestone",
        "error",
        "set the milestone (UTC ISO 8601) or correct the status",
    ),
    _document_rule(
        "incident-timeline-out-of-order",
        "warning",
        "move the entry to its place in time, or add it with 'opsdocs incident log --at'",
    ),
    Rule(
        "IR004",
        "incident-postmortem-overdue",
        "error",
        scope="workspace",
        check=_incident_overdue,
        collect=_collect_due,
    ),
    _document_rule(
        "postmortem-action-item-without-owner", "error", "add 'owner:' (a person or team)"
    ),
    _document_rule("postmortem-action-item-without-due-date", "error", "add 'due: YYYY-MM-DD'"),
    _postmortem_rule(
        "postmortem-action-item-overdue",
        "warning",
        "do it and set 'status: done', or agree a new date",
    ),
    _postmortem_rule("postmortem-overdue", "error", None),
    Rule(
        "IR009",
        "incident-severity-not-on-ladder",
        "error",
        scope="workspace",
        check=_severity_off_ladder,
        collect=_collect_ladder,
    ),
]

"""OC: on-call schedules held against the ladder, the runbooks and the alert routing, as rules of
``opsdocs check``.

The analysis (:func:`opsdocs.oncall.audit.audit`) runs once per check and is shared by the
workspace rules; OC007 looks at one document and is cached with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.check.registry import Rule, Severity, code_findings
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext, WorkspaceContext

__all__ = ["RULES"]

_MEMO = "oncall"


def _audit(ctx: WorkspaceContext) -> list[Diagnostic]:
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import InputError
    from opsdocs.oncall.audit import Inputs, Owner, audit
    from opsdocs.oncall.settings import load_settings

    workspace = ctx.workspace
    if workspace is None:
        return []
    oncall = []
    for facts in ctx.documents("on-call"):
        with contextlib.suppress(InputError):
            oncall.append((facts.path, read_document(Path(facts.path))))
    playbook = None
    for facts in ctx.documents("incident-response")[:1]:
        with contextlib.suppress(InputError):
            playbook = (facts.path, read_document(Path(facts.path)))
    owners = [
        Owner(facts.path, facts.owner, *facts.position("owner"))
        for facts in ctx.documents("runbook")
        if facts.owner
    ]
    inputs = Inputs(oncall, playbook, owners, load_settings(workspace.config), workspace, ctx.today)
    return audit(inputs)


def _policy(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.oncall.roster import policy_problems

    if ctx.kind_name != "on-call":
        return
    for problem in policy_problems(ctx.doc):
        yield ctx.diagnostic(problem.key_path, message=problem.message, hint=problem.hint)


def _findings(ctx: WorkspaceContext) -> list[Diagnostic]:
    """Every OC finding of the workspace rules, from the run's one audit."""
    return ctx.once(_MEMO, _audit)


def _rule(code: str, name: str, severity: Severity) -> Rule:
    return Rule(code, name, severity, scope="workspace", check=code_findings(code, _findings))


RULES = [
    _rule("OC001", "oncall-role-unscheduled", "error"),
    _rule("OC002", "oncall-escalation-slower-than-ack", "error"),
    _rule("OC003", "oncall-owner-unscheduled", "warning"),
    _rule("OC004", "oncall-schedule-gap", "error"),
    _rule("OC005", "oncall-member-unknown", "warning"),
    _rule("OC006", "oncall-page-unrouted", "error"),
    Rule("OC007", "oncall-escalation-invalid", "error", check=_policy),
]

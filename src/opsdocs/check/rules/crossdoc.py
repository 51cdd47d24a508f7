"""XD: consistency across documents (SLOs and runbooks, owners, singleton kinds)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from opsdocs.check.context import WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS


def _slo_without_runbook(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    runbooks = ctx.by_service("runbook")
    for facts in ctx.documents("slo"):
        if facts.path not in ctx.reported or not facts.service:
            continue
        if facts.service not in runbooks:
            yield facts.diagnostic(
                "service",
                message=f"service '{facts.service}' has an SLO but no runbook",
                hint=f"create one with 'opsdocs new runbook {facts.service}'",
            )


def _owner_mismatch(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    slos = ctx.by_service("slo")
    for facts in ctx.documents("runbook"):
        if facts.path not in ctx.reported or not facts.service or not facts.owner:
            continue
        for slo in slos.get(facts.service, []):
            if slo.owner and slo.owner != facts.owner:
                yield facts.diagnostic(
                    "owner",
                    message=f"owner '{facts.owner}' differs from '{slo.owner}', owner of "
                    f"'{os.path.basename(slo.path)}'",
                    hint="the team that owns the objective usually owns the runbook; align them",
                )


def _duplicate_singleton(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for kind in KINDS:
        if not kind.singleton:
            continue
        claims = ctx.documents(kind.name)
        for facts in claims[1:]:
            if facts.path not in ctx.reported:
                continue
            yield facts.diagnostic(
                "kind",
                message=f"a second {kind.name} document; '{os.path.basename(claims[0].path)}' "
                "is one already",
                hint=f"keep one {kind.filename} per folder: merge the two",
            )


RULES = [
    Rule("XD001", "slo-without-runbook", "error", scope="workspace", check=_slo_without_runbook),
    Rule("XD002", "owner-mismatch", "warning", scope="workspace", check=_owner_mismatch),
    Rule("XD003", "duplicate-singleton", "error", scope="workspace", check=_duplicate_singleton),
]

"""XD: consistency across documents (SLOs and runbooks, owners, singleton kinds)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from opsdocs.check.context import WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS


def _runbooks_by_service(ctx: WorkspaceContext) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for facts in ctx.documents("runbook"):
        if facts.service:
            result.setdefault(facts.service, []).append(facts.path)
    return result


def _slo_without_runbook(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    runbooks = _runbooks_by_service(ctx)
    for facts in ctx.documents("slo"):
        if facts.path not in ctx.reported or not facts.service:
            continue
        if facts.service not in runbooks:
            line, col = facts.position("service")
            yield Diagnostic(
                line=line,
                col=col,
                message=f"service '{facts.service}' has an SLO but no runbook",
                hint=f"create one with 'opsdocs new runbook {facts.service}'",
                path=facts.path,
            )


def _owner_mismatch(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    slos: dict[str, list[tuple[str, str]]] = {}
    for facts in ctx.documents("slo"):
        if facts.service and facts.owner:
            slos.setdefault(facts.service, []).append((facts.path, facts.owner))
    for facts in ctx.documents("runbook"):
        if facts.path not in ctx.reported or not facts.service or not facts.owner:
            continue
        for slo_path, owner in slos.get(facts.service, []):
            if owner != facts.owner:
                line, col = facts.position("owner")
                yield Diagnostic(
                    line=line,
                    col=col,
                    message=f"owner '{facts.owner}' differs from '{owner}', owner of "
                    f"'{os.path.basename(slo_path)}'",
                    hint="the team that owns the objective usually owns the runbook; align them",
                    path=facts.path,
                )


def _duplicate_singleton(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for kind in KINDS:
        if not kind.singleton:
            continue
        claims = ctx.documents(kind.name)
        for facts in claims[1:]:
            if facts.path not in ctx.reported:
                continue
            line, col = facts.position("kind")
            yield Diagnostic(
                line=line,
                col=col,
                message=f"a second {kind.name} document; '{os.path.basename(claims[0].path)}' "
                "is one already",
                hint=f"keep one {kind.filename} per folder: merge the two",
                path=facts.path,
            )


SLO_WITHOUT_RUNBOOK = Rule(
    code="XD001",
    name="slo-without-runbook",
    summary="An SLO's service has no runbook.",
    severity="error",
    scope="workspace",
    check=_slo_without_runbook,
    what="Reports an SLO document whose `service` no runbook in the folder has as its service.",
    why="An SLO pages someone when its budget burns; that person needs a runbook for the service.",
    example="`slo-search-latency.md` with `service: search` and no `runbook-search.md`.",
    instead="`opsdocs new runbook search`, then fill it in.",
)

OWNER_MISMATCH = Rule(
    code="XD002",
    name="owner-mismatch",
    summary="A runbook's owner differs from the owner of its service's SLOs.",
    severity="warning",
    scope="workspace",
    check=_owner_mismatch,
    what="Reports a runbook whose `owner` differs from the `owner` of an SLO of the same service.",
    why=(
        "The team paged by the SLO should own the runbook it follows; a mismatch is often a "
        "reorganisation that updated one document and not the other."
    ),
    example="`runbook-api.md` owned by `team-platform`, `slo-api.md` owned by `team-api`.",
    instead="Give both the same owner, or suppress with a reason when the split is deliberate.",
)

DUPLICATE_SINGLETON = Rule(
    code="XD003",
    name="duplicate-singleton",
    summary="Two documents claim a kind that is one per folder.",
    severity="error",
    scope="workspace",
    check=_duplicate_singleton,
    what=(
        "Reports every document after the first (by path) that claims a singleton kind, "
        "such as `incident-response` or `disaster-recovery`."
    ),
    why="Two incident-response playbooks means responders follow whichever they find first.",
    example="`incident-response.md` and `ir-playbook.md`, both with `kind: incident-response`.",
    instead="Merge them into `incident-response.md`.",
)

RULES = [SLO_WITHOUT_RUNBOOK, OWNER_MISMATCH, DUPLICATE_SINGLETON]

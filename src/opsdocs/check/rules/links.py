"""LK: links between documents (missing files, missing anchors, runbooks that do not link SLOs)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from opsdocs.check.context import WorkspaceContext, split_href
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic


def _broken(path: str, href: str, line: int, col: int, problem: str, hint: str) -> Diagnostic:
    """A finding at the link ``href`` of the document at ``path``."""
    return Diagnostic(
        line=line, col=col, message=f"link to '{href}': {problem}", hint=hint, path=path
    )


def _broken_links(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for path, href, target, _, line, col in ctx.links:
        if target and not ctx.exists(target):
            hint = "fix the path (relative to this document) or remove the link"
            yield _broken(path, href, line, col, "no such file", hint)


def _broken_anchors(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for path, href, target, fragment, line, col in ctx.links:
        target = target or path
        if ctx.anchor_missing(target, fragment):
            where = "this document" if target == path else f"'{os.path.basename(target)}'"
            problem = f"{where} has no heading with anchor '#{fragment}'"
            hint = "link an existing heading (lowercase, spaces as hyphens)"
            yield _broken(path, href, line, col, problem, hint)


def _slo_links(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    slos_by_service: dict[str, list[str]] = {}
    for slo_facts in ctx.documents("slo"):
        if slo_facts.service:
            slos_by_service.setdefault(slo_facts.service, []).append(slo_facts.path)
    for path, facts in ctx.reported_facts():
        if facts.kind != "runbook" or facts.slo_section is None:
            continue
        service = facts.service
        if not service:
            continue
        heading, first, last = facts.slo_section
        linked = set()
        for href, line, _ in facts.links:
            parts = split_href(href)
            if parts is not None and parts[0] and first <= line <= last:
                linked.add(ctx.resolve(path, parts[0]))
        for slo in slos_by_service.get(service, []):
            if slo not in linked:
                rel = os.path.relpath(slo, os.path.dirname(path))
                yield Diagnostic(
                    line=heading,
                    col=1,
                    message=f"section 'SLOs / SLIs' does not link '{rel}', "
                    f"an SLO of service '{facts.service}'",
                    hint=f"add '- [{os.path.basename(slo)}]({rel})' to the section",
                    path=path,
                )


BROKEN_LINK = Rule(
    code="LK001",
    name="broken-link",
    summary="A relative link points to a file that does not exist.",
    severity="error",
    scope="workspace",
    check=_broken_links,
    what=(
        "Reports relative links (`[text](other.md)`, `[text](../x/y.md)`) whose target file "
        "does not exist. URLs with a scheme are not fetched."
    ),
    why=(
        "A runbook's links are its escape hatches; a broken one is found in the middle of "
        "an incident."
    ),
    example=(
        "`see [the DR plan](disaster-recovery-plan.md)` when the file is `disaster-recovery.md`"
    ),
    instead="`see [the DR plan](disaster-recovery.md)`",
)

BROKEN_ANCHOR = Rule(
    code="LK002",
    name="broken-anchor",
    summary="A link's #anchor matches no heading in its target document.",
    severity="error",
    scope="workspace",
    check=_broken_anchors,
    what=(
        "Reports links with a `#fragment` (in the same document or another Markdown file) "
        "when the target has no heading (or `<a id>`) with that GitHub-style anchor."
    ),
    why="Renamed headings silently break deep links; the reader lands at the top of a long page.",
    example="`[restore](disaster-recovery.md#restore)` when the heading is `## Restore Procedures`",
    instead="`[restore](disaster-recovery.md#restore-procedures)`",
)

SLO_LINKS = Rule(
    code="LK003",
    name="slo-links-missing",
    summary="A runbook's 'SLOs / SLIs' section does not link its service's SLO documents.",
    severity="error",
    scope="workspace",
    check=_slo_links,
    what=(
        "For each runbook, finds the SLO documents with the same `service` and reports each one "
        "that the runbook's 'SLOs / SLIs' section does not link."
    ),
    why=(
        "The on-call engineer needs the objectives and the error budget from the runbook, "
        "one click away."
    ),
    example="```markdown\n## SLOs / SLIs\n\nSee the SLO dashboard.\n```",
    instead="```markdown\n## SLOs / SLIs\n\n- [API availability](slo-api-availability.md)\n```",
)

RULES = [BROKEN_LINK, BROKEN_ANCHOR, SLO_LINKS]

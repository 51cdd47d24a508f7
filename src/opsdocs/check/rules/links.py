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
    slos_by_service = ctx.by_service("slo")
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
        for slo in (f.path for f in slos_by_service.get(service, [])):
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


RULES = [
    Rule("LK001", "broken-link", "error", scope="workspace", check=_broken_links),
    Rule("LK002", "broken-anchor", "error", scope="workspace", check=_broken_anchors),
    Rule("LK003", "slo-links-missing", "error", scope="workspace", check=_slo_links),
]

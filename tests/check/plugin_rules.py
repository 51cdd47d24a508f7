"""A rule module as a feature package would write it, its text in plugin_rules.toml beside it
(used by test_registry.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opsdocs.check.context import DocContext, WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic


def _collect(ctx: DocContext) -> dict[str, Any] | None:
    section = next((s for s in ctx.doc.sections if s.title == "Error Budget"), None)
    if section is None:
        return None
    return {"line": section.line, "stale": "stale" in ctx.doc.section_text(section)}


def _stale_budget(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for facts in ctx.documents("slo"):
        table = facts.extra.get("ZZ901")
        if table and table["stale"] and facts.path in ctx.reported:
            yield Diagnostic(
                line=table["line"], col=1, message="error-budget table is stale", path=facts.path
            )


RULES = [
    Rule(
        "ZZ901",
        "example-stale-table",
        "error",
        scope="workspace",
        check=_stale_budget,
        collect=_collect,
    )
]

"""SL: check rules contributed by the SLO feature (listed in its descriptor, ``slo/feature.py``).

The front-matter schema (FM005) already reports keys and types of the SLO spec; these rules add
what a schema cannot say: placeholders, PromQL that does not parse, windows too short for the
scrape interval, objectives whose alerts can never fire, and the generated error-budget table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from opsdocs.check.context import DocContext, WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.slo.settings import SloSettings, load_settings
from opsdocs.slo.validate import check_slo, keyed, load_front_matter

_MEMO = "_slo_analysis"  # where a document's analysis is kept on its context
_IDS = "SL004"  # the rule whose collect() holds a document's SLO ids


@dataclass
class _Analysis:
    """What the SL rules need of one document, computed once for all of them: the settings
    and the problems of its SLOs."""

    settings: SloSettings
    problems: list[Diagnostic] = field(default_factory=list)


def _analysis(ctx: DocContext) -> _Analysis | None:
    """The document's analysis (``None``: not an slo document, or front matter FM rules
    report); computed on first use and kept on the context for the other SL rules."""
    memo: dict[str, Any] = ctx.__dict__
    if _MEMO not in memo:
        memo[_MEMO] = _analyse(ctx)
    result: _Analysis | None = memo[_MEMO]
    return result


def _analyse(ctx: DocContext) -> _Analysis | None:
    data = ctx.doc.front_matter
    if ctx.kind_name != "slo" or data is None or ctx.doc.problems:
        return None
    analysis = _Analysis(load_settings(ctx.settings.features.get("slo")))
    section, _ = load_front_matter(data)  # FM005 reports schema errors
    for index, slo in enumerate(section.slos if section is not None else ()):
        analysis.problems.extend(check_slo(slo, analysis.settings, key_path=("slos", index)))
    return analysis


def _violations(ctx: DocContext, severity: str) -> Iterator[Diagnostic]:
    """The problems of ``severity`` among the document's SLOs' (SL001 errors, SL002 warnings)."""
    analysis = _analysis(ctx)
    for problem in analysis.problems if analysis is not None else ():
        if problem.severity == severity:
            line, col = ctx.doc.position(problem.key_path)
            message = keyed(problem, hint=False)
            yield Diagnostic(line=line, col=col, message=message, hint=problem.hint)


def _stale_budget(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.errors import DocumentError
    from opsdocs.slo.budget import budget_table_is_stale

    analysis = _analysis(ctx)
    if analysis is None:
        return
    try:  # a document that gets no table (budget_section) is never stale
        stale = budget_table_is_stale(ctx.doc, analysis.settings)
    except DocumentError as exc:  # a marker repeated or out of order: a person must choose
        yield Diagnostic(line=exc.line or 1, col=1, message=exc.message, hint=exc.hint)
        return
    if stale:
        target = ctx.doc.section("SLO Target")
        line = target.line if target is not None else 1
        yield Diagnostic(
            line=line,
            col=1,
            message="the error-budget table is missing or does not match the SLOs",
            hint="run 'opsdocs check --fix', 'opsdocs index' or 'opsdocs slo budget'",
            fixable=not ctx.doc.problems and ctx.doc.unclosed_fence is None,
        )


def fix_budget_table(ctx: DocContext) -> str | None:
    """The document's text with a current budget table, or None when nothing changes."""
    from opsdocs.errors import DocumentError
    from opsdocs.slo.budget import update_budget_table

    settings = load_settings(ctx.settings.features.get("slo"))
    try:
        new = update_budget_table(ctx.doc, settings)
    except DocumentError:
        return None  # markers repeated or out of order: reported, not guessed at
    return None if new == ctx.doc.text else new


def _collect_ids(ctx: DocContext) -> list[list[Any]] | None:
    from opsdocs.slo.rules import slo_ids

    if ctx.kind_name != "slo":
        return None
    found = []
    for ident, key_path in slo_ids(ctx.doc):
        line, col = ctx.doc.position(key_path)
        found.append([ident, line, col])
    return found or None


def _duplicate_ids(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    places: dict[str, list[tuple[str, int, int]]] = {}
    for facts in ctx.documents("slo"):
        for ident, line, col in facts.extra.get(_IDS) or ():
            places.setdefault(ident, []).append((facts.path, line, col))
    for ident, where in places.items():
        if len(where) < 2:
            continue
        for path, line, col in where:
            if path not in ctx.reported:
                continue
            others = ", ".join(
                sorted({f"{p}:{n}" for p, n, c in where if (p, n, c) != (path, line, col)})
            )
            yield Diagnostic(
                path=path,
                line=line,
                col=col,
                message=f"SLO id '{ident}' is also defined at {others}: their rules would record"
                " the same series",
                hint="service and SLO name must be unique across the workspace; rename one",
            )


RULES = [
    Rule("SL001", "invalid-slo-spec", "error", check=partial(_violations, severity="error")),
    Rule("SL002", "infeasible-slo", "warning", check=partial(_violations, severity="warning")),
    Rule("SL003", "stale-budget-table", "error", check=_stale_budget, fix=fix_budget_table),
    Rule(
        "SL004",
        "duplicate-slo-id",
        "error",
        scope="workspace",
        check=_duplicate_ids,
        collect=_collect_ids,
    ),
]

"""CO: cost documents held against their billing exports, as rules of ``opsdocs check``.

CO001 looks at one document, CO004 at the runbooks of the services the cost documents name.
CO002 and CO003 read the exports the documents name, for the month of ``--today``, once per
check run for both; the findings are kept in the check cache (namespace ``cost-check``) while
the cost documents, the month and every export's size and modification time are unchanged, so
a warm ``opsdocs check`` does not read the billing data again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.check.context import diagnostic_at, required_key
from opsdocs.check.registry import Rule, code_findings
from opsdocs.diagnostics import Diagnostic
from opsdocs.records import json_method

if TYPE_CHECKING:
    from opsdocs.check.context import WorkspaceContext
    from opsdocs.cost.report import CostDocument, CostReport
    from opsdocs.documents.parse import Document

__all__ = ["RULES"]

_MEMO = "cost-measure"
_NAMESPACE = "cost-check"


def _cost_documents(ctx: WorkspaceContext) -> list[CostDocument]:
    """The cost documents with sources and budgets."""
    from opsdocs.cost.report import read_cost_document
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import InputError

    documents: list[CostDocument] = []
    for facts in ctx.documents("cost"):
        try:
            spec = read_cost_document(read_document(Path(facts.path)))
        except InputError:
            continue  # front matter problems are FM findings
        if spec.spec.sources and spec.spec.budgets:
            documents.append(spec)
    return documents


def _fingerprint(ctx: WorkspaceContext, documents: list[CostDocument]) -> str | None:
    """What the findings depend on: the month, the cost documents' bytes and every export's
    path, size and modification time (None when the exports cannot be listed)."""
    from opsdocs.cache import digest
    from opsdocs.errors import InputError
    from opsdocs.sources.files import expand_files

    assert ctx.workspace is not None
    patterns = [p for d in documents for p in d.spec.sources]
    try:
        files = expand_files(ctx.workspace.root, patterns, where="sources").files
    except InputError:
        return None
    parts = [ctx.today.strftime("%Y-%m")]
    for doc in documents:
        parts += [str(doc.path), doc.path.read_text(encoding="utf-8")]
    for name in files:
        info = os.stat(name)
        parts += [name, str(info.st_size), str(info.st_mtime_ns)]
    return digest(*parts)


def _measure(ctx: WorkspaceContext) -> dict[str, list[dict[str, Any]]]:
    from opsdocs.cache import Cache, cache_key
    from opsdocs.cost.report import build_report
    from opsdocs.errors import InputError

    found: dict[str, list[dict[str, Any]]] = {"CO002": [], "CO003": []}
    if ctx.workspace is None:
        return found
    documents = _cost_documents(ctx)
    if not documents:
        return found
    cache: Cache | None = None  # None when caching is off
    if ctx.cache_dir is not None:
        cache = Cache(ctx.cache_dir, _NAMESPACE, cache_key(ctx.settings.effective())).load()
    key = _fingerprint(ctx, documents) if cache is not None else None
    if cache is not None and key is not None:
        entry = cache.get("month", key)
        if entry is not None:
            return {code: list(entry.get(code, [])) for code in found}
    try:
        report = build_report(ctx.workspace, documents, ctx.today.replace(day=1))
    except InputError as exc:
        problem = diagnostic_at(
            documents[0].doc,
            ("sources",),
            message=f"cannot measure the budgets: {exc.message}",
            hint=exc.hint,
        )
        return {"CO002": [_as_json(problem)], "CO003": []}  # not cached: the input is to fix
    found["CO002"] = [_as_json(d) for d in _over_budget(report, documents)]
    found["CO003"] = [_as_json(d) for d in _untagged(report, documents)]
    if cache is not None and key is not None:
        cache.put("month", key, found)
        cache.save()
    return found


def _over_budget(report: CostReport, documents: list[CostDocument]) -> Iterator[Diagnostic]:
    # by path, not by file name: check reads subfolders too, where two can share a name
    by_path = {d.path: d for d in documents}
    for budget in report.budgets:
        if not budget.over_threshold or budget.path is None:
            continue
        doc = by_path[budget.path]
        index = [b.name for b in doc.spec.budgets].index(budget.name)
        yield diagnostic_at(
            doc.doc,
            ("budgets", index, "monthly"),
            message=(
                f"budget {budget.name!r}: forecast {budget.forecast} {report.currency} is "
                f"{budget.forecast_percent}% of {budget.budget} (threshold {budget.threshold}%)"
            ),
            hint="cut spend or raise the budget; 'opsdocs cost report' shows the movers",
        )


def _untagged(report: CostReport, documents: list[CostDocument]) -> Iterator[Diagnostic]:
    if not report.untagged_over:
        return
    limiting = next(d for d in documents if d.spec.untagged_max == report.untagged_max)
    yield diagnostic_at(
        limiting.doc,
        ("untagged_max",),
        message=(
            f"untagged spend {report.untagged} {report.currency} is {report.untagged_percent}% "
            f"of {report.total} in {report.month} (limit {report.untagged_max}%)"
        ),
        hint="tag the resources, or give their owners budgets with those tags",
    )


#: What a cached finding keeps (the engine adds the code, name and severity).
_as_json = json_method("path", "line", "col", "message", "hint")


def _findings(ctx: WorkspaceContext) -> list[Diagnostic]:
    # CO002 and CO003 share one measurement per run
    found = ctx.once(_MEMO, _measure)
    return [Diagnostic(code=code, **data) for code, items in found.items() for data in items]


_forecast_over = code_findings("CO002", _findings)
_untagged_over = code_findings("CO003", _findings)


def _services(doc: Document) -> list[tuple[str, tuple[Any, ...]]]:
    """The services a cost document is for, each with the key path that names it: its
    ``service``, and the ``service`` tag of each budget."""
    front = doc.front_matter if isinstance(doc.front_matter, dict) else {}
    found: list[tuple[str, tuple[Any, ...]]] = []
    if isinstance(front.get("service"), str):
        found.append((front["service"], ("service",)))
    budgets = front.get("budgets")
    for index, budget in enumerate(budgets if isinstance(budgets, list) else []):
        tags = budget.get("tags") if isinstance(budget, dict) else None
        service = tags.get("service") if isinstance(tags, dict) else None
        if isinstance(service, str) and service not in [s for s, _ in found]:
            found.append((service, ("budgets", index, "tags", "service")))
    return found


def _no_runbook(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.documents.parse import read_document

    runbooks = {f.service for f in ctx.documents("runbook") if f.service}
    for facts in ctx.documents("cost"):
        if facts.path not in ctx.reported:
            continue
        try:
            doc = read_document(Path(facts.path))
        except OSError:
            continue
        for service, key in _services(doc):
            if service in runbooks:
                continue
            yield diagnostic_at(
                doc,
                key,
                message=f"service '{service}' has a cost document but no runbook",
                hint=f"create one with 'opsdocs new runbook {service}'",
                path=facts.path,
            )


RULES = [
    Rule(
        "CO001",
        "cost-source-missing",
        "warning",
        check=required_key(
            "cost",
            "sources",
            message="the cost document names no billing export",
            hint="list FOCUS exports under 'sources:', e.g. sources: [billing/focus-*.csv.gz]",
        ),
    ),
    Rule("CO002", "cost-forecast-over-budget", "warning", scope="workspace", check=_forecast_over),
    Rule("CO003", "cost-untagged-over-share", "warning", scope="workspace", check=_untagged_over),
    Rule("CO004", "cost-service-without-runbook", "warning", scope="workspace", check=_no_runbook),
]

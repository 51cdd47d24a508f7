"""AL: the alert catalogue held against the runbooks, as rules of ``opsdocs check``.

The rules run when the workspace has a ``[monitoring]`` table. The analysis behind them
(:func:`opsdocs.monitoring.estate.study`) is computed once per run and shared by every AL rule;
what each document says about alerts is collected per document and cached with its findings.
Findings about alert rules are reported at the rule file's line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.check.registry import Rule, Severity, code_findings, select_family
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from opsdocs.check.context import DocContext, WorkspaceContext
    from opsdocs.check.findings import CheckResult
    from opsdocs.monitoring.analysis import Analysis
    from opsdocs.workspace import Workspace

__all__ = ["RULES", "check_alerts"]

_MEMO = "monitoring"
_ESTATE = "monitoring-estate"


def _collect(ctx: DocContext) -> dict[str, Any] | None:
    from opsdocs.monitoring.analysis import collect_document

    return collect_document(ctx.doc, ctx.kind_name)


def _prepare(workspace: Workspace, memo: dict[str, Any], cache_dir: Path | None) -> None:
    """Before the documents are read: start promtool and list the runbook folders, once per
    run (the catalogue is loaded while the documents are parsed)."""
    from opsdocs.monitoring.estate import configured, open_estate

    if _ESTATE not in memo:
        wanted = configured(workspace)
        memo[_ESTATE] = open_estate(workspace, cache_dir=cache_dir) if wanted else None
    elif memo[_ESTATE] is not None:  # opened by check_alerts, before the run's cache was known
        memo[_ESTATE].cache_dir = cache_dir


def check_alerts(
    workspace: Workspace,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    strict: bool = False,
    today: dt.date | None = None,
) -> CheckResult:
    """``opsdocs alerts check``: the AL rules of ``opsdocs check`` alone (``select``: some of
    them). promtool is started on the rule files first, before the check engine and the rule
    modules are imported: it has a core to itself while this process starts the run.

    Raises :class:`~opsdocs.errors.UsageError` when ``select`` picks a rule outside the AL
    family.
    """
    memo: dict[str, Any] = {}
    _prepare(workspace, memo, None)
    try:
        from opsdocs.check.engine import CheckOptions, run_check

        options = CheckOptions(
            select=select_family("AL", select), ignore=ignore, strict=strict, today=today
        )
        return run_check(workspace, None, options, prepared=memo)
    finally:
        if memo[_ESTATE] is not None:
            memo[_ESTATE].close()  # a run closes it too: stopping it twice does nothing


def _findings(ctx: WorkspaceContext) -> list[Diagnostic]:
    """Every AL finding of the run, from its one analysis."""
    analysis = ctx.once(_MEMO, _study)
    return [] if analysis is None else analysis.findings


def _study(ctx: WorkspaceContext) -> Analysis | None:
    from opsdocs.monitoring.estate import study

    # every AL rule's prepare hook ran first: the estate is open when [monitoring] is configured
    estate = ctx.memo.get(_ESTATE)
    if estate is None:
        return None
    documents = {
        os.path.normpath(path): facts.extra["AL009"]
        for path, facts in ctx.facts.items()
        if facts.readable and facts.extra.get("AL009")
    }
    return study(estate.workspace, documents=documents, anchors_of=ctx.anchors_of, estate=estate)


def _context(workspace: Workspace, memo: dict[str, Any]) -> list[str]:
    """The runbook folders' files (their real paths): parsed (and cached) by the engine for
    their anchors."""
    estate = memo.get(_ESTATE)
    return [] if estate is None else estate.real_folder_files()


def _rule(code: str, name: str, severity: Severity, **wiring: Any) -> Rule:
    """An AL rule: its findings are those of the run's one analysis with its code."""
    return Rule(
        code,
        name,
        severity,
        scope="workspace",
        check=code_findings(code, _findings),
        prepare=_prepare,
        **wiring,
    )


RULES = [
    _rule("AL001", "rule-file-invalid", "error"),
    _rule("AL002", "alert-runbook-missing", "error"),
    # AL003 needs the runbooks' anchors; AL004 needs only their names (walked in study)
    _rule("AL003", "alert-runbook-broken", "error", context=_context),
    _rule("AL004", "runbook-orphaned", "warning"),
    _rule("AL005", "alert-severity-unknown", "error"),
    _rule("AL006", "alert-summary-missing", "warning"),
    _rule("AL007", "alert-for-too-short", "warning"),
    _rule("AL008", "paging-alert-without-for", "warning"),
    _rule("AL009", "alert-unknown", "error", collect=_collect),
    _rule("AL010", "alert-expression-invalid", "error"),
    _rule("AL011", "alert-metric-absent", "warning"),
    _rule("AL012", "dashboard-invalid", "error"),
]

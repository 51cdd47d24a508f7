"""AL: the alert catalogue held against the runbooks, as rules of ``opsdocs check``.

The rules run when the workspace has a ``[monitoring]`` table. The analysis behind them
(:func:`opsdocs.monitoring.estate.study`) is computed once per run and shared by every AL rule;
what each document says about alerts is collected per document and cached with its findings.
Findings about alert rules are reported at the rule file's line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext, WorkspaceContext
    from opsdocs.monitoring.analysis import Analysis
    from opsdocs.workspace import Workspace

__all__ = ["RULES"]

_MEMO = "monitoring"
_ESTATE = "monitoring-estate"


def _collect(ctx: DocContext) -> dict[str, Any] | None:
    from opsdocs.monitoring.analysis import collect_document

    kind = ctx.doctype.kind.name if ctx.doctype.kind is not None else None
    return collect_document(ctx.doc, kind)


def _prepare(workspace: Workspace, memo: dict[str, Any], cache_dir: Path | None) -> None:
    """Before the documents are read: load the catalogue and start promtool, once per run."""
    from opsdocs.monitoring.estate import configured, open_estate

    if _ESTATE not in memo:
        wanted = configured(workspace)
        memo[_ESTATE] = open_estate(workspace, cache_dir=cache_dir) if wanted else None


def _analysis(ctx: WorkspaceContext) -> Analysis | None:
    if _MEMO not in ctx.memo:
        ctx.memo[_MEMO] = _study(ctx)
    result: Analysis | None = ctx.memo[_MEMO]
    return result


def _study(ctx: WorkspaceContext) -> Analysis | None:
    from opsdocs.monitoring.estate import configured, study

    workspace = ctx.workspace
    if workspace is None or not configured(workspace):
        return None
    documents = {
        os.path.normpath(path): facts.extra["AL009"]
        for path, facts in ctx.facts.items()
        if facts.readable and facts.extra.get("AL009")
    }
    return study(
        workspace,
        documents=documents,
        anchors_of=ctx.anchors_of,
        cache_dir=ctx.cache_dir,
        estate=ctx.memo.get(_ESTATE),
    )


def _context(workspace: Workspace, memo: dict[str, Any]) -> list[Path]:
    """The runbook folders' files: parsed (and cached) by the engine for their anchors."""
    from opsdocs.monitoring.estate import configured, effective_settings, runbook_folder_files

    estate = memo.get(_ESTATE)
    if estate is not None:
        return [Path(p) for p in estate.folder_files]
    if not configured(workspace):
        return []
    return [Path(p) for p in runbook_folder_files(workspace, effective_settings(workspace))]


def _reporter(code: str) -> Callable[[WorkspaceContext], Iterator[Diagnostic]]:
    def check(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
        analysis = _analysis(ctx)
        if analysis is not None:
            yield from (d for d in analysis.findings if d.code == code)

    return check


def _rule(code: str, name: str, summary: str, severity: str, **text: Any) -> Rule:
    return Rule(
        code=code,
        name=name,
        summary=summary,
        severity=severity,  # type: ignore[arg-type]
        scope="workspace",
        check=_reporter(code),
        # AL003 needs the runbooks' anchors; AL004 needs only their names (walked in study)
        context=_context if code == "AL003" else None,
        prepare=_prepare,
        **text,
    )


RULE_FILE_INVALID = _rule(
    "AL001",
    "rule-file-invalid",
    "A configured rule file is not a Prometheus rule file or PrometheusRule.",
    "error",
    what=(
        "Reports a file matched by `[monitoring] rule_files` that is not YAML, holds no rule "
        "groups, is a PrometheusRule without `spec.groups`, or has a rule that is neither an "
        "alert nor a recording rule."
    ),
    why="An alert that never loads never pages; the catalogue cannot vouch for it.",
    example="```yaml\nalerts:\n  - alert: ApiDown\n```",
    instead="```yaml\ngroups:\n  - name: api\n    rules:\n      - alert: ApiDown\n```",
)

ALERT_RUNBOOK_MISSING = _rule(
    "AL002",
    "alert-runbook-missing",
    "An alert has no runbook_url annotation.",
    "error",
    what="Reports alerting rules without a `runbook_url` annotation, at the rule's line.",
    why=(
        "The page arrives at 3 a.m. with no link to what to do. `opsdocs alerts stub` writes "
        "the runbook and prints the URL to add."
    ),
    example="```yaml\n- alert: ApiHighErrorRate\n  expr: ...\n  annotations:\n"
    "    summary: API error rate above 5 %\n```",
    instead="```yaml\n  annotations:\n    summary: API error rate above 5 %\n"
    "    runbook_url: https://runbooks.example.com/runbooks/api-high-error-rate\n```",
)

ALERT_RUNBOOK_BROKEN = _rule(
    "AL003",
    "alert-runbook-broken",
    "An alert's runbook_url leads to no runbook, or to one without its #anchor.",
    "error",
    what=(
        "Resolves each `runbook_url` that is a relative path or starts with a prefix of "
        "`[monitoring] runbook_urls` to a file of the repository (`PATH.md`, `PATH/README.md`, "
        "`PATH/index.md`; `page.html` as `page.md`), and reports a URL that resolves to no "
        "file, a `#anchor` that is not one of the file's headings (GitHub's anchor rules), a "
        "URL with white space or an unsupported scheme, and a path that leaves the workspace. "
        "URLs on other sites are not fetched."
    ),
    why=(
        "A fifth of the alerts in widely used rule sets link a runbook that is not there; the "
        "link rots silently when a runbook is renamed."
    ),
    example="`runbook_url: https://runbooks.example.com/runbooks/api#high-errors` when the "
    "heading is `## High error rate`",
    instead="`runbook_url: https://runbooks.example.com/runbooks/api#high-error-rate`",
)

RUNBOOK_ORPHANED = _rule(
    "AL004",
    "runbook-orphaned",
    "An alert runbook that no alert points at.",
    "warning",
    what=(
        "Reports runbooks in the folders `[monitoring] runbook_urls` maps (their README and "
        "index pages aside), and runbook documents that name alerts, when no alert's "
        "`runbook_url` resolves to them."
    ),
    why="Runbooks outlive the alerts they were written for; a stale one misleads.",
    example="`runbooks/kube-pod-crash-looping.md` after the alert was renamed",
    instead="Point the alert's `runbook_url` at it, or delete it with the alert.",
)

ALERT_SEVERITY_UNKNOWN = _rule(
    "AL005",
    "alert-severity-unknown",
    "An alert has no severity label, or one that is not on the ladder.",
    "error",
    what=(
        "Reports alerts whose `severity` label (`[monitoring] severity_label`) is missing or "
        "is neither a severity of the incident playbook's ladder nor one of "
        "`[monitoring] severities` (case-insensitive)."
    ),
    why="Routing pages on the severity label: an unknown one reaches no pager.",
    example="```yaml\nlabels:\n  severity: urgent\n```",
    instead="```yaml\nlabels:\n  severity: critical\n```",
)

ALERT_SUMMARY_MISSING = _rule(
    "AL006",
    "alert-summary-missing",
    "An alert has neither a summary nor a description annotation.",
    "warning",
    what="Reports alerting rules with no `summary` and no `description` annotation.",
    why="The notification is all the responder sees first; it must say what is wrong.",
    example="```yaml\nannotations:\n  runbook_url: ...\n```",
    instead="```yaml\nannotations:\n  summary: '{{ $labels.job }} error ratio above 5 %'\n```",
)

ALERT_FOR_TOO_SHORT = _rule(
    "AL007",
    "alert-for-too-short",
    "An alert's 'for:' is shorter than twice the scrape interval.",
    "warning",
    what=(
        "Reports alerts whose `for:` is above zero but shorter than twice "
        "`[monitoring] scrape_interval` (default 1m)."
    ),
    why="With one scrape inside the window, one slow scrape fires and resolves the alert: it "
    "flaps.",
    example="`for: 30s` with a 1m scrape interval",
    instead="`for: 2m` or longer",
)

PAGING_ALERT_WITHOUT_FOR = _rule(
    "AL008",
    "paging-alert-without-for",
    "A paging alert has no 'for:'.",
    "warning",
    what="Reports alerts whose severity pages (ladder or `[monitoring] severities`) with no "
    "`for:`.",
    why="Without `for:` a single evaluation wakes someone up.",
    example='```yaml\n- alert: ApiDown\n  expr: up{job="api"} == 0\n  labels:\n'
    "    severity: critical\n```",
    instead='```yaml\n- alert: ApiDown\n  expr: up{job="api"} == 0\n  for: 5m\n```',
)

ALERT_UNKNOWN = Rule(
    code="AL009",
    name="alert-unknown",
    summary="A runbook or monitoring document names an alert that does not exist.",
    severity="error",
    scope="workspace",
    check=_reporter("AL009"),
    collect=_collect,
    prepare=_prepare,
    what=(
        "Reports alert names in a runbook's front matter (`alerts: [...]`), as headings of its "
        "'Dashboards & Alerts' section (a CamelCase word or a `code` heading), or in a "
        "monitoring document's `alerts`, that no rule file (or SLO) defines."
    ),
    why="The runbook promises guidance for an alert that was renamed or removed.",
    example="```markdown\n## Dashboards & Alerts\n\n### ApiHighErrorRatio\n```",
    instead="```markdown\n## Dashboards & Alerts\n\n### ApiHighErrorRate\n```",
)

ALERT_EXPRESSION_INVALID = _rule(
    "AL010",
    "alert-expression-invalid",
    "promtool rejects a rule.",
    "error",
    what=(
        "Runs `promtool check rules` over the rule files (PrometheusRule documents as plain "
        "rule files) when promtool is installed, and reports each complaint at the rule's line."
    ),
    why="Prometheus refuses to load a rule file with one bad rule: every alert in it is gone.",
    example="`expr: sum(rate(http_requests_total[5m])`",
    instead="`expr: sum(rate(http_requests_total[5m]))`",
)

ALERT_METRIC_ABSENT = _rule(
    "AL011",
    "alert-metric-absent",
    "An alert's expression selects a metric Prometheus has no series of.",
    "warning",
    what=(
        "With `[monitoring] prometheus_url`, reports metric names in alert expressions that "
        "the server has no series for (recording rules of the catalogue excepted)."
    ),
    why="An alert over a metric that does not exist can never fire.",
    example="`expr: rate(http_request_total[5m]) > 1` when the metric is `http_requests_total`",
    instead="`expr: rate(http_requests_total[5m]) > 1`",
)

DASHBOARD_INVALID = _rule(
    "AL012",
    "dashboard-invalid",
    "A monitoring document lists a dashboard file that is missing or does not parse.",
    "error",
    what=(
        "Reads each `dashboards[].file` of a monitoring document (relative to the document) as "
        "Grafana dashboard JSON and reports a missing file, invalid JSON or a file without "
        "panels."
    ),
    why="The dashboard the document promises must exist; its panel queries join the catalogue.",
    example="`dashboards: [{title: API, file: dashboards/api.jsn}]`",
    instead="`dashboards: [{title: API, file: dashboards/api.json}]`",
)

RULES = [
    RULE_FILE_INVALID,
    ALERT_RUNBOOK_MISSING,
    ALERT_RUNBOOK_BROKEN,
    RUNBOOK_ORPHANED,
    ALERT_SEVERITY_UNKNOWN,
    ALERT_SUMMARY_MISSING,
    ALERT_FOR_TOO_SHORT,
    PAGING_ALERT_WITHOUT_FOR,
    ALERT_UNKNOWN,
    ALERT_EXPRESSION_INVALID,
    ALERT_METRIC_ABSENT,
    DASHBOARD_INVALID,
]

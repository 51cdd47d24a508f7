"""The whole alerting estate of a workspace: load the catalogue, read what the documents say,
and analyse the two together (the entry points of ``opsdocs alerts`` and the AL rules)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError
from opsdocs.monitoring.analysis import (
    Analysis,
    PromtoolRun,
    analyse,
    collect_document,
)
from opsdocs.monitoring.catalogue import (
    Alert,
    Catalogue,
    RuleFile,
    alerts_from_api,
    expand_rule_files,
    load_rule_file,
    parse_rule_text,
)
from opsdocs.monitoring.settings import AlertAction, MonitoringSettings, load_monitoring_settings

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "configured",
    "effective_settings",
    "fetch_series_names",
    "ladder_actions",
    "load_catalogue",
    "runbook_folder_files",
    "study",
]


def configured(workspace: Workspace) -> bool:
    """Whether the workspace has a ``[monitoring]`` table (the AL rules run only then)."""
    return "monitoring" in workspace.config.sections


def effective_settings(workspace: Workspace) -> MonitoringSettings:
    """The monitoring settings, with the served docs' URL (``[slo] docs_base_url``) mapped to
    the operations folder so that the links ``slo rules`` writes resolve too."""
    settings = load_monitoring_settings(workspace.config)
    base = workspace.config.section("slo").get("docs_base_url")
    if isinstance(base, str) and base and base not in settings.runbook_urls:
        mapped = dict(settings.runbook_urls)
        mapped[base if base.endswith("/") else base + "/"] = workspace.config.docs_dir
        settings = settings.model_copy(update={"runbook_urls": mapped})
    return settings


def ladder_actions(workspace: Workspace) -> dict[str, AlertAction]:
    """Severity name -> page/ticket from the playbook's ladder (the default ladder when the
    playbook is missing or unfinished: a catalogue is never blocked by the playbook)."""
    from opsdocs.incidents.policy import load_playbook

    try:
        playbook = load_playbook(workspace)
    except (InputError, ValueError):
        from opsdocs.incidents.policy import Playbook

        playbook = Playbook(None, None)
    return {s.name: ("page" if s.page else "ticket") for s in playbook.severities}


def load_catalogue(
    workspace: Workspace, settings: MonitoringSettings, *, prometheus: bool = True
) -> Catalogue:
    """Every alert: from the rule files (or the Prometheus API) and from the SLO documents."""
    root = workspace.root
    catalogue = Catalogue()
    local = [load_rule_file(path, root) for path in expand_rule_files(root, settings.rule_files)]
    if settings.prometheus_url and prometheus:
        catalogue.alerts.extend(_alerts_from_prometheus(settings, local, catalogue))
        catalogue.files.extend(local)
    else:
        catalogue.files.extend(local)
        for rule_file in local:
            catalogue.alerts.extend(rule_file.alerts)
            catalogue.errors.extend(rule_file.errors)
        if not settings.rule_files:
            catalogue.notes.append("no rule files configured ([monitoring] rule_files)")
    if settings.slo_alerts:
        catalogue.alerts.extend(_slo_alerts(workspace, catalogue))
    return catalogue


def _alerts_from_prometheus(
    settings: MonitoringSettings, local: list[RuleFile], catalogue: Catalogue
) -> list[Alert]:
    from opsdocs.sources.prometheus import PrometheusClient

    assert settings.prometheus_url is not None
    with PrometheusClient(settings.prometheus_url, timeout=settings.timeout) as client:
        data = client.api("/api/v1/rules", {"type": "alert"})
    known = {(a.group, a.name): a for f in local for a in f.alerts}
    alerts: list[Alert] = []
    for alert in alerts_from_api(data, origin=settings.prometheus_url):
        mine = known.get((alert.group, alert.name))
        if mine is not None:
            # the same rule in a local file: report at its line
            alert = Alert(
                name=alert.name,
                group=alert.group,
                file=mine.file,
                line=mine.line,
                col=mine.col,
                expr=alert.expr,
                for_=alert.for_,
                labels=alert.labels,
                annotations=alert.annotations,
                source="prometheus",
                positions=mine.positions,
                index=mine.index,
            )
        alerts.append(alert)
    catalogue.notes.append(
        f"{len(alerts)} alert(s) read from {settings.prometheus_url} (/api/v1/rules)"
    )
    return alerts


def _slo_alerts(workspace: Workspace, catalogue: Catalogue) -> list[Alert]:
    """The alerts ``opsdocs slo rules`` generates, unless its files are already loaded."""
    from opsdocs.documents.folder import read_documents
    from opsdocs.slo import load_settings, plan_documents
    from opsdocs.slo.rules import runbook_resolver

    docs = read_documents(workspace, "slo")
    if not docs:
        return []
    settings = load_settings(workspace.config.section("slo"), source=workspace.config.source_label)
    out_dir = workspace.root / settings.output_dir
    resolver = runbook_resolver(
        read_documents(workspace, "runbook"),
        workspace.docs_dir,
        settings.docs_base_url,
        settings.docs_link_style,
    )
    plan = plan_documents(
        docs, out_dir, settings=settings, runbook_url=resolver, label=workspace.relative
    )
    loaded = {os.path.realpath(f.abspath) for f in catalogue.files}
    seen = {(a.group, a.name) for a in catalogue.alerts}
    alerts: list[Alert] = []
    for output in plan.outputs:
        if os.path.realpath(output.path) in loaded:
            continue
        part = parse_rule_text(output.text, RuleFile(path=output.source, abspath=output.source))
        source_doc = workspace.root / output.source
        line = _slos_line(source_doc)
        for alert in part.alerts:
            if (alert.group, alert.name) in seen:
                continue
            alerts.append(
                Alert(
                    name=alert.name,
                    group=alert.group,
                    file=output.source,
                    line=line,
                    col=1,
                    expr=alert.expr,
                    for_=alert.for_,
                    labels=alert.labels,
                    annotations=alert.annotations,
                    source="slo",
                    index=alert.index,
                )
            )
    return alerts


def _slos_line(path: Path) -> int:
    try:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if line.startswith("slos:"):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def runbook_folder_files(workspace: Workspace, settings: MonitoringSettings) -> list[str]:
    """Markdown files under the folders ``runbook_urls`` maps to (absolute, sorted)."""
    found: set[str] = set()
    docs_dir = os.path.normpath(workspace.docs_dir)
    for folder in settings.runbook_urls.values():
        base = os.path.normpath(os.path.join(workspace.root, folder))
        if base == docs_dir:
            continue  # the operations folder itself: its runbooks are documents
        for directory, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.update(
                os.path.join(directory, f) for f in files if f.endswith((".md", ".markdown"))
            )
    return sorted(found)


def fetch_series_names(settings: MonitoringSettings) -> set[str] | None:
    """Every metric name the configured Prometheus has series for (None without a URL)."""
    if not settings.prometheus_url:
        return None
    from opsdocs.sources.prometheus import PrometheusClient

    with PrometheusClient(settings.prometheus_url, timeout=settings.timeout) as client:
        data = client.api("/api/v1/label/__name__/values")
    if not isinstance(data, list):
        raise InputError(
            "unexpected response from /api/v1/label/__name__/values",
            path=settings.prometheus_url,
            hint="point prometheus_url at a Prometheus-compatible API",
        )
    return {str(name) for name in data}


def study(
    workspace: Workspace,
    *,
    documents: dict[str, dict[str, Any]] | None = None,
    anchors_of: Callable[[str], set[str] | None] | None = None,
    promtool: bool = True,
    prometheus: bool = True,
) -> Analysis:
    """Load and analyse the workspace's alerting estate.

    ``documents`` and ``anchors_of`` come from the check engine's cached facts when it runs the
    AL rules; without them the runbook and monitoring documents are read here.
    """
    import shutil

    settings = effective_settings(workspace)
    catalogue = load_catalogue(workspace, settings, prometheus=prometheus)
    run = None
    binary = shutil.which("promtool") if promtool and settings.promtool else None
    if binary is not None:
        # started now: promtool checks the files on the other core while we analyse
        run = PromtoolRun([f for f in catalogue.files if f.documents], binary)
    elif promtool and settings.promtool:
        catalogue.notes.append("promtool is not installed: expressions were not checked")
    folder_files = runbook_folder_files(workspace, settings)
    if documents is None or anchors_of is None:
        documents, anchors_of = _read_documents(workspace, folder_files)
    series = fetch_series_names(settings) if prometheus else None
    return analyse(
        root=workspace.root,
        settings=settings,
        catalogue=catalogue,
        documents=documents,
        ladder=ladder_actions(workspace),
        anchors_of=anchors_of,
        runbook_folder_files=folder_files,
        promtool=run,
        series=series,
    )


def _read_documents(
    workspace: Workspace, folder_files: list[str]
) -> tuple[dict[str, dict[str, Any]], Callable[[str], set[str] | None]]:
    from opsdocs.check.context import anchors_of as doc_anchors
    from opsdocs.documents.folder import document_paths
    from opsdocs.documents.parse import read_document

    documents: dict[str, dict[str, Any]] = {}
    anchors: dict[str, set[str] | None] = {}
    for kind in ("runbook", "monitoring"):
        for path in document_paths(workspace, kind):
            try:
                doc = read_document(path)
            except InputError:
                continue
            key = os.path.normpath(str(path))
            anchors[key] = doc_anchors(doc)
            facts = collect_document(doc, doc.kind or kind)
            if facts is not None:
                documents[key] = facts

    def anchors_of(path: str) -> set[str] | None:
        key = os.path.normpath(path)
        if key not in anchors:
            try:
                anchors[key] = doc_anchors(read_document(Path(key)))
            except InputError:
                anchors[key] = None
        return anchors[key]

    return documents, anchors_of

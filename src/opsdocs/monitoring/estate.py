"""The whole alerting estate of a workspace: load the catalogue, read what the documents say,
and analyse the two together (the entry points of ``opsdocs alerts`` and the AL rules)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError
from opsdocs.fileio import real_folder
from opsdocs.monitoring.analysis import (
    Analysis,
    PromtoolRun,
    analyse,
    collect_document,
    resolve_alerts,
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
    from opsdocs.cache import Cache
    from opsdocs.workspace import Workspace

__all__ = [
    "Estate",
    "catalogue_cache",
    "configured",
    "effective_settings",
    "fetch_series_names",
    "ladder_actions",
    "load_catalogue",
    "open_estate",
    "read_catalogue",
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
    workspace: Workspace,
    settings: MonitoringSettings,
    *,
    prometheus: bool = True,
    cache_dir: Path | None = None,
) -> Catalogue:
    """Every alert: from the rule files (or the Prometheus API) and from the SLO documents.

    With ``cache_dir``, rule files unchanged since the last run are read from the content-hash
    cache there instead of being parsed again.
    """
    root = workspace.root
    cache = _rules_cache(cache_dir) if cache_dir is not None else None
    local = [
        load_rule_file(path, root, cache) for path in expand_rule_files(root, settings.rule_files)
    ]
    if cache is not None:
        cache.save()
    catalogue = Catalogue(files=local)
    if settings.prometheus_url and prometheus:
        catalogue.alerts.extend(_alerts_from_prometheus(settings, local, catalogue))
    else:
        for rule_file in local:
            catalogue.alerts.extend(rule_file.alerts)
            catalogue.errors.extend(rule_file.errors)
        if not settings.rule_files:
            catalogue.notes.append("no rule files configured ([monitoring] rule_files)")
    if settings.slo_alerts:
        catalogue.alerts.extend(_slo_alerts(workspace, catalogue))
    return catalogue


def catalogue_cache(workspace: Workspace) -> Path | None:
    """The folder where parsed rule files are kept: the one ``opsdocs check`` caches in (None
    when its settings turn caching off), so that every command reads the catalogue the same
    way and a file parsed by one is read back by the others."""
    from opsdocs.check.engine import CheckOptions, cache_folder
    from opsdocs.check.settings import load_settings

    return cache_folder(workspace.root, load_settings(workspace.config), CheckOptions())


def _rules_cache(directory: Path) -> Cache:
    """The parsed rule files of earlier runs (parsing depends on nothing but the file's bytes
    and opsdocs's own source, which the key covers)."""
    from opsdocs.cache import Cache, cache_key

    return Cache(directory, "monitoring-rules", cache_key({})).load()


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
            alert = replace(
                alert,
                file=mine.file,
                line=mine.line,
                col=mine.col,
                positions=mine.positions,
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
    resolver = runbook_resolver(workspace, settings)
    plan = plan_documents(
        docs, out_dir, settings=settings, runbook_url=resolver, label=workspace.relative
    )
    loaded = {os.path.realpath(f.abspath) for f in catalogue.files}
    seen = {(a.group, a.name) for a in catalogue.alerts}
    slos_lines = {workspace.relative(doc.path): doc.position(("slos",))[0] for doc in docs}
    alerts: list[Alert] = []
    for output in plan.outputs:
        if os.path.realpath(output.path) in loaded:
            continue
        part = parse_rule_text(output.text, RuleFile(path=output.source, abspath=output.source))
        line = slos_lines[output.source]
        for alert in part.alerts:
            if (alert.group, alert.name) not in seen:
                # reported at the SLO document's 'slos:' line, where the alert comes from
                alerts.append(
                    replace(alert, file=output.source, line=line, col=1, positions={}, source="slo")
                )
    return alerts


def runbook_folder_files(
    workspace: Workspace, settings: MonitoringSettings, folders: dict[str, str] | None = None
) -> list[str]:
    """Markdown files under the folders ``runbook_urls`` maps to (absolute, sorted).

    ``folders`` (see :func:`opsdocs.fileio.real_folder`) is given the real path of each folder
    walked: resolving the runbooks' links then needs no ``lstat`` of their folders.
    """
    found: set[str] = set()
    docs_dir = os.path.normpath(workspace.docs_dir)
    memo = {} if folders is None else folders
    for folder in settings.runbook_urls.values():
        base = os.path.normpath(os.path.join(workspace.root, folder))
        if base == docs_dir:
            continue  # the operations folder itself: its runbooks are documents
        real_folder(base, memo)
        # hidden folders are not entered, nor symlinked ones (os.walk does not follow them):
        # the real path of each folder entered is its parent's and its name
        for directory, subfolders, files in os.walk(base):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            for name in subfolders:
                below = os.path.join(directory, name)
                if not os.path.islink(below):
                    memo[below] = os.path.join(memo[directory], name)
            found.update(
                os.path.join(directory, n) for n in files if n.endswith((".md", ".markdown"))
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


@dataclass
class Estate:
    """What is known of the alerting estate before the documents are read: the settings, the
    runbook folders' files and promtool checking the rule files meanwhile; the catalogue is
    loaded (the rule files parsed, each alert's runbook link followed to its file) by
    :meth:`load`, or when first asked for."""

    workspace: Workspace
    settings: MonitoringSettings
    folder_files: list[str]
    promtool: PromtoolRun | None = None
    prometheus: bool = True
    cache_dir: Path | None = None
    promtool_missing: bool = False  # promtool wanted but not installed
    #: real paths of the folders walked (see :func:`opsdocs.fileio.real_folder`)
    folders: dict[str, str] = field(default_factory=dict)
    _resolved: Analysis | None = None

    def load(self) -> Analysis:
        """Parse the rule files (or read them back from the cache) and resolve what each alert
        says alone (:func:`~opsdocs.monitoring.analysis.resolve_alerts`), once; the check
        engine calls it while its worker processes parse the documents. promtool's second run
        (the documents it cannot be given as they are) starts here."""
        if self._resolved is None:
            try:
                catalogue = load_catalogue(
                    self.workspace,
                    self.settings,
                    prometheus=self.prometheus,
                    cache_dir=self.cache_dir,
                )
                if self.promtool is not None:
                    self.promtool.attach([f for f in catalogue.files if f.documents])
                resolved = resolve_alerts(
                    catalogue,
                    root=self.workspace.root,
                    settings=self.settings,
                    ladder=ladder_actions(self.workspace),
                    folders=self.folders,
                )
            except BaseException:
                self.close()
                raise
            if self.promtool_missing:
                catalogue.notes.append("promtool is not installed: expressions were not checked")
            self._resolved = resolved
        return self._resolved

    def real_folder_files(self) -> list[str]:
        """The real paths of :attr:`folder_files` (their folders resolved when walked)."""
        folders = self.folders
        return [
            os.path.join(folders[folder], name)
            for folder, name in map(os.path.split, self.folder_files)
        ]

    def close(self) -> None:
        """Stop promtool if its verdict was never read (the run failed on the way)."""
        if self.promtool is not None:
            self.promtool.close()


def open_estate(
    workspace: Workspace,
    *,
    promtool: bool = True,
    prometheus: bool = True,
    cache_dir: Path | None = None,
) -> Estate:
    """Start promtool on the rule files and list the runbook folders' files; the catalogue is
    loaded later (:meth:`Estate.load`), while promtool runs on another core. ``cache_dir``: see
    :func:`load_catalogue`."""
    import shutil

    settings = effective_settings(workspace)
    run = None
    binary = shutil.which("promtool") if promtool and settings.promtool else None
    if binary is not None:
        run = PromtoolRun(binary, expand_rule_files(workspace.root, settings.rule_files))
    folders: dict[str, str] = {}
    try:
        folder_files = runbook_folder_files(workspace, settings, folders)
    except BaseException:
        if run is not None:
            run.close()
        raise
    return Estate(
        workspace,
        settings,
        folder_files,
        run,
        prometheus=prometheus,
        cache_dir=cache_dir,
        promtool_missing=binary is None and promtool and settings.promtool,
        folders=folders,
    )


def study(
    workspace: Workspace,
    *,
    documents: dict[str, dict[str, Any]] | None = None,
    anchors_of: Callable[[str], set[str] | None] | None = None,
    promtool: bool = True,
    prometheus: bool = True,
    cache_dir: Path | None = None,
    estate: Estate | None = None,
) -> Analysis:
    """Load and analyse the workspace's alerting estate.

    ``documents`` and ``anchors_of`` come from the check engine's cached facts when it runs the
    AL rules; without them the runbook and monitoring documents are read here. ``estate`` is
    what :func:`open_estate` started (else it is opened here with ``promtool``, ``prometheus``
    and ``cache_dir``, the check engine's cache folder where parsed rule files are kept).
    """
    if estate is None:
        estate = open_estate(
            workspace, promtool=promtool, prometheus=prometheus, cache_dir=cache_dir
        )
    try:
        if documents is None or anchors_of is None:
            documents, anchors_of = _read_documents(workspace)
        series = fetch_series_names(estate.settings) if prometheus else None
        return analyse(
            estate.load(),
            root=workspace.root,
            documents=documents,
            anchors_of=anchors_of,
            folder_files=estate.folder_files,
            promtool=estate.promtool,
            series=series,
        )
    finally:
        estate.close()


def _read_documents(
    workspace: Workspace,
) -> tuple[dict[str, dict[str, Any]], Callable[[str], set[str] | None]]:
    """The facts of the runbook and monitoring documents, and the anchors of any file (read
    when asked for): headings and sections are all it takes, so only their structure is
    parsed."""
    from opsdocs.check.context import anchors_of as doc_anchors
    from opsdocs.documents.folder import document_paths
    from opsdocs.documents.parse import read_document

    documents: dict[str, dict[str, Any]] = {}
    anchors: dict[str, set[str] | None] = {}
    for kind in ("runbook", "monitoring"):
        for path in document_paths(workspace, kind):
            try:
                doc = read_document(path, structure_only=True)
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
                anchors[key] = doc_anchors(read_document(Path(key), structure_only=True))
            except InputError:
                anchors[key] = None
        return anchors[key]

    return documents, anchors_of


def read_catalogue(workspace: Workspace, *, prometheus: bool = False) -> Analysis:
    """The estate as the ``alerts`` commands read it: without promtool, the rule files read back
    from the check's cache, and the first error of the catalogue raised (a command cannot go on
    without it, where ``check`` reports it as a finding)."""
    analysis = study(
        workspace, promtool=False, prometheus=prometheus, cache_dir=catalogue_cache(workspace)
    )
    for error in analysis.catalogue.errors:
        raise error
    return analysis

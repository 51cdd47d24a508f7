"""The alert catalogue held against the runbooks: what every AL rule reports, computed once.

:func:`collect_document` reads what one document says about alerts (the alerts a runbook or a
monitoring document names, its dashboards); the check engine caches it per content hash.
:func:`analyse` joins the catalogue, the documents, the playbook's ladder, promtool's verdict and
(optionally) the series a Prometheus knows, and returns the catalogue rows and the findings.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.parse import Document
from opsdocs.monitoring.catalogue import MAX_RULE_FILE_BYTES, Alert, Catalogue, RuleFile
from opsdocs.monitoring.runbooks import (
    INDEX_NAMES,
    Resolution,
    alert_name_heading,
    check_anchor,
    resolve_runbook_url,
)
from opsdocs.monitoring.settings import AlertAction, MonitoringSettings
from opsdocs.promql import metric_names

__all__ = [
    "Analysis",
    "Entry",
    "PromtoolRun",
    "analyse",
    "collect_document",
    "resolve_alerts",
]

ALERTS_SECTION = "Dashboards & Alerts"


@dataclass
class Entry:
    """A catalogue row: the alert and what it resolves to."""

    alert: Alert
    severity: str | None
    action: AlertAction | None
    runbook: Resolution | None
    dashboards: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, root: str) -> dict[str, Any]:
        alert = self.alert
        runbook: dict[str, Any] | None = None
        if self.runbook is not None:
            target = self.runbook.target
            runbook = {
                "url": self.runbook.url,
                "status": self.runbook.status,
                "file": os.path.relpath(target, root) if target else None,
                "anchor": self.runbook.anchor,
            }
        return {
            "alert": alert.name,
            "group": alert.group,
            "severity": self.severity,
            "action": self.action,
            "team": alert.label("team"),
            "service": alert.service,
            "runbook": runbook,
            "dashboards": self.dashboards,
            "file": alert.file,
            "line": alert.line,
            "source": alert.source,
            "expr": alert.expr,
            "for": alert.for_,
            "labels": alert.labels,
            "annotations": alert.annotations,
        }


@dataclass
class Analysis:
    """The catalogue's rows and the AL findings: those of :func:`analyse`, or (from
    :func:`resolve_alerts`) those that need no document."""

    entries: list[Entry]
    findings: list[Diagnostic]
    catalogue: Catalogue


# -- what one document says about alerts -----------------------------------------------------


def collect_document(doc: Document, kind: str | None) -> dict[str, Any] | None:
    """Alerts named and dashboards listed by a runbook or monitoring document (JSON-able)."""
    if kind not in ("runbook", "monitoring"):
        return None
    front = doc.front_matter if isinstance(doc.front_matter, dict) else {}
    names: list[list[Any]] = []
    listed = front.get("alerts")
    if isinstance(listed, list):
        for index, item in enumerate(listed):
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                line, col = doc.position(("alerts", index))
                names.append([name.strip(), line, col, "front matter"])
    if kind == "runbook":
        names.extend(_heading_names(doc))
    dashboards: list[list[Any]] = []
    if kind == "monitoring" and isinstance(front.get("dashboards"), list):
        for index, item in enumerate(front["dashboards"]):
            if isinstance(item, dict):
                line, col = doc.position(("dashboards", index))
                dashboards.append(
                    [str(item.get("title", "")), item.get("url"), item.get("file"), line, col]
                )
    service = front.get("service") if isinstance(front.get("service"), str) else None
    return {"kind": kind, "service": service, "names": names, "dashboards": dashboards}


def _heading_names(doc: Document) -> list[list[Any]]:
    from opsdocs.documents.parse import normalize_heading

    section = next((s for s in doc.sections if s.key == normalize_heading(ALERTS_SECTION)), None)
    if section is None:
        return []
    found: list[list[Any]] = []
    for heading in doc.headings:
        # a heading in a block quote or a list item is text of the section, not an alert's
        if not heading.top_level or heading.level < 3:
            continue
        if not section.start_line <= heading.line <= section.end_line:
            continue
        raw = doc.lines[heading.line - 1].strip().lstrip("#").strip().rstrip("#").strip()
        name = alert_name_heading(raw) or alert_name_heading(heading.text)
        if name is not None:
            found.append([name, heading.line, 1, "heading"])
    return found


# -- promtool ------------------------------------------------------------------------------

_PROMTOOL_LINE = re.compile(
    r'^(?P<file>.+?): (?:(?P<line>\d+):(?P<col>\d+): )?group "(?P<group>[^"]*)", '
    r'rule (?P<rule>\d+), "(?P<name>[^"]*)": (?P<message>.*)$'
)


def _as_text(value: Any) -> str:
    """A YAML value JSON cannot hold (an unquoted 2026-01-01 is a date to PyYAML) as the text
    Prometheus reads it as: its fields are strings."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


_Job = tuple[RuleFile, int, bool]  # the rule file, its document's number, promtool's lines


class PromtoolRun:
    """``promtool check rules`` over the rule files, started at once and read later (it runs
    on the other core while the catalogue is analysed); complaints are placed at the rules.

    It starts on the files as they are, before they are parsed: most are plain rule files,
    whose complaints keep promtool's own line numbers. Once parsed (:meth:`attach`), each
    PrometheusRule document (and each document of a file holding several) is written out as
    a plain rule file, checked by a second run and mapped back by group and rule number; what
    the first run said of those files, and of files that did not parse, is ignored.
    """

    def __init__(self, promtool: str, paths: Iterable[Path]) -> None:
        self._promtool = promtool
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._procs: list[subprocess.Popen[str]] = []
        self._runs: list[tuple[subprocess.Popen[str], dict[str, _Job]]] = []
        self._early = [name for name in map(os.path.abspath, paths) if _checkable(name)]
        self._first = self._start(self._early)

    def _start(self, names: list[str]) -> subprocess.Popen[str] | None:
        """Start promtool on ``names``, on one core (it runs beside the check's own work) with
        Go's collector running a quarter as often, unless GOMAXPROCS or GOGC say otherwise:
        a quarter less CPU time (and less time) for some tens of MB more memory."""
        if not names:
            return None
        proc = subprocess.Popen(
            [self._promtool, "check", "rules", *names],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={"GOGC": "400", "GOMAXPROCS": "1", **os.environ},
        )
        self._procs.append(proc)
        return proc

    def attach(self, files: list[RuleFile]) -> None:
        """Map the first run's complaints to the parsed ``files``; start the second run."""
        early = set(self._early)
        first: dict[str, _Job] = {}
        second: dict[str, _Job] = {}
        for f_index, rule_file in enumerate(files):
            whole = len(rule_file.documents) == 1 and rule_file.documents[0][2]
            for number, groups, _ in rule_file.documents:
                if whole and rule_file.abspath in early:
                    first[rule_file.abspath] = (rule_file, number, True)
                    continue
                if whole:
                    name = rule_file.abspath
                else:
                    if self._tmp is None:
                        self._tmp = tempfile.TemporaryDirectory(prefix="opsdocs-promtool-")
                    name = os.path.join(self._tmp.name, f"{f_index}-{number}.yaml")
                    with open(name, "w", encoding="utf-8") as fh:
                        json.dump({"groups": groups}, fh, default=_as_text)  # JSON is YAML
                second[name] = (rule_file, number, whole)
        if self._first is not None:
            self._runs.append((self._first, first))
        proc = self._start(list(second))
        if proc is not None:
            self._runs.append((proc, second))

    def findings(self) -> list[Diagnostic]:
        """Wait for promtool and return its complaints as AL010 findings."""
        found: list[Diagnostic] = []
        try:
            for proc, jobs in self._runs:
                output, _ = proc.communicate(timeout=600)
                if proc.returncode != 0:
                    for line in output.splitlines():
                        finding = _promtool_finding(line.strip(), jobs)
                        if finding is not None:
                            found.append(finding)
        finally:
            self.close()
        return found

    def close(self) -> None:
        """Stop promtool if it still runs, and remove the files written for it."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def _checkable(path: str) -> bool:
    """Whether promtool may be given the file as it is (what the catalogue will read)."""
    from opsdocs.fileio import file_limit

    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size <= file_limit(MAX_RULE_FILE_BYTES)


def _promtool_finding(line: str, jobs: dict[str, _Job]) -> Diagnostic | None:
    match = _PROMTOOL_LINE.match(line)
    if match is not None and match.group("file") in jobs:
        rule_file, number, own_lines = jobs[match.group("file")]
        key = (number, match.group("group"), int(match.group("rule")))
        r_line, r_col, e_line, e_col = rule_file.rule_lines.get(key, (1, 1, 1, 1))
        message = match.group("message")
        if match.group("line") and own_lines:
            at_line, at_col = int(match.group("line")), int(match.group("col"))
        elif "expression" in message:
            at_line, at_col = e_line, e_col
        else:
            at_line, at_col = r_line, r_col
        return Diagnostic(
            rule_file.abspath,
            at_line,
            at_col,
            "AL010",
            f"alert {match.group('name')!r}: promtool: {message}",
            "fix the rule so that 'promtool check rules' accepts it",
        )
    for name, (rule_file, _, _) in jobs.items():
        if line.startswith(name + ": "):
            return Diagnostic(
                rule_file.abspath,
                1,
                1,
                "AL010",
                f"promtool: {line[len(name) + 2 :]}",
                "fix the rule file so that 'promtool check rules' accepts it",
            )
    return None


# -- the analysis --------------------------------------------------------------------------


def _suppressed(lines: list[str], line: int, code: str) -> bool:
    for number in (line, line - 1):
        if 0 < number <= len(lines):
            text = lines[number - 1]
            at = text.find("opsdocs-disable")
            if at >= 0:
                codes = re.split(r"[\s,:]+", text[at + len("opsdocs-disable") :].strip())
                if code in codes or "ALL" in codes:
                    return True
    return False


def resolve_alerts(
    catalogue: Catalogue,
    *,
    root: Path,
    settings: MonitoringSettings,
    ladder: dict[str, AlertAction],
    folders: dict[str, str],
) -> Analysis:
    """Each alert's row and what it alone says: its severity on the ladder, its ``for:`` and
    summary, and the runbook file its link leads to. The link's ``#anchor`` is checked by
    :func:`analyse`, once the documents are parsed: this part runs while they are.

    ``folders``: the real paths of folders known already (the runbook folders walked), and
    of the runbooks' folders once resolved.
    """
    root_s = str(root)
    findings: list[Diagnostic] = []
    for error in catalogue.errors:
        path = error.path or root_s
        findings.append(
            Diagnostic(
                _absolute(path, root_s),
                error.line or 1,
                error.col or 1,
                "AL001",
                error.message,
                error.hint,
            )
        )
    entries: list[Entry] = []
    for alert in catalogue.alerts:
        entry, found = _alert_entry(alert, root_s, settings, ladder, folders)
        entries.append(entry)
        findings.extend(found)
    return Analysis(entries, findings, catalogue)


def analyse(
    resolved: Analysis,
    *,
    root: Path,
    documents: dict[str, dict[str, Any]],
    anchors_of: Callable[[str], set[str] | None],
    folder_files: Iterable[str],
    promtool: PromtoolRun | None,
    series: set[str] | None,
) -> Analysis:
    """Every AL finding and the catalogue rows (see the module docstring).

    ``resolved`` is what :func:`resolve_alerts` found of the catalogue; ``documents`` maps a
    document's absolute path to :func:`collect_document`'s result; ``folder_files`` are the
    Markdown files under the mapped runbook folders.
    """
    root_s = str(root)
    catalogue = resolved.catalogue
    findings = list(resolved.findings)
    known = {alert.name for alert in catalogue.alerts}
    entries: list[Entry] = []
    pointed_at: set[str] = set()
    for entry in resolved.entries:
        runbook = entry.runbook
        if runbook is not None:
            runbook = check_anchor(runbook, anchors_of, root_s)
            if runbook.status == "no-anchor":
                findings.append(_broken_link(entry.alert, root_s, runbook))
            if runbook.target is not None:
                pointed_at.add(os.path.normpath(runbook.target))
        entries.append(replace(entry, runbook=runbook))
    dashboards = _dashboards(documents, root_s, findings)
    for entry in entries:
        entry.dashboards = _dashboards_of(entry.alert, dashboards, documents)
    # Documents that name alerts: each name must exist.
    alert_runbooks: set[str] = set()
    for path, facts in sorted(documents.items()):
        names = facts.get("names") or []
        if facts.get("kind") == "runbook" and names:
            alert_runbooks.add(os.path.normpath(path))
        for name, line, col, how in names:
            if name not in known:
                where = "front matter" if how == "front matter" else f"section '{ALERTS_SECTION}'"
                findings.append(
                    Diagnostic(
                        path,
                        line,
                        col,
                        "AL009",
                        f"{where} names alert {name!r}, which no rule file defines",
                        _did_you_mean(name, known) or "remove it, or fix the alert's name",
                    )
                )
    for path in folder_files:
        if os.path.basename(path) not in INDEX_NAMES:
            alert_runbooks.add(os.path.normpath(path))
    for path in sorted(alert_runbooks - pointed_at):
        findings.append(
            Diagnostic(
                path,
                1,
                1,
                "AL004",
                "no alert's runbook_url points at this alert runbook",
                "link it from its alert's runbook_url annotation, or delete the runbook if the "
                "alert is gone",
            )
        )
    if promtool is not None:
        findings.extend(promtool.findings())
    if series is not None:
        records = {name for f in catalogue.files for name in f.records}
        for alert in catalogue.alerts:
            for metric in sorted(metric_names(alert.expr) - series - records):
                line, col = alert.at("expr")
                findings.append(
                    Diagnostic(
                        _absolute(alert.file, root_s),
                        line,
                        col,
                        "AL011",
                        f"alert {alert.name!r}: metric '{metric}' has no series in Prometheus",
                        "the alert can never fire: fix the metric name or the scrape job",
                    )
                )
    findings = _filter_suppressed(findings)
    return Analysis(entries=entries, findings=sorted(set(findings)), catalogue=catalogue)


def _alert_entry(
    alert: Alert,
    root: str,
    settings: MonitoringSettings,
    ladder: dict[str, AlertAction],
    folders: dict[str, str],
) -> tuple[Entry, list[Diagnostic]]:
    found: list[Diagnostic] = []
    path = _absolute(alert.file, root)
    # SLO alerts carry their severity as slo_severity (sloth_severity with --compat sloth)
    severity = (
        alert.label(settings.severity_label)
        or alert.label("slo_severity")
        or alert.label("sloth_severity")
    )
    action = settings.action(severity, ladder)

    def report(key: str, code: str, message: str, hint: str) -> None:
        line, col = alert.at(key)
        found.append(Diagnostic(path, line, col, code, f"alert {alert.name!r}: {message}", hint))

    resolution: Resolution | None = None
    url = alert.runbook_url
    if url is None:
        report(
            "annotations",
            "AL002",
            "no runbook_url annotation",
            "add 'runbook_url' (run 'opsdocs alerts stub' to create the runbook)",
        )
    elif alert.source != "prometheus" or os.path.isabs(path):
        rule_dir = os.path.dirname(path)
        resolution = resolve_runbook_url(
            url, alert=alert, root=root, rule_dir=rule_dir, settings=settings, folders=folders
        )
        if resolution.status in ("no-file", "invalid"):
            found.append(_broken_link(alert, root, resolution))
    if severity is None or action is None:
        names = ", ".join(sorted({*settings.severities, *ladder}, key=str.lower))
    if severity is None:
        report(
            "labels",
            "AL005",
            f"no '{settings.severity_label}' label",
            f"add a '{settings.severity_label}' label: one of {names}",
        )
    elif action is None:
        report(
            f"labels.{settings.severity_label}",
            "AL005",
            f"severity {severity!r} is neither on the playbook's ladder nor a configured alert "
            "severity",
            f"use one of {names}, or add it to [monitoring] severities",
        )
    if not alert.annotations.get("summary") and not alert.annotations.get("description"):
        report(
            "annotations",
            "AL006",
            "no 'summary' or 'description' annotation",
            "say what is wrong in a 'summary' annotation, so the page explains itself",
        )
    seconds = _seconds(alert.for_)
    # multi-window burn-rate alerts smooth over their windows: no 'for:' by design
    burn_rate = alert.source == "slo"
    if not burn_rate and seconds and seconds < 2 * settings.scrape_seconds:
        report(
            "for",
            "AL007",
            f"'for: {alert.for_}' is shorter than twice the scrape interval "
            f"({settings.scrape_interval})",
            f"use at least {2 * settings.scrape_seconds}s, or the alert flaps on one scrape",
        )
    if action == "page" and not seconds and not burn_rate:
        report(
            "expr",
            "AL008",
            "a paging alert with no 'for:'",
            "add 'for:' (e.g. 5m) so that one bad scrape does not wake someone",
        )
    return Entry(alert, severity, action, resolution), found


def _broken_link(alert: Alert, root: str, resolution: Resolution) -> Diagnostic:
    """AL003 at the alert's ``runbook_url``: where its link leads nowhere."""
    line, col = alert.at("annotations.runbook_url")
    return Diagnostic(
        _absolute(alert.file, root),
        line,
        col,
        "AL003",
        f"alert {alert.name!r}: {resolution.message or 'runbook_url leads nowhere'}",
        resolution.hint or "fix the URL",
    )


def _seconds(text: str | None) -> int | None:
    """``for:`` in seconds; None without one, and for zero (no wait either) or a typo."""
    if text is None:
        return None
    from opsdocs.durations import duration_seconds

    try:
        return duration_seconds(text)
    except ValueError:
        return None


def _dashboards(
    documents: dict[str, dict[str, Any]], root: str, findings: list[Diagnostic]
) -> dict[str, list[dict[str, Any]]]:
    """Dashboards of each monitoring document (with the panel queries of dashboard files)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for path, facts in documents.items():
        for title, url, file, line, col in facts.get("dashboards") or []:
            item: dict[str, Any] = {"title": title, "url": url, "file": file, "queries": []}
            if file:
                full = os.path.normpath(os.path.join(os.path.dirname(path), file))
                item["file"] = os.path.relpath(full, root)
                queries, problem = _dashboard_queries(full, root)
                if problem is not None:
                    findings.append(
                        Diagnostic(
                            path,
                            line,
                            col,
                            "AL012",
                            f"dashboard {title!r}: {problem}",
                            "fix the path (relative to this document) or the dashboard JSON",
                        )
                    )
                item["queries"] = queries
            result.setdefault(path, []).append(item)
    return result


MAX_DASHBOARD_BYTES = 11 * 1024 * 1024


def _dashboard_queries(path: str, root: str) -> tuple[list[str], str | None]:
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if not real.startswith(real_root + os.sep):
        return [], f"{path} is outside the workspace"
    from opsdocs.fileio import FileTooLargeError, limit_hint, read_regular, size_text

    try:
        if not os.path.isfile(path):
            return [], f"{os.path.relpath(path, root)}: no such file"
        # the limit is max_file_size when the configuration sets one
        data = json.loads(read_regular(Path(path), MAX_DASHBOARD_BYTES).decode("utf-8"))
    except FileTooLargeError as exc:
        return [], (
            f"{os.path.relpath(path, root)}: file is too large to be a dashboard"
            f" ({size_text(exc.size)}; {limit_hint(exc.limit, 'dashboards')})"
        )
    except (OSError, UnicodeDecodeError) as exc:
        return [], f"{os.path.relpath(path, root)}: cannot read ({exc})"
    except json.JSONDecodeError as exc:
        return (
            [],
            f"{os.path.relpath(path, root)}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}",
        )
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]  # the API's export wraps the model
    if not isinstance(data, dict) or not isinstance(data.get("panels", []), list):
        return [], f"{os.path.relpath(path, root)}: not a Grafana dashboard (no 'panels' list)"
    queries: list[str] = []
    stack = list(data.get("panels", []))
    for row in data.get("rows", []) if isinstance(data.get("rows"), list) else []:
        if isinstance(row, dict):
            stack.extend(row.get("panels") or [])
    while stack:
        panel = stack.pop(0)
        if not isinstance(panel, dict):
            continue
        stack.extend(p for p in panel.get("panels") or [] if isinstance(p, dict))
        for target in panel.get("targets") or []:
            if isinstance(target, dict) and isinstance(target.get("expr"), str):
                queries.append(target["expr"])
    return queries, None


def _dashboards_of(
    alert: Alert,
    dashboards: dict[str, list[dict[str, Any]]],
    documents: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for key in ("dashboard_url", "dashboard", "grafana_url"):
        value = alert.annotations.get(key)
        if value:
            found.append({"title": value, "url": value, "file": None, "queries": []})
    service = alert.service
    for path, items in sorted(dashboards.items()):
        facts = documents[path]
        names = {n[0] for n in facts.get("names") or []}
        if alert.name in names or (service is not None and facts.get("service") == service):
            found.extend(items)
    return found


def _did_you_mean(name: str, known: set[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    return f"did you mean {close[0]!r}?" if close else None


def _absolute(path: str, root: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(root, path))


def _filter_suppressed(findings: list[Diagnostic]) -> list[Diagnostic]:
    lines: dict[str, list[str]] = {}
    kept: list[Diagnostic] = []
    for finding in findings:
        if not finding.path.endswith((".yaml", ".yml", ".json")):
            kept.append(finding)
            continue
        if finding.path not in lines:
            try:
                lines[finding.path] = Path(finding.path).read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines[finding.path] = []
        if not _suppressed(lines[finding.path], finding.line, finding.code):
            kept.append(finding)
    return kept

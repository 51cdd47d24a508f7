"""``opsdocs alerts stub``: a runbook section for every alert that has no runbook.

For each alert without a ``runbook_url`` (SLO alerts aside: their links come from the SLO
settings), the service's runbook (``runbook-{service}.md``, created from the runbook template
when missing) gets a ``### AlertName`` subsection in its 'Dashboards & Alerts' section, filled
with what the rule knows. The plan says which ``runbook_url`` to put on each alert; with
``write_rules`` it is added to the rule files too, comments and layout kept. The command commits
the plan's change set (:meth:`StubPlan.changes`) and says what it wrote.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.documents.parse import parse_document, slugify
from opsdocs.errors import InputError
from opsdocs.monitoring.analysis import ALERTS_SECTION
from opsdocs.monitoring.catalogue import Alert
from opsdocs.monitoring.settings import MonitoringSettings
from opsdocs.validators import NAME

if TYPE_CHECKING:
    from opsdocs.fileio import ChangeSet
    from opsdocs.workspace import Workspace

__all__ = ["StubPlan", "StubbedAlert", "plan_stubs"]


@dataclass(frozen=True)
class StubbedAlert:
    alert: Alert
    runbook: Path
    anchor: str
    runbook_url: str


@dataclass
class StubPlan:
    """What ``alerts stub`` would write: documents, rule-file edits, and the URLs."""

    alerts: list[StubbedAlert] = field(default_factory=list)
    writes: dict[Path, str] = field(default_factory=dict)
    created: list[Path] = field(default_factory=list)
    skipped: list[tuple[Alert, str]] = field(default_factory=list)

    def changes(self, workspace: Workspace) -> ChangeSet:
        """The writes as one change set: runbooks, the index and rule files, all inside the
        workspace; a runbook the plan creates is never overwritten."""
        changes = workspace.changes()
        for path, text in self.writes.items():
            changes.write(path, text, create_only=path in self.created)
        return changes


def _service_of(alert: Alert) -> str:
    if alert.service and re.fullmatch(NAME, alert.service):
        return alert.service
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", alert.name)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    return slug or "alerts"


def _section_text(alert: Alert) -> str:
    lines = [f"### {alert.name}", ""]
    condition = f"`{' '.join(alert.expr.split())}`"
    if alert.for_:
        condition += f" for {alert.for_}"
    lines.append(f"- **Fires when:** {condition}")
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
    if labels:
        lines.append(f"- **Labels:** {labels}")
    for key in ("summary", "description"):
        if alert.annotations.get(key):
            text = " ".join(alert.annotations[key].split())
            lines.append(f"- **{key.title()}:** {text}")
    lines.append(f"- **Defined in:** `{alert.file}` line {alert.line}")
    lines += ["", "TODO: what to check first, and how to mitigate.", ""]
    return "\n".join(lines)


def _insert_sections(text: str, path: Path, sections: list[str]) -> str:
    """``text`` with ``sections`` appended to its 'Dashboards & Alerts' section (or a new one
    at the end)."""
    doc = parse_document(path, text)
    lines = text.split("\n")
    block = "\n".join(sections).rstrip("\n")
    section = doc.section(ALERTS_SECTION)
    if section is None:
        return text.rstrip("\n") + f"\n\n## {ALERTS_SECTION}\n\n" + block + "\n"
    end = section.end_line  # last line of the section (1-based, inclusive)
    while end > section.line and not lines[end - 1].strip():
        end -= 1
    head = "\n".join(lines[:end])
    tail = "\n".join(lines[end:]).lstrip("\n")
    joined = head + "\n\n" + block + "\n"
    return joined + ("\n" + tail if tail else "")


def _url_for(
    runbook: Path,
    anchor: str,
    alert: Alert,
    workspace: Workspace,
    settings: MonitoringSettings,
    style: str,
) -> str:
    target = os.path.realpath(runbook)
    for prefix, folder in sorted(settings.runbook_urls.items(), key=lambda kv: -len(kv[0])):
        base = os.path.realpath(os.path.join(workspace.root, folder))
        if target.startswith(base + os.sep):
            rel = os.path.relpath(target, base).replace(os.sep, "/")
            if style == "html":
                rel = rel[: -len(".md")] + ".html"
            elif style == "dir":
                rel = rel[: -len(".md")] + "/"
            return f"{prefix}{rel}#{anchor}"
    rule_dir = os.path.dirname(os.path.join(workspace.root, alert.file))
    rel = os.path.relpath(runbook, rule_dir).replace(os.sep, "/")
    return f"{rel}#{anchor}"


def plan_stubs(
    workspace: Workspace, *, names: list[str] | None = None, write_rules: bool = False
) -> StubPlan:
    """The plan for ``alerts stub`` from the rule files' alerts (nothing is written here); the
    first error of the catalogue is raised."""
    from opsdocs.documents.index import compute_index
    from opsdocs.documents.scaffold import draft_document
    from opsdocs.monitoring.estate import effective_settings, read_catalogue

    analysis = read_catalogue(workspace)
    settings = effective_settings(workspace)
    plan = StubPlan()
    wanted = set(names or [])
    by_runbook: dict[Path, list[Alert]] = {}
    for entry in analysis.entries:
        alert = entry.alert
        if wanted and alert.name not in wanted:
            continue
        if alert.runbook_url is not None:
            continue
        if alert.source != "file":
            plan.skipped.append((alert, f"a {alert.source} alert: opsdocs cannot edit its rule"))
            continue
        service = _service_of(alert)
        runbook = workspace.docs_dir / f"runbook-{service}.md"
        by_runbook.setdefault(runbook, []).append(alert)
    unknown = wanted - {e.alert.name for e in analysis.entries}
    if unknown:
        raise InputError(
            f"no alert named {sorted(unknown)[0]!r} in the catalogue",
            hint="run 'opsdocs alerts list' for the alert names",
        )
    style = str(workspace.config.section("slo").get("docs_link_style", "md"))
    for runbook, alerts in sorted(by_runbook.items()):
        if runbook.exists():
            text = runbook.read_text("utf-8")
        else:
            draft = draft_document(workspace, "runbook", runbook.stem.removeprefix("runbook-"))
            text = draft.text
            plan.created.append(runbook)
        doc = parse_document(runbook, text)
        # a heading in a block quote or a list item is no section of the runbook
        have = {h.text for h in doc.headings if h.top_level}
        sections: list[str] = []
        for alert in sorted(alerts, key=lambda a: a.name):
            if alert.name not in have and all(alert.name not in s for s in sections):
                sections.append(_section_text(alert))
            anchor = slugify(alert.name)
            url = _url_for(runbook, anchor, alert, workspace, settings, style)
            plan.alerts.append(StubbedAlert(alert, runbook, anchor, url))
        if sections:
            plan.writes[runbook] = _insert_sections(text, runbook, sections)
    if plan.created and workspace.readme.exists():
        pending = {p: plan.writes[p] for p in plan.created}
        update = compute_index(workspace, pending=pending)
        plan.writes[update.path] = update.new
    if write_rules:
        edits: dict[Path, dict[tuple[str, str], str]] = {}
        for stub in plan.alerts:
            alert = stub.alert
            edits.setdefault(workspace.root / alert.file, {})[(alert.group, alert.name)] = (
                stub.runbook_url
            )
        for rule_file, urls in edits.items():
            plan.writes[rule_file] = _add_runbook_urls(rule_file, urls)
    return plan


def _add_runbook_urls(path: Path, edits: dict[tuple[str, str], str]) -> str:
    """The rule file at ``path`` with ``runbook_url`` added to the alerts named in ``edits``
    (round trip: comments, key order and quoting kept)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = path.read_text("utf-8")
    documents = list(yaml.load_all(text))
    for document in documents:
        groups: Any = None
        if isinstance(document, dict):
            groups = document.get("groups")
            if groups is None and isinstance(document.get("spec"), dict):
                groups = document["spec"].get("groups")
        for group in groups or []:
            for rule in group.get("rules") or []:
                url = edits.get((group.get("name"), rule.get("alert")))
                if url is None:
                    continue
                annotations = rule.get("annotations")
                if annotations is None:
                    annotations = CommentedMap()
                    rule["annotations"] = annotations
                annotations["runbook_url"] = url
    out = io.StringIO()
    if len(documents) == 1:
        yaml.dump(documents[0], out)
    else:
        yaml.dump_all(documents, out)
    return out.getvalue()

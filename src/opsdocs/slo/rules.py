"""From ``slo`` documents to rule files on disk: load, validate with positions, plan, check.

The pure pieces live beside this module (spec, prometheus, promtool); here they meet the
workspace: documents are read through the shared parser, problems get ``file:line:col`` from the
front matter's YAML marks, runbook links come from the service's runbook document, and the
output is a plan of ``(path, text)`` that the caller writes (atomically, all or nothing) or
compares with the files on disk (``--check``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from opsdocs.documents.parse import Document, slugify
from opsdocs.slo.prometheus import (
    Compat,
    CompileOptions,
    RuleFormat,
    alert_name,
    compile_section,
    render_rule_file,
)
from opsdocs.slo.promtool import generate_tests
from opsdocs.slo.settings import SloSettings
from opsdocs.slo.spec import SloSection, SloSpec
from opsdocs.slo.validate import SpecProblem, check_slo, load_front_matter

__all__ = [
    "Finding",
    "RuleOutput",
    "RulesPlan",
    "SloDocument",
    "load_slo_document",
    "plan_rules",
    "runbook_resolver",
    "stale_outputs",
]


@dataclass(frozen=True)
class Finding:
    """A located problem: ``path:line:col: key: message (hint)``."""

    path: str
    line: int
    col: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass
class SloDocument:
    """An ``slo`` document with its validated SLO section (``None`` when invalid)."""

    document: Document
    section: SloSection | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def _locate(doc: Document, label: str, problem: SpecProblem) -> Finding:
    line, col = doc.position(problem.key_path)
    return Finding(label, line, col, problem.text(), problem.severity)


def load_slo_document(
    doc: Document,
    settings: SloSettings | None = None,
    *,
    label: str | None = None,
    promql: Callable[[str], str | None] | None = None,
) -> SloDocument:
    """Validate an ``slo`` document's SLOs: schema errors first, then semantic checks."""
    settings = settings or SloSettings()
    label = label or str(doc.path)
    findings = [
        Finding(label, p.line, p.col, p.message + (f" ({p.hint})" if p.hint else ""))
        for p in doc.problems
        if p.code.startswith("front-matter") or p.code.startswith("yaml")
    ]
    data = doc.front_matter
    if data is None:
        if not findings:
            findings.append(Finding(label, 1, 1, "no front matter (start the file with '---')"))
        return SloDocument(doc, None, findings)
    section, problems = load_front_matter(data)
    findings.extend(_locate(doc, label, p) for p in problems)
    if section is not None:
        kwargs = {"check": promql} if promql is not None else {}
        for index, slo in enumerate(section.slos):
            for p in check_slo(slo, settings, key_path=("slos", index), **kwargs):
                findings.append(_locate(doc, label, p))
    if any(f.severity == "error" for f in findings):
        section = None
    return SloDocument(doc, section, findings)


def runbook_resolver(
    runbooks: Iterable[Document], docs_dir: Path, base_url: str | None
) -> Callable[[str, SloSpec], str | None]:
    """``(service, slo) -> runbook_url``: base URL + the runbook's path + the best anchor.

    The anchor is the runbook section named after the alert or the SLO, when there is one.
    Without a base URL there is no link (a relative path is no use in a page).
    """
    by_service: dict[str, Document] = {}
    for doc in runbooks:
        service = doc.get("service")
        if isinstance(service, str) and service not in by_service:
            by_service[service] = doc

    def resolve(service: str, slo: SloSpec) -> str | None:
        doc = by_service.get(service)
        if doc is None or not base_url:
            return None
        try:
            rel = doc.path.resolve().relative_to(docs_dir.resolve()).as_posix()
        except ValueError:
            rel = doc.path.name
        url = base_url.rstrip("/") + "/" + rel
        for candidate in (slugify(alert_name(service, slo)), slugify(slo.name)):
            if candidate in doc.anchors:
                return f"{url}#{candidate}"
        return url

    return resolve


@dataclass(frozen=True)
class RuleOutput:
    path: Path
    text: str
    source: str


@dataclass
class RulesPlan:
    """What ``slo rules`` would write, and what it found on the way."""

    outputs: list[RuleOutput] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def plan_rules(
    documents: Sequence[SloDocument],
    out_dir: Path,
    *,
    fmt: RuleFormat = "prometheus",
    compat: Compat = "native",
    settings: SloSettings | None = None,
    runbook_url: Callable[[str, SloSpec], str | None] | None = None,
    tests: bool = False,
    label: Callable[[Path], str] = str,
) -> RulesPlan:
    """Rule files (and promtool tests) for every valid document with SLOs, in path order."""
    settings = settings or SloSettings()
    options = CompileOptions(compat=compat, windows=settings.window_pairs())
    plan = RulesPlan()
    for sd in sorted(documents, key=lambda d: str(d.document.path)):
        plan.findings.extend(sd.findings)
        section = sd.section
        if section is None or not section.slos:
            continue
        source = label(sd.document.path)
        stem = sd.document.path.stem
        rule_path = out_dir / f"{stem}.yaml"

        def url(slo: SloSpec, service: str = section.service) -> str | None:
            return runbook_url(service, slo) if runbook_url else None

        groups = compile_section(section, options, runbook_url=url)
        text = render_rule_file(groups, fmt=fmt, name=stem, source=source)
        plan.outputs.append(RuleOutput(rule_path, text, source))
        if tests:
            for slo in section.slos:
                generated = generate_tests(
                    section.service,
                    slo,
                    rule_file=rule_path.name,
                    options=options,
                    runbook_url=url(slo),
                )
                plan.notes.extend(f"{source}: {n}" for n in generated.notes)
                if generated.text is not None:
                    header = (
                        f"# Code generated by opsdocs from {source}. DO NOT EDIT.\n"
                        f"# Run: promtool test rules {stem}.{slo.name}.test.yaml\n"
                    )
                    plan.outputs.append(
                        RuleOutput(
                            out_dir / f"{stem}.{slo.name}.test.yaml",
                            header + generated.text,
                            source,
                        )
                    )
    return plan


def stale_outputs(plan: RulesPlan) -> list[Path]:
    """Planned files that are missing on disk or differ from what would be written."""
    stale = []
    for output in plan.outputs:
        try:
            current = output.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            stale.append(output.path)
            continue
        if current != output.text:
            stale.append(output.path)
    return stale

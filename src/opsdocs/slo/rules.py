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
from opsdocs.slo.cache import RulesCache, digest
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
    "RunbookLinks",
    "SloDocument",
    "load_slo_document",
    "orphan_outputs",
    "plan_documents",
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


class RunbookLinks:
    """``links(service, slo) -> runbook_url``: base URL + the runbook's path + the best anchor.

    The anchor is the runbook section named after the alert or the SLO, when there is one.
    Without a base URL there is no link (a relative path is no use in a page).
    """

    def __init__(
        self,
        runbooks: Iterable[Document],
        docs_dir: Path,
        base_url: str | None,
        style: str = "md",
    ):
        self.base_url = base_url
        self.docs_dir = docs_dir
        self.style = style
        self.by_service: dict[str, Document] = {}
        for doc in runbooks:
            service = doc.get("service")
            if isinstance(service, str) and service not in self.by_service:
                self.by_service[service] = doc

    def _relative(self, doc: Document) -> str:
        try:
            rel = doc.path.resolve().relative_to(self.docs_dir.resolve()).as_posix()
        except ValueError:
            rel = doc.path.name
        if self.style == "html":
            return rel.removesuffix(".md") + ".html"
        if self.style == "dir":
            return rel.removesuffix(".md") + "/"
        return rel

    def __call__(self, service: str, slo: SloSpec) -> str | None:
        doc = self.by_service.get(service)
        if doc is None or not self.base_url:
            return None
        url = self.base_url.rstrip("/") + "/" + self._relative(doc)
        for candidate in (slugify(alert_name(service, slo)), slugify(slo.name)):
            if candidate in doc.anchors:
                return f"{url}#{candidate}"
        return url

    def fingerprint(self, service: object) -> str:
        """What the links of ``service`` depend on: base URL, runbook path and text."""
        doc = self.by_service.get(service) if isinstance(service, str) else None
        if doc is None or not self.base_url:
            return ""
        return f"{self.base_url}\0{self._relative(doc)}\0{doc.text}"


def runbook_resolver(
    runbooks: Iterable[Document], docs_dir: Path, base_url: str | None, style: str = "md"
) -> RunbookLinks:
    """The runbook links of a workspace (see :class:`RunbookLinks`)."""
    return RunbookLinks(runbooks, docs_dir, base_url, style)


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
        _plan_document(sd, out_dir, plan, options, fmt, runbook_url, tests, label)
    return plan


def _plan_document(
    sd: SloDocument,
    out_dir: Path,
    plan: RulesPlan,
    options: CompileOptions,
    fmt: RuleFormat,
    runbook_url: Callable[[str, SloSpec], str | None] | None,
    tests: bool,
    label: Callable[[Path], str],
) -> None:
    """Add one document's findings, notes and files to ``plan``."""
    plan.findings.extend(sd.findings)
    section = sd.section
    if section is None or not section.slos:
        return
    source = label(sd.document.path)
    stem = sd.document.path.stem
    rule_path = out_dir / f"{stem}.yaml"

    def url(slo: SloSpec, service: str = section.service) -> str | None:
        return runbook_url(service, slo) if runbook_url else None

    if options.compat == "sloth":
        plan.notes.extend(
            f"{source}: {slo.name}: no_data '{slo.no_data}' has no Sloth equivalent; Sloth"
            " mode leaves windows without traffic out"
            for slo in section.slos
            if slo.no_data != "skip"
        )
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
            for file in generated.files:
                name = f"{stem}.{slo.name}{file.suffix}.test.yaml"
                header = (
                    f"# Code generated by opsdocs from {source}. DO NOT EDIT.\n"
                    f"# Run: promtool test rules {name}\n"
                )
                plan.outputs.append(RuleOutput(out_dir / name, header + file.text, source))


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


GENERATED_MARK = "# Code generated by opsdocs"


def orphan_outputs(plan: RulesPlan, out_dir: Path) -> list[Path]:
    """Files in ``out_dir`` that opsdocs generated but the plan no longer produces (their
    document or SLO is gone). Nothing is deleted; the caller reports them."""
    if not out_dir.is_dir():
        return []
    planned = {o.path.resolve() for o in plan.outputs}
    orphans = []
    for path in sorted(out_dir.glob("*.yaml")):
        if path.resolve() in planned or not path.is_file():
            continue
        try:
            with path.open(encoding="utf-8") as fh:
                first = fh.readline()
        except (OSError, UnicodeDecodeError):
            continue
        if first.startswith(GENERATED_MARK):
            orphans.append(path)
    return orphans


def plan_documents(
    documents: Sequence[Document],
    out_dir: Path,
    *,
    fmt: RuleFormat = "prometheus",
    compat: Compat = "native",
    settings: SloSettings | None = None,
    runbook_url: RunbookLinks | None = None,
    tests: bool = False,
    label: Callable[[Path], str] = str,
    cache: RulesCache | None = None,
) -> RulesPlan:
    """Like :func:`plan_rules` from parsed documents, reusing ``cache`` entries for documents
    (and runbooks) that have not changed since the cache was written."""
    settings = settings or SloSettings()
    options = CompileOptions(compat=compat, windows=settings.window_pairs())
    plan = RulesPlan()
    for doc in sorted(documents, key=lambda d: str(d.path)):
        source = label(doc.path)
        hash_ = ""
        if cache is not None:
            links = runbook_url.fingerprint(doc.get("service")) if runbook_url else ""
            hash_ = digest(source, doc.text, links)
            entry = cache.get(source, hash_)
            if entry is not None:
                plan.findings.extend(Finding(*f) for f in entry["findings"])
                plan.outputs.extend(RuleOutput(out_dir / n, t, source) for n, t in entry["outputs"])
                plan.notes.extend(entry["notes"])
                continue
        loaded = load_slo_document(doc, settings, label=source)
        part = RulesPlan()
        _plan_document(loaded, out_dir, part, options, fmt, runbook_url, tests, label)
        plan.findings.extend(part.findings)
        plan.outputs.extend(part.outputs)
        plan.notes.extend(part.notes)
        if cache is not None:
            cache.put(
                source,
                hash_,
                {
                    "findings": [
                        [f.path, f.line, f.col, f.message, f.severity] for f in part.findings
                    ],
                    "outputs": [[o.path.name, o.text] for o in part.outputs],
                    "notes": part.notes,
                },
            )
    return plan

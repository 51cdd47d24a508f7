"""From ``slo`` documents to rule files on disk: load, validate with positions, plan, check.

The pure pieces live beside this module (spec, prometheus, promtool); here they meet the
workspace: documents are read through the shared parser, problems get ``file:line:col`` from the
front matter's YAML marks, runbook links come from the service's runbook document, and the
output is a plan of ``(path, text)`` that the caller writes (atomically, all or nothing) or
compares with the files on disk (``--check``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs import collector
from opsdocs.cache import Cache, cache_key, digest
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.parse import Document, slugify
from opsdocs.fileio import ChangeSet

if TYPE_CHECKING:
    from opsdocs.slo.prometheus import Compat, RuleFormat
    from opsdocs.slo.settings import SloSettings
    from opsdocs.slo.spec import SloSection, SloSpec
    from opsdocs.slo.windows import WindowPair
    from opsdocs.workspace import Workspace

# Validating and compiling (the SLO schema, the compiler, the test generator) are imported where
# a document is compiled: a run that finds every document in the cache does not load them.

__all__ = [
    "RuleOutput",
    "RulesPlan",
    "RunbookLinks",
    "SloDocument",
    "duplicate_ids",
    "load_slo_document",
    "orphan_outputs",
    "plan_documents",
    "plan_workspace_rules",
    "rule_changes",
    "runbook_resolver",
    "slo_ids",
    "stale_outputs",
]


@dataclass
class SloDocument:
    """An ``slo`` document with its validated SLO section (``None`` when invalid)."""

    document: Document
    section: SloSection | None
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [f for f in self.findings if f.is_error]


def _locate(doc: Document, label: str, problem: Diagnostic) -> Diagnostic:
    """A spec problem (located by key path) at its line and column in ``doc``."""
    from opsdocs.slo.validate import keyed

    line, col = doc.position(problem.key_path)
    return replace(problem, path=label, line=line, col=col, message=keyed(problem, hint=False))


def load_slo_document(
    doc: Document,
    settings: SloSettings | None = None,
    *,
    label: str | None = None,
) -> SloDocument:
    """Validate an ``slo`` document's SLOs: schema errors first, then semantic checks."""
    from opsdocs.slo.settings import SloSettings
    from opsdocs.slo.validate import check_slo, load_front_matter

    settings = settings or SloSettings()
    label = label or str(doc.path)
    findings = [
        Diagnostic(path=label, line=p.line, col=p.col, message=p.detail())
        for p in doc.problems
        if p.code.startswith("front-matter") or p.code.startswith("yaml")
    ]
    data = doc.front_matter
    if data is None:
        if not findings:
            findings.append(
                Diagnostic(path=label, message="no front matter (start the file with '---')")
            )
        return SloDocument(doc, None, findings)
    section, problems = load_front_matter(data)
    findings.extend(_locate(doc, label, p) for p in problems)
    for index, slo in enumerate(section.slos if section is not None else ()):
        for p in check_slo(slo, settings, key_path=("slos", index)):
            findings.append(_locate(doc, label, p))
    if any(f.is_error for f in findings):
        section = None
    return SloDocument(doc, section, findings)


def slo_ids(doc: Document) -> list[tuple[str, tuple[str | int, ...]]]:
    """``(service-name, key path)`` of every SLO the front matter names, read without
    validating it (so a cached document answers too)."""
    data = doc.front_matter or {}
    service, slos = data.get("service"), data.get("slos")
    if not isinstance(service, str) or not isinstance(slos, list):
        return []
    return [
        (f"{service}-{slo['name']}", ("slos", index, "name"))
        for index, slo in enumerate(slos)
        if isinstance(slo, dict) and isinstance(slo.get("name"), str)
    ]


def duplicate_ids(
    documents: Iterable[tuple[str, Document]],
) -> list[Diagnostic]:
    """An error for every SLO whose id (service and name) another document (or SLO) also has:
    their recording rules would write the same series, which then flip between the two."""
    where: dict[str, list[tuple[str, Document, tuple[str | int, ...]]]] = {}
    for label, doc in documents:
        for ident, key_path in slo_ids(doc):
            where.setdefault(ident, []).append((label, doc, key_path))
    found = []
    for ident, places in where.items():
        if len(places) < 2:
            continue
        for label, doc, key_path in places:
            others = ", ".join(
                sorted(
                    {
                        o_label
                        for o_label, o_doc, o_key in places
                        if o_key != key_path or o_doc is not doc
                    }
                )
            )
            line, col = doc.position(key_path)
            found.append(
                Diagnostic(
                    path=label,
                    line=line,
                    col=col,
                    message=f"SLO id '{ident}' is also defined in {others}: their rules would"
                    " record the same series",
                    hint="service and name must be unique across the workspace; rename one",
                    key_path=key_path,
                )
            )
    return sorted(found)


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
        from opsdocs.slo.prometheus import alert_name

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


def runbook_resolver(workspace: Workspace, settings: SloSettings) -> RunbookLinks:
    """The runbook links of ``workspace``'s runbooks with the ``[slo]`` docs base URL and link
    style (see :class:`RunbookLinks`): what ``slo rules`` and the alert catalogue link to."""
    from opsdocs.documents.folder import read_documents

    return RunbookLinks(
        read_documents(workspace, "runbook"),
        workspace.docs_dir,
        settings.docs_base_url,
        settings.docs_link_style,
    )


@dataclass(frozen=True)
class RuleOutput:
    path: Path
    text: str
    source: str


@dataclass
class RulesPlan:
    """What ``slo rules`` would write, and what it found on the way."""

    outputs: list[RuleOutput] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: generated files in the rule and test folders that no document generates any more
    orphans: list[Path] = field(default_factory=list)
    #: a path for messages (relative to the workspace root when inside it)
    relative: Callable[[Path], str] = field(default=str, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [f for f in self.findings if f.is_error]

    def extend(self, other: RulesPlan) -> None:
        self.outputs.extend(other.outputs)
        self.findings.extend(other.findings)
        self.notes.extend(other.notes)


@dataclass(frozen=True)
class _Run:
    """What every document of one run is compiled with."""

    out_dir: Path
    tests_dir: Path
    compat: Compat
    windows: tuple[WindowPair, ...]
    fmt: RuleFormat
    runbook_url: RunbookLinks | None
    tests: bool
    label: Callable[[Path], str]


def _plan_document(sd: SloDocument, run: _Run, plan: RulesPlan) -> None:
    """Add one document's findings, notes and files to ``plan``."""
    from opsdocs.slo.prometheus import CompileOptions, compile_section, render_rule_file
    from opsdocs.slo.promtool import generate_tests

    plan.findings.extend(sd.findings)
    section = sd.section
    if section is None or not section.slos:
        return
    source = run.label(sd.document.path)
    stem = sd.document.path.stem
    rule_path = run.out_dir / f"{stem}.yaml"

    def url(slo: SloSpec, service: str = section.service) -> str | None:
        return run.runbook_url(service, slo) if run.runbook_url else None

    if run.compat == "sloth":
        plan.notes.extend(
            f"{source}: {slo.name}: no_data '{slo.no_data}' has no Sloth equivalent; Sloth"
            " mode leaves windows without traffic out"
            for slo in section.slos
            if slo.no_data != "skip"
        )
    options = CompileOptions(compat=run.compat, windows=run.windows)
    manifest = section.sloth
    if manifest is not None:
        # imported from Sloth's Kubernetes manifest: its spec label, its PrometheusRule
        options = replace(options, sloth_spec=manifest.spec)
    groups = compile_section(section, options, runbook_url=url)
    text = render_rule_file(
        groups,
        fmt=run.fmt,
        name=manifest.name if manifest is not None and manifest.name else stem,
        source=source,
        namespace=manifest.namespace if manifest is not None else None,
        labels=manifest.labels if manifest is not None else None,
    )
    plan.outputs.append(RuleOutput(rule_path, text, source))
    if not run.tests:
        return
    # promtool reads rule_files relative to the test file
    rule_file = Path(os.path.relpath(rule_path, run.tests_dir)).as_posix()
    for slo in section.slos:
        generated = generate_tests(
            section.service, slo, rule_file=rule_file, options=options, runbook_url=url(slo)
        )
        plan.notes.extend(f"{source}: {n}" for n in generated.notes)
        for file in generated.files:
            name = f"{stem}.{slo.name}{file.suffix}.test.yaml"
            header = (
                f"# Code generated by opsdocs from {source}. DO NOT EDIT.\n"
                f"# Run: promtool test rules {name}\n"
            )
            plan.outputs.append(RuleOutput(run.tests_dir / name, header + file.text, source))


def stale_outputs(plan: RulesPlan) -> list[Path]:
    """Planned files that are missing on disk or differ from what would be written.

    Compared byte for byte, as the write compares them (:class:`ChangeSet` leaves a file alone
    only when it holds exactly the planned bytes): a rule file with CRLF line endings or a
    byte-order mark is stale, and ``slo rules`` writes it again as generated (LF).
    """

    def current(output: RuleOutput) -> bool:
        try:
            return output.path.read_bytes() == output.text.encode("utf-8")
        except FileNotFoundError:
            return False

    return [output.path for output in plan.outputs if not current(output)]


def rule_changes(workspace: Workspace, plan: RulesPlan, *, out_given: bool) -> ChangeSet:
    """The change set that writes every planned file (one already as planned is left alone).

    The configured ``[slo] output_dir`` must stay in the workspace; a folder typed with
    ``--out`` (``out_given``) is the user's choice.
    """
    changes = ChangeSet() if out_given else workspace.changes()
    for output in plan.outputs:
        changes.write(output.path, output.text)
    return changes


GENERATED_MARK = "# Code generated by opsdocs"


def orphan_outputs(
    plan: RulesPlan, out_dir: Path, tests_dir: Path, resolve: Callable[[Path], Path]
) -> list[Path]:
    """Files in ``out_dir`` (and ``tests_dir``) that opsdocs generated but the plan no longer
    produces (their document or SLO is gone). A run without tests plans no test files: then a
    test file is an orphan only when its document's rule file is not planned either. Nothing is
    deleted; the caller reports them."""
    planned = {o.path for o in plan.outputs}
    resolved: set[Path] = set()  # the planned paths resolved, made when first needed
    with_tests = any(o.path.name.endswith(".test.yaml") for o in plan.outputs)
    stems = tuple(o.path.stem + "." for o in plan.outputs if not o.path.name.endswith(".test.yaml"))
    orphans = []
    folders = [(out_dir, False)] + ([(tests_dir, True)] if tests_dir != out_dir else [])
    for folder, is_tests in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path in planned or not path.is_file():
                continue
            if not resolved:
                resolved = {resolve(p) for p in planned}
            if resolve(path) in resolved:
                continue
            if is_tests and not with_tests and path.name.startswith(stems):
                continue  # the tests of a document this run compiles without them
            if _generated(path):
                orphans.append(path)
    return orphans


def _generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().startswith(GENERATED_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _cache_name(path: Path, run: _Run) -> str:
    return path.name if path.parent == run.out_dir else "tests/" + path.name


def _from_cache(name: str, run: _Run) -> Path:
    if name.startswith("tests/"):
        return run.tests_dir / name.removeprefix("tests/")
    return run.out_dir / name


def _rules_cache(directory: Path, config: dict[str, Any]) -> Cache:
    """The ``slo rules`` cache, keyed by the whole effective configuration of the run (the
    ``slo`` settings and the options) and the PromQL parser's version."""
    from importlib.metadata import version

    parser = version("promql-parser")  # a dependency: always installed
    return Cache(directory, "slo-rules", cache_key({**config, "promql-parser": parser})).load()


def plan_documents(
    documents: Sequence[Document],
    out_dir: Path,
    *,
    fmt: RuleFormat = "prometheus",
    compat: Compat = "native",
    settings: SloSettings | None = None,
    runbook_url: RunbookLinks | None = None,
    tests: bool = False,
    tests_dir: Path | None = None,
    label: Callable[[Path], str] = str,
    cache: Cache | None = None,
) -> RulesPlan:
    """Rule files (and promtool tests) for every valid ``slo`` document with SLOs, in path
    order, reusing ``cache`` entries for documents (and runbooks) that have not changed since
    the cache was written."""
    from opsdocs.slo.settings import SloSettings

    settings = settings or SloSettings()
    windows = settings.window_pairs()
    run = _Run(out_dir, tests_dir or out_dir, compat, windows, fmt, runbook_url, tests, label)
    return _plan_run(documents, settings, run, cache)


def _plan_run(
    documents: Sequence[Document], settings: SloSettings, run: _Run, cache: Cache | None
) -> RulesPlan:
    plan = RulesPlan(relative=run.label)
    # compiling makes tens of thousands of short-lived objects beside every parsed document
    with collector.paused():
        for doc in sorted(documents, key=lambda d: str(d.path)):
            _plan_cached(doc, settings, run, cache, plan)
    return plan


def _plan_cached(
    doc: Document, settings: SloSettings, run: _Run, cache: Cache | None, plan: RulesPlan
) -> None:
    """Add one document's part to ``plan``: from ``cache`` when its entry is current, else
    compiled (and then kept in ``cache``)."""
    source = run.label(doc.path)
    if cache is None:
        _plan_document(load_slo_document(doc, settings, label=source), run, plan)
        return
    links = run.runbook_url.fingerprint(doc.get("service")) if run.runbook_url else ""
    hash_ = digest(source, doc.text, links)
    entry = cache.get(source, hash_)
    if entry is not None:
        plan.findings.extend(Diagnostic(**f) for f in entry["findings"])
        plan.outputs.extend(RuleOutput(_from_cache(n, run), t, source) for n, t in entry["texts"])
        plan.notes.extend(entry["notes"])
        return
    part = RulesPlan()
    _plan_document(load_slo_document(doc, settings, label=source), run, part)
    plan.extend(part)
    cache.put(
        source,
        hash_,
        {
            "findings": [f.as_dict() for f in part.findings],
            "texts": [[_cache_name(o.path, run), o.text] for o in part.outputs],
            "notes": part.notes,
        },
    )


def _not_slo(doc: Document, label: str) -> Diagnostic | None:
    if doc.kind == "slo" or (doc.kind is None and "slos" in (doc.front_matter or {})):
        return None
    what = f"its kind is '{doc.kind}'" if doc.kind else "it has no 'kind: slo'"
    return Diagnostic(
        path=label,
        message=f"not an slo document ({what})",
        hint="give slo documents, or no paths for all of them",
    )


class _Paths:
    """The resolved paths of one run and their labels (as :meth:`Workspace.relative` gives
    them): a run names thousands of files in a few folders, so each folder is resolved once,
    and a file only when it is a link."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.folders: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def _resolve(self, text: str) -> str:
        folder, name = os.path.split(text)
        if name in ("", ".", "..") or os.path.islink(text):
            return os.path.realpath(text)
        resolved = self.folders.get(folder)
        if resolved is None:
            resolved = self.folders[folder] = os.path.realpath(folder)
        return os.path.join(resolved, name)

    def resolve(self, path: Path) -> Path:
        return Path(self._resolve(os.fspath(path)))

    def label(self, path: Path) -> str:
        text = os.fspath(path)
        label = self.labels.get(text)
        if label is None:
            resolved = self._resolve(text)
            if resolved == self.root:
                label = "."
            elif resolved.startswith(self.root.rstrip(os.sep) + os.sep):
                label = resolved[len(self.root.rstrip(os.sep)) + 1 :]
            else:
                label = text
            self.labels[text] = label
        return label


def plan_workspace_rules(
    workspace: Workspace,
    settings: SloSettings,
    *,
    paths: Sequence[Path] = (),
    out_dir: Path | None = None,
    fmt: RuleFormat | None = None,
    compat: Compat = "native",
    tests: bool = False,
    use_cache: bool = True,
) -> RulesPlan:
    """What ``slo rules`` writes for the workspace (or ``paths``): rule files in the output
    folder, promtool tests in the tests folder, findings (duplicate SLO ids across the
    workspace among them) and, for a whole-workspace run, orphans in both folders. Nothing is
    written but the cache; the caller writes the outputs (or compares them, for ``--check``)."""
    from opsdocs.documents.folder import read_documents
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import UsageError

    chosen_fmt: RuleFormat = fmt or settings.format
    if tests and chosen_fmt != "prometheus":
        raise UsageError(
            "--tests needs plain Prometheus rule files",
            hint="drop --tests or use --format prometheus",
        )
    target = out_dir if out_dir is not None else workspace.root / settings.output_dir
    tests_dir = workspace.root / settings.tests_dir_for(
        workspace.relative(target) if out_dir is not None else settings.output_dir
    )
    files = _Paths(workspace.root)
    every = read_documents(workspace, "slo")
    docs = [read_document(p) for p in paths] if paths else every
    plan = RulesPlan(relative=files.label)
    wrong = [d for doc in docs if (d := _not_slo(doc, files.label(doc.path)))]
    if wrong:
        plan.findings.extend(wrong)
        return plan
    windows = settings.window_pairs()
    resolver = runbook_resolver(workspace, settings)
    run = _Run(target, tests_dir, compat, windows, chosen_fmt, resolver, tests, files.label)
    cache = None
    if use_cache:
        options = {"compat": compat, "format": chosen_fmt, "tests": tests}
        folders = {"out": files.label(target), "tests_dir": files.label(tests_dir)}
        config = {"settings": settings.model_dump(mode="json"), **options, **folders}
        cache = _rules_cache(workspace.state_path("cache"), config)
    plan = _plan_run(docs, settings, run, cache)
    if cache is not None:
        cache.save()
    # duplicate ids across the whole workspace, reported in the documents of this run
    labelled = {files.label(d.path): d for d in [*every, *docs]}
    planned = {files.label(d.path) for d in docs}
    plan.findings.extend(d for d in duplicate_ids(sorted(labelled.items())) if d.path in planned)
    if not paths:
        plan.orphans = orphan_outputs(plan, target, tests_dir, files.resolve)
    return plan

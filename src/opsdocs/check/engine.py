"""Running the checks: find the files, analyse each (cached, in parallel), then look across.

1. The files: the operations folder and the files a profile's ``paths`` match anywhere in the
   workspace by default, or the given paths (folders are walked; hidden folders,
   ``node_modules`` and the workspace's templates folder are skipped). The index's document
   set (:func:`opsdocs.documents.folder.index_files`) is always read, so that IX001 and
   ``opsdocs index`` agree. Markdown files
   are checked, and so are files that look like operations documents without a Markdown name
   (``runbook-api``), so that the naming rules can report them.
2. Each file's bytes are hashed; a cache hit gives its document-rule findings and its facts
   without parsing. The rest are parsed and checked (in worker processes when there are many).
3. Workspace rules (links, index, freshness, cross-document) run over the facts of every file.
4. Suppression comments, the rule selection and the ``reported`` set filter the findings.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs import collector
from opsdocs.cache import Cache, cache_key, content_hash
from opsdocs.check.context import (
    DocContext,
    Facts,
    WorkspaceContext,
    anchors_of,
    find_section,
    real_path,
    resolve_type,
)
from opsdocs.check.findings import CheckResult
from opsdocs.check.registry import Rule, all_rules, get_rule, select_rules
from opsdocs.check.rules.naming import conventional_name
from opsdocs.check.settings import CheckSettings, load_settings
from opsdocs.check.suppress import is_suppressed, parse_suppressions
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.folder import index_files
from opsdocs.documents.index import (
    INDEX_FACT_KEYS,
    MARKDOWN_SUFFIXES,
    SKIPPED_FOLDERS,
    fact_text,
    index_key,
    index_time,
    index_title,
    profile_files,
)
from opsdocs.documents.parse import MAX_DOCUMENT_BYTES, document_from_bytes, read_document
from opsdocs.documents.schemas import as_date
from opsdocs.errors import InputError, OpsdocsWarning, UsageError
from opsdocs.fileio import read_regular, state_dir

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["CheckOptions", "CheckSession", "analyze_document", "discover_files", "run_check"]

#: Below this many files to parse, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200


@dataclass
class CheckOptions:
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    strict: bool = False
    today: dt.date | None = None
    cache: bool = True
    jobs: int | None = None
    parallel_threshold: int = PARALLEL_THRESHOLD


@dataclass
class _File:
    path: str  # absolute, normalised
    rel_paths: list[str]
    reported: bool
    context: bool = False  # read for a workspace rule's facts (Rule.context), never a document


# -- finding the files ---------------------------------------------------------------------------


def _wanted(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(MARKDOWN_SUFFIXES):
        return True
    suffix = os.path.splitext(lower)[1]
    return suffix in ("", ".txt") and conventional_name(name) is not None


def _rel(path: str, base: Path | str) -> str | None:
    prefix = str(base).rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        return path[len(prefix) :].replace(os.sep, "/")
    return None


def discover_files(
    targets: Iterable[Path], root: Path, skip: Iterable[Path] = ()
) -> list[tuple[str, str | None]]:
    """(absolute path, path relative to the target folder) of every file to check, sorted."""
    skipped = {real_path(p) for p in skip}
    found: dict[str, str | None] = {}
    for target in targets:
        top = real_path(target)
        if not os.path.isdir(top):  # a file, or anything that is not a folder
            found.setdefault(top, None)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if d.startswith(".") or d in SKIPPED_FOLDERS or full in skipped:
                    continue
                if d.lower().endswith(MARKDOWN_SUFFIXES):  # a folder named like a document
                    found.setdefault(full, _rel(full, top))
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in filenames:
                if _wanted(name):
                    full = os.path.join(dirpath, name)
                    found.setdefault(full, _rel(full, top))
    return sorted(found.items())


# -- one document ----------------------------------------------------------------------------


def collect_facts(ctx: DocContext, links: bool = True) -> Facts:
    """The facts of one parsed document that workspace rules need (``links``: its links too,
    which only the link rules read, and only in reported documents)."""
    doc = ctx.doc
    fm = doc.front_matter or {}
    dt_ = ctx.doctype
    facts = Facts(path=str(ctx.path), type_name=dt_.name, typed_by=dt_.typed_by)
    facts.kind = dt_.kind.name if dt_.kind is not None else None
    facts.fm_kind = doc.kind

    def text(key: str) -> str | None:
        value = fm.get(key)
        return value.strip() or None if isinstance(value, str) else None

    facts.service, facts.owner, facts.title = text("service"), text("owner"), text("title")
    reviewed = as_date(fm.get("last_reviewed"))
    facts.last_reviewed = reviewed.isoformat() if reviewed else None
    every = fm.get("review_every")
    facts.review_every = every if isinstance(every, str) else None
    if doc.yaml is not None:
        for key in ("", "kind", "service", "owner", "last_reviewed", "title"):
            path = () if key == "" else (key,)
            if path in doc.yaml.positions:
                facts.positions[key] = list(doc.yaml.positions[path])
    # index entry, exactly as opsdocs.documents.index builds it (owner, last_reviewed: as above)
    facts.index_title = index_title(fm.get("title"), doc.title)
    facts.index_when = index_time(fm)
    facts.index_facts = {k: t for k in INDEX_FACT_KEYS if (t := fact_text(k, fm.get(k)))}
    facts.anchors = sorted(anchors_of(doc))
    if links:
        facts.links = [[link.href, link.line, link.col] for link in doc.links]
    if facts.kind == "runbook":
        section = find_section(doc, "SLOs / SLIs")
        if section is not None:
            facts.slo_section = [section.line, section.start_line, section.end_line]
    facts.suppressions = parse_suppressions(doc.lines, ctx.code_lines)
    return facts


def analyze_document(
    path: str,
    rel_paths: list[str],
    settings: CheckSettings,
    document_rules: bool = True,
    raw: bytes | None = None,
) -> tuple[list[list[Any]], dict[str, Any]]:
    """Run every document rule on the file at ``path``: (findings, facts as JSON).

    Without ``document_rules`` only the facts are collected (a context file, never reported:
    its facts are the same but for its links, its findings would be thrown away), from a parse
    of the document's structure: the inline content of its prose is not needed. ``raw``: the
    file's bytes, when the caller has read them.
    """
    try:
        structure_only = not document_rules
        doc = (
            read_document(Path(path), structure_only=structure_only)
            if raw is None
            else document_from_bytes(Path(path), raw, structure_only=structure_only)
        )
    except InputError as exc:
        finding = [
            "IN001",
            exc.line or 1,
            exc.col or 1,
            exc.message,
            exc.hint,
            False,
        ]
        return [finding], Facts(path=path, readable=False).to_json()
    doctype = resolve_type(doc, rel_paths, settings)
    ctx = DocContext(Path(path), doc, doctype, rel_paths, settings)
    findings: list[list[Any]] = []
    facts = collect_facts(ctx, links=document_rules)
    for rule in all_rules():
        if rule.scope == "document" and document_rules:
            for v in rule.run(ctx):
                # fixable only where --fix will act (it skips documents unsafe to edit)
                fixable = rule.fixable and v.fixable
                findings.append([rule.code, v.line, v.col, v.message, v.hint, fixable])
        if rule.collect is not None:
            collected = rule.collect(ctx)
            if collected is not None:  # rules read it with .get
                facts.extra[rule.code] = collected
    return findings, _compact(facts.to_json())


#: The JSON of facts that say nothing (but where the document is).
_NO_FACTS = Facts(path="").to_json()


def _compact(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as JSON without the fields that hold their default (``Facts.from_json`` puts them
    back): what workers send back and the cache keeps of a runbook read for its anchors is a
    third of its facts."""
    return {
        key: value
        for key, value in facts.items()
        if key in ("path", "readable") or value != _NO_FACTS[key]
    }


_Job = tuple[str, list[str], bool]  # path, relative paths, document rules too
#: findings, facts as JSON, and the hash of the file's bytes (None: not hashed, or unreadable)
_Result = tuple[list[list[Any]], dict[str, Any], str | None]


def _analyze_job(job: _Job, settings: CheckSettings, hashing: bool) -> _Result:
    """Analyse one file, and hash its bytes when ``hashing`` (for its cache entry): a file the
    cache holds nothing for is read once, where it is parsed (by a worker process), and the
    bytes hashed are the bytes parsed."""
    raw = _read(job[0]) if hashing else None
    digest = content_hash(raw) if raw is not None else None
    path, rel_paths, document_rules = job
    return (*analyze_document(path, rel_paths, settings, document_rules, raw), digest)


def _from_cache(entry: dict[str, Any], context: bool) -> tuple[list[list[Any]], Facts] | None:
    """An entry's findings and facts, or None when the entry is not what this version wrote
    (or holds only the facts of a context file, and ``context`` is false)."""
    try:
        if entry.get("context") and not context:
            return None
        findings = entry["findings"]
        if not all(isinstance(f, list) and len(f) == 6 and get_rule(f[0]) for f in findings):
            return None
        return findings, Facts.from_json(entry["facts"])
    except (KeyError, TypeError, ValueError, UsageError):
        return None


def check_cache_key(settings: CheckSettings) -> str:
    """The key of the check cache: the rules (and their modules' source) and the settings."""
    rules = all_rules()
    return cache_key(
        {"rules": [[r.code, r.name, r.source] for r in rules], "settings": settings.effective()},
        modules=[r.source for r in rules if r.source],
    )


def _read(path: str) -> bytes | None:
    """The bytes of the regular file at ``path``, None when it cannot be read as a document
    (analysing it then says why)."""
    try:
        return read_regular(Path(path), MAX_DOCUMENT_BYTES)
    except OSError:
        return None


def _read_hash(path: str) -> str | None:
    raw = _read(path)
    return content_hash(raw) if raw is not None else None


def _analyze_all(
    jobs: list[_Job],
    settings: CheckSettings,
    workers: int,
    hashing: bool,
    meanwhile: Callable[[], None],
) -> Iterator[_Result]:
    """Analyse the files of ``jobs`` (in ``workers`` processes when there are several), giving
    the results in order as they come, and call ``meanwhile`` once the workers are started:
    work of this process that needs none of their results (the alert catalogue's rule files)
    runs while they parse."""
    if workers <= 1 or len(jobs) < 2:
        meanwhile()
        yield from (_analyze_job(job, settings, hashing) for job in jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # The first file is analysed here, before the fork: what every file needs (the Markdown
    # parser, the modules the rules import when first run) is imported and built once, not in
    # each worker.
    first = _analyze_job(jobs[0], settings, hashing)
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(256, len(jobs) // (workers * 8)))
    analyze = partial(_analyze_job, settings=settings, hashing=hashing)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        rest = pool.map(analyze, jobs[1:], chunksize=chunk)
        try:
            meanwhile()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # not the rest of the files first
            raise
        yield first
        yield from rest


# -- the run ---------------------------------------------------------------------------------


def _overlapping_profiles(files: dict[str, _File], settings: CheckSettings) -> list[OpsdocsWarning]:
    """A warning per checked file that the paths of two profiles match (the first one wins)."""
    profiles = [(name, p) for name, p in settings.profiles.items() if p.paths]
    warnings: list[OpsdocsWarning] = []
    if len(profiles) < 2:
        return warnings
    cwd = os.path.realpath(os.getcwd())
    for path, file in sorted(files.items()):
        if not file.reported:
            continue
        matching = [
            (name, pattern)
            for name, profile in profiles
            if (pattern := profile.matching_pattern(file.rel_paths)) is not None
        ]
        if len(matching) > 1:
            (first, first_pattern), (second, second_pattern) = matching[:2]
            warnings.append(
                OpsdocsWarning(
                    f"profiles {first!r} (paths {first_pattern!r}) and {second!r} "
                    f"(paths {second_pattern!r}) both match; {first!r} applies, being first",
                    path=_below(path, cwd),
                    hint="narrow the paths so that one profile matches each file",
                )
            )
    return warnings


def _below(path: str, base: Path | str) -> str:
    """``path`` relative to ``base`` when it lies below it (to show, or as a SARIF URI)."""
    rel = _rel(path, base)
    return rel if rel is not None else path.replace(os.sep, "/")


def _targets(workspace: Workspace, paths: Sequence[Path] | None) -> list[Path]:
    if not paths:
        if not workspace.docs_dir.is_dir():
            raise UsageError(
                f"no operations folder at {workspace.relative(workspace.docs_dir)}",
                hint="run 'opsdocs init', or pass the folders or files to check",
            )
        return [workspace.docs_dir]
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder", hint="check the path")
    return list(paths)


def _add(
    files: dict[str, _File], found: Iterable[tuple[str, str | None]], root: Path, *, reported: bool
) -> None:
    for path, rel in found:
        if path not in files:
            rels = [r for r in (_rel(path, root), rel) if r]
            files[path] = _File(path, rels or [os.path.basename(path)], reported)


def collect_files(
    workspace: Workspace,
    paths: Sequence[Path] | None,
    settings: CheckSettings,
    selected: frozenset[str] = frozenset(),
    memo: dict[str, Any] | None = None,
) -> dict[str, _File]:
    """The files of a run: those reported on, and those the cross-document rules read too
    (the whole operations folder and the index's document set, even when given one file)."""
    root = workspace.root
    skip = [workspace.templates_dir]
    files: dict[str, _File] = {}
    _add(files, discover_files(_targets(workspace, paths), root, skip), root, reported=True)
    # files a profile matches outside the operations folder: reported by a plain check, and
    # read for the index (IX001) in any case
    outside = [(str(path), None) for _, path in profile_files(workspace)]
    _add(files, outside, root, reported=not paths)
    if workspace.docs_dir.is_dir():
        _add(files, discover_files([workspace.docs_dir], root, skip), root, reported=False)
        # a kind folder that is a symlink is not walked, but the index lists its documents
        index_set = [(index_key(path), None) for _, _, path in index_files(workspace.docs_dir)]
        _add(files, index_set, root, reported=False)
    if not paths:
        for rule in all_rules():
            if rule.context is not None and rule.code in selected:
                for path in rule.context(workspace, {} if memo is None else memo):
                    if path not in files:
                        files[path] = _File(
                            path, [r for r in (_rel(path, root),) if r], False, True
                        )
    return files


@dataclass
class _Analysis:
    findings: dict[str, list[list[Any]]]  # document-rule findings per file
    facts: dict[str, Facts]
    cached: int = 0
    parsed: int = 0


def cache_folder(root: Path, settings: CheckSettings, options: CheckOptions) -> Path | None:
    """The run's cache folder, or None when caching is off (setting or option)."""
    if not (options.cache and settings.cache):
        return None
    cache_dir = Path(settings.cache_dir)
    # the cache folder's old files are deleted: only a real folder in the workspace
    return state_dir(root, cache_dir if cache_dir.is_absolute() else root / cache_dir)


def analyze_files(
    root: Path,
    files: dict[str, _File],
    settings: CheckSettings,
    options: CheckOptions,
    directory: Path | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> _Analysis:
    """Document rules and facts of every file: from the cache (in ``directory``) when its bytes
    are unchanged, else parsed (in worker processes when there are many, while this process
    runs ``meanwhile``)."""
    cache = None
    if directory is not None:
        cache = Cache(directory, "check", check_cache_key(settings)).load()
    result = _Analysis(findings={}, facts={})
    misses: list[_Job] = []
    for path, file in files.items():
        # only a file with an entry is hashed here (to see whether the entry holds)
        digest = _read_hash(path) if cache is not None and path in cache.entries else None
        entry = cache.get(path, digest) if cache is not None and digest is not None else None
        cached = _from_cache(entry, file.context) if entry is not None else None
        if cached is not None:
            result.findings[path], result.facts[path] = cached
            result.cached += 1
        else:
            misses.append((path, file.rel_paths, not file.context))
    workers = options.jobs or settings.jobs or min(os.cpu_count() or 1, 8)
    if len(misses) < options.parallel_threshold:
        workers = 1
    results = _analyze_all(misses, settings, workers, cache is not None, meanwhile)
    for (path, _, rules), (found, fact_json, digest) in zip(misses, results, strict=True):
        result.findings[path] = found
        result.facts[path] = Facts.from_json(fact_json)
        if cache is not None:
            if digest is not None and fact_json["readable"]:
                entry = {"findings": found, "facts": fact_json}
                cache.put(path, digest, entry if rules else {**entry, "context": True})
            else:
                cache.forget(path)
    result.parsed = len(misses)
    if cache is not None:
        cache.save()
    return result


_Raw = tuple[str, Rule, int, int, str, str | None, bool]


def _raw_findings(
    analysis: _Analysis,
    reported: set[str],
    wctx: WorkspaceContext,
    selected: frozenset[str],
    whole_workspace: bool,
    context: frozenset[str] = frozenset(),
) -> Iterator[_Raw]:
    """The findings of the reported files, then those of the selected workspace rules."""
    for path in sorted(reported):
        for code, line, col, message, hint, fixable in analysis.findings[path]:
            yield path, get_rule(code), line, col, message, hint, fixable
    for rule in all_rules():
        if rule.scope == "workspace" and rule.code in selected:
            for v in rule.run(wctx):
                # A finding in a file that is no document (a rule file, or a runbook in a folder
                # the alert catalogue links to) counts when the whole workspace is checked.
                outside = whole_workspace and (v.path not in analysis.facts or v.path in context)
                if v.path and (v.path in reported or outside):
                    yield v.path, rule, v.line, v.col, v.message, v.hint, rule.fixable and v.fixable


def _diagnostics(
    raw: Iterable[_Raw], selected: frozenset[str], facts: dict[str, Facts], root: Path
) -> tuple[list[Diagnostic], int]:
    """The selected, unsuppressed findings as diagnostics (sorted), and how many were
    suppressed."""
    cwd = os.path.realpath(os.getcwd())
    findings: list[Diagnostic] = []
    suppressed = 0
    for path, rule, line, col, message, hint, fixable in raw:
        if rule.code not in selected:
            continue
        directives = facts[path].suppressions if path in facts else []
        if directives and is_suppressed(rule, line, directives):
            suppressed += 1
            continue
        findings.append(
            Diagnostic(
                path=_below(path, cwd),
                line=line,
                col=col,
                code=rule.code,
                name=rule.name,
                severity=rule.severity,
                message=message,
                hint=hint,
                fixable=fixable,
                uri=_below(path, root),
                abspath=path,
            )
        )
    findings.sort()
    return findings, suppressed


def _call_each(memo: dict[str, Any], method: str) -> None:
    """Call ``method`` of what ``Rule.prepare`` hooks left in the memo, where it has one:
    ``load()`` while the worker processes parse the documents (the alert catalogue parses its
    rule files), ``close()`` when the run ends (a process started for the run)."""
    for value in memo.values():
        call = getattr(value, method, None)
        if callable(call):
            call()


def run_check(
    workspace: Workspace,
    paths: Sequence[Path] | None = None,
    options: CheckOptions | None = None,
    prepared: dict[str, Any] | None = None,
) -> CheckResult:
    """Check the operations folder (or ``paths``) of ``workspace``.

    ``prepared``: what ``Rule.prepare`` hooks would leave in the run's memo, started by the
    caller already (``opsdocs alerts check`` starts promtool before this module is imported).

    Raises :class:`ConfigError` for bad settings and :class:`UsageError` for a bad selector or
    a path that does not exist. Problems in the files are findings, never exceptions.
    """
    # The collector stays paused until the session is gone: turned back on while the session
    # still held every file's facts, its first pass walked them all (0.04 s for 5,000 files)
    # just before they were freed.
    with collector.paused():
        return CheckSession(workspace, paths, options, prepared).run()


class CheckSession:
    """A run whose files and per-file results are kept, so that :meth:`recheck` can check the
    workspace again after a few files changed without reading the others (the portal's
    ``site serve``): the changed files' document rules and facts afresh, the others' facts as
    the last run found them, every workspace rule over all of them."""

    def __init__(
        self,
        workspace: Workspace,
        paths: Sequence[Path] | None = None,
        options: CheckOptions | None = None,
        prepared: dict[str, Any] | None = None,
    ) -> None:
        self.workspace = workspace
        self._prepared = prepared  # the first run's memo (see run_check)
        self.paths = paths
        self.options = options or CheckOptions()
        self.settings = load_settings(workspace.config)
        self.selected = select_rules(
            list(self.options.select) or self.settings.select,
            [*self.settings.ignore, *self.options.ignore],
        )
        self.cache_dir = cache_folder(workspace.root, self.settings, self.options)
        self.files: dict[str, _File] = {}
        self.analysis: _Analysis | None = None

    def run(self) -> CheckResult:
        """Check every file (from the cache when its bytes are unchanged)."""
        return self._run(None)

    def recheck(self, changed: Iterable[Path]) -> CheckResult:
        """Check again after the files at ``changed`` were edited. A file the last run did not
        read (a new one), or one that is gone, makes it a whole run."""
        return self._run([real_path(p) for p in changed])

    def _run(self, changed: list[str] | None) -> CheckResult:
        workspace, settings, selected = self.workspace, self.settings, self.selected
        memo: dict[str, Any] = self._prepared or {}
        self._prepared = None
        # paused for the run too (``site serve`` rechecks through a session, not run_check)
        with collector.paused(), ExitStack() as run:
            run.callback(_call_each, memo, "close")
            for rule in all_rules():
                if rule.prepare is not None and rule.code in selected:
                    rule.prepare(workspace, memo, self.cache_dir)
            files, analysis = self.files, self.analysis
            if (
                changed is None
                or analysis is None
                or not all(p in files and os.path.isfile(p) for p in changed)
            ):
                files = self.files = collect_files(workspace, self.paths, settings, selected, memo)
                analysis = self.analysis = analyze_files(
                    workspace.root,
                    files,
                    settings,
                    self.options,
                    self.cache_dir,
                    lambda: _call_each(memo, "load"),
                )
            else:
                for path in changed:
                    found, facts = analyze_document(
                        path, files[path].rel_paths, settings, not files[path].context
                    )
                    analysis.findings[path], analysis.facts[path] = found, Facts.from_json(facts)
                analysis.parsed, analysis.cached = len(changed), len(files) - len(changed)
            reported = {p for p, f in files.items() if f.reported}
            wctx = WorkspaceContext(
                facts=analysis.facts,
                reported=reported,
                today=self.options.today or dt.date.today(),
                settings=settings,
                workspace=workspace,
                root=workspace.root,
                memo=memo,
                cache_dir=self.cache_dir,
            )
            context = frozenset(p for p, f in files.items() if f.context)
            raw = _raw_findings(
                analysis, reported, wctx, selected, whole_workspace=not self.paths, context=context
            )
            findings, suppressed = _diagnostics(raw, selected, analysis.facts, workspace.root)
        return CheckResult(
            findings=findings,
            files=len(reported),
            cached=analysis.cached,
            parsed=analysis.parsed,
            strict=self.options.strict or settings.strict,
            suppressed=suppressed,
            rules=selected,
            run_warnings=_overlapping_profiles(files, settings),
        )

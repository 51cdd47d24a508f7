"""Adopting hand-written documents: one reviewed step from a team's own files to checked ones.

:func:`plan_adoption` reads each file and works out, without writing anything:

* the kind (``--kind``, the front matter, the file name, or a kind's name in the file name);
* the new file name, by the kind's naming rule, and the relative links elsewhere that point at
  the old name;
* the front matter to add when there is none (kind, title, owner from ``CODEOWNERS`` when it names
  one, service, last_reviewed);
* which existing headings are the kind's sections under another name (a synonym table: Symptoms
  is *Common Failures & Diagnostics*, Mitigation is *Step-by-step Procedures*...), extended by
  ``[adopt.synonyms]`` in the configuration;
* the sections still missing, added with the template's guidance line.

:func:`apply_adoption` writes the whole plan as one change set (and the README index with it), or
nothing when any part fails.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from opsdocs.check.context import KINDS_BY_NAME, DocContext, kind_type, resolve_type, section_key
from opsdocs.check.fix import insert_sections
from opsdocs.check.settings import load_settings
from opsdocs.documents.kinds import KINDS, Kind
from opsdocs.documents.parse import Document, parse_document, read_document, slugify
from opsdocs.errors import InputError, UsageError
from opsdocs.validators import NAME

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["DEFAULT_SYNONYMS", "AdoptPlan", "FilePlan", "apply_adoption", "plan_adoption"]

#: Section title -> headings teams write for it. Matched tolerantly (case, punctuation, "&"/"and").
DEFAULT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Service Overview": (
        "Overview",
        "Summary",
        "About",
        "Description",
        "Introduction",
        "Service",
        "Context",
    ),
    "SLOs / SLIs": (
        "SLO",
        "SLOs",
        "SLIs",
        "SLO / SLI",
        "Service Level Objectives",
        "Objectives",
        "Service Levels",
    ),
    "Dashboards & Alerts": (
        "Dashboards",
        "Dashboard",
        "Alerts",
        "Alerting",
        "Monitoring",
        "Observability",
        "Metrics",
        "Graphs",
    ),
    "Common Failures & Diagnostics": (
        "Symptoms",
        "Diagnosis",
        "Diagnostics",
        "Troubleshooting",
        "Known Issues",
        "Common Issues",
        "Common Problems",
        "Failure Modes",
        "Investigation",
        "Debugging",
        "Impact",
    ),
    "Step-by-step Procedures": (
        "Mitigation",
        "Mitigations",
        "Remediation",
        "Procedures",
        "Procedure",
        "Steps",
        "Resolution",
        "Fix",
        "Playbook",
        "Actions",
        "Runbook Steps",
        "How to Fix",
    ),
    "Escalation & Ownership": (
        "Escalation",
        "Escalations",
        "Contacts",
        "Contact",
        "Ownership",
        "Owners",
        "Owner",
        "On-call",
        "On call",
        "Who to Call",
        "Support",
        "Escalation Path",
    ),
    "DR / Backup / Restore": (
        "Backup",
        "Backups",
        "Restore",
        "Disaster Recovery",
        "DR",
        "Backup and Restore",
        "Backup & Restore",
        "Recovery",
    ),
}

_NAME_OK = re.compile(NAME)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class HeadingChange:
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class LinkChange:
    path: Path  # the file that links
    line: int
    old: str
    new: str


@dataclass
class FilePlan:
    """What adopting one file changes."""

    path: Path
    kind: str
    new_path: Path | None = None  # None: the name is right
    front_matter: dict[str, str] = field(default_factory=dict)  # keys to add (none: has some)
    owner_from: str | None = None  # "CODEOWNERS:12" when the owner came from there
    headings: list[HeadingChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    title_added: str | None = None
    notes: list[str] = field(default_factory=list)
    text: str = ""  # the adopted text
    original: str = ""
    anchors: dict[str, str] = field(default_factory=dict)  # old heading anchor -> new

    @property
    def changed(self) -> bool:
        return self.new_path is not None or self.text != self.original


@dataclass
class AdoptPlan:
    """The whole adoption: per-file plans, the links to update, and the README index."""

    files: list[FilePlan]
    links: list[LinkChange] = field(default_factory=list)
    edits: dict[Path, str] = field(default_factory=dict)  # other files whose links change
    skipped: list[Path] = field(default_factory=list)  # found in a folder, kind unknown

    @property
    def empty(self) -> bool:
        return not any(f.changed for f in self.files) and not self.edits

    def describe(self, relative: Any = str) -> list[str]:
        """The plan as lines of text (``relative`` turns a path into what to show)."""
        out: list[str] = []
        for f in self.files:
            out.append(f"{relative(f.path)} ({f.kind})")
            if f.new_path is not None:
                out.append(f"  rename to {relative(f.new_path)} (the {f.kind} naming rule)")
            if f.front_matter:
                keys = ", ".join(f"{k}: {v}" for k, v in f.front_matter.items())
                source = f" (owner from {f.owner_from})" if f.owner_from else ""
                out.append(f"  add front matter: {keys}{source}")
            if f.title_added:
                out.append(f"  add the title '# {f.title_added}'")
            for h in f.headings:
                out.append(f"  line {h.line}: rename heading '{h.old}' to '{h.new}'")
            for title in f.added:
                out.append(f"  add section '## {title}'")
            out.extend(f"  note: {note}" for note in f.notes)
            if not f.changed:
                out.append("  nothing to change")
        for path in self.skipped:
            out.append(f"{relative(path)}: kind unknown, left alone (name it with --kind)")
        for link in self.links:
            out.append(
                f"{relative(link.path)}:{link.line}: update link '{link.old}' to '{link.new}'"
            )
        return out


# -- CODEOWNERS ------------------------------------------------------------------------------


def _codeowners(root: Path) -> tuple[Path, list[tuple[int, str, list[str]]]] | None:
    for candidate in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"):
        path = root / candidate
        if path.is_file():
            rules = []
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("["):  # GitLab section headers
                    pattern, *owners = line.split()
                    rules.append((number, pattern, owners))
            return path, rules
    return None


def _codeowners_regex(pattern: str) -> re.Pattern[str]:
    from opsdocs.check.settings import glob_regex

    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    regex = glob_regex(pattern.strip("/"))
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{regex}(?:/.*)?$")


def _owner_name(owner: str) -> str | None:
    """``@org/team-api`` -> ``team-api``; an e-mail address or an odd name -> None."""
    if not owner.startswith("@"):
        return None
    name = owner[1:].rsplit("/", 1)[-1].lower()
    return name if _NAME_OK.match(name) else None


def owner_from_codeowners(root: Path, rel: str) -> tuple[str, str] | None:
    """The owner ``CODEOWNERS`` gives the file at ``rel`` (POSIX, from the root), and where."""
    found = _codeowners(root)
    if found is None:
        return None
    path, rules = found
    for number, pattern, owners in reversed(rules):  # the last matching rule wins
        if _codeowners_regex(pattern).match(rel) or pattern == "*":
            for owner in owners:
                name = _owner_name(owner)
                if name:
                    return name, f"{path.relative_to(root).as_posix()}:{number}"
            return None
    return None


# -- one file --------------------------------------------------------------------------------


def _synonyms(workspace: Workspace) -> dict[str, str]:
    """Heading key -> section title, the defaults then the configuration's additions."""
    table: dict[str, list[str]] = {k: list(v) for k, v in DEFAULT_SYNONYMS.items()}
    extra = workspace.config.section("adopt").get("synonyms", {})
    if not isinstance(extra, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in extra.values()
    ):
        from opsdocs.config import config_error

        raise config_error(
            workspace.config.source,
            ("adopt", "synonyms"),
            "must map a section title to a list of headings",
            hint='e.g. "Common Failures & Diagnostics" = ["Gotchas"]',
        )
    for title, words in extra.items():
        table.setdefault(title, []).extend(words)
    result: dict[str, str] = {}
    for title, words in table.items():
        for word in words:
            result.setdefault(section_key(word), title)
    return result


def _guess_kind(
    path: Path, kind: str | None, doc: Document, rels: list[str], settings: Any
) -> Kind:
    if kind is not None:
        found = KINDS_BY_NAME.get(kind)
        if found is None:
            raise UsageError(
                f"unknown kind {kind!r}", hint=f"one of {', '.join(k.name for k in KINDS)}"
            )
        return found
    doctype = resolve_type(doc, rels, settings)
    if doctype.kind is not None:
        return doctype.kind
    words = set(re.split(r"[^a-z0-9]+", path.stem.lower()))
    for candidate in KINDS:
        if candidate.name in words or words & set(candidate.aliases):
            return candidate
    raise UsageError(
        f"{path}: cannot tell which kind of document this is",
        hint="pass --kind (e.g. --kind runbook)",
    )


def _name_from_stem(stem: str, kind: Kind) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", stem.lower()) if w]
    drop = {kind.name, *kind.aliases, *kind.name.split("-")}
    kept = [w for w in words if w not in drop]
    return "-".join(kept)


def _new_path(path: Path, kind: Kind, name: str) -> Path | None:
    if kind.singleton:
        target = kind.filename
    elif kind.dated:
        return None  # dated names carry the event's date: not guessed
    else:
        target = kind.filename.replace("{name}", name)
    return None if target == path.name else path.with_name(target)


def _plan_file(
    workspace: Workspace,
    path: Path,
    kind_name: str | None,
    synonyms: dict[str, str],
    today: dt.date,
    settings: Any,
) -> FilePlan:
    doc = read_document(path)
    rel = workspace.relative(path).replace(os.sep, "/")
    rels = [rel, path.name]
    kind = _guess_kind(path, kind_name, doc, rels, settings)
    plan = FilePlan(path=path, kind=kind.name, original=doc.text)
    fm = doc.front_matter
    service = fm.get("service") if fm and isinstance(fm.get("service"), str) else None
    name = service or _name_from_stem(path.stem, kind)
    if not kind.singleton and not kind.dated and not _NAME_OK.match(name or ""):
        plan.notes.append(f"no name found in '{path.name}' for the {kind.name}: not renamed")
    elif doc.problems:
        plan.notes.append("its front matter does not parse: fix it first, then adopt again")
        plan.text = doc.text
        return plan
    else:
        plan.new_path = _new_path(path, kind, name)
        if plan.new_path is not None and plan.new_path.exists():
            plan.notes.append(f"{workspace.relative(plan.new_path)} exists: not renamed")
            plan.new_path = None

    lines = doc.text.split("\n")
    # headings that are sections under another name
    wanted = {section_key(spec.title): spec.title for spec in kind.sections}
    taken = {section_key(s.title) for s in doc.sections if section_key(s.title) in wanted}
    for section in doc.sections:
        key = section_key(section.title)
        if key in wanted:
            continue
        title = synonyms.get(key)
        if title is None or section_key(title) not in wanted or section_key(title) in taken:
            continue
        taken.add(section_key(title))
        index = section.line - 1
        atx = re.match(r"^\s*#+[ \t]+", lines[index])
        lines[index] = (atx.group() if atx else "") + title  # a setext heading: its text line
        plan.anchors[section.anchor] = slugify(title)
        plan.headings.append(HeadingChange(section.line, section.title, title))

    title = (fm or {}).get("title") if isinstance((fm or {}).get("title"), str) else None
    h1 = doc.title
    if fm is None:
        from opsdocs.documents.scaffold import default_title

        title = h1 or default_title(kind, name or None)
        keys: dict[str, str] = {"kind": kind.name, "title": title}
        owner = owner_from_codeowners(workspace.root, rel)
        if owner is not None:
            keys["owner"], plan.owner_from = owner
        else:
            plan.notes.append("no owner in CODEOWNERS for it: add 'owner:' to the front matter")
        if "service" in kind.schema.model_fields and name and _NAME_OK.match(name):
            keys["service"] = name
        if kind.reviewed:
            keys["last_reviewed"] = today.isoformat()
        plan.front_matter = keys
        body_start = 0
    else:
        body_start = doc.front_matter_end
    if h1 is None:
        plan.title_added = title or kind.label
        lines[body_start:body_start] = [f"# {plan.title_added}", ""]
        if body_start == 0 and lines[2:3] == [""]:
            del lines[2]

    text = "\n".join(lines)
    if plan.front_matter:
        from opsdocs.yamlio import dump_yaml

        text = "---\n" + dump_yaml(plan.front_matter) + "---\n\n" + text.lstrip("\n")
    new = parse_document(path, text)
    ctx = DocContext(path, new, kind_type(kind, "adopt"), rels, settings)
    inserted = insert_sections(ctx)
    if inserted is not None:
        text, plan.added = inserted
    plan.text = text if text.endswith("\n") else text + "\n"
    return plan


# -- links -----------------------------------------------------------------------------------


def _link_target(source: Path, href: str) -> tuple[Path, str] | None:
    if not href or href.startswith(("#", "/")) or _SCHEME.match(href):
        return None
    target, _, fragment = href.partition("#")
    if not target:
        return None
    return Path(os.path.normpath(source.parent / unquote(target))), fragment


def _relink(
    workspace: Workspace, plans: list[FilePlan], texts: dict[Path, str]
) -> tuple[list[LinkChange], dict[Path, str]]:
    """Relative links to renamed files and to renamed headings, in every Markdown file of the
    operations folder and of the adopted files' folders."""
    by_path = {Path(os.path.normpath(p.path)): p for p in plans}
    if not any(p.new_path is not None or p.anchors for p in plans):
        return [], {}
    from opsdocs.check.engine import discover_files
    from opsdocs.documents.index import MARKDOWN_SUFFIXES

    folders = {workspace.docs_dir} | {p.path.parent for p in plans}
    found = discover_files([f for f in folders if f.is_dir()], workspace.root)
    candidates = {Path(path) for path, _ in found} | set(texts)
    changes: list[LinkChange] = []
    edits: dict[Path, str] = {}
    for source in sorted(candidates):
        if source.suffix.lower() not in MARKDOWN_SUFFIXES:
            continue
        try:
            text = texts[source] if source in texts else read_document(source).text
        except InputError:
            continue
        doc = parse_document(source, text)
        mine = by_path.get(source)
        where = mine.new_path if mine is not None and mine.new_path is not None else source
        lines = text.split("\n")
        changed = False
        for link in doc.links:
            if link.href.startswith("#"):
                target, fragment = source, link.href[1:]
            else:
                resolved = _link_target(source, link.href)
                if resolved is None:
                    continue
                target, fragment = resolved
            plan = by_path.get(target)
            if plan is None:
                continue
            new_fragment = plan.anchors.get(fragment, fragment)
            if plan.new_path is None and new_fragment == fragment:
                continue
            if link.href.startswith("#"):
                new_href = f"#{new_fragment}"
            else:
                destination = plan.new_path or plan.path
                rel = os.path.relpath(destination, where.parent).replace(os.sep, "/")
                new_href = rel.replace(" ", "%20") + (f"#{new_fragment}" if new_fragment else "")
            index = link.line - 1
            if 0 <= index < len(lines) and f"]({link.href}" in lines[index]:
                lines[index] = lines[index].replace(f"]({link.href}", f"]({new_href}", 1)
                changes.append(LinkChange(where, link.line, link.href, new_href))
                changed = True
        if changed:
            edits[source] = "\n".join(lines)
    return changes, edits


# -- the whole plan --------------------------------------------------------------------------


def _targets(paths: list[Path]) -> dict[Path, bool]:
    """Each file to adopt, and whether it was named (not found in a folder)."""
    from opsdocs.check.engine import discover_files

    found: dict[Path, bool] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder", hint="check the path")
        if path.is_dir():
            for name, _ in discover_files([path], path):
                found.setdefault(Path(os.path.normpath(name)), False)
        else:
            found[Path(os.path.normpath(os.path.abspath(path)))] = True
    return dict(sorted(found.items()))


def plan_adoption(
    workspace: Workspace,
    paths: list[Path],
    *,
    kind: str | None = None,
    today: dt.date | None = None,
) -> AdoptPlan:
    """What adopting ``paths`` (files, or folders of Markdown) would change; writes nothing.

    Raises :class:`UsageError` for a path that does not exist or a file whose kind cannot be
    told, :class:`InputError` for a file that cannot be read.
    """
    settings = load_settings(workspace.config)
    synonyms = _synonyms(workspace)
    today = today or dt.date.today()
    plans: list[FilePlan] = []
    skipped: list[Path] = []
    for path, named in _targets(paths).items():
        try:
            plans.append(_plan_file(workspace, path, kind, synonyms, today, settings))
        except UsageError:
            if named:
                raise
            skipped.append(path)  # a README or notes in the folder: not a document of a kind
    targets: dict[Path, Path] = {}
    for plan in plans:
        if plan.new_path is not None:
            other = targets.setdefault(plan.new_path, plan.path)
            if other != plan.path:
                plan.notes.append(
                    f"{workspace.relative(other)} is renamed to the same name: not renamed"
                )
                plan.new_path = None
    texts = {p.path: p.text for p in plans}
    links, edits = _relink(workspace, plans, texts)
    for plan in plans:
        if plan.path in edits:
            plan.text = edits.pop(plan.path)
            if not plan.text.endswith("\n"):
                plan.text += "\n"
    return AdoptPlan(files=plans, links=links, edits=edits, skipped=skipped)


def apply_adoption(workspace: Workspace, plan: AdoptPlan) -> list[Path]:
    """Write ``plan``: every file, link and the README index in one change set, then remove the
    old names of renamed files. Returns the paths written."""
    from opsdocs.documents.index import compute_index
    from opsdocs.fileio import locked, remove

    changes = workspace.changes()
    pending: dict[Path, str] = {}
    for f in plan.files:
        if not f.changed:
            continue
        target = f.new_path or f.path
        changes.write(target, f.text, create_only=f.new_path is not None)
        pending[target] = f.text
    for path, text in plan.edits.items():
        changes.write(path, text)
        pending[path] = text
    removed = [f.path for f in plan.files if f.new_path is not None]
    # the README is shared with 'new' and 'incident': hold its lock from reading to writing
    with locked(workspace.root, workspace.readme):
        if workspace.docs_dir.is_dir():
            # the old names break the naming rule, so the index never listed them
            try:
                update = compute_index(workspace, pending)
            except InputError:
                update = None
            if update is not None and update.stale:
                changes.write(update.path, update.new)
        written = changes.commit()
    for path in removed:
        remove(path, root=workspace.root)
    return written

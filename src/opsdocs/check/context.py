"""What rules see: one document (:class:`DocContext`) or the facts of all of them
(:class:`WorkspaceContext`).

A document is *typed* (given a shape to check against) by, in order: a profile whose ``paths``
match it; its front-matter ``kind`` (a built-in kind or a profile name); its file name (a kind's
naming rule). An untyped Markdown file gets only the rules that make sense for any Markdown
(links, fences, YAML that does not parse).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS, Kind, SectionSpec, kind_for_filename
from opsdocs.documents.parse import (
    Document,
    Section,
    normalize_heading,
    read_document,
    slugify,
)
from opsdocs.errors import InputError
from opsdocs.fileio import real_folder

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from markdown_it.token import Token

    from opsdocs.check.settings import CheckSettings, Profile
    from opsdocs.documents.schemas import FrontMatter
    from opsdocs.workspace import Workspace

__all__ = ["DocContext", "DocType", "Facts", "WorkspaceContext", "resolve_type"]

T = TypeVar("T")

KINDS_BY_NAME = {k.name: k for k in KINDS} | {a: k for k in KINDS for a in k.aliases}
_CODE = ("fence", "code_block")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class DocType:
    """The shape a document is checked against."""

    name: str | None = None  # kind or profile name; None: untyped
    kind: Kind | None = None  # the built-in kind (naming rule, schema), if any
    profile_name: str | None = None
    typed_by: str | None = None  # "profile" | "front-matter" | "file-name"
    sections: tuple[SectionSpec, ...] = ()
    order: bool = True
    title: str = "front-matter"
    front_matter: str = "optional"

    @property
    def typed(self) -> bool:
        return self.name is not None

    @property
    def schema(self) -> type[FrontMatter] | None:
        if self.kind is not None:
            return self.kind.schema
        if self.front_matter == "required":
            from opsdocs.documents.schemas import FrontMatter

            return FrontMatter
        return None


def _profile_type(name: str, profile: Profile, kind: Kind | None, typed_by: str) -> DocType:
    if profile.sections is not None:
        sections = tuple(SectionSpec(t, profile.guidance.get(t, "")) for t in profile.sections)
    else:
        sections = kind.sections if kind else ()
    return DocType(
        name=name,
        kind=kind,
        profile_name=name,
        typed_by=typed_by,
        sections=sections,
        order=profile.order,
        title=profile.title,
        front_matter=profile.front_matter or ("required" if kind is not None else "optional"),
    )


def resolve_type(doc: Document, rel_paths: list[str], settings: CheckSettings) -> DocType:
    """The :class:`DocType` of ``doc`` (see the module docstring)."""
    fm_kind = doc.kind
    for name, profile in settings.profiles.items():
        if profile.paths and profile.matching_pattern(rel_paths) is not None:
            kind = KINDS_BY_NAME.get(profile.kind or fm_kind or name)
            return _profile_type(name, profile, kind, "profile")
    if fm_kind is not None:
        for name, profile in settings.profiles.items():
            if not profile.paths and fm_kind in (name, profile.kind):
                return _profile_type(name, profile, KINDS_BY_NAME.get(fm_kind), "front-matter")
        kind = KINDS_BY_NAME.get(fm_kind)
        if kind is not None:
            return kind_type(kind, "front-matter")
    kind = kind_for_filename(doc.path.name, "")
    if kind is not None:
        for name, profile in settings.profiles.items():
            if not profile.paths and kind.name in (name, profile.kind):
                return _profile_type(name, profile, kind, "file-name")
        return kind_type(kind, "file-name")
    return DocType()


def kind_type(kind: Kind, typed_by: str) -> DocType:
    """The shape of a document of the built-in ``kind`` (no profile)."""
    return DocType(
        name=kind.name,
        kind=kind,
        typed_by=typed_by,
        sections=kind.sections,
        front_matter="required",
    )


def _not_prose(token: Token) -> bool:
    """A top-level code block or HTML comment block."""
    comment = token.type == "html_block" and token.content.lstrip().startswith("<!--")
    return token.level == 0 and (token.type in _CODE or comment)


@dataclass
class DocContext:
    """One parsed document and its type, as document rules see it."""

    path: Path
    doc: Document
    doctype: DocType
    rel_paths: list[str]
    settings: CheckSettings

    @property
    def kind_name(self) -> str | None:
        """The name of the document's built-in kind (None: none)."""
        return self.doctype.kind.name if self.doctype.kind is not None else None

    def diagnostic(self, key: tuple[str | int, ...], message: str, hint: str | None) -> Diagnostic:
        """A finding at the front-matter key ``key`` (the front matter's start when absent)."""
        return diagnostic_at(self.doc, key, message=message, hint=hint, path="")

    @property
    def safe_to_edit(self) -> bool:
        """Whether ``--fix`` may insert text: front matter sound, every fence closed, and the
        front matter its kind requires present (a file not adopted yet is 'opsdocs adopt''s)."""
        doc = self.doc
        if doc.problems or doc.unclosed_fence is not None:
            return False
        return not (doc.front_matter is None and self.doctype.front_matter == "required")

    def _lines_of(self, wanted: Callable[[Token], bool]) -> set[int]:
        """File lines of the body's blocks that ``wanted`` picks."""
        offset = self.doc.body_line
        return {
            number
            for token in self.doc.blocks
            if token.map is not None and wanted(token)
            for number in range(token.map[0] + offset, token.map[1] + offset)
        }

    @cached_property
    def skipped_lines(self) -> set[int]:
        """File lines inside code blocks and HTML comment blocks (not prose)."""
        return self._lines_of(_not_prose)

    @cached_property
    def code_lines(self) -> set[int]:
        """File lines inside fenced or indented code blocks (in lists and quotes too)."""
        return self._lines_of(lambda t: t.type in _CODE)

    @cached_property
    def front_matter_ok(self) -> bool:
        """Front matter present and parsed as a mapping."""
        return self.doc.front_matter is not None and not any(
            p.code.startswith("front-matter") for p in self.doc.problems
        )


def diagnostic_at(
    doc: Document,
    key: tuple[str | int, ...],
    *,
    message: str,
    hint: str | None,
    path: str | None = None,
) -> Diagnostic:
    """A finding at the front-matter key ``key`` of ``doc`` (the front matter's start when
    absent), in the document's file unless ``path`` says otherwise."""
    line, col = doc.position(key)
    where = str(doc.path) if path is None else path
    return Diagnostic(path=where, line=line, col=col, message=message, hint=hint)


def required_key(
    kind: str, key: str, message: str, hint: str
) -> Callable[[DocContext], Iterator[Diagnostic]]:
    """A document check: a ``kind`` document whose front matter has no ``key`` (or an empty
    one) is reported at its ``kind:`` key."""

    def check(ctx: DocContext) -> Iterator[Diagnostic]:
        front = ctx.doc.front_matter
        if ctx.kind_name == kind and isinstance(front, dict) and not front.get(key):
            yield ctx.diagnostic(("kind",), message=message, hint=hint)

    return check


@dataclass
class Facts:
    """What workspace rules need to know about one document (cached with its findings)."""

    path: str
    readable: bool = True
    type_name: str | None = None
    kind: str | None = None  # built-in kind name, if any
    typed_by: str | None = None
    fm_kind: str | None = None
    service: str | None = None
    owner: str | None = None
    title: str | None = None
    last_reviewed: str | None = None
    review_every: str | None = None
    positions: dict[str, list[int]] = field(default_factory=dict)
    anchors: list[str] = field(default_factory=list)
    links: list[list[Any]] = field(default_factory=list)  # [href, line, col]
    slo_section: list[int] | None = None  # [heading line, first line, last line]
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    index_title: str | None = None
    index_when: str = ""
    index_facts: dict[str, str] = field(default_factory=dict)  # Kind.index_facts as index text
    extra: dict[str, Any] = field(default_factory=dict)

    def position(self, key: str) -> tuple[int, int]:
        pos = self.positions.get(key) or self.positions.get("") or [1, 1]
        return pos[0], pos[1]

    def diagnostic(self, key: str, message: str, hint: str) -> Diagnostic:
        """A finding in this document at its front-matter key ``key`` (for a workspace rule)."""
        line, col = self.position(key)
        return Diagnostic(line=line, col=col, message=message, hint=hint, path=self.path)

    def to_json(self) -> dict[str, Any]:
        # shallow: the values are JSON data already (asdict's deep copy cost a quarter of a
        # document's analysis)
        return {name: getattr(self, name) for name in _FACT_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        return cls(**data)


_FACT_FIELDS = tuple(f.name for f in fields(Facts))


def real_path(path: Path | str, folders: dict[str, str] | None = None) -> str:
    """Absolute path with symlinked folders resolved; the file itself stays as named, so that a
    symlinked document keeps its name and a symlink loop is reported, not followed.

    ``folders`` remembers resolved folders across calls (see :func:`opsdocs.fileio.real_folder`).
    """
    absolute = os.path.abspath(path)
    if os.path.isdir(absolute):
        return os.path.realpath(absolute)
    folder, name = os.path.split(absolute)
    return os.path.join(real_folder(folder, {} if folders is None else folders), name)


def split_href(href: str) -> tuple[str, str] | None:
    """(path part, fragment) of a relative link, or None for URLs and absolute links."""
    if not href or href.startswith("//") or (":" in href and _SCHEME.match(href)):
        return None
    target, _, fragment = href.partition("#")
    if "?" in target:
        target = target.split("?", 1)[0]
    if "%" in href:
        return unquote(target), unquote(fragment)
    return target, fragment


@dataclass
class WorkspaceContext:
    """Every document's facts, for rules that look across documents or at the date."""

    facts: dict[str, Facts]
    reported: set[str]
    today: dt.date
    settings: CheckSettings
    workspace: Workspace | None = None
    root: Path = field(default_factory=Path.cwd)
    #: what a family of rules computes once per run and shares (e.g. the alert analysis)
    memo: dict[str, Any] = field(default_factory=dict)
    #: the run's cache folder (None: caching is off), where rules may keep what they parse
    cache_dir: Path | None = None
    _anchor_cache: dict[str, set[str] | None] = field(default_factory=dict)
    _resolved: dict[tuple[str, str], str] = field(default_factory=dict)
    _exists: dict[str, bool] = field(default_factory=dict)

    def documents(self, kind: str | None = None) -> list[Facts]:
        """Readable documents (of built-in ``kind``), sorted by path."""
        return [
            f
            for _, f in sorted(self.facts.items())
            if f.readable and (kind is None or f.kind == kind)
        ]

    def by_service(self, kind: str) -> dict[str, list[Facts]]:
        """Readable ``kind`` documents that name a service, by service (each list by path)."""
        found: dict[str, list[Facts]] = {}
        for facts in self.documents(kind):
            if facts.service:
                found.setdefault(facts.service, []).append(facts)
        return found

    def reported_facts(self) -> Iterator[tuple[str, Facts]]:
        """(path, facts) of each reported file that could be read, sorted by path."""
        for path in sorted(self.reported):
            facts = self.facts.get(path)
            if facts is not None and facts.readable:
                yield path, facts

    def collected(self, kind: str, code: str) -> Iterator[tuple[Facts, Any]]:
        """(facts, what rule ``code`` collected) of each reported ``kind`` document for which
        it collected something."""
        for facts in self.documents(kind):
            data = facts.extra.get(code)
            if facts.path in self.reported and data is not None:
                yield facts, data

    def once(self, key: str, compute: Callable[[WorkspaceContext], T]) -> T:
        """``compute(self)``, computed on the first call for ``key`` and shared by the rules
        that ask for it again in this run."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        found: T = self.memo[key]
        return found

    def resolve(self, source: str, target: str) -> str:
        """Absolute, normalised path of link ``target`` written in document ``source``."""
        if target.startswith("/"):
            return os.path.normpath(str(self.root) + target)
        key = (os.path.dirname(source), target)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = os.path.normpath(os.path.join(*key))
        return found

    @cached_property
    def links(self) -> list[tuple[str, str, str, str, int, int]]:
        """(source, href, target path or '', fragment, line, col) of every relative link in
        the reported documents."""
        result = []
        for path, facts in self.reported_facts():
            for href, line, col in facts.links:
                parts = split_href(href)
                if parts is None:
                    continue
                target, fragment = parts
                resolved = self.resolve(path, target) if target else ""
                result.append((path, href, resolved, fragment, line, col))
        return result

    def exists(self, path: str) -> bool:
        """Whether the (resolved) target of a link is a file of this run or on disk."""
        if path not in self._exists:
            self._exists[path] = path in self.facts or os.path.exists(path)
        return self._exists[path]

    def anchor_missing(self, path: str, fragment: str) -> bool:
        """Whether ``#fragment`` names no heading of the Markdown file at ``path`` (False for no
        fragment, a file that is not Markdown or one that cannot be read)."""
        if not fragment or not path.lower().endswith((".md", ".markdown")):
            return False
        anchors = self.anchors_of(path)
        return anchors is not None and fragment not in anchors and fragment.lower() not in anchors

    def anchors_of(self, path: str) -> set[str] | None:
        """Anchors of the Markdown file at ``path`` (None when it cannot be read)."""
        if path not in self._anchor_cache and path in self.facts:
            facts = self.facts[path]
            self._anchor_cache[path] = set(facts.anchors) if facts.readable else None
        if path not in self._anchor_cache:
            try:
                doc = read_document(Path(path))
                self._anchor_cache[path] = anchors_of(doc)
            except InputError:
                self._anchor_cache[path] = None
        return self._anchor_cache[path]


_HTML_ID = re.compile(r"""<a\s[^>]*?(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def anchors_of(doc: Document) -> set[str]:
    """Heading anchors plus explicit HTML anchors (``<a id="...">``).

    A heading with an HTML comment (``## Impact <!-- omit in toc -->``) also gets the anchor
    GitHub gives it, without the comment.
    """
    anchors = set(doc.anchors)
    for heading in doc.headings:
        if "<!--" in heading.text:
            anchors.add(slugify(_COMMENT.sub("", heading.text)))
    if "<a" in doc.text:
        anchors.update(m.group(1) for m in _HTML_ID.finditer(doc.text))
    return anchors


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def section_key(title: str) -> str:
    """Tolerant key of a heading: :func:`normalize_heading` without HTML comments, so that
    ``## Impact <!-- omit in toc -->`` still matches ``Impact``."""
    if "<!--" in title:
        title = _COMMENT.sub(" ", title)
    return normalize_heading(title)


def find_section(doc: Document, title: str) -> Section | None:
    """The first level-2 section of ``doc`` whose heading matches ``title`` tolerantly."""
    key = section_key(title)
    return next((s for s in doc.sections if section_key(s.title) == key), None)

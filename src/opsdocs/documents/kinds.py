"""The registry of document kinds.

A kind is everything opsdocs knows about one type of operations document: how its file is named,
which sections it must have (in order, each with one line of guidance), which front-matter model
validates it, which bundled template scaffolds it, and how the README index lists it.

The sections are written once, in the bundled template: each ``## Heading`` of its body, with the
italic line under it as the guidance (:attr:`Kind.sections` reads them), so that the template and
what ``check`` requires cannot drift apart.

A kind belongs to a feature package and is data: a ``[[kind]]`` table in the package's
``templates/kinds.toml``, next to its template ``templates/<name>-template.md``, whose keys are the
fields of :class:`Kind` (:func:`load_kinds` reads and checks them). :func:`all_kinds` (also
``KINDS``) gathers every feature package's kinds, asking :mod:`opsdocs.features` for the packages
through an import path, so this module imports no feature.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import MISSING, dataclass, field, fields
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import UsageError
from opsdocs.validators import NAME, NAME_PATTERN

if TYPE_CHECKING:
    from opsdocs.documents.schemas import FrontMatter

__all__ = [
    "KINDS_FILE",
    "Kind",
    "SectionSpec",
    "all_kinds",
    "get_kind",
    "kind_for_filename",
    "load_kinds",
    "template_sections",
]

_NAME_RE = re.compile(NAME)
_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class SectionSpec:
    title: str
    guidance: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    index_heading: str
    purpose: str
    filename: str  # "runbook-{name}.md", "{date}-{name}.md", or a fixed name (singleton)
    schema_ref: str  # "module:Class", imported when first needed
    empty_index_text: str = "(None yet)"
    folder: str = ""  # below the docs folder
    name_help: str = "name"
    service_from_name: bool = False  # NAME doubles as the document's service
    aliases: tuple[str, ...] = field(default=())
    #: The README index lists at most this many documents of the kind (None: all of them).
    index_limit: int | None = None
    #: List in reverse file-name order: newest first for date-prefixed names.
    index_newest_first: bool = False
    #: Front-matter keys the index shows for each document instead of owner and review date.
    index_facts: tuple[str, ...] = ()
    #: Documents of this kind have a review cycle (last_reviewed + review_every). Records of
    #: events (incidents, postmortems) do not.
    reviewed: bool = True
    #: The command that creates documents of this kind, when 'opsdocs new' must not.
    created_by: str | None = None
    #: File names shown as examples in the README (the seed's "Example" lines).
    examples: tuple[str, ...] = ()
    #: Fixed file names the kind also accepts (``on-call.md``: every team's schedule in one file);
    #: such a file carries no NAME.
    also: tuple[str, ...] = ()
    #: Where the kind stands in the README index (the seed's order: runbook 10 ... cost 80).
    index_order: int = 0
    #: The package whose ``templates/`` folder holds ``<name>-template.md``.
    templates: str = "opsdocs.documents"

    @property
    def singleton(self) -> bool:
        return "{name}" not in self.filename

    @property
    def dated(self) -> bool:
        """File names carry a ``YYYY-MM-DD`` date (the ``{date}`` placeholder)."""
        return "{date}" in self.filename

    @property
    def template_file(self) -> str:
        return f"{self.name}-template.md"

    @property
    def template_text(self) -> str:
        """The bundled template: ``<name>-template.md`` in the ``templates/`` folder of the
        package :attr:`templates` names."""
        folder = resources.files(self.templates).joinpath("templates")
        return folder.joinpath(self.template_file).read_text("utf-8")

    @cached_property
    def sections(self) -> tuple[SectionSpec, ...]:
        """The required sections, in order: the bundled template's level-2 headings, each with
        the italic line under it as its guidance ("" when there is none)."""
        return template_sections(self.template_text)

    @property
    def section_titles(self) -> tuple[str, ...]:
        return tuple(s.title for s in self.sections)

    @cached_property
    def filename_regex(self) -> re.Pattern[str]:
        groups = {"{name}": f"(?P<name>{NAME_PATTERN})", "{date}": rf"(?P<date>{_DATE_PATTERN})"}
        parts = re.split(r"(\{name\}|\{date\})", self.filename)
        body = "".join(groups.get(part, re.escape(part)) for part in parts)
        return re.compile(rf"^{body}$")

    @property
    def schema(self) -> type[FrontMatter]:
        module, _, attr = self.schema_ref.partition(":")
        model: type[FrontMatter] = getattr(importlib.import_module(module), attr)
        return model

    def filename_for(self, name: str | None, date: dt.date | None = None) -> str:
        """The file name for a document called ``name`` (dated kinds: on ``date``).

        Raises :class:`UsageError` for a bad or missing name or a missing date.
        """
        if self.dated and date is None:
            raise UsageError(
                f"kind '{self.name}' needs a date for its file name",
                hint=f"create it with '{self.created_by}'" if self.created_by else None,
            )
        if self.singleton:
            if name:
                raise UsageError(
                    f"kind '{self.name}' is one per folder and takes no name",
                    hint=f"run 'opsdocs new {self.name}' without a name",
                )
            return self.filename
        if not name:
            raise UsageError(
                f"kind '{self.name}' needs a {self.name_help}",
                hint=f"for example 'opsdocs new {self.name} api-server'",
            )
        validate_name(name)
        filename = self.filename.replace("{name}", name)
        return filename.replace("{date}", date.isoformat()) if date is not None else filename

    def free_name(self, folder: Path, name: str, date: dt.date) -> str:
        """``name``, or ``name-2``, ``name-3``...: the first whose file on ``date`` is not taken
        in ``folder`` (two incidents or drills with one title on one day)."""
        free, number = name, 1
        while (folder / self.filename_for(free, date)).exists():
            number += 1
            free = f"{name}-{number}"
        return free

    def match(self, filename: str) -> str | None:
        """The NAME a file name carries for this kind ('' for a singleton), or None."""
        if filename in self.also:
            return ""
        m = self.filename_regex.match(filename)
        if m is None:
            return None
        return m.group("name") if not self.singleton else ""

    def date_of(self, filename: str) -> dt.date | None:
        """The date a dated kind's file name carries, or None."""
        m = self.filename_regex.match(filename)
        if m is None or not self.dated:
            return None
        try:
            return dt.date.fromisoformat(m.group("date"))
        except ValueError:
            return None


def template_sections(text: str) -> tuple[SectionSpec, ...]:
    """The level-2 sections of a template's body (as :attr:`Document.sections` finds them), each
    with the ``_italic_`` line that opens it as guidance."""
    from opsdocs.documents.parse import parse_document

    doc = parse_document(Path(), text, structure_only=True)
    found: list[SectionSpec] = []
    for section in doc.sections:
        body = doc.lines[section.start_line - 1 : section.end_line]
        italic = re.fullmatch(r"_(.+)_", next((n.strip() for n in body if n.strip()), ""))
        found.append(SectionSpec(section.title, italic.group(1) if italic else ""))
    return tuple(found)


def validate_name(name: str, *, what: str = "name", example: str = "api-server") -> str:
    """``name`` if it is lowercase letters, digits and single hyphens; else a UsageError."""
    if not _NAME_RE.match(name):
        raise UsageError(
            f"invalid {what} {name!r}",
            hint=f"use lowercase letters, digits and single hyphens, e.g. '{example}'",
        )
    return name


#: The data file, in a feature package's ``templates/`` folder, that declares the package's kinds.
KINDS_FILE = "kinds.toml"

#: What a ``[[kind]]`` table may hold: each field of :class:`Kind` but ``templates`` (the package
#: the file is in), by the TOML type of its value (a TOML array becomes a tuple of strings).
_TOML = {"bool": bool, "int": int, "int | None": int, "tuple[str, ...]": list}
_SHAPES = {bool: "true or false", int: "a whole number", str: "a string", list: "a list of strings"}
_TOML_TYPES: dict[str, type] = {
    f.name: _TOML.get(f"{f.type}", str) for f in fields(Kind) if f.name != "templates"
}

#: Where the feature packages are listed: an import path, not an import, because the documents
#: layer sits below the features and names none of them.
FEATURE_PACKAGES = "opsdocs.features:feature_packages"


def load_kinds(package: str) -> tuple[Kind, ...]:
    """The kinds ``package`` declares in its ``templates/kinds.toml`` (none without the file).

    Raises RuntimeError naming the file, the table and the key when a table is not a valid
    :class:`Kind` (the file ships with opsdocs: a mistake in it is a bug, not a user's error).
    """
    import tomllib

    source = resources.files(package).joinpath("templates").joinpath(KINDS_FILE)
    if not source.is_file():
        return ()
    where = f"{package.replace('.', '/')}/templates/{KINDS_FILE}"
    data = tomllib.loads(source.read_text("utf-8"))
    if set(data) - {"kind"}:
        raise RuntimeError(f"{where}: unknown table {sorted(set(data) - {'kind'})[0]!r}")
    tables: list[dict[str, Any]] = data.get("kind", [])
    return tuple(
        _kind_from(table, package, f"{where}: kind {number}")
        for number, table in enumerate(tables, 1)
    )


def _kind_from(table: dict[str, Any], package: str, where: str) -> Kind:
    for key, value in table.items():
        expected = _TOML_TYPES.get(key)
        if expected is None:
            raise RuntimeError(f"{where}: unknown key {key!r}")
        items = value if isinstance(value, list) else []
        if type(value) is not expected or not all(type(item) is str for item in items):
            raise RuntimeError(f"{where}: {key} must be {_SHAPES[expected]}")
    missing = [f.name for f in fields(Kind) if f.default is MISSING and f.name not in table]
    if missing:
        raise RuntimeError(f"{where}: {missing[0]} is missing")
    values: dict[str, Any] = {k: tuple(v) if type(v) is list else v for k, v in table.items()}
    return Kind(templates=package, **values)


@cache
def all_kinds() -> tuple[Kind, ...]:
    """Every kind of every feature, in the order the README index lists them.

    Raises RuntimeError when two kinds share a name or an alias.
    """
    module, _, attr = FEATURE_PACKAGES.partition(":")
    packages: list[str] = getattr(importlib.import_module(module), attr)()
    kinds = [kind for package in packages for kind in load_kinds(package)]
    seen: dict[str, str] = {}
    for kind in kinds:
        for key in (kind.name, *kind.aliases):
            if key in seen:
                raise RuntimeError(f"kind {key!r} registered twice ({seen[key]}, {kind.templates})")
            seen[key] = kind.templates
    return tuple(sorted(kinds, key=lambda k: (k.index_order, k.name)))


@cache
def _by_name() -> dict[str, Kind]:
    return {k.name: k for k in all_kinds()} | {a: k for k in all_kinds() for a in k.aliases}


def __getattr__(name: str) -> tuple[Kind, ...]:
    # ``KINDS`` is computed on first use: the features' kinds import this module.
    if name == "KINDS":
        return all_kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_kind(name: str) -> Kind:
    """The kind called ``name``; raises :class:`UsageError` if there is none."""
    try:
        return _by_name()[name]
    except KeyError:
        known = ", ".join(k.name for k in all_kinds())
        raise UsageError(f"unknown kind {name!r}", hint=f"use one of: {known}") from None


def kind_for_filename(filename: str, folder: str = "") -> Kind | None:
    """The kind whose naming rule ``filename`` follows (in ``folder``), if any."""
    for kind in all_kinds():
        if kind.folder == folder and kind.match(filename) is not None:
            return kind
    return None

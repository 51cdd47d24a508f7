"""Incident records: ``incidents/YYYY-MM-DD-<slug>.md`` with front matter and a timeline.

The front matter holds what tools read (id, severity, status, services, roles, milestones in UTC
ISO 8601, the drill flag, the postmortem due date and the error-budget share); the body holds
what people read, with a ``## Timeline`` section of entries such as
``- 2026-11-26T14:02:00Z — Opened at P1``, kept oldest first. opsdocs edits the front matter
round-trip when it records a change (:func:`opsdocs.documents.frontmatter.edit_front_matter`:
comments, key order and unchanged keys stay as written); the body is edited line by line, so
everything people wrote there stays as it was.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from opsdocs.documents.folder import document_paths
from opsdocs.documents.frontmatter import edit_front_matter
from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import Document, parse_document, read_document
from opsdocs.documents.scaffold import kind_template
from opsdocs.documents.schemas import FrontMatter
from opsdocs.errors import DocumentError, InputError, UsageError
from opsdocs.fileio import locked
from opsdocs.validators import NAME, NAME_PATTERN, Frozen

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "MILESTONES",
    "BudgetRecord",
    "Incident",
    "IncidentFrontMatter",
    "Milestones",
    "TimelineEntry",
    "find_incident",
    "format_time",
    "parse_timeline",
    "read_incident",
    "slug_for",
    "template_source",
    "validate_front_matter",
    "write_record",
]

Status = Literal["triage", "active", "mitigated", "resolved", "closed"]
MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
OPEN_STATUSES = ("triage", "active", "mitigated")

_ENTRY = re.compile(
    r"^[-*] +(?:\*\*)?(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?Z)(?:\*\*)?(?:\s+(?:[—:-]\s*)?(.*))?$"
)
_SLUG_MAX = 60

M = TypeVar("M", bound=BaseModel)


def format_time(when: dt.datetime) -> str:
    """UTC ISO 8601 to the second: ``2026-11-26T14:02:00Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone: write UTC times with 'Z', e.g. 2026-11-26T14:02:00Z")
    return value.astimezone(dt.UTC)


UtcTime = Annotated[dt.datetime, AfterValidator(_utc)]


class Milestones(Frozen):
    """When the incident started, was detected, acknowledged, mitigated and resolved (UTC)."""

    started: UtcTime = Field(description="When impact began (UTC ISO 8601).")
    detected: UtcTime | None = Field(default=None, description="When we found out.")
    acknowledged: UtcTime | None = Field(default=None, description="When a responder took it.")
    mitigated: UtcTime | None = Field(default=None, description="When the impact stopped.")
    resolved: UtcTime | None = Field(default=None, description="When the cause was fixed.")

    def items(self) -> list[tuple[str, dt.datetime | None]]:
        return [(name, getattr(self, name)) for name in MILESTONES]


class BudgetRecord(Frozen):
    """The share of one SLO's error budget the incident consumed, or why it is unknown."""

    service: str
    slo: str | None = None
    share: float | None = Field(default=None, ge=0)
    reason: str | None = None


class IncidentFrontMatter(FrontMatter):
    """Front matter of an incident record."""

    # An incident is a record of an event, not a living document: no review cycle.
    last_reviewed: dt.date | None = Field(  # type: ignore[assignment]
        default=None, description="Not used for incidents."
    )
    id: str = Field(pattern=rf"^\d{{4}}-\d\d-\d\d-{NAME_PATTERN}$", description="File stem.")
    severity: str = Field(min_length=1, description="A severity of the playbook's ladder.")
    status: Status = Field(description="triage, active, mitigated, resolved or closed.")
    services: list[Annotated[str, Field(pattern=NAME)]] = Field(
        default_factory=list, description="Services affected."
    )
    drill: bool = Field(default=False, description="A practice incident (left out of stats).")
    roles: dict[str, str] = Field(
        default_factory=dict, description="Role key to person, e.g. incident-commander: alice."
    )
    milestones: Milestones
    postmortem_due: dt.date | None = Field(
        default=None, description="When the required postmortem is due (set on resolve)."
    )
    error_budget: list[BudgetRecord] = Field(
        default_factory=list, description="Error budget consumed, per service (set on resolve)."
    )
    closed_as: Literal["duplicate", "false-alarm"] | None = Field(
        default=None,
        description="Closed without being an incident of its own (left out of stats): "
        "'duplicate' (see duplicate_of) or 'false-alarm'.",
    )
    duplicate_of: str | None = Field(
        default=None, description="Id of the incident this one duplicates (with closed_as)."
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    text: str
    line: int  # in the file


def slug_for(title: str) -> str:
    """A file-name slug for ``title``: ASCII letters, digits and single hyphens.

    Raises :class:`UsageError` when the title is empty or has no letters or digits.
    """
    if not any(ch.isalnum() for ch in title):
        raise UsageError(
            f"the title {title!r} has no letters or digits"
            if title.strip()
            else "the title is empty",
            hint='describe what is broken, e.g. "Checkout returns 5xx"',
        )
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        cut = slug[:_SLUG_MAX]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "incident"


def parse_timeline(doc: Document) -> list[TimelineEntry]:
    """The entries of the document's Timeline section, in file order."""
    section = doc.section("Timeline")
    if section is None:
        return []
    entries: list[TimelineEntry] = []
    for number in range(section.start_line, section.end_line + 1):
        match = _ENTRY.match(doc.lines[number - 1].strip())
        if match is None:
            continue
        try:
            when = dt.datetime.fromisoformat(match.group(1))
        except ValueError:
            continue
        entries.append(
            TimelineEntry(when.astimezone(dt.UTC), (match.group(2) or "").strip(), number)
        )
    return entries


def validate_front_matter(doc: Document, model: type[M], *, hint: str) -> M:
    """``doc``'s front matter validated as ``model``; DocumentError at the offending key."""
    front_matter = doc.require_front_matter()
    try:
        return model.model_validate(front_matter)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line, col = doc.position(loc)
        key = ".".join(str(p) for p in loc) or "front matter"
        raise DocumentError(
            f"{key}: {error['msg']}", path=doc.path, line=line, col=col, hint=hint
        ) from None


def template_source(workspace: Workspace, kind: str) -> tuple[str, str]:
    """(text, label) of the workspace's ``<kind>-template.md``, or of the bundled one."""
    text, label, _ = kind_template(workspace, get_kind(kind))
    return text, label


@dataclass
class Incident:
    """An incident record in memory; change it, then :meth:`text` is what gets written."""

    path: Path
    front_matter: dict[str, Any]
    body: str
    model: IncidentFrontMatter
    doc: Document = field(repr=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def status(self) -> Status:
        return self.model.status

    @property
    def milestones(self) -> Milestones:
        return self.model.milestones

    @property
    def timeline(self) -> list[TimelineEntry]:
        return parse_timeline(parse_document(self.path, self.text()))

    def update(self, **values: Any) -> None:
        """Set front-matter keys (times as datetimes; None removes) and validate the result."""
        for key, value in values.items():
            if value is None:  # an unset key is left out, not written as null
                self.front_matter.pop(key, None)
            else:
                self.front_matter[key] = _plain(value)
        self.model = IncidentFrontMatter.model_validate(self.front_matter)

    def set_milestone(self, name: str, when: dt.datetime | None) -> None:
        milestones = dict(self.front_matter.get("milestones") or {})
        milestones[name] = format_time(when) if when is not None else None
        ordered = {key: milestones.get(key) for key in MILESTONES}
        self.update(milestones=ordered)

    def text(self) -> str:
        """The record as it is now: the file's front matter edited round-trip, then the body."""
        head = self.doc.lines[: self.doc.front_matter_end]
        return edit_front_matter(
            "\n".join([*head, self.body]), _plain(self.front_matter), path=self.path
        )

    def add_entry(self, when: dt.datetime, text: str) -> None:
        """Add a timeline entry in time order (after entries at the same time)."""
        line = f"- {format_time(when)} — {text}"
        body_doc = parse_document(self.path, self.body)
        lines = self.body.split("\n")
        section = body_doc.section("Timeline")
        if section is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", "## Timeline", "", line, ""]
            self.body = "\n".join(lines)
            return
        entries = parse_timeline(body_doc)
        if entries:
            later = next((e for e in entries if e.at > when), None)
            if later is not None:
                lines.insert(later.line - 1, line)
            else:
                lines.insert(_entry_end(lines, entries[-1].line, section.end_line), line)
        else:
            last = section.line
            for number in range(section.start_line, section.end_line + 1):
                if lines[number - 1].strip():
                    last = number
            new = ["", line]
            if last < len(lines) and lines[last].strip():
                new.append("")
            lines[last:last] = new
        self.body = "\n".join(lines)


def _entry_end(lines: list[str], start: int, section_end: int) -> int:
    """Index (0-based) just after the entry starting at file line ``start`` and its
    indented continuation lines."""
    index = start
    while index < section_end and lines[index].startswith((" ", "\t")) and lines[index].strip():
        index += 1
    return index


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(exclude_none=True))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def incident_from_document(doc: Document) -> Incident:
    """An :class:`Incident` from a parsed document; DocumentError at the offending key."""
    model = validate_front_matter(
        doc, IncidentFrontMatter, hint="fix the incident's front matter (see docs/incidents.md)"
    )
    body = "\n".join(doc.lines[doc.body_line - 1 :]) if doc.front_matter_end else doc.text
    return Incident(
        path=doc.path,
        front_matter=dict(doc.require_front_matter()),
        body=body,
        model=model,
        doc=doc,
    )


def read_incident(path: Path) -> Incident:
    return incident_from_document(read_document(path))


def find_incident(workspace: Workspace, ident: str) -> Path:
    """The record named by ``ident``: its id (``2026-11-26-checkout-5xx``), its slug
    (``checkout-5xx``), its path, or the start of any of these (``checkout``), as long as only
    one incident matches.

    Raises :class:`UsageError` for an unknown incident (with the closest ids) or an ambiguous
    one (with the candidates).
    """
    wanted = ident.strip()
    paths = document_paths(workspace, "incident")
    if wanted.endswith(".md"):
        target = Path(wanted).resolve()  # a relative path is taken from the current folder
        for path in paths:
            if path.resolve() == target:
                return path
        wanted = Path(wanted).stem
    kind = get_kind("incident")
    slugs = {p: kind.match(p.name) or p.stem for p in paths}
    lowered = wanted.lower()
    for matches in (
        [p for p in paths if p.stem == wanted],  # one at most: file names are unique
        [p for p in paths if slugs[p] == lowered],
        [p for p in paths if p.stem.startswith(lowered) or slugs[p].startswith(lowered)],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(p.stem for p in matches)
            raise UsageError(f"incident {ident!r} is ambiguous", hint=f"use the full id: {ids}")
    raise UsageError(
        f"unknown incident {ident!r}{_closest(wanted, paths, slugs)}",
        hint="see 'opsdocs incident list' for the ids",
    )


def _closest(wanted: str, paths: list[Path], slugs: dict[Path, str]) -> str:
    """`` (did you mean 'ID'?)`` for the record whose id or slug is closest to ``wanted``."""
    import difflib

    best, score = None, 0.6
    for path in reversed(paths):  # newest first wins a tie
        for name in (path.stem, slugs[path]):
            ratio = difflib.SequenceMatcher(None, wanted.lower(), name).ratio()
            if ratio > score:
                best, score = path.stem, ratio
    return f" (did you mean {best!r}?)" if best else ""


def write_record(
    workspace: Workspace, path: Path, text: str, *, create: bool = False, index: bool = True
) -> list[str]:
    """Write ``path`` and (with ``index``) refresh the README index with it; returns warnings.

    An index that cannot be refreshed (README missing, unreadable, a directory, its markers
    broken, or not writable) never stops an incident from being recorded: the record is
    written alone and the index problem becomes a warning.
    """
    record = workspace.changes()  # an incidents/ folder symlinked out is refused
    record.write(path, text, create_only=create)
    if not index:
        record.commit()
        return []
    warnings: list[str] = []
    with locked(workspace.root, workspace.readme):
        both = workspace.changes()
        both.write(path, text, create_only=create)
        if workspace.readme.exists():
            from opsdocs.documents.index import compute_index

            try:
                update = compute_index(workspace, pending={path: text})
            except InputError as exc:
                warnings.append(f"index not updated: {exc}")
            except OSError as exc:
                warnings.append(_index_warning(workspace, exc))
            else:
                both.write(update.path, update.new)
        try:
            both.commit()
        except OSError as exc:
            if len(both.paths) == 1:
                raise
            warnings.append(_index_warning(workspace, exc))
            record.commit()
    return warnings


def _index_warning(workspace: Workspace, exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return (
        f"index not updated: {workspace.relative(workspace.readme)}: {reason} "
        "(fix the README, then run 'opsdocs index')"
    )

"""Creating things: ``init`` lays out the operations folder, ``new`` adds one document."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.documents.folder import document_paths
from opsdocs.documents.index import (
    INDEX_END,
    INDEX_START,
    collect_entries,
    compute_index,
    render_index,
)
from opsdocs.documents.kinds import KINDS, Kind, get_kind, validate_name
from opsdocs.documents.parse import parse_document, read_document
from opsdocs.documents.render import render_template
from opsdocs.errors import InputError, UsageError
from opsdocs.fileio import locked

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "DocumentDraft",
    "InitResult",
    "NewResult",
    "bundled_template",
    "default_title",
    "draft_document",
    "guess_service",
    "init_workspace",
    "kind_template",
    "new_document",
]


def bundled_template(name: str) -> str:
    """Text of a template shipped with opsdocs (``runbook-template.md``, ...), from the
    ``templates/`` folder of the package that owns the kind (the documents feature's otherwise)."""
    package = next((k.templates for k in KINDS if k.template_file == name), "opsdocs.documents")
    return resources.files(package).joinpath("templates").joinpath(name).read_text("utf-8")


@dataclass
class InitResult:
    created: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)


# The seed's sibling documentation folders; linked only once they exist, so that a fresh
# workspace passes `opsdocs check` (a link to a missing file is a finding).
_RELATED = (
    ("Architecture Documentation", "../architecture/README.md", "Links to system design"),
    ("Delivery Documentation", "../delivery/README.md", "Links to CI/CD, deployment"),
    ("Governance Documentation", "../governance/README.md", "Links to compliance, security"),
)


def _readme_text(workspace: Workspace) -> str:
    docs_dir = workspace.docs_dir
    template_link = os.path.relpath(
        workspace.templates_dir / "runbook-template.md", start=docs_dir
    ).replace(os.sep, "/")
    text = render_template(
        bundled_template("README.md.jinja"),
        {
            "kinds": KINDS,
            "docs_dir": workspace.config.docs_dir.rstrip("/"),
            "templates_dir": workspace.config.templates_dir.rstrip("/"),
            "runbook_template_link": template_link,
            "related": [
                {
                    "title": title,
                    "link": link,
                    "about": about,
                    "exists": Path(os.path.normpath(docs_dir / link)).is_file(),
                }
                for title, link, about in _RELATED
            ],
            "index_start": INDEX_START,
            "index_end": INDEX_END,
        },
        path="README.md.jinja",
    )
    # Documents may already be there (a folder adopted by opsdocs): index them now.
    block = render_index(collect_entries(docs_dir))
    return text.replace(f"{INDEX_START}\n{INDEX_END}", f"{INDEX_START}{block}{INDEX_END}")


def init_workspace(workspace: Workspace) -> InitResult:
    """Lay out the operations README and the templates; never overwrite a file.

    Returns what was created and what already existed. The README's index lists the documents
    already in the folder.
    """
    result = InitResult()
    changes = workspace.changes()
    wanted: list[tuple[Path, str]] = [(workspace.readme, _readme_text(workspace))]
    for kind in KINDS:
        wanted.append(
            (workspace.templates_dir / kind.template_file, bundled_template(kind.template_file))
        )
    for path, text in wanted:
        if path.exists() or path.is_symlink():
            result.existing.append(path)
        else:
            changes.write(path, text, create_only=True)
            result.created.append(path)
    changes.commit()
    return result


@dataclass
class NewResult:
    path: Path
    template: str  # where the template came from, for messages
    index: Path | None  # the README whose index was updated


def default_title(kind: Kind, name: str | None) -> str:
    """The title a new document of ``kind`` called ``name`` gets (``Api Server Runbook``)."""
    words = (name or "").split("-")
    subject = " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words if w)
    titles = {
        "runbook": f"{subject} Runbook",
        "slo": f"{subject} SLO",
        "monitoring": f"{subject} Monitoring & Alerting",
        "on-call": f"{subject} On-Call",
        "capacity": f"{subject} Capacity Plan",
        "cost": f"{subject} Cost Management",
    }
    return titles.get(kind.name, kind.label)


_ACRONYMS = {"api", "db", "dns", "cdn", "sre", "slo", "sli", "ui", "vpn", "k8s", "iam", "sso"}


def kind_template(workspace: Workspace, kind: Kind) -> tuple[str, str, str]:
    """The template of ``kind``: the workspace's own, else the bundled one, as (text, label
    for messages, provenance recorded in the document)."""
    own = workspace.templates_dir / kind.template_file
    if own.is_file():
        try:
            text = own.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read template: {exc}", path=own) from None
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        label = workspace.relative(own)
        return text, label, f"{label}@sha256:{digest}"
    return bundled_template(kind.template_file), f"bundled {kind.template_file}", ""


def _link_variables(workspace: Workspace, service: str, *, slo_links: bool) -> dict[str, str]:
    """Links a new document can make now, to documents that exist, else a TODO saying how to
    write the missing one (a link to a file that does not exist would fail ``check``).

    The service's SLO documents are read only when the template lists them (``slo_links``).
    """
    folder = workspace.docs_dir
    slos: list[str] = []
    if service and slo_links:
        for path in document_paths(workspace, "slo"):
            try:
                doc = read_document(path)
            except InputError:
                continue  # check reports the unreadable file
            if doc.get("service") == service and path.parent == folder:
                title = doc.get("title")
                label = title.strip() if isinstance(title, str) and title.strip() else path.name
                slos.append(f"- [{label}]({path.name})")
    runbook = f"runbook-{service}.md"
    return {
        "slo_links": "\n".join(slos)
        or (
            "- TODO: link the service's SLO documents (`opsdocs new slo "
            f"{service or 'NAME'}-availability --service {service or 'SERVICE'}` writes one)"
        ),
        "runbook_link": f"see [its runbook]({runbook})"
        if service and (folder / runbook).is_file()
        else f"TODO: link its runbook (`opsdocs new runbook {service or 'SERVICE'}` writes it)",
        "dr_link": "see [the DR plan](disaster-recovery.md)"
        if (folder / "disaster-recovery.md").is_file()
        else "TODO: link the DR plan (`opsdocs new disaster-recovery` writes it)",
    }


def _record_template(text: str, provenance: str, path: Path) -> str:
    doc = parse_document(path, text)
    if not provenance or doc.front_matter is None or "template" in doc.front_matter:
        return text
    lines = text.split("\n")
    lines.insert(doc.front_matter_end - 1, f"template: {provenance}")
    return "\n".join(lines)


def _check_title(title: str) -> None:
    if not title.strip():
        raise UsageError("the title is empty", hint="pass a title with some words in it")
    from opsdocs.documents.inputs import check_line

    check_line(
        title,
        what="title",
        hint="the title becomes the H1 heading: pass it without line breaks or tabs",
    )


def _runbook_services(workspace: Workspace) -> list[str]:
    """The services that have a runbook (its ``service:``, else the name in its file name)."""
    runbook = get_kind("runbook")
    services = []
    for path in document_paths(workspace, "runbook"):
        try:
            service = read_document(path).get("service")
        except InputError:
            service = None  # check reports the unreadable file; its name still says the service
        if not isinstance(service, str) or not service:
            service = runbook.match(path.name) or ""  # document_paths yields matching names
        services.append(service)
    return services


def guess_service(workspace: Workspace, name: str) -> str:
    """The service an SLO called ``name`` is about: the longest service with a runbook that
    ``name`` starts with (``api-availability`` → ``api``, or ``api-gateway`` when that has a
    runbook too). Raises :class:`UsageError` asking for ``--service`` when none does."""
    matches = [s for s in _runbook_services(workspace) if name == s or name.startswith(f"{s}-")]
    if not matches:
        raise UsageError(
            f"no runbook's service starts the name {name!r}",
            hint=f"pass --service, e.g. 'opsdocs new slo {name} --service SERVICE'",
        )
    return max(matches, key=len)


@dataclass
class DocumentDraft:
    """A new document's path and text, not written yet."""

    path: Path
    text: str
    template: str  # where the template came from, for messages


def draft_document(
    workspace: Workspace,
    kind_name: str,
    name: str | None = None,
    *,
    owner: str | None = None,
    title: str | None = None,
    service: str | None = None,
    today: dt.date | None = None,
) -> DocumentDraft:
    """The document :func:`new_document` would write, rendered but not written.

    Raises :class:`UsageError` for a bad kind or name and :class:`InputError` when the file
    (or one differing only in case) exists or the template cannot be used.
    """
    kind = get_kind(kind_name)
    if kind.created_by is not None:
        raise UsageError(
            f"'opsdocs new' does not create {kind.name} documents",
            hint=f"use '{kind.created_by}'",
        )
    filename = kind.filename_for(name)
    folder = workspace.docs_dir / kind.folder if kind.folder else workspace.docs_dir
    path = folder / filename
    if folder.is_dir():
        for existing in folder.iterdir():
            if existing.name.lower() == filename.lower():
                same = (
                    "already exists"
                    if existing.name == filename
                    else (f"differs only in case from {existing.name}")
                )
                raise InputError(
                    same,
                    path=workspace.relative(path),
                    hint="edit the existing document or choose another name",
                )
    if kind.service_from_name:
        if service is not None and service != name:
            raise UsageError(
                f"a {kind.name}'s service is its name ({name})",
                hint="leave out --service or make it equal to the name",
            )
        service = name
    if service is not None:
        validate_name(service, what="service")
    if title is not None:
        _check_title(title)
    if owner is not None:
        validate_name(owner, what="owner", example="team-api")
    if kind.name == "slo" and service is None and name:
        service = guess_service(workspace, name)
    source, label, provenance = kind_template(workspace, kind)
    variables = {
        "kind": kind.name,
        "name": name or "",
        "service": service or name or "",
        "title": (title or default_title(kind, name)).strip(),
        "owner": owner or (workspace.config.owners[0] if workspace.config.owners else "TODO"),
        "today": (today or dt.date.today()).isoformat(),
        "review_every": workspace.config.review_every,
        **_link_variables(workspace, service or name or "", slo_links="slo_links" in source),
    }
    text = render_template(source, variables, path=label)
    text = _record_template(text, provenance, path)
    doc = parse_document(path, text)
    if doc.problems:
        problem = doc.problems[0]
        raise InputError(
            f"the template renders to a broken document: {problem.message}",
            path=label,
            hint="fix the template's front matter",
        )
    return DocumentDraft(path=path, text=text, template=label)


def new_document(
    workspace: Workspace,
    kind_name: str,
    name: str | None = None,
    *,
    update_index: bool = True,
    **fields: Any,
) -> NewResult:
    """Create a document of ``kind_name`` from its template and add it to the index.

    ``fields`` (owner, title, service, today) and the errors are :func:`draft_document`'s.
    Nothing is written unless everything succeeds.
    """
    draft = draft_document(workspace, kind_name, name, **fields)
    path, text = draft.path, draft.text
    changes = workspace.changes()
    changes.write(path, text, create_only=True)
    if not (update_index and workspace.readme.exists()):
        changes.commit()
        return NewResult(path=path, template=draft.template, index=None)
    # The README is read, changed and written back: hold its lock (the one incident commands
    # take), or a parallel 'new' would write an index without this document.
    with locked(workspace.root, workspace.readme):
        update = compute_index(workspace, pending={path: text})
        changes.write(update.path, update.new)
        changes.commit()
    return NewResult(path=path, template=draft.template, index=update.path)

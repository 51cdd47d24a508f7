"""Write imported SLOs into ``slo`` documents without losing anything written by hand.

:func:`plan_import` reads every source, validates every SLO as ``check`` would (the schema, the
queries, the windows), matches services to documents and computes every new text before anything
is written; the caller commits the plan's change set (all files or none) while holding the
README index's lock (the one ``new`` and ``incident`` take), so that imports running at once into
one document each see the other's result.

Merging: an imported SLO updates the entry of the same name key by key. Keys the source defines
replace the document's (an indicator as a whole); keys it does not define (a Sloth spec has no
``period``, no ``no_data``; no source has ``logs:``) keep what the document says. New SLOs are
appended, the others stay. The front matter is edited round-trip (the shared
:func:`~opsdocs.documents.frontmatter.edit_front_matter`), so other keys keep their order and
comments; the Markdown body is not touched at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs import fileio
from opsdocs.documents.folder import read_documents
from opsdocs.documents.parse import Document
from opsdocs.errors import InputError
from opsdocs.slo.interchange import ImportedService, ImportedSlo, merge_entry, validate_entry
from opsdocs.slo.spec import SloSpec

if TYPE_CHECKING:
    from opsdocs.slo.settings import SloSettings
    from opsdocs.workspace import Workspace

__all__ = [
    "DocumentImport",
    "ImportPlan",
    "merge_entry",
    "plan_import",
    "read_sources",
    "read_specs",
    "slo_to_yaml_data",
    "update_document_slos",
]


def slo_to_yaml_data(slo: SloSpec) -> dict[str, Any]:
    """An SLO as plain data for front matter: defaults left out, keys in spec order."""
    data: dict[str, Any] = slo.model_dump(mode="json", exclude_defaults=True)
    data["indicator"] = {"type": slo.indicator.type, **data.get("indicator", {})}
    return data


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def field_diff(name: str, old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """One line per field of SLO ``name`` that differs: ``name.key: old -> new``."""
    if old is None:
        return [f"{name}: new SLO"]
    before, after = _flat(old), _flat(new)
    lines = []
    for key in sorted(set(before) | set(after)):
        if key in before and key in after and before[key] == after[key]:
            continue
        was = _shown(before[key]) if key in before else "(unset)"
        now = _shown(after[key]) if key in after else "(unset)"
        lines.append(f"{name}.{key}: {was} -> {now}")
    return lines


def _merge(
    doc: Document,
    slos: Sequence[SloSpec | ImportedSlo],
    settings: SloSettings | None,
    document: dict[str, Any] | None = None,
) -> tuple[str, list[str], list[str]]:
    """The document's text with ``slos`` merged, the changes field by field, the warnings."""
    from opsdocs.documents.frontmatter import edit_front_matter

    if doc.front_matter is None or doc.front_matter_end == 0:
        raise InputError(
            "document has no front matter to hold SLOs",
            path=doc.path,
            line=1,
            hint="start the file with a '---' front matter block",
        )
    values = merge_entry(dict(doc.front_matter), document or {}, top=False)
    existing = values.get("slos") or []
    if not isinstance(existing, list):
        raise InputError(
            f"'slos' is a {type(existing).__name__}, not a list",
            path=doc.path,
            line=1,
            hint="fix the document, then import again",
        )
    entries = list(existing)
    by_name = {str(e.get("name")): i for i, e in enumerate(entries) if isinstance(e, dict)}
    diff: list[str] = []
    warnings: list[str] = []
    for slo in slos:
        if isinstance(slo, SloSpec):  # problems are the document's
            slo = ImportedSlo(slo.name, slo_to_yaml_data(slo), {(): (str(doc.path), 1, 1)})
        index = by_name.get(slo.name)
        old = entries[index] if index is not None else None
        entry = merge_entry(old, slo.data)
        _, found = validate_entry(entry, slo.error, settings)
        for key, text in found:
            label, line, col = slo.locate(key)
            warnings.append(f"{label}:{line}:{col}: {slo.name}: {text}")
        diff.extend(field_diff(slo.name, old, entry))
        if index is None:
            by_name[slo.name] = len(entries)
            entries.append(entry)
        else:
            entries[index] = entry
    values["slos"] = entries
    return edit_front_matter(doc.text, values, path=doc.path), diff, warnings


def update_document_slos(
    doc: Document, slos: Sequence[SloSpec | ImportedSlo], settings: SloSettings | None = None
) -> str:
    """The document's text with ``slos`` merged into its front matter (pure; see the module
    docstring). A :class:`SloSpec` defines its keys that are not at their defaults.

    Raises :class:`InputError` when the document has no front matter to edit or a merged SLO
    is not valid.
    """
    return _merge(doc, slos, settings)[0]


def read_specs(
    files: Sequence[tuple[str, str]], *, settings: SloSettings | None = None
) -> list[ImportedService]:
    """Sloth and OpenSLO SLOs from ``[(label, text), ...]``, merged per service, sorted.

    OpenSLO files are read together so that references resolve across them. A file holding
    neither format is an :class:`InputError`; so is a file whose objects define no SLO.
    """
    from opsdocs.slo.interchange.openslo import is_openslo, read_openslo
    from opsdocs.slo.interchange.sloth import is_sloth, read_sloth
    from opsdocs.yamlio import load_yaml_all

    found: list[ImportedService] = []
    openslo: list[tuple[str, str]] = []
    for label, text in files:
        docs = [d.value for d in load_yaml_all(text, path=label)]
        sloth = any(is_sloth(d) for d in docs)
        open_ = any(is_openslo(d) for d in docs)
        if not sloth and not open_:
            raise InputError(
                "neither a Sloth spec nor OpenSLO",
                path=label,
                line=1,
                hint="expected 'version: prometheus/v1', 'apiVersion: sloth.slok.dev/v1',"
                " 'apiVersion: openslo/v1' or 'apiVersion: openslo/v1alpha'",
            )
        if sloth:
            found.extend(read_sloth(text, path=label, settings=settings))
        if open_:
            openslo.append((label, text))
    if openslo:
        found.extend(read_openslo(openslo, settings=settings))
    merged: dict[str, ImportedService] = {}
    for item in found:
        target = merged.setdefault(item.service, ImportedService(service=item.service))
        names = {s.name for s in target.slos}
        for slo, imported in zip(item.slos, item.imported, strict=True):
            if slo.name in names:
                raise imported.error(
                    (), f"SLO {item.service}/{slo.name} is defined twice", "keep one definition"
                )
            names.add(slo.name)
            target.slos.append(slo)
            target.imported.append(imported)
        target.document.update(item.document)
        if item.slos:  # a spec without SLOs contributes nothing
            target.sources.extend(s for s in item.sources if s not in target.sources)
        target.notes.extend(n for n in item.notes if n not in target.notes)
    # a spec with no SLOs creates nothing (not an empty document)
    return [merged[name] for name in sorted(merged) if merged[name].slos]


def read_sources(workspace: Workspace, paths: Sequence[Path]) -> list[tuple[str, str]]:
    """``(label, text)`` of each spec file: regular files under the document size limit (or the
    configured ``max_file_size``)."""
    from opsdocs.documents.parse import MAX_DOCUMENT_BYTES

    out = []
    for path in paths:
        label = workspace.relative(path)
        try:
            out.append((label, fileio.read_regular(path, MAX_DOCUMENT_BYTES).decode("utf-8")))
        except (IsADirectoryError, fileio.NotRegularFileError):
            raise InputError("not a regular file", path=label, hint="pass a YAML file") from None
        except fileio.FileTooLargeError as exc:
            raise InputError(
                f"file is too large to be a spec ({fileio.size_text(exc.size)})",
                path=label,
                hint=fileio.limit_hint(exc.limit, "specs"),
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError(f"cannot read file: {reason}", path=label) from None
    return out


@dataclass
class DocumentImport:
    """What an import does to one document."""

    path: Path
    service: str
    slos: list[str]
    created: bool
    changed: bool
    #: ``slo.key: old -> new`` per field that changes (``slo: new SLO`` for a new one).
    diff: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Every document an import writes, computed and validated before anything is written."""

    documents: list[DocumentImport]
    notes: list[str]
    changes: fileio.ChangeSet


def plan_import(
    workspace: Workspace, sources: Sequence[tuple[str, str]], *, owner: str | None = None
) -> ImportPlan:
    """What importing ``sources`` (``[(label, text), ...]``) into ``workspace`` writes.

    Each service's SLOs go into its ``slo`` document; a service without one gets a new document
    from the template (added to the README index). Raises :class:`InputError` for the first
    problem in any source or merged SLO; nothing is written by this function.
    """
    from opsdocs.documents.index import compute_index
    from opsdocs.documents.parse import parse_document
    from opsdocs.documents.scaffold import draft_document
    from opsdocs.slo.budget import BUDGET_START, update_budget_table
    from opsdocs.slo.settings import load_settings

    settings = load_settings(workspace.config.section("slo"), source=workspace.config.source_label)
    services = read_specs(sources, settings=settings)
    contributing = {label for service in services for label in service.sources}
    plan_notes = [
        f"{label}: no SLO in this file, and no SLO refers to anything in it"
        for label, _ in sources
        if label not in contributing
    ]
    existing: dict[str, Document] = {}
    for doc in read_documents(workspace, "slo"):
        service = doc.get("service")
        if isinstance(service, str) and service not in existing:
            existing[service] = doc
    plan = ImportPlan(documents=[], notes=plan_notes, changes=workspace.changes())
    created: dict[Path, str] = {}
    for imported in services:
        plan.notes.extend(imported.notes)
        found = existing.get(imported.service)
        if found is None:
            draft = draft_document(
                workspace, "slo", imported.service, owner=owner, service=imported.service
            )
            found = parse_document(draft.path, draft.text)
        text, diff, warnings = _merge(found, imported.imported, settings, imported.document)
        plan.notes.extend(warnings)
        is_new = imported.service not in existing
        if is_new or BUDGET_START in text:
            # the generated budget table follows the SLOs (a document without one gets it
            # only when created here; 'check --fix' adds it to others)
            text = update_budget_table(parse_document(found.path, text), settings)
        plan.documents.append(
            DocumentImport(
                path=found.path,
                service=imported.service,
                slos=[s.name for s in imported.slos],
                created=is_new,
                changed=is_new or text != found.text,
                diff=diff,
            )
        )
        if is_new:
            created[found.path] = text
            plan.changes.write(found.path, text, create_only=True)
        elif text != found.text:
            plan.changes.write(found.path, text)
    if created and workspace.readme.exists():
        update = compute_index(workspace, pending=created)
        plan.changes.write(update.path, update.new)
    return plan

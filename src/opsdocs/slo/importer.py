"""Write imported SLOs into ``slo`` documents without losing anything written by hand.

Only the front matter's ``slos:`` list changes: an imported SLO replaces the entry of the same
name, new ones are appended, the others stay. The front matter is edited round-trip (the shared
:func:`~opsdocs.documents.frontmatter.edit_front_matter`), so other keys keep their order and
comments; the Markdown body is not touched at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsdocs.documents.parse import Document
from opsdocs.errors import InputError
from opsdocs.slo.interchange import ImportedService
from opsdocs.slo.spec import SloSpec

__all__ = ["read_specs", "slo_to_yaml_data", "update_document_slos"]


def slo_to_yaml_data(slo: SloSpec) -> dict[str, Any]:
    """An SLO as plain data for front matter: defaults left out, keys in spec order."""
    data: dict[str, Any] = slo.model_dump(mode="json", exclude_defaults=True)
    data["indicator"] = {"type": slo.indicator.type, **data.get("indicator", {})}
    return data


def update_document_slos(doc: Document, slos: Sequence[SloSpec]) -> str:
    """The document's text with ``slos`` merged into its front matter (pure).

    The edit goes through :func:`~opsdocs.documents.frontmatter.edit_front_matter`: inside an
    SLO that is imported again only the fields that differ are written anew, so comments on the
    others stay. Raises :class:`InputError` when the document has no front matter to edit.
    """
    from opsdocs.documents.frontmatter import edit_front_matter

    if doc.front_matter is None or doc.front_matter_end == 0:
        raise InputError(
            "document has no front matter to hold SLOs",
            path=doc.path,
            line=1,
            hint="start the file with a '---' front matter block",
        )
    values = dict(doc.front_matter)
    existing = list(values.get("slos") or [])
    by_name = {str(e.get("name")): i for i, e in enumerate(existing) if isinstance(e, dict)}
    for slo in slos:
        entry = slo_to_yaml_data(slo)
        if slo.name in by_name:
            existing[by_name[slo.name]] = entry
        else:
            by_name[slo.name] = len(existing)
            existing.append(entry)
    values["slos"] = existing
    return edit_front_matter(doc.text, values, path=doc.path)


def read_specs(files: Sequence[tuple[str, str]]) -> list[ImportedService]:
    """Sloth and OpenSLO SLOs from ``[(label, text), ...]``, merged per service, sorted.

    OpenSLO files are read together so that references resolve across them. A file holding
    neither format is an :class:`InputError`.
    """
    from opsdocs.slo.interchange.openslo import API, read_openslo
    from opsdocs.slo.interchange.sloth import is_sloth, read_sloth
    from opsdocs.yamlio import load_yaml_all

    found: list[ImportedService] = []
    openslo: list[tuple[str, str]] = []
    for label, text in files:
        docs = [d.value for d in load_yaml_all(text, path=label)]
        sloth = any(is_sloth(d) for d in docs)
        open_ = any(isinstance(d, dict) and d.get("apiVersion") == API for d in docs)
        if not sloth and not open_:
            raise InputError(
                "neither a Sloth spec nor OpenSLO v1",
                path=label,
                line=1,
                hint="expected 'version: prometheus/v1', 'apiVersion: sloth.slok.dev/v1' or"
                " 'apiVersion: openslo/v1'",
            )
        if sloth:
            found.extend(read_sloth(text, path=label))
        if open_:
            openslo.append((label, text))
    if openslo:
        found.extend(read_openslo(openslo))
    merged: dict[str, ImportedService] = {}
    for item in found:
        target = merged.setdefault(item.service, ImportedService(service=item.service))
        names = {s.name for s in target.slos}
        for slo in item.slos:
            if slo.name in names:
                raise InputError(
                    f"SLO {item.service}/{slo.name} is defined twice",
                    path=item.sources[0] if item.sources else None,
                    hint="keep one definition",
                )
            names.add(slo.name)
            target.slos.append(slo)
        target.sources.extend(s for s in item.sources if s not in target.sources)
        target.notes.extend(n for n in item.notes if n not in target.notes)
    return [merged[name] for name in sorted(merged)]

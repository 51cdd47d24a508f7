"""Listing documents with the facts people ask for: kind, title, owner, review dates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.folder import index_files
from opsdocs.documents.kinds import KINDS, get_kind
from opsdocs.documents.parse import read_document
from opsdocs.documents.schemas import as_date, review_due
from opsdocs.errors import InputError
from opsdocs.records import json_method

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["DocumentRow", "document_row", "list_documents"]


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    path: str
    title: str
    owner: str | None
    service: str | None
    last_reviewed: str | None
    review_due: str | None

    as_dict = json_method(
        "kind", "path", "title", "owner", "service", "last_reviewed", "review_due"
    )


def list_documents(workspace: Workspace, kind: str | None = None) -> list[DocumentRow]:
    """One row per document (all kinds, or ``kind``), in index order."""
    wanted = get_kind(kind) if kind else None
    rows = [
        document_row(workspace, path, found.name)
        for found, _, path in index_files(workspace.docs_dir)
        if wanted in (None, found)
    ]
    order = {k.name: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (order[r.kind], r.path))
    return rows


def document_row(workspace: Workspace, path: Path, kind: str) -> DocumentRow:
    """The row of the document at ``path``, listed as ``kind`` (a kind or a profile's name)."""
    title, owner, service, reviewed, due = path.name, None, None, None, None
    try:
        doc = read_document(path)
        fm = doc.front_matter or {}
    except InputError:
        fm = {}
    if isinstance(fm.get("title"), str):
        title = fm["title"]
    owner = fm.get("owner") if isinstance(fm.get("owner"), str) else None
    service = fm.get("service") if isinstance(fm.get("service"), str) else None
    when = as_date(fm.get("last_reviewed"))
    if when is not None:
        reviewed = when.isoformat()
        day = review_due(when, str(fm.get("review_every", workspace.config.review_every)))
        due = day.isoformat() if day is not None else None
    return DocumentRow(
        kind=kind,
        path=workspace.relative(path),
        title=title,
        owner=owner,
        service=service,
        last_reviewed=reviewed,
        review_due=due,
    )

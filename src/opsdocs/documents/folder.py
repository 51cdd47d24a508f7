"""The documents of an operations folder: which files follow a kind's naming rule, parsed.

The workspace knows where the folder is; this module knows what a document is (the kinds), so
that :mod:`opsdocs.workspace` stays below :mod:`opsdocs.documents` in the layers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.kinds import KINDS, Kind, get_kind, kind_for_filename
from opsdocs.documents.parse import Document, read_document

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["document_paths", "read_documents"]


def document_paths(workspace: Workspace, kind: str | None = None) -> list[Path]:
    """Files in the docs folder that follow a kind's naming rule (all kinds when None), sorted."""
    wanted: tuple[Kind, ...] = (get_kind(kind),) if kind else KINDS
    result: list[Path] = []
    for folder in sorted({k.folder for k in wanted}):
        directory = workspace.docs_dir / folder if folder else workspace.docs_dir
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir(), key=lambda p: p.name):
            if not entry.is_file():
                continue
            found = kind_for_filename(entry.name, folder)
            if found is not None and found in wanted:
                result.append(entry)
    return result


def read_documents(workspace: Workspace, kind: str | None = None) -> list[Document]:
    """Parsed documents of ``kind`` (all kinds when None), sorted by path.

    A file that cannot be read as text raises :class:`~opsdocs.errors.InputError`.
    """
    return [read_document(path) for path in document_paths(workspace, kind)]

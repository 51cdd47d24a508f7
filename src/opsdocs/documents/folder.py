"""The documents of an operations folder: which files follow a kind's naming rule, parsed.

The workspace knows where the folder is; this module knows what a document is (the kinds), so
that :mod:`opsdocs.workspace` stays below :mod:`opsdocs.documents` in the layers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.kinds import KINDS, Kind, get_kind, kind_for_filename
from opsdocs.documents.parse import Document, read_document

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["document_paths", "index_files", "read_documents"]


def index_files(docs_dir: Path, pending: Iterable[Path] = ()) -> list[tuple[Kind, str, Path]]:
    """The document set of the index, in index order: ``(kind, folder, path)`` of every file in
    the operations folder and in each kind's folder (a symlinked folder is read like any other)
    whose name follows a kind's naming rule. ``pending``: paths about to be written.

    ``opsdocs index`` and ``check`` (IX001) both take the documents from here, so they agree.
    """
    waiting = set(pending)
    found: list[tuple[Kind, str, Path]] = []
    for folder in sorted({k.folder for k in KINDS}):
        directory = docs_dir / folder if folder else docs_dir
        paths = {p for p in waiting if p.parent == directory}
        if directory.is_dir():
            paths.update(p for p in directory.iterdir() if p.is_file())
        for path in sorted(paths, key=lambda p: p.name):
            kind = kind_for_filename(path.name, folder)
            if kind is not None:
                found.append((kind, folder, path))
    return found


def document_paths(workspace: Workspace, kind: str | None = None) -> list[Path]:
    """Files in the docs folder that follow a kind's naming rule (all kinds when None), in the
    order of :func:`index_files`."""
    wanted: tuple[Kind, ...] = (get_kind(kind),) if kind else KINDS
    return [path for found, _, path in index_files(workspace.docs_dir) if found in wanted]


def read_documents(workspace: Workspace, kind: str | None = None) -> list[Document]:
    """Parsed documents of ``kind`` (all kinds when None), sorted by path.

    A file that cannot be read as text raises :class:`~opsdocs.errors.InputError`.
    """
    return [read_document(path) for path in document_paths(workspace, kind)]

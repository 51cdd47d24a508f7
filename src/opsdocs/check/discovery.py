"""Which documents ``check`` finds, and of which kind: for the commands that read one kind of
document (``cost report``) and must read every one the rules check, subfolders included; and
``opsdocs list``: the built-in kinds' documents (``opsdocs.documents.listing``) and the files
the profiles match wherever they live, listed under the profile's name.

It sits above the engine (it uses its collection of files) so that the rules' context does not
import the engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.check.context import KINDS_BY_NAME, resolve_type
from opsdocs.check.engine import collect_files
from opsdocs.check.settings import load_settings
from opsdocs.documents import listing
from opsdocs.documents.index import profile_files
from opsdocs.documents.kinds import KINDS, kind_for_filename
from opsdocs.documents.parse import Document, read_document
from opsdocs.errors import InputError

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["documents_of_kind", "list_all"]


def documents_of_kind(workspace: Workspace, kind: str) -> list[Document]:
    """The documents of the built-in ``kind`` that a plain ``check`` finds and types as that
    kind (the operations folder with its subfolders, and the files a profile's ``paths`` match
    outside it), parsed, sorted by path.

    A file that cannot be read is skipped (check reports it), unless its name follows
    ``kind``'s naming rule: then the :class:`~opsdocs.errors.InputError` is raised.
    """
    if not workspace.docs_dir.is_dir():
        return []  # no documents to find: the caller says what is missing, check's hint does not
    settings = load_settings(workspace.config)
    wanted = KINDS_BY_NAME[kind]
    found: list[Document] = []
    for path, file in sorted(collect_files(workspace, None, settings).items()):
        if os.path.isdir(path):  # a folder named like a document: check reports it
            continue
        try:
            doc = read_document(Path(path))
        except InputError:
            if kind_for_filename(os.path.basename(path), "") is wanted:
                raise
            continue
        if resolve_type(doc, file.rel_paths, settings).kind is wanted:
            found.append(doc)
    return found


def list_all(workspace: Workspace, kind: str | None = None) -> list[listing.DocumentRow]:
    """One row per document: every kind's, then every profile's (``kind``: a kind's or a
    profile's name). Raises :class:`UsageError` for a name that is neither."""
    profiles = load_settings(workspace.config).profiles
    is_kind = (
        kind is None or kind not in profiles or any(kind in (k.name, *k.aliases) for k in KINDS)
    )
    # a name that is neither a kind nor a profile: list_documents raises "unknown kind"
    rows = listing.list_documents(workspace, kind) if is_kind else []
    listed = {row.path for row in rows}
    extra = [
        listing.document_row(workspace, path, name)
        for name, path in profile_files(workspace, outside_only=False)
        if kind is None or name == kind
    ]
    rows += sorted((row for row in extra if row.path not in listed), key=lambda r: (r.kind, r.path))
    return rows

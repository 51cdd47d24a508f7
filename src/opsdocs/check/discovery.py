"""Which documents ``check`` finds, and of which kind: for the commands that read one kind of
document (``cost report``) and must read every one the rules check, subfolders included.

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
from opsdocs.documents.kinds import kind_for_filename
from opsdocs.documents.parse import Document, read_document
from opsdocs.errors import InputError

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["documents_of_kind"]


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

"""opsdocs: operations documentation that stays true.

The public API is listed in ``__all__``; names are imported on first use so that importing
``opsdocs`` (and running ``opsdocs --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "ChangeSet": "opsdocs.fileio",
    "Config": "opsdocs.config",
    "ConfigError": "opsdocs.errors",
    "Document": "opsdocs.documents.parse",
    "DocumentError": "opsdocs.errors",
    "InputError": "opsdocs.errors",
    "KINDS": "opsdocs.documents.kinds",
    "Kind": "opsdocs.documents.kinds",
    "OpsdocsError": "opsdocs.errors",
    "OpsdocsWarning": "opsdocs.errors",
    "UsageError": "opsdocs.errors",
    "Workspace": "opsdocs.workspace",
    "atomic_write": "opsdocs.fileio",
    "compute_index": "opsdocs.documents.index",
    "get_kind": "opsdocs.documents.kinds",
    "init_workspace": "opsdocs.documents.scaffold",
    "new_document": "opsdocs.documents.scaffold",
    "parse_document": "opsdocs.documents.parse",
    "read_document": "opsdocs.documents.parse",
}

__all__ = [
    "KINDS",
    "ChangeSet",
    "Config",
    "ConfigError",
    "Document",
    "DocumentError",
    "InputError",
    "Kind",
    "OpsdocsError",
    "OpsdocsWarning",
    "UsageError",
    "Workspace",
    "__version__",
    "atomic_write",
    "compute_index",
    "get_kind",
    "init_workspace",
    "new_document",
    "parse_document",
    "read_document",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opsdocs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from opsdocs.config import Config
    from opsdocs.documents.index import compute_index
    from opsdocs.documents.kinds import KINDS, Kind, get_kind
    from opsdocs.documents.parse import Document, parse_document, read_document
    from opsdocs.documents.scaffold import init_workspace, new_document
    from opsdocs.errors import (
        ConfigError,
        DocumentError,
        InputError,
        OpsdocsError,
        OpsdocsWarning,
        UsageError,
    )
    from opsdocs.fileio import ChangeSet, atomic_write
    from opsdocs.workspace import Workspace

"""Listing every document: the built-in kinds' (``opsdocs.documents.listing``) and the files
the profiles match wherever they live, listed under the profile's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsdocs.check.settings import load_settings
from opsdocs.documents import listing
from opsdocs.documents.index import profile_files
from opsdocs.documents.kinds import KINDS

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = ["list_all"]


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

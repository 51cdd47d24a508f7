"""State shared by every command: the chosen root and the workspace, found once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from opsdocs.errors import OpsdocsError, OpsdocsWarning
    from opsdocs.workspace import Workspace


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the current folder when it lies below it."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    try:
        relative = os.path.relpath(text)
    except ValueError:
        return text
    return text if relative.startswith("..") else relative


def display_error(error: OpsdocsError | OpsdocsWarning) -> str:
    """``error`` as one line, its path shown as :func:`display_path` shows it."""
    if error.path is not None:
        error.path = display_path(error.path)
    return error.format()


@dataclass
class AppContext:
    root: str | None = None
    debug: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self, root: Path | None = None) -> Workspace:
        """The workspace (found once); prints configuration warnings to standard error."""
        if self._workspace is None:
            from opsdocs.workspace import Workspace

            chosen = root if root is not None else (Path(self.root) if self.root else None)
            self._workspace = Workspace.discover(root=chosen)
            for warning in self._workspace.config.warnings:
                click.echo(f"warning: {display_error(warning)}", err=True)
        return self._workspace


def app(ctx: click.Context) -> AppContext:
    """The root context's state, made afresh for a command called without the group (tests)."""
    return ctx.find_root().ensure_object(AppContext)

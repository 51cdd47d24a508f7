"""The operations folder on disk: its root and configuration.

Writing is :mod:`opsdocs.fileio` (atomic writes, change sets, locks, the workspace boundary);
:meth:`Workspace.changes` gives a change set confined to the workspace. Which files are documents
is :mod:`opsdocs.documents.folder` (this module sits below the documents layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opsdocs.config import Config, find_root, load_config
from opsdocs.errors import OpsdocsError
from opsdocs.fileio import STATE_DIR, ChangeSet, check_inside, state_dir

__all__ = ["Workspace"]


@dataclass
class Workspace:
    """A repository (or any folder) holding an operations folder."""

    root: Path
    config: Config

    @classmethod
    def discover(cls, start: Path | None = None, root: Path | None = None) -> Workspace:
        """The workspace at ``root``, or the one found by walking up from ``start`` (cwd)."""
        if root is not None:
            if not root.is_dir():
                raise OpsdocsError(
                    "root folder does not exist", path=root, hint="pass an existing folder"
                )
            base = root.resolve()
        else:
            base = find_root(start or Path.cwd())
        return cls(root=base, config=load_config(base))

    def state_path(self, *parts: str) -> Path:
        """A folder under ``.opsdocs`` (``"cache"``): refused when it, or a folder on the way, is
        a symlink or leads out of the workspace (opsdocs deletes files there)."""
        return state_dir(self.root, self.root.joinpath(STATE_DIR, *parts))

    def changes(self) -> ChangeSet:
        """A change set whose every path must resolve inside the workspace."""
        return ChangeSet(root=self.root)

    def check_inside(self, path: Path) -> Path:
        """The resolved ``path``; :class:`opsdocs.fileio.OutsideRootError` when outside the root."""
        return check_inside(self.root, path)

    @property
    def docs_dir(self) -> Path:
        return self.root / self.config.docs_dir

    @property
    def templates_dir(self) -> Path:
        return self.root / self.config.templates_dir

    @property
    def readme(self) -> Path:
        return self.docs_dir / "README.md"

    def relative(self, path: Path) -> str:
        """``path`` relative to the root when below it, for messages."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

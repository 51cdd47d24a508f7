"""The operations folder on disk: finding documents, atomic writes, locks.

Every write opsdocs makes goes through :func:`atomic_write` or a :class:`ChangeSet`: the new text
is written to a temporary file in the same folder, flushed to disk, then renamed over the old file,
so a reader sees either the old or the new file and a crash leaves no half-written document.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opsdocs.config import Config, find_root, load_config
from opsdocs.documents.kinds import KINDS, Kind, get_kind, kind_for_filename
from opsdocs.documents.parse import Document, read_document
from opsdocs.errors import InputError, OpsdocsError

__all__ = ["ChangeSet", "Workspace", "atomic_write", "locked"]

STATE_DIR = ".opsdocs"


def _temp_beside(path: Path, text: str | Sequence[str]) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                fh.writelines(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(name, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def atomic_write(path: Path, text: str | Sequence[str], *, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, fsync, rename).

    ``text`` may be a sequence of strings, written one after the other (a large file need not
    be joined into one string first). With ``overwrite=False`` an existing file is an
    :class:`InputError` and is left alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(path, text)
    try:
        if overwrite:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # fails if path exists, so we never clobber a file
            except FileExistsError:
                raise InputError(
                    "file already exists", path=path, hint="choose another name or remove it"
                ) from None
            os.unlink(temp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


@dataclass
class ChangeSet:
    """Several file writes that happen together or not at all.

    Collect ``(path, text)`` with :meth:`write`; :meth:`commit` stages every temporary file first,
    then renames them in order, and restores the originals if any rename fails.
    """

    writes: dict[Path, tuple[str, bool]] = field(default_factory=dict)

    def write(self, path: Path, text: str, *, create_only: bool = False) -> None:
        self.writes[path] = (text, create_only)

    def __bool__(self) -> bool:
        return bool(self.writes)

    @property
    def paths(self) -> list[Path]:
        return list(self.writes)

    def commit(self) -> list[Path]:
        """Apply every write; returns the paths that changed."""
        for path, (_, create_only) in self.writes.items():
            if create_only and path.exists():
                raise InputError(
                    "file already exists", path=path, hint="choose another name or remove it"
                )
        staged: list[tuple[Path, Path]] = []
        created_dirs: list[Path] = []
        backups: list[tuple[Path, bytes | None]] = []
        changed: list[Path] = []
        try:
            for path, (text, _) in self.writes.items():
                missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
                path.parent.mkdir(parents=True, exist_ok=True)
                created_dirs.extend(reversed(missing))
                staged.append((path, _temp_beside(path, text)))
            for path, temp in staged:
                old = path.read_bytes() if path.exists() else None
                if old is not None and old == temp.read_bytes():
                    os.unlink(temp)
                    continue
                backups.append((path, old))
                os.replace(temp, path)
                changed.append(path)
        except BaseException:
            for path, old in reversed(backups):
                with contextlib.suppress(OSError):
                    if old is None:
                        path.unlink()
                    else:
                        atomic_write(path, old.decode("utf-8"))
            for _, temp in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
            for directory in reversed(created_dirs):
                with contextlib.suppress(OSError):
                    directory.rmdir()
            raise
        return changed


@contextlib.contextmanager
def locked(root: Path, path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (a lock file under ``.opsdocs/locks``)."""
    lock_dir = root / STATE_DIR / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    ignore = root / STATE_DIR / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            atomic_write(ignore, "*\n")
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    with (lock_dir / f"{key}.lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


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

    def document_paths(self, kind: str | None = None) -> list[Path]:
        """Files in the docs folder that follow a kind's naming rule, sorted."""
        wanted: tuple[Kind, ...] = (get_kind(kind),) if kind else KINDS
        result: list[Path] = []
        folders = sorted({k.folder for k in wanted})
        for folder in folders:
            directory = self.docs_dir / folder if folder else self.docs_dir
            if not directory.is_dir():
                continue
            for entry in sorted(directory.iterdir(), key=lambda p: p.name):
                if not entry.is_file():
                    continue
                found = kind_for_filename(entry.name, folder)
                if found is not None and found in wanted:
                    result.append(entry)
        return result

    def documents(self, kind: str | None = None) -> list[Document]:
        """Parsed documents of ``kind`` (all kinds when None), sorted by path.

        A file that cannot be read as text raises :class:`InputError`.
        """
        return [read_document(path) for path in self.document_paths(kind)]

"""Writing files safely: atomic writes, change sets, locks, and the workspace boundary.

Every write opsdocs makes goes through :func:`atomic_write` or a :class:`ChangeSet`: the new text
is written to a temporary file in the same folder, flushed to disk, then renamed over the old file,
so a reader sees either the old or the new file and a crash leaves no half-written document.
Given a ``root``, a write (or a :func:`remove`) is refused unless its resolved path lies inside
that folder, so a symlink in the workspace can never send opsdocs to write elsewhere.

This module is the bottom layer: it imports nothing of opsdocs. Its errors are :class:`OSError`
subclasses carrying the path (``filename``); the command line turns any :class:`OSError` into one
``error:`` line with exit 2 (``opsdocs.errors.from_os_error``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "STATE_DIR",
    "ChangeSet",
    "FileTooLargeError",
    "NotRegularFileError",
    "OutsideRootError",
    "SymlinkRefusedError",
    "atomic_write",
    "check_inside",
    "file_limit",
    "limit_hint",
    "lock_file",
    "locked",
    "read_regular",
    "real_folder",
    "remove",
    "set_max_file_size",
    "size_text",
    "state_dir",
]

#: The workspace's own state folder (locks, caches), relative to the root.
STATE_DIR = ".opsdocs"


class OutsideRootError(PermissionError):
    """A write or delete whose resolved path lies outside the workspace (a symlink out, ``..``)."""

    def __init__(self, path: Path, root: Path, resolved: Path) -> None:
        super().__init__(errno.EPERM, "refusing to write outside the workspace", str(path))
        self.root = root
        self.resolved = resolved
        self.hint = (
            f"it resolves to {resolved}; opsdocs writes only inside {root}: "
            "remove the symlink or choose a folder inside the workspace"
        )


class SymlinkRefusedError(PermissionError):
    """A state folder (caches, locks) that is, or lies under, a symlink."""

    def __init__(self, path: Path, link: Path) -> None:
        super().__init__(errno.EPERM, "refusing a state folder that is a symlink", str(path))
        self.link = link
        self.hint = (
            f"{link} is a symlink to {_resolve(link)}: opsdocs deletes and rewrites files there, "
            "so it keeps them only in a real folder inside the workspace; remove the symlink"
        )


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # Python < 3.13 says "Symlink loop" this way
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def real_folder(path: str, memo: dict[str, str]) -> str:
    """``os.path.realpath`` of the absolute, normalised ``path``, resolving each folder on the
    way once per ``memo``: thousands of files in as many folders under a few parents cost one
    ``lstat`` per folder instead of one per folder of each path."""
    found = memo.get(path)
    if found is None:
        parent, name = os.path.split(path)
        if not name or parent == path:
            found = os.path.realpath(path)
        else:
            joined = os.path.join(real_folder(parent, memo), name)
            found = os.path.realpath(joined) if os.path.islink(joined) else joined
        memo[path] = found
    return found


def check_inside(root: Path, path: Path) -> Path:
    """The resolved ``path``; raises :class:`OutsideRootError` unless it lies inside ``root``.

    Every symlink on the way is followed, so a folder that is a symlink out of the workspace
    (a cache, ``incidents/``, an output folder) is refused, as is a path that climbs out.
    """
    base = _resolve(root)
    resolved = _resolve(path)
    if resolved != base and base not in resolved.parents:
        raise OutsideRootError(path, base, resolved)
    return resolved


def state_dir(root: Path, path: Path) -> Path:
    """``path``, a folder where opsdocs keeps state it rewrites and deletes (a cache, locks).

    Refused (:class:`OutsideRootError`, :class:`SymlinkRefusedError`) unless it lies inside
    ``root`` and neither it nor any folder between ``root`` and it is a symlink.
    """
    check_inside(root, path)
    base = root.absolute()
    target = path if path.is_absolute() else base / path
    try:
        parts = target.relative_to(base).parts
    except ValueError:  # inside only through the resolved root: walk the resolved path
        base, parts = _resolve(root), _resolve(target).relative_to(_resolve(root)).parts
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise SymlinkRefusedError(path, current)
    return path


def _named(exc: OSError, path: Path, temp: str | None = None) -> OSError:
    """``exc`` naming ``path``: a full disk or a read-only folder is reported at the file the
    user knows, not at a temporary name (or at no name at all)."""
    if exc.filename is not None and exc.filename != temp and temp is not None:
        return exc
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno), str(path))


def _temp_beside(path: Path, text: str | bytes | Sequence[str]) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _named(exc, path, exc.filename) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            chunks = [text] if isinstance(text, str | bytes) else text
            fh.writelines(c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(name, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(name)
        if isinstance(exc, OSError):
            raise _named(exc, path, name) from None
        raise
    return Path(name)


def _exists_error(path: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, "file already exists", str(path))


def _mkdirs(path: Path) -> list[Path]:
    """Create ``path``'s missing parent folders; returns the ones created, outermost first."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def atomic_write(
    path: Path, text: str | Sequence[str], *, overwrite: bool = True, root: Path | None = None
) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, fsync, rename).

    ``text`` may be a sequence of strings, written one after the other (a large file need not
    be joined into one string first). With ``overwrite=False`` an existing file is a
    :class:`FileExistsError` and is left alone. With ``root``, a path outside it is refused
    (:class:`OutsideRootError`) before anything is written.
    """
    if root is not None:
        check_inside(root, path)
    _mkdirs(path)
    temp = _temp_beside(path, text)
    try:
        if overwrite:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # fails if path exists, so we never clobber a file
            except FileExistsError:
                raise _exists_error(path) from None
            os.unlink(temp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def remove(path: Path, *, root: Path | None = None) -> bool:
    """Delete the file ``path`` (refused outside ``root``); False when it was not there."""
    if root is not None:
        check_inside(root, path)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _holds(path: Path, text: str | bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``text`` (UTF-8) already."""
    try:
        size = path.stat().st_size
        data = text.encode("utf-8") if isinstance(text, str) else text
        return size == len(data) and path.read_bytes() == data
    except OSError:
        return False


@dataclass
class ChangeSet:
    """Several file writes that happen together or not at all.

    Collect ``(path, text or bytes)`` with :meth:`write`; :meth:`commit` stages every temporary
    file first, then renames them in order, and restores the originals if any rename fails. A
    file that already holds its text is left alone (no temporary copy, same inode and mtime).
    With ``root``, every path is checked to lie inside it before anything is written.
    """

    writes: dict[Path, tuple[str | bytes, bool]] = field(default_factory=dict)
    root: Path | None = None

    def write(self, path: Path, text: str | bytes, *, create_only: bool = False) -> None:
        self.writes[path] = (text, create_only)

    def __bool__(self) -> bool:
        return bool(self.writes)

    @property
    def paths(self) -> list[Path]:
        return list(self.writes)

    def commit(self) -> list[Path]:
        """Apply every write; returns the paths that changed."""
        for path, (_, create_only) in self.writes.items():
            if self.root is not None:
                check_inside(self.root, path)
            if create_only and (path.exists() or path.is_symlink()):
                raise _exists_error(path)
        staged: list[tuple[Path, Path]] = []
        created_dirs: list[Path] = []
        backups: list[tuple[Path, bytes | None]] = []
        changed: list[Path] = []
        try:
            for path, (text, _) in self.writes.items():
                if _holds(path, text):
                    continue  # already as wanted: no temporary copy, no fsync, no rename
                created_dirs.extend(_mkdirs(path))
                staged.append((path, _temp_beside(path, text)))
            for path, temp in staged:
                old = path.read_bytes() if path.exists() else None
                backups.append((path, old))
                os.replace(temp, path)
                changed.append(path)
        except BaseException:
            for path, old in reversed(backups):
                with contextlib.suppress(OSError):
                    if old is None:
                        path.unlink()
                    else:
                        os.replace(_temp_beside(path, old), path)
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
    """Hold an exclusive lock for ``path`` (a lock file under ``.opsdocs/locks``).

    Locks are advisory and per file: every read-modify-write of a shared file (the README index,
    an incident record, a document being merged) holds the lock of that file across processes.
    """
    state = root / STATE_DIR
    lock_dir = state_dir(root, state / "locks")
    lock_dir.mkdir(parents=True, exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            atomic_write(ignore, "*\n")
    key = hashlib.sha256(str(_resolve(path)).encode()).hexdigest()[:16]
    with lock_file(lock_dir / f"{key}.lock"):
        yield


@contextlib.contextmanager
def lock_file(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created when missing) across processes.

    For state kept in its own folder (a cache's index): the caller checks the folder first
    (:func:`state_dir`).
    """
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class NotRegularFileError(OSError):
    """The path is a FIFO, a device or a socket: opsdocs reads only regular files."""


class FileTooLargeError(OSError):
    """The file is larger than the limit the caller reads (``size``: bytes seen; ``limit``: the
    limit that applied)."""

    size = 0
    limit = 0


def size_text(size: int) -> str:
    """``size`` bytes for a message, rounded down: "20 MB", "3 KB", "512 bytes" (binary units,
    as ``max_file_size`` counts them)."""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def _too_large(path: Path, size: int, limit: int) -> FileTooLargeError:
    error = FileTooLargeError(errno.EFBIG, "file too large", str(path))
    error.size, error.limit = size, limit
    return error


#: The workspace's ``max_file_size`` (bytes), which replaces every reader's own limit; None: not
#: configured. One command runs on one workspace: loading its configuration sets it
#: (:func:`opsdocs.config.load_config`), and the check workers inherit it when they fork.
_max_file_size: int | None = None


def set_max_file_size(limit: int | None) -> None:
    """Make ``limit`` (bytes) the largest file :func:`read_regular` reads, whatever its caller
    asks; None gives each caller its own limit back."""
    global _max_file_size
    _max_file_size = limit


def file_limit(default: int) -> int:
    """The largest file (bytes) a reader whose own limit is ``default`` reads: the configured
    ``max_file_size`` when there is one (see :func:`set_max_file_size`)."""
    return default if _max_file_size is None else _max_file_size


def limit_hint(limit: int, files: str) -> str:
    """The hint of a file over ``limit``: "``files`` must be under 2 KB; max_file_size ..."."""
    return (
        f"{files} must be under {size_text(limit)}; max_file_size in the configuration sets"
        " the limit"
    )


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink is followed), at most ``limit`` (or
    the configured ``max_file_size``, see :func:`set_max_file_size`).

    Never blocks on a FIFO and never reads a device without end: the file is opened without
    blocking and its type checked on the open descriptor. Raises :class:`IsADirectoryError`,
    :class:`NotRegularFileError`, :class:`FileTooLargeError` or another :class:`OSError`.
    """
    limit = file_limit(limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(errno.EINVAL, _file_type(info.st_mode), str(path))
        if info.st_size > limit:
            raise _too_large(path, info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while we read
                raise _too_large(path, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)

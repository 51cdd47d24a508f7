"""Exceptions and warnings raised by the opsdocs library.

Every error the user can cause is an :class:`OpsdocsError`. Its text is one line that says where
(``path:line:col``), what went wrong, and, in parentheses, how to fix it. The command line turns
these into ``error: ...`` and exit code 2; anything else escaping the library is a bug (exit 3).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

__all__ = [
    "ConfigError",
    "DocumentError",
    "InputError",
    "OpsdocsError",
    "OpsdocsWarning",
    "UsageError",
    "from_os_error",
]


class _Located(Exception):
    """A one-line message with where (``path:line:col``) and how to fix it: the shape shared by
    errors and warnings (its ``args`` is the formatted line)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.col = col
        self.hint = hint
        super().__init__(self.format())

    @property
    def location(self) -> str:
        """``path:line:col`` (as much of it as is known), or an empty string."""
        if self.path is None or self.line is None:
            return self.path or ""
        return f"{self.path}:{self.line}:{self.col if self.col is not None else 1}"

    def format(self) -> str:
        text = self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        location = self.location
        return f"{location}: {text}" if location else text


class OpsdocsError(_Located):
    """Root of every error opsdocs raises on purpose."""


class UsageError(OpsdocsError):
    """The command was called wrongly (bad argument, unknown kind, bad name)."""


class InputError(OpsdocsError):
    """A file the user gave us cannot be used as it is."""


class _Positioned(Protocol):
    """A document with the file positions of its front-matter keys."""

    @property
    def path(self) -> Path: ...

    def position(self, key_path: tuple[str | int, ...]) -> tuple[int, int]: ...


class DocumentError(InputError):
    """An operations document is malformed (front matter, structure)."""

    @classmethod
    def at(
        cls, doc: _Positioned, key: Sequence[str | int], message: str, *, hint: str | None = None
    ) -> DocumentError:
        """The error at front-matter ``key`` of ``doc`` (its line, or its nearest parent's)."""
        line, col = doc.position(tuple(key))
        return cls(message, path=doc.path, line=line, col=col, hint=hint)


class ConfigError(OpsdocsError):
    """The opsdocs configuration is invalid."""


class OpsdocsWarning(_Located, UserWarning):
    """Something worth telling the user that does not stop the command (same shape as errors)."""


#: What to do about an operating-system error, by errno (the message says what happened).
_OS_HINTS: dict[int, tuple[str, str]] = {
    errno.EEXIST: ("file already exists", "choose another name or remove it"),
    errno.EACCES: ("permission denied", "check the permissions of the file and its folder"),
    errno.EPERM: ("operation not permitted", "check the permissions of the file and its folder"),
    errno.EROFS: ("read-only file system", "run opsdocs where the files can be written"),
    errno.ENOSPC: ("no space left on device", "free some space and run the command again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space and run the command again"),
    errno.ENAMETOOLONG: ("file name too long", "choose a shorter name"),
    errno.ELOOP: ("too many levels of symbolic links", "fix or remove the symlink loop"),
    errno.EISDIR: ("is a folder, not a file", "move the folder away or pass a file"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EIO: ("input/output error", "check the disk"),
}


def from_os_error(exc: OSError) -> InputError:
    """An operating-system error as one located line: the path, what happened, what to do.

    ``opsdocs.fileio`` raises plain :class:`OSError` subclasses (it imports nothing of opsdocs);
    the command line shows them through this.
    """
    what, hint = _OS_HINTS.get(exc.errno or 0, (exc.strerror or type(exc).__name__, "check it"))
    custom = getattr(exc, "hint", None)
    if isinstance(custom, str):  # fileio.OutsideRootError says where it would have written
        what, hint = exc.strerror or what, custom
    path = os.fsdecode(exc.filename) if exc.filename is not None else None
    return InputError(what, path=path, hint=hint)

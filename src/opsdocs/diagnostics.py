"""One type for everything opsdocs finds wrong in a file: parsing, validation and the linter.

A :class:`Diagnostic` is a position (``path:line:col``), a code (a rule code such as ``ST001``,
or a parser's kebab-case identifier), a message, an optional hint on how to fix it and a
severity. The linter adds the rule's ``name`` and whether ``--fix`` can repair it. Diagnostics
sort by position then code, which is the order every report prints them in.

This module imports nothing of opsdocs but :mod:`opsdocs.sanitize` and :mod:`opsdocs.records`
(which import nothing), so every layer can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from opsdocs.records import json_method
from opsdocs.sanitize import escape_line, escape_path

__all__ = ["Diagnostic", "Severity"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem: ``path:line:col: CODE name: message (hint)``."""

    path: str = ""  # for display (relative to the current folder when below it)
    line: int = 1
    col: int = 1
    code: str = ""
    message: str = field(default="", compare=False)
    hint: str | None = field(default=None, compare=False)
    severity: Severity = field(default="error", compare=False)
    name: str = field(default="", compare=False)  # the rule's kebab-case name
    fixable: bool = field(default=False, compare=False)
    uri: str = field(default="", compare=False)  # relative to the workspace root, POSIX
    abspath: str = field(default="", compare=False)
    # Where in structured data (front matter, a spec) the problem is, when that is known.
    key_path: tuple[str | int, ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def detail(self) -> str:
        """The message with its hint in parentheses."""
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def format(self) -> str:
        """The one-line form every text output uses: ``path:line:col: CODE name: message (hint)``.

        Parts that are not set are left out (no path, no code or no name). Text from documents
        (a title in a message, a file name) is escaped: it cannot break the line, start a
        GitHub workflow command or send terminal codes.
        """
        label = " ".join(part for part in (self.code, self.name) if part)
        detail = escape_line(self.detail())
        text = f"{label}: {detail}" if label else detail
        if not self.path:
            return text
        return f"{escape_path(f'{self.path}:{self.line}:{self.col}')}: {text}"

    def __str__(self) -> str:
        return self.format()

    #: The linter's JSON form (key order is part of the output format).
    as_dict = json_method(
        "path", "line", "col", "code", "name", "severity", "message", "hint", "fixable", "uri"
    )

"""Escaping of control characters in everything opsdocs prints.

Text from documents, incident records and file names reaches a terminal or a CI log. Raw, a
line break there can start a forged GitHub workflow command (``::error file=...``), an escape
sequence can rewrite the terminal or hide text (ESC, CSI, OSC), and a bidirectional override can
make a line read differently from what it is. Every text output passes such text through
:func:`escape_line` (one line expected) or :func:`escape_text` (line breaks allowed).

The escapes are Python's: ``\\n``, ``\\r``, ``\\x1b``, ``\\u202e``. They are for reading, not for
reversing. This module imports nothing of opsdocs.
"""

from __future__ import annotations

import re

__all__ = [
    "contains_control",
    "escape_line",
    "escape_path",
    "escape_text",
    "strip_control",
]

# C0 controls but tab, DEL and C1 (which includes CSI U+009B, OSC U+009D and NEL U+0085), the
# Unicode line and paragraph separators, the byte-order mark, and the bidirectional controls
# (embeddings, overrides, isolates and marks) that make text display in another order.
_FORMAT = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
_UNSAFE_LINE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_FORMAT}]")
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")  # keeps \n

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_line(text: str) -> str:
    """``text`` as one printable line: line breaks and control characters escaped (tab kept)."""
    return _UNSAFE_LINE.sub(_escape, text)


def escape_text(text: str) -> str:
    """``text`` with its line breaks (``\\n``) and tabs kept and every other control escaped."""
    return _UNSAFE_TEXT.sub(_escape, text)


def escape_path(path: str) -> str:
    """A path for the start of an output line: :func:`escape_line`, and never ``::`` first.

    GitHub Actions reads any log line that starts with ``::`` (after blanks) as a workflow
    command, and a file may be named ``::error file=x::y.md``: such a path is printed ``./``-first.
    """
    text = escape_line(path)
    return "./" + text if text.lstrip().startswith("::") else text


def contains_control(text: str, *, newlines: bool = False) -> bool:
    """Whether ``text`` has a character :func:`escape_line` would escape (``newlines``: allow
    ``\\n``), for inputs that refuse them."""
    pattern = _UNSAFE_TEXT if newlines else _UNSAFE_LINE
    return pattern.search(text) is not None


def strip_control(text: str, *, newlines: bool = False) -> str:
    """``text`` without the characters :func:`contains_control` finds."""
    pattern = _UNSAFE_TEXT if newlines else _UNSAFE_LINE
    return pattern.sub("", text)

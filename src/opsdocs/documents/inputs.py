"""Checks on text people type on the command line before it is written into a document.

One rule for every command that takes free text (``new --title``, ``incident open`` titles,
``incident log`` entries, notes and reasons): the text must be one printable line. Control
characters (ESC and the terminal sequences it starts, BEL, DEL, the C1 range), line and
paragraph separators and bidirectional overrides are refused rather than stripped, so what is
stored is what the person sees. Text that only becomes a timeline entry (a log line, a note)
may be folded first: its line breaks and tabs become single spaces, as a pasted message is
meant to be one entry; a title never is (it names the record and becomes its heading).
"""

from __future__ import annotations

import unicodedata

from opsdocs.errors import UsageError

__all__ = ["BIDI_CONTROLS", "check_line", "unsafe_characters"]

#: Characters that reorder how text is displayed (Trojan Source): refused everywhere.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

#: Unicode categories never allowed in one line: control, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def unsafe_characters(text: str) -> list[str]:
    """The characters of ``text`` that may not appear in one line, in order, as ``U+XXXX``."""
    found: list[str] = []
    for ch in text:
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in _REFUSED_CATEGORIES:
            code = f"U+{ord(ch):04X}"
            if code not in found:
                found.append(code)
    return found


def check_line(text: str, *, what: str, hint: str | None = None, fold: bool = False) -> str:
    """``text`` if it is one printable line; else a :class:`UsageError` naming the characters.

    ``what`` names the value in the message ("title", "entry"); ``hint`` replaces the default
    advice. With ``fold``, whitespace runs (line breaks and tabs included) become one space
    first and the result is returned stripped.
    """
    if fold:
        text = " ".join(text.split())
    bad = unsafe_characters(text)
    if bad:
        raise UsageError(
            f"the {what} {text!r} is not one printable line (it contains {', '.join(bad)})",
            hint=hint or "write it on one line without control characters",
        )
    return text

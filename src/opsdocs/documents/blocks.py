"""Generated blocks inside hand-written documents.

A report that ``--write`` keeps in a document (an SLO's measurement, a DR plan's evidence, a
capacity forecast, a cost month) and the README's index live between two HTML-comment markers;
everything outside the markers is the author's and is kept byte for byte. This module is the one
place that finds, adds and replaces such blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from opsdocs.documents.parse import Document
from opsdocs.errors import DocumentError

__all__ = [
    "REPORT_END",
    "REPORT_START",
    "BlockUpdate",
    "as_written",
    "replace_block",
    "write_block",
]

# The markers of a report block; a feature may use its own pair (start=..., end=...).
REPORT_START = "<!-- opsdocs:report:start -->"
REPORT_END = "<!-- opsdocs:report:end -->"


@dataclass(frozen=True)
class BlockUpdate:
    """A document whose generated block is stale: its bytes now and as they should be."""

    path: Path
    old: str
    new: str
    what: str  # the block, for messages: "error-budget table"


# after each line break the parser counts (CRLF, CR or LF), so its line numbers index the pieces
_LINE_BREAK = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def as_written(raw: str, text: str) -> str:
    """``text`` (normalised by the parser) in the line endings and byte-order mark of ``raw``,
    the file as read."""
    if "\r\n" in raw:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" + text) if raw.startswith("\ufeff") else text


def replace_block(text: str, block: str, *, path: Path, start: str, end: str) -> str:
    """``text`` with everything between the ``start`` and ``end`` markers replaced by ``block``.

    The block takes the file's line endings (a CRLF file stays CRLF).

    Raises :class:`DocumentError` when a marker is missing, repeated, or out of order.
    """
    for marker in (start, end):
        count = text.count(marker)
        if count != 1:
            where = text.find(marker)
            line = text.count("\n", 0, where) + 1 if where >= 0 else None
            problem = "is missing" if count == 0 else f"appears {count} times"
            raise DocumentError(
                f"marker {marker} {problem}",
                path=path,
                line=line,
                hint=f"keep exactly one {start} line and one {end} line",
            )
    head, _, rest = text.partition(start)
    if end not in rest:
        line = text.count("\n", 0, text.find(end)) + 1
        raise DocumentError(
            f"marker {end} comes before {start}",
            path=path,
            line=line,
            hint="put the start marker first",
        )
    _, _, tail = rest.partition(end)
    first_break = text.find("\n")
    if first_break > 0 and text[first_break - 1] == "\r":  # keep a CRLF file CRLF
        block = block.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"{head}{start}{block}{end}{tail}"


def write_block(
    document: Document,
    block: str,
    *,
    raw: str | None = None,
    section: str = "Measurement",
    start: str = REPORT_START,
    end: str = REPORT_END,
    add_section: bool = True,
) -> str:
    """The document's text with ``block`` between the ``start`` and ``end`` markers in ``section``.

    ``raw`` is the file's text as read (the parsed document's text has its line endings
    normalised); everything outside the markers is kept byte for byte, line endings included.
    Markers that are absent are added at the end of the section (a missing section is added at
    the end of the document; with ``add_section=False`` the markers go there without it).
    Raises :class:`DocumentError` for repeated or misordered markers.
    """
    text = document.text if raw is None else raw
    path = Path(document.path)
    if "\r\n" in text:  # write the block in the document's line endings
        block = block.replace("\r\n", "\n").replace("\n", "\r\n")
    if start not in text and end not in text:
        nl = "\r\n" if "\r\n" in text else "\n"
        markers = f"{start}{nl}{end}{nl}"
        found = document.section(section)
        lines = _LINE_BREAK.split(text)
        if not lines[-1]:  # the parser counts an empty line after a final newline
            lines.pop()
        if found is None and add_section:
            tail = "" if text.endswith(("\n", "\r")) or not text else nl
            text = f"{text}{tail}{nl}## {section}{nl}{nl}{markers}"
        else:
            # the last line of the section (or of the document), inclusive
            first = 0 if found is None else found.start_line
            last = len(lines) if found is None else min(found.end_line, len(lines))
            while last > first and not lines[last - 1].strip():
                last -= 1
            before = "".join(lines[:last])
            if before and not before.endswith(("\n", "\r")):
                before += nl
            after = "".join(lines[last:])
            rest = after.lstrip("\r\n")
            text = f"{before}{nl}{markers}" + (f"{nl}{rest}" if rest.strip() else "")
    return replace_block(text, block, path=path, start=start, end=end)

"""Tables as text: columns aligned for a terminal, and Markdown pipe tables.

Cells come from documents, records and configuration files, so both escape control characters
(:func:`opsdocs.sanitize.escape_line`); a Markdown cell also escapes ``|``. The first row is the
header. This module imports nothing of opsdocs but :mod:`opsdocs.sanitize`.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from opsdocs.sanitize import escape_line

__all__ = ["aligned", "markdown_table"]


def aligned(
    rows: Sequence[Sequence[str]],
    *,
    right_from: int | None = None,
    right: Container[int] = (),
) -> list[str]:
    """``rows`` as lines of columns two spaces apart, each column as wide as its widest cell,
    without trailing blanks. Columns from index ``right_from`` on, and those in ``right``, are
    aligned right (numbers after a label)."""
    if not rows:
        return []
    cells = [[escape_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return [
        "  ".join(
            cell.rjust(width)
            if i in right or (right_from is not None and i >= right_from)
            else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]


def markdown_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """``rows`` as a Markdown pipe table (the first row is the header), one line per row."""
    if not rows:
        return []

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(escape_line(c).replace("|", "\\|") for c in row) + " |"

    return [line(rows[0]), "|" + "---|" * len(rows[0]), *(line(row) for row in rows[1:])]

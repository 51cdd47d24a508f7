"""What a report run keeps besides its text: charts and status blocks, in one change set.

The SLO, capacity and cost reports each prepare every file a run writes (a chart as SVG, and as
PNG with ``--png``; the status block of each document between its markers) in a
:class:`ReportFiles` without writing anything; the command line commits
:attr:`ReportFiles.changes` and says what it wrote. So a failure anywhere (a document with
repeated markers, a missing rasteriser) leaves every file as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.fileio import ChangeSet

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document

__all__ = ["BlockPlace", "ReportFiles", "relative_links"]


@dataclass(frozen=True)
class BlockPlace:
    """Where a report keeps its status block in a document: between the ``start`` and ``end``
    markers, in ``section`` (added at the end of the document when missing)."""

    section: str
    start: str
    end: str


@dataclass
class ReportFiles:
    """The files a report run would write: charts, and documents whose status block changed."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    charts: list[Path] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)

    def add_chart(self, path: Path, svg: str, *, png: bool) -> None:
        """The chart ``svg`` at ``path`` and, with ``png``, rasterised beside it (``.png``)."""
        from opsdocs.charts import render_png

        self.changes.write(path, svg)
        self.charts.append(path)
        if png:
            self.changes.write(path.with_suffix(".png"), render_png(svg))
            self.charts.append(path.with_suffix(".png"))

    def add_block(self, document: Document, block: str, place: BlockPlace) -> None:
        """``block`` kept in ``document`` at ``place`` (see
        :func:`~opsdocs.documents.blocks.write_block`); nothing when the text stays the same."""
        from opsdocs.documents.blocks import write_block

        path = Path(document.path)
        raw = path.read_bytes().decode("utf-8")
        text = write_block(
            document, block, raw=raw, section=place.section, start=place.start, end=place.end
        )
        if text != raw:
            self.changes.write(path, text)
            self.documents.append(path)


def relative_links(links: dict[str, Path], document: Path) -> dict[str, str]:
    """Each chart of ``links`` as a link (``/``-separated) relative to ``document``'s folder."""
    return {
        name: os.path.relpath(link, document.parent).replace(os.sep, "/")
        for name, link in links.items()
    }

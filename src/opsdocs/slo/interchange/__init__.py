"""Reading and writing other SLO formats: Sloth and OpenSLO."""

from __future__ import annotations

from dataclasses import dataclass, field

from opsdocs.slo.spec import SloSpec

__all__ = ["ImportedService"]


@dataclass
class ImportedService:
    """The SLOs of one service read from another format, and where they came from."""

    service: str
    slos: list[SloSpec] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: What the source said that opsdocs does not take over, one ``path:line:col: text`` each.
    notes: list[str] = field(default_factory=list)

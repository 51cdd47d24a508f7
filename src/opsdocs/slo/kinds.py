"""The kind of the SLO feature: ``slo`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

__all__ = ["KINDS"]

_SLO = Kind(
    index_order=20,
    templates="opsdocs.slo",
    name="slo",
    label="SLO Definition",
    index_heading="SLO Definitions",
    purpose="Define service level objectives",
    filename="slo-{name}.md",
    examples=("slo-api-availability.md", "slo-search-latency.md"),
    name_help="SLO name",
    schema_ref="opsdocs.slo.spec:SloFrontMatter",
)

KINDS: tuple[Kind, ...] = (_SLO,)

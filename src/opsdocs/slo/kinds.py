"""The kind of the SLO feature: ``slo`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

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
    sections=(
        SectionSpec("Service", "What service is this for? Link its runbook."),
        SectionSpec(
            "SLI",
            "What are we measuring? (latency, availability, throughput) Good over valid events.",
        ),
        SectionSpec(
            "SLO Target", "What's the goal? (99.9% uptime, p95 latency <200ms) Over which period?"
        ),
        SectionSpec("Measurement", "How do we measure it? Data source, queries, exclusions."),
        SectionSpec(
            "Alerting", "When to alert? Burn-rate alerts, who is paged, the runbook to follow."
        ),
    ),
)

KINDS: tuple[Kind, ...] = (_SLO,)

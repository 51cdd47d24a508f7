"""The kind of the cost feature: ``cost`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

__all__ = ["KINDS"]

_COST = Kind(
    index_order=80,
    templates="opsdocs.cost",
    name="cost",
    label="Cost Management",
    index_heading="Cost Management",
    purpose="Budget and cost optimisation",
    filename="cost-{name}.md",
    examples=("cost-team-api.md", "cost-cloud-storage.md"),
    name_help="scope name",
    schema_ref="opsdocs.cost.spec:CostFrontMatter",
    sections=(
        SectionSpec("Budget", "The budget for this scope and period, and who set it."),
        SectionSpec(
            "Current Spend & Trend", "Spend to date, its trend, and the main cost drivers."
        ),
        SectionSpec(
            "Owners & Allocation", "Who owns each cost, and how shared costs are allocated."
        ),
        SectionSpec(
            "Optimisation Backlog", "Savings opportunities with estimated value, owner and status."
        ),
        SectionSpec("Anomaly Alerts", "How unexpected spend is detected and who is told."),
    ),
)

KINDS: tuple[Kind, ...] = (_COST,)

"""The kind of the cost feature: ``cost`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

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
)

KINDS: tuple[Kind, ...] = (_COST,)

"""The kind of the capacity feature: ``capacity`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

__all__ = ["KINDS"]

_CAPACITY = Kind(
    index_order=70,
    templates="opsdocs.capacity",
    name="capacity",
    label="Capacity Plan",
    index_heading="Capacity Planning",
    purpose="Resource forecasting and scaling",
    filename="capacity-{name}.md",
    examples=("capacity-database.md", "capacity-search.md"),
    name_help="service name",
    service_from_name=True,
    schema_ref="opsdocs.capacity.spec:CapacityFrontMatter",
)

KINDS: tuple[Kind, ...] = (_CAPACITY,)

"""The kind of the on-call feature: ``on-call`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

__all__ = ["KINDS"]

_ON_CALL = Kind(
    index_order=60,
    templates="opsdocs.oncall",
    name="on-call",
    label="On-Call Procedures",
    index_heading="On-Call",
    purpose="Rotation, escalation and paging expectations",
    filename="on-call-{name}.md",
    examples=("on-call-team-api.md", "on-call-platform.md"),
    name_help="team or rotation name",
    also=("on-call.md",),
    schema_ref="opsdocs.oncall.spec:OnCallFrontMatter",
)

KINDS: tuple[Kind, ...] = (_ON_CALL,)

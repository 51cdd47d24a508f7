"""The kind of the on-call feature: ``on-call`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

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
    sections=(
        SectionSpec(
            "Rotation & Handoff",
            "Who is on call, shift length, time zones, and the handoff checklist.",
        ),
        SectionSpec(
            "Escalation Policy",
            "Primary, secondary, manager: who is paged next and after how long.",
        ),
        SectionSpec(
            "Paging Expectations",
            "Time to acknowledge, what pages and what waits for working hours.",
        ),
        SectionSpec(
            "Load & Fatigue", "Pages per shift, the target, and what happens when it is exceeded."
        ),
        SectionSpec(
            "Tools & Access",
            "Access the on-call engineer needs, and how to get it before the shift.",
        ),
    ),
)

KINDS: tuple[Kind, ...] = (_ON_CALL,)

"""The kinds of the incidents feature: the playbook, incident records and postmortems
(templates in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

__all__ = ["KINDS"]

_INCIDENT_RESPONSE = Kind(
    index_order=30,
    templates="opsdocs.incidents",
    name="incident-response",
    label="Incident Response Playbook",
    index_heading="Incident Response",
    purpose="How to handle incidents",
    filename="incident-response.md",
    empty_index_text="(Create `incident-response.md`)",
    schema_ref="opsdocs.incidents.policy:IncidentResponseFrontMatter",
)


_INCIDENT = Kind(
    index_order=90,
    templates="opsdocs.incidents",
    name="incident",
    label="Incident",
    index_heading="Recent Incidents",
    purpose="The record of one incident: severity, status, milestones, roles and timeline",
    filename="{date}-{name}.md",
    folder="incidents",
    examples=("2026-03-14-checkout-5xx.md",),
    name_help="slug",
    empty_index_text="(None yet - open one with `opsdocs incident open`)",
    schema_ref="opsdocs.incidents.records:IncidentFrontMatter",
    index_limit=10,
    index_newest_first=True,
    index_facts=("severity", "status", "services"),
    reviewed=False,
    created_by="opsdocs incident open",
)


_POSTMORTEM = Kind(
    index_order=100,
    templates="opsdocs.incidents",
    name="postmortem",
    label="Postmortem",
    index_heading="Recent Postmortems",
    purpose="The blameless review of one incident, with action items",
    filename="{date}-{name}.md",
    folder="postmortems",
    examples=("2026-03-14-checkout-5xx.md",),
    name_help="slug",
    empty_index_text="(None yet - write one with `opsdocs incident postmortem ID`)",
    schema_ref="opsdocs.incidents.postmortem:PostmortemFrontMatter",
    index_limit=10,
    index_newest_first=True,
    index_facts=("severity", "status", "due"),
    reviewed=False,
    created_by="opsdocs incident postmortem",
)

KINDS: tuple[Kind, ...] = (
    _INCIDENT_RESPONSE,
    _INCIDENT,
    _POSTMORTEM,
)

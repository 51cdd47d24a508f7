"""The kinds of the incidents feature: the playbook, incident records and postmortems
(templates in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

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
    sections=(
        SectionSpec("Incident Severity Levels", "P1, P2, P3 definitions, with examples of each."),
        SectionSpec(
            "Response Procedures",
            "Step-by-step for each severity: who leads, first actions, cadence.",
        ),
        SectionSpec("Communication Plan", "Who to notify, how, and how often."),
        SectionSpec(
            "Post-Incident Review",
            "How to conduct retrospectives: when, who, the postmortem template.",
        ),
    ),
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
    sections=(
        SectionSpec("Summary", "What is happening, in two sentences, for someone joining now."),
        SectionSpec("Impact", "Who is affected and how much: users, requests, regions, money."),
        SectionSpec(
            "Timeline",
            "UTC ISO 8601 entries, oldest first; 'opsdocs incident log' appends them.",
        ),
    ),
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
    sections=(
        SectionSpec("Summary", "What happened, its impact and how it ended, in a paragraph."),
        SectionSpec(
            "Impact",
            "With numbers: duration, users or requests affected, error budget consumed.",
        ),
        SectionSpec("Timeline", "Filled in from the incident record; add what it missed."),
        SectionSpec(
            "Root Cause and Contributing Factors",
            "Why it happened: the causes and the conditions that let them matter. No blame.",
        ),
        SectionSpec("Trigger", "The change or event that set it off."),
        SectionSpec("Detection", "How we found out, how long it took, and how to find out sooner."),
        SectionSpec("Resolution", "What stopped the impact, and what fixed the cause."),
        SectionSpec("What Went Well", "Practices and tools that helped."),
        SectionSpec("What Went Badly", "What slowed us down or made it worse."),
        SectionSpec("Where We Got Lucky", "What could have made it much worse and did not."),
        SectionSpec(
            "Action Items",
            "Listed in the front matter 'action_items' (what, owner, due, tracker, status).",
        ),
    ),
)

KINDS: tuple[Kind, ...] = (
    _INCIDENT_RESPONSE,
    _INCIDENT,
    _POSTMORTEM,
)

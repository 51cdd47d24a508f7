"""The registry of document kinds.

A kind is everything opsdocs knows about one type of operations document: how its file is named,
which sections it must have (in order, each with one line of guidance), which front-matter model
validates it, which bundled template scaffolds it, and how the README index lists it. To add a
kind, add one :class:`Kind` to :data:`KINDS` and a ``<name>-template.md`` beside this module.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from opsdocs.errors import UsageError

if TYPE_CHECKING:
    from opsdocs.documents.schemas import FrontMatter

__all__ = ["KINDS", "NAME_PATTERN", "Kind", "SectionSpec", "get_kind", "kind_for_filename"]

#: Names in file names: lowercase letters, digits and single hyphens.
NAME_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_NAME_RE = re.compile(rf"^{NAME_PATTERN}$")
_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class SectionSpec:
    title: str
    guidance: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    index_heading: str
    purpose: str
    filename: str  # "runbook-{name}.md", "{date}-{name}.md", or a fixed name (singleton)
    sections: tuple[SectionSpec, ...]
    schema_ref: str  # "module:Class", imported when first needed
    empty_index_text: str = "(None yet)"
    folder: str = ""  # below the docs folder
    name_help: str = "name"
    service_from_name: bool = False  # NAME doubles as the document's service
    aliases: tuple[str, ...] = field(default=())
    #: The README index lists at most this many documents of the kind (None: all of them).
    index_limit: int | None = None
    #: List in reverse file-name order: newest first for date-prefixed names.
    index_newest_first: bool = False
    #: Front-matter keys the index shows for each document instead of owner and review date.
    index_facts: tuple[str, ...] = ()
    #: Documents of this kind have a review cycle (last_reviewed + review_every). Records of
    #: events (incidents, postmortems) do not.
    reviewed: bool = True
    #: The command that creates documents of this kind, when 'opsdocs new' must not.
    created_by: str | None = None
    #: File names shown as examples in the README (the seed's "Example" lines).
    examples: tuple[str, ...] = ()
    #: Fixed file names the kind also accepts (``on-call.md``: every team's schedule in one file);
    #: such a file carries no NAME.
    also: tuple[str, ...] = ()

    @property
    def singleton(self) -> bool:
        return "{name}" not in self.filename

    @property
    def dated(self) -> bool:
        """File names carry a ``YYYY-MM-DD`` date (the ``{date}`` placeholder)."""
        return "{date}" in self.filename

    @property
    def template_file(self) -> str:
        return f"{self.name}-template.md"

    @property
    def section_titles(self) -> tuple[str, ...]:
        return tuple(s.title for s in self.sections)

    @cached_property
    def filename_regex(self) -> re.Pattern[str]:
        groups = {"{name}": f"(?P<name>{NAME_PATTERN})", "{date}": rf"(?P<date>{_DATE_PATTERN})"}
        parts = re.split(r"(\{name\}|\{date\})", self.filename)
        body = "".join(groups.get(part, re.escape(part)) for part in parts)
        return re.compile(rf"^{body}$")

    @property
    def schema(self) -> type[FrontMatter]:
        module, _, attr = self.schema_ref.partition(":")
        model: type[FrontMatter] = getattr(importlib.import_module(module), attr)
        return model

    def filename_for(self, name: str | None, date: dt.date | None = None) -> str:
        """The file name for a document called ``name`` (dated kinds: on ``date``).

        Raises :class:`UsageError` for a bad or missing name or a missing date.
        """
        if self.dated and date is None:
            raise UsageError(
                f"kind '{self.name}' needs a date for its file name",
                hint=f"create it with '{self.created_by}'" if self.created_by else None,
            )
        if self.singleton:
            if name:
                raise UsageError(
                    f"kind '{self.name}' is one per folder and takes no name",
                    hint=f"run 'opsdocs new {self.name}' without a name",
                )
            return self.filename
        if not name:
            raise UsageError(
                f"kind '{self.name}' needs a {self.name_help}",
                hint=f"for example 'opsdocs new {self.name} api-server'",
            )
        validate_name(name)
        filename = self.filename.replace("{name}", name)
        return filename.replace("{date}", date.isoformat()) if date is not None else filename

    def match(self, filename: str) -> str | None:
        """The NAME a file name carries for this kind ('' for a singleton), or None."""
        if filename in self.also:
            return ""
        m = self.filename_regex.match(filename)
        if m is None:
            return None
        return m.group("name") if not self.singleton else ""

    def date_of(self, filename: str) -> dt.date | None:
        """The date a dated kind's file name carries, or None."""
        m = self.filename_regex.match(filename)
        if m is None or not self.dated:
            return None
        try:
            return dt.date.fromisoformat(m.group("date"))
        except ValueError:
            return None


def validate_name(name: str, *, what: str = "name", example: str = "api-server") -> str:
    """``name`` if it is lowercase letters, digits and single hyphens; else a UsageError."""
    if not _NAME_RE.match(name):
        raise UsageError(
            f"invalid {what} {name!r}",
            hint=f"use lowercase letters, digits and single hyphens, e.g. '{example}'",
        )
    return name


_RUNBOOK = Kind(
    name="runbook",
    label="Runbook",
    index_heading="Runbooks",
    purpose="Step-by-step procedures for operational tasks",
    filename="runbook-{name}.md",
    examples=("runbook-api-server.md", "runbook-database.md"),
    name_help="service name",
    service_from_name=True,
    empty_index_text="(None yet - create your first runbook!)",
    schema_ref="opsdocs.documents.schemas:RunbookFrontMatter",
    sections=(
        SectionSpec(
            "Service Overview",
            "What is this service? What it does, who uses it, what it depends on.",
        ),
        SectionSpec("SLOs / SLIs", "Performance targets: link the service's SLO documents."),
        SectionSpec(
            "Dashboards & Alerts",
            "Where to find monitoring: dashboards, alerts and what each alert means.",
        ),
        SectionSpec(
            "Common Failures & Diagnostics",
            "Known issues and how to diagnose them: symptom, check, likely cause.",
        ),
        SectionSpec(
            "Step-by-step Procedures",
            "How to perform tasks: numbered steps with the exact commands.",
        ),
        SectionSpec(
            "Escalation & Ownership",
            "Who to contact: owning team, on-call rotation, escalation path.",
        ),
        SectionSpec(
            "DR / Backup / Restore",
            "How to recover: what is backed up, how to restore, link the DR plan.",
        ),
    ),
)

_SLO = Kind(
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

_INCIDENT_RESPONSE = Kind(
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

_DISASTER_RECOVERY = Kind(
    name="disaster-recovery",
    label="DR/BCP Plan",
    index_heading="DR/BCP",
    purpose="Disaster recovery and business continuity",
    filename="disaster-recovery.md",
    empty_index_text="(Create `disaster-recovery.md`)",
    schema_ref="opsdocs.dr.spec:DisasterRecoveryFrontMatter",
    sections=(
        SectionSpec(
            "Recovery Objectives",
            "RTO (Recovery Time Objective) and RPO (Recovery Point Objective) per service.",
        ),
        SectionSpec("Backup Strategy", "What's backed up, how often, where, and for how long."),
        SectionSpec("Restore Procedures", "Step-by-step recovery, with the exact commands."),
        SectionSpec("Failover Plan", "How to switch to backup systems, and how to fail back."),
        SectionSpec(
            "Testing", "How and how often the DR plan is tested; the last test and its result."
        ),
    ),
)

_MONITORING = Kind(
    name="monitoring",
    label="Monitoring & Alerting",
    index_heading="Monitoring & Alerting",
    purpose="What to monitor and the alert thresholds",
    filename="monitoring-{name}.md",
    examples=("monitoring-api-server.md", "monitoring-platform.md"),
    name_help="service or area name",
    schema_ref="opsdocs.monitoring.spec:MonitoringFrontMatter",
    sections=(
        SectionSpec(
            "Signals",
            "What we watch: latency, traffic, errors, saturation, and the metric behind each.",
        ),
        SectionSpec(
            "Alert Catalogue",
            "Every alert: expression, threshold, duration, severity, runbook link.",
        ),
        SectionSpec("Dashboards", "Where each dashboard lives and what question it answers."),
        SectionSpec(
            "Notification Routing", "Which alerts page, which open tickets, and where each is sent."
        ),
        SectionSpec("Known Gaps", "What is not monitored yet, and the plan to close each gap."),
    ),
)

_ON_CALL = Kind(
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

_CAPACITY = Kind(
    name="capacity",
    label="Capacity Plan",
    index_heading="Capacity Planning",
    purpose="Resource forecasting and scaling",
    filename="capacity-{name}.md",
    examples=("capacity-database.md", "capacity-search.md"),
    name_help="service name",
    service_from_name=True,
    schema_ref="opsdocs.documents.schemas:ServiceFrontMatter",
    sections=(
        SectionSpec(
            "Current Usage", "Today's load and resource use, with the dashboard it comes from."
        ),
        SectionSpec(
            "Growth & Forecast",
            "Expected growth, its drivers, and the forecast for the next periods.",
        ),
        SectionSpec(
            "Limits & Headroom",
            "Hard limits (quotas, instance sizes) and the headroom left at peak.",
        ),
        SectionSpec("Scaling Plan", "How and when we scale, the lead time, and who approves it."),
        SectionSpec(
            "Review Triggers", "The signals that make us revisit this plan before its review date."
        ),
    ),
)

_COST = Kind(
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

#: Every kind, in the order the README index lists them (the seed's order first).
KINDS: tuple[Kind, ...] = (
    _RUNBOOK,
    _SLO,
    _INCIDENT_RESPONSE,
    _DISASTER_RECOVERY,
    _MONITORING,
    _ON_CALL,
    _CAPACITY,
    _COST,
    _INCIDENT,
    _POSTMORTEM,
)

_BY_NAME = {k.name: k for k in KINDS} | {a: k for k in KINDS for a in k.aliases}


def get_kind(name: str) -> Kind:
    """The kind called ``name``; raises :class:`UsageError` if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(k.name for k in KINDS)
        raise UsageError(f"unknown kind {name!r}", hint=f"use one of: {known}") from None


def kind_for_filename(filename: str, folder: str = "") -> Kind | None:
    """The kind whose naming rule ``filename`` follows (in ``folder``), if any."""
    for kind in KINDS:
        if kind.folder == folder and kind.match(filename) is not None:
            return kind
    return None

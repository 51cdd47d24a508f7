"""The kind of the monitoring feature: ``monitoring`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind, SectionSpec

__all__ = ["KINDS"]

_MONITORING = Kind(
    index_order=50,
    templates="opsdocs.monitoring",
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

KINDS: tuple[Kind, ...] = (_MONITORING,)

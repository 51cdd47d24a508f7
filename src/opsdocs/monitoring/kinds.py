"""The kind of the monitoring feature: ``monitoring`` documents (template in ``templates/``)."""

from __future__ import annotations

from opsdocs.documents.kinds import Kind

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
)

KINDS: tuple[Kind, ...] = (_MONITORING,)

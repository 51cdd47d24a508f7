"""The ``[tool.opsdocs.monitoring]`` configuration section: where alerts come from and how their
``runbook_url`` maps onto files of the repository."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from opsdocs.config import Config, config_error
from opsdocs.durations import duration_seconds
from opsdocs.validators import Duration

__all__ = ["AlertAction", "MonitoringSettings", "load_monitoring_settings"]

AlertAction = Literal["page", "ticket", "info"]

#: Severity label values understood out of the box (the playbook's ladder adds its own names).
DEFAULT_SEVERITIES: dict[str, AlertAction] = {
    "critical": "page",
    "page": "page",
    "warning": "ticket",
    "ticket": "ticket",
    "info": "info",
    "none": "info",
}


class MonitoringSettings(BaseModel):
    """Settings of ``opsdocs alerts`` and the AL rules; every key is optional."""

    model_config = ConfigDict(extra="forbid")

    rule_files: list[str] = Field(
        default_factory=list,
        description="Globs (relative to the root) of Prometheus rule files and PrometheusRule "
        "manifests.",
    )
    prometheus_url: str | None = Field(
        default=None,
        description="Read the loaded rules from this Prometheus (/api/v1/rules) instead of the "
        "files; also enables the metric-existence warning.",
    )
    slo_alerts: bool = Field(
        default=True, description="Add the alerts 'opsdocs slo rules' generates to the catalogue."
    )
    runbook_urls: dict[str, str] = Field(
        default_factory=dict,
        description="URL prefix -> folder (relative to the root) where that site's pages live.",
    )
    case_insensitive_paths: bool = Field(
        default=False,
        description="Match runbook paths case-insensitively (the site lowercases its paths).",
    )
    severities: dict[str, AlertAction] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITIES),
        description="Severity label value -> page, ticket or info.",
    )
    severity_label: str = Field(default="severity", min_length=1)
    scrape_interval: Duration = Field(default="1m", description="For the flapping check of 'for:'.")
    promtool: bool = Field(
        default=True, description="Run 'promtool check rules' when promtool is installed."
    )
    timeout: float = Field(default=10.0, gt=0, le=300, description="Seconds for Prometheus.")

    @field_validator("runbook_urls")
    @classmethod
    def _prefixes(cls, value: dict[str, str]) -> dict[str, str]:
        for prefix, folder in value.items():
            if not prefix.strip():
                raise ValueError("an empty URL prefix would match every URL")
            if not folder.strip():
                raise ValueError(f"{prefix!r}: the folder is empty")
        return value

    @property
    def scrape_seconds(self) -> int:
        return duration_seconds(self.scrape_interval)

    def action(self, severity: str | None, ladder: dict[str, AlertAction]) -> AlertAction | None:
        """What an alert of ``severity`` does (None: not a known severity)."""
        if severity is None:
            return None
        for table in (self.severities, ladder):
            for name, action in table.items():
                if name.lower() == severity.lower():
                    return action
        return None


def load_monitoring_settings(config: Config) -> MonitoringSettings:
    """Validate the ``monitoring`` table; raises :class:`ConfigError` at the key.

    A ``runbook_urls`` folder must stay inside the workspace.
    """
    settings = config.load_section("monitoring", MonitoringSettings, hint="see docs/monitoring.md")
    root = os.path.realpath(config.root)
    for prefix, folder in settings.runbook_urls.items():
        target = os.path.realpath(os.path.join(config.root, folder))
        if Path(folder).is_absolute() or not (target == root or target.startswith(root + os.sep)):
            raise config_error(
                config.source,
                ("monitoring", "runbook_urls", prefix),
                f"folder {folder!r} is outside the workspace",
                hint="map the URL prefix to a folder inside the repository",
            )
    return settings

"""The ``[tool.opsdocs.report]`` configuration section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from opsdocs.config import validate_section
from opsdocs.durations import duration_seconds
from opsdocs.validators import EnvName, Frozen

__all__ = ["ReportSettings", "SourceName", "StaleAfter", "load_report_settings"]

SourceName = Literal["logs", "prometheus"]


class StaleAfter(Frozen):
    """How old the newest data may be before a report says STALE instead of a verdict."""

    prometheus: str = Field(
        default="15m", description="Limit for the prometheus source: a duration, or 'off'."
    )
    logs: str = Field(
        default="off",
        description="Limit for the logs source (logs are often read after the fact): 'off'.",
    )

    @field_validator("prometheus", "logs")
    @classmethod
    def _limit(cls, value: str) -> str:
        if value.strip() != "off":
            duration_seconds(value.strip())
        return value.strip()

    def seconds(self, source: str) -> int | None:
        """The limit for ``source`` in seconds; None when off."""
        value = self.prometheus if source == "prometheus" else self.logs
        return None if value == "off" else duration_seconds(value)


class ReportSettings(Frozen):
    """Settings of ``opsdocs slo report``; every key is optional."""

    source: SourceName = Field(default="logs", description="Where events come from.")
    prometheus_url: str | None = Field(
        default=None, description="Base URL of the Prometheus HTTP API (or Thanos, Mimir, ...)."
    )
    token_env: EnvName | None = Field(
        default=None, description="Environment variable holding a bearer token for Prometheus."
    )
    timeout: float = Field(default=30.0, gt=0, description="Seconds per HTTP request.")
    retries: int = Field(default=3, ge=0, le=10, description="Retries on 5xx and network errors.")
    chart_dir: str | None = Field(default=None, description="Default folder for --chart.")
    stale_after: StaleAfter = Field(
        default_factory=StaleAfter,
        description="Newest data older than this gives STALE instead of a verdict.",
    )


def load_report_settings(
    raw: dict[str, Any] | None, *, source: str = "configuration"
) -> ReportSettings:
    """Validate the raw ``report`` section; raises :class:`ConfigError` naming key and file."""
    return validate_section(
        ReportSettings, raw or {}, source, ("report",), hint="see docs/reports.md#configuration"
    )

"""Front matter of monitoring documents (``monitoring-{service}.md``) and the alerts a runbook
names: what to monitor, as data."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from opsdocs.documents.schemas import OptionalServiceFrontMatter
from opsdocs.validators import Strict

__all__ = ["AlertThreshold", "Dashboard", "MonitoringFrontMatter", "Signal"]


class Signal(Strict):
    """One golden signal: what is watched and the query behind it."""

    name: str = Field(min_length=1, description="latency, traffic, errors, saturation, ...")
    query: str = Field(min_length=1, description="The PromQL query that measures it.")
    description: str | None = None


class Dashboard(Strict):
    """A dashboard: a URL, or a Grafana dashboard JSON file in the repository (or both)."""

    title: str = Field(min_length=1)
    url: str | None = Field(default=None, description="Where people open it.")
    file: str | None = Field(
        default=None, description="Grafana dashboard JSON, relative to the document."
    )

    @model_validator(mode="after")
    def _somewhere(self) -> Dashboard:
        if self.url is None and self.file is None:
            raise ValueError("give the dashboard a 'url' or a 'file'")
        return self


class AlertThreshold(Strict):
    """An alert this service relies on, and its threshold in words."""

    name: str = Field(min_length=1, description="The alert's name (its 'alert:' in the rules).")
    threshold: str | None = Field(default=None, description="e.g. 'error ratio > 2 % for 5m'.")
    severity: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


class MonitoringFrontMatter(OptionalServiceFrontMatter):
    """A monitoring document: golden signals, dashboards and the alerts it relies on."""

    signals: list[Signal] = Field(default_factory=list)
    dashboards: list[Dashboard] = Field(default_factory=list)
    alerts: list[AlertThreshold] = Field(default_factory=list)

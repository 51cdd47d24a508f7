"""The ``[tool.opsdocs.slo]`` configuration section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from opsdocs.config import validate_section
from opsdocs.durations import duration_seconds
from opsdocs.slo.windows import DEFAULT_WINDOWS, Severity, WindowPair
from opsdocs.validators import Duration

__all__ = ["SloSettings", "WindowSetting", "load_settings"]

RuleFormat = Literal["prometheus", "prometheus-operator"]


class WindowSetting(BaseModel):
    """One entry of a custom window catalogue."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity
    short: Duration
    long: Duration
    budget_percent: float = Field(gt=0, le=100)

    def pair(self) -> WindowPair:
        return WindowPair(
            self.severity,
            duration_seconds(self.short),
            duration_seconds(self.long),
            self.budget_percent,
        )


class SloSettings(BaseModel):
    """Settings of the ``slo`` feature; every key is optional."""

    model_config = ConfigDict(extra="forbid")

    docs_base_url: str | None = Field(
        default=None, description="Where the docs are served; runbook_url links start with it."
    )
    docs_link_style: Literal["md", "html", "dir"] = Field(
        default="md",
        description="How the served docs spell a page: runbook-api.md, runbook-api.html or"
        " runbook-api/ (static site generators).",
    )
    scrape_interval: Duration = Field(default="1m", description="Prometheus scrape interval.")
    min_window_scrapes: int = Field(
        default=4, ge=1, description="Scrapes the shortest alert window must span at least."
    )
    output_dir: str = Field(default="rules/slo", description="Where 'slo rules' writes.")
    tests_dir: str | None = Field(
        default=None,
        description="Where 'slo rules --tests' writes the promtool tests (default: the output"
        " folder's name with '-tests', e.g. rules/slo-tests), apart from the rules so that"
        " Prometheus's rule_files globs do not load them.",
    )
    format: RuleFormat = "prometheus"
    windows: list[WindowSetting] | None = Field(
        default=None, description="Window catalogue replacing the workbook's four pairs."
    )

    @field_validator("windows")
    @classmethod
    def _two_each(cls, value: list[WindowSetting] | None) -> list[WindowSetting] | None:
        if value is None:
            return value
        for severity in ("page", "ticket"):
            count = sum(1 for w in value if w.severity == severity)
            if count != 2:
                raise ValueError(f"needs exactly two '{severity}' windows (got {count})")
        for w in value:
            if duration_seconds(w.short) >= duration_seconds(w.long):
                raise ValueError(f"short window {w.short} must be shorter than long {w.long}")
        return value

    def tests_dir_for(self, output_dir: str) -> str:
        """The tests folder for rules written to ``output_dir``."""
        if self.tests_dir is not None:
            return self.tests_dir
        return output_dir.rstrip("/") + "-tests"

    def window_pairs(self) -> tuple[WindowPair, ...]:
        """The catalogue in use: page pairs first, each severity's fastest pair first."""
        if self.windows is None:
            return DEFAULT_WINDOWS
        pairs = [w.pair() for w in self.windows]
        pairs.sort(key=lambda p: (p.severity != "page", p.long, p.short))
        return tuple(pairs)


def load_settings(raw: dict[str, Any] | None, *, source: str = "configuration") -> SloSettings:
    """Validate the raw ``slo`` section; raises :class:`ConfigError` naming the key and file."""
    return validate_section(
        SloSettings, raw or {}, source, ("slo",), hint="see docs/slo-spec.md#configuration"
    )

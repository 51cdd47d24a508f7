"""The SLO spec carried in the front matter of ``slo`` documents.

One document holds the SLOs of one service under ``slos:``. Everything inside an SLO is strict
(``extra="forbid"``): a misspelt key must fail rather than silently produce different alerts.
The keys are described in ``docs/slo-spec.md``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from opsdocs.documents.schemas import ServiceFrontMatter
from opsdocs.durations import checked, period_seconds
from opsdocs.slo.logsource import LogsSource
from opsdocs.slo.windows import format_float
from opsdocs.validators import NAME, Strict, unique_names

__all__ = [
    "WINDOW_PLACEHOLDER",
    "AlertSpec",
    "AlertingSpec",
    "Indicator",
    "LatencyIndicator",
    "NoDataPolicy",
    "ProbeIndicator",
    "RatioIndicator",
    "RawIndicator",
    "SloFrontMatter",
    "SloSection",
    "SloSpec",
    "SlothManifest",
    "budget_fraction",
    "budget_ratio",
    "has_placeholder",
    "render_window",
]

NoDataPolicy = Literal["good", "bad", "skip"]

WINDOW_PLACEHOLDER = "{{window}}"
_PLACEHOLDER = re.compile(r"\{\{\s*window\s*\}\}")
_LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
_METRIC_NAME = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
_SLO_NAME = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"

LabelName = Annotated[str, Field(pattern=_LABEL_NAME)]
#: An SLO period as written ('30d', '4w'), checked by :func:`opsdocs.durations.period_seconds`.
Period = Annotated[str, AfterValidator(checked(period_seconds))]
Labels = dict[LabelName, str]


def has_placeholder(query: str) -> bool:
    """Whether a query carries the ``{{window}}`` range placeholder."""
    return _PLACEHOLDER.search(query) is not None


def render_window(query: str, window: str) -> str:
    """The query with every ``{{window}}`` replaced by a Prometheus duration."""
    if "{{ " in query or " }}" in query:
        return _PLACEHOLDER.sub(window, query)
    return query.replace(WINDOW_PLACEHOLDER, window)


class RatioIndicator(Strict):
    """Bad (or good) events over all events, each a PromQL query with ``{{window}}``."""

    type: Literal["ratio"]
    errors: str | None = Field(default=None, min_length=1, description="Rate of bad events.")
    good: str | None = Field(default=None, min_length=1, description="Rate of good events.")
    total: str = Field(min_length=1, description="Rate of all events.")

    @model_validator(mode="after")
    def _one_of(self) -> RatioIndicator:
        if (self.errors is None) == (self.good is None):
            raise ValueError("give exactly one of 'errors' and 'good', beside 'total'")
        return self


class LatencyIndicator(Strict):
    """Requests slower than a histogram bucket are bad."""

    type: Literal["latency"]
    metric: str = Field(pattern=_METRIC_NAME, description="The histogram's _bucket series.")
    selector: str = Field(default="", description='Label matchers, e.g. job="api".')
    # buckets before threshold: the threshold's validator reads them, so an error names the key
    buckets: tuple[float, ...] | None = Field(
        default=None, description="The histogram's bucket bounds, to check the threshold."
    )
    threshold: float = Field(gt=0, description="Upper bound of a good request; one of the le.")

    @field_validator("metric")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not value.endswith("_bucket"):
            raise ValueError(f"must be a histogram's '_bucket' series (got {value!r})")
        return value

    @field_validator("threshold")
    @classmethod
    def _threshold_is_bucket(cls, value: float, info: ValidationInfo) -> float:
        buckets = info.data.get("buckets")
        if buckets is not None and value not in buckets:
            raise ValueError(
                f"threshold {format_float(value)} is not one of the buckets; a latency SLI can"
                " only count requests at a bucket bound"
            )
        return value


class RawIndicator(Strict):
    """A PromQL query that returns the error ratio itself."""

    type: Literal["raw"]
    error_ratio: str = Field(min_length=1)


class ProbeIndicator(Strict):
    """Availability from a 0/1 gauge (``probe_success`` of the blackbox exporter)."""

    type: Literal["probe"]
    metric: str = Field(default="probe_success", pattern=_METRIC_NAME)
    selector: str = ""


Indicator = Annotated[
    RatioIndicator | LatencyIndicator | RawIndicator | ProbeIndicator,
    Field(discriminator="type"),
]


class AlertSpec(Strict):
    """One of the two alerts (page or ticket)."""

    enabled: bool = True
    labels: Labels = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class AlertingSpec(Strict):
    """Name, labels and annotations shared by the page and the ticket alert."""

    name: str | None = Field(default=None, pattern=_LABEL_NAME)
    labels: Labels = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    page: AlertSpec = Field(default_factory=AlertSpec)
    ticket: AlertSpec = Field(default_factory=AlertSpec)


@lru_cache(maxsize=1024)
def budget_fraction(objective: float) -> Fraction:
    """The exact error budget of an objective in percent, as a fraction of events.

    The decimal the user wrote (99.9), not its binary neighbour, so 99.9 gives exactly 1/1000.
    """
    return (100 - Fraction(Decimal(repr(objective)))) / 100


@lru_cache(maxsize=1024)
def budget_ratio(objective: float) -> float:
    """The error budget of an objective in percent as a float, correctly rounded (99.9 →
    0.001)."""
    return float(budget_fraction(objective))


class SloSpec(Strict):
    """One service level objective."""

    name: str = Field(pattern=_SLO_NAME, description="Short name, unique in the document.")
    description: str = ""
    objective: float = Field(description="Target percentage of good events, 0 < x < 100.")
    period: Period = Field(default="30d", description="Rolling period: 'Nd' or 'Nw'.")
    indicator: Indicator
    no_data: NoDataPolicy = Field(
        default="skip", description="A window without events counts as good, bad, or is skipped."
    )
    alerting: AlertingSpec = Field(default_factory=AlertingSpec)
    labels: Labels = Field(default_factory=dict)
    logs: LogsSource | None = Field(
        default=None, description="Request logs to measure it from ('opsdocs slo report')."
    )

    @field_validator("objective")
    @classmethod
    def _objective(cls, value: float) -> float:
        if not 0 < value < 100:
            raise ValueError(f"must be a percentage above 0 and below 100 (got {value:.12g})")
        return value

    @property
    def period_seconds(self) -> int:
        return period_seconds(self.period)

    @property
    def budget_fraction(self) -> Fraction:
        """Exact error budget as a fraction of events (99.9 → 1/1000)."""
        return budget_fraction(self.objective)

    @property
    def budget(self) -> float:
        """Error budget ratio, correctly rounded (99.9 → 0.001)."""
        return budget_ratio(self.objective)

    @property
    def objective_ratio(self) -> float:
        return float(1 - budget_fraction(self.objective))


#: A service's SLOs, uniquely named.
Slos = Annotated[
    list[SloSpec], AfterValidator(unique_names("two SLOs are named {!r}; names must be unique"))
]


_K8S_NAME = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"


class SlothManifest(Strict):
    """The Kubernetes manifest (``sloth.slok.dev/v1`` ``PrometheusServiceLevel``) a document's
    SLOs were imported from: its spec version, kept in the ``sloth_spec`` label of Sloth-mode
    metadata rules, and its name, namespace and labels, kept by PrometheusRule output."""

    spec: str = Field(default="sloth.slok.dev/v1", min_length=1)
    name: str | None = Field(default=None, pattern=_K8S_NAME)
    namespace: str | None = Field(default=None, pattern=_K8S_NAME)
    labels: dict[str, str] = Field(default_factory=dict)


class SloFrontMatter(ServiceFrontMatter):
    """Front matter of an ``slo`` document: the service keys plus its SLOs."""

    slos: Slos = Field(default_factory=list, description="The service's SLOs.")
    sloth: SlothManifest | None = Field(
        default=None, description="The Sloth manifest the SLOs were imported from."
    )


class SloSection(BaseModel):
    """Only what compiling needs (``service`` and ``slos``), so that a document whose other keys
    are incomplete (a missing review date, which ``check`` reports) still compiles."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    service: str = Field(min_length=1, pattern=NAME)
    slos: Slos = Field(default_factory=list)
    sloth: SlothManifest | None = None

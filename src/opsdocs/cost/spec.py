"""The cost spec carried in the front matter of ``cost`` documents.

A document (``cost-{scope}.md``) names the billing exports to read (``sources``: globs of FOCUS
1.x files, relative to the workspace root), which cost column counts, and ``budgets``: each a
monthly amount in a currency, owned by the billing lines whose ``Tags`` carry every given
key/value. Strict (``extra="forbid"``): a misspelt key must fail rather than silently drop a
budget. The keys are described in ``docs/cost.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from opsdocs.documents.schemas import OptionalServiceFrontMatter
from opsdocs.validators import NAME, NAME_PATTERN, Frozen, unique_names

__all__ = ["Budget", "CostFrontMatter", "UnitMetric"]

_CURRENCY = r"^[A-Z]{3}$"


class UnitMetric(Frozen):
    """What a budget's spend is divided by: the requests an SLO's indicator counts."""

    slo: str = Field(
        pattern=rf"^{NAME_PATTERN}/{NAME_PATTERN}$",
        description="The SLO whose indicator counts the requests, as service/slo.",
    )
    per: int = Field(
        default=1_000_000, gt=0, description="Cost per this many requests (default a million)."
    )


class Budget(Frozen):
    """One budget owner (a service or a team) and the billing lines it owns."""

    name: str = Field(pattern=NAME, description="The service or team that owns the budget.")
    monthly: Decimal = Field(gt=0, description="Budget per calendar month, e.g. '1200.00'.")
    currency: str | None = Field(
        default=None, pattern=_CURRENCY, description="ISO 4217 code (default: the document's)."
    )
    tags: dict[str, str] = Field(
        min_length=1,
        description="Tag key -> value; a billing line is owned when its Tags has all of them.",
    )
    threshold: Decimal | None = Field(
        default=None, gt=0, description="Percent of budget the forecast may reach (default: 100)."
    )
    unit: UnitMetric | None = Field(
        default=None, description="The unit cost: spend per requests of an SLO's indicator."
    )


class CostFrontMatter(OptionalServiceFrontMatter):
    """Front matter of a ``cost`` document: the common keys plus the cost spec."""

    sources: list[str] = Field(
        default_factory=list, description="Globs of FOCUS 1.x exports (CSV or Parquet, gzip)."
    )
    cost_column: Literal["BilledCost", "EffectiveCost"] = Field(
        default="BilledCost", description="The FOCUS cost column that is summed."
    )
    currency: str = Field(default="USD", pattern=_CURRENCY, description="ISO 4217 code.")
    threshold: Decimal = Field(
        default=Decimal(100), gt=0, description="Percent of budget the forecast may reach."
    )
    untagged_max: Decimal | None = Field(
        default=None, ge=0, le=100, description="Largest share (percent) of untagged spend."
    )
    exchange_rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="BillingCurrency -> how much one unit of it is in 'currency' (e.g. EUR: "
        "'1.08'), for exports that bill in several currencies.",
    )
    budgets: Annotated[
        list[Budget], AfterValidator(unique_names("budget {!r} is listed twice"))
    ] = Field(default_factory=list, description="One entry per owner.")

    @field_validator("exchange_rates")
    @classmethod
    def _rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        import re

        for code, rate in value.items():
            if not re.match(_CURRENCY, code):
                raise ValueError(f"{code!r} is not an ISO 4217 currency code")
            if rate <= 0:
                raise ValueError(f"the rate of {code} must be greater than 0")
        return value

"""The capacity spec carried in the front matter of ``capacity`` documents.

A document (``capacity-{service}.md``) lists ``resources``: each has a usage source (a PromQL
query, or a column of CSV/Parquet files read with DuckDB), its limit (a number, or a query or
column giving it), the threshold to act at (a percent of the limit), the horizon to plan for, the
scaling action and its lead time. Strict (``extra="forbid"``): a misspelt key must fail rather
than silently drop a resource. The keys are described in ``docs/capacity.md``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from opsdocs.documents.schemas import ServiceFrontMatter
from opsdocs.durations import duration_seconds
from opsdocs.validators import NAME, Duration, Strict, unique_names

__all__ = ["CapacityFrontMatter", "LimitSource", "Resource", "Usage"]

_COLUMN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class Usage(Strict):
    """Where a resource's usage comes from: a PromQL query, or a column of data files."""

    query: str | None = Field(
        default=None, min_length=1, description="PromQL returning one series: the usage."
    )
    files: list[str] = Field(
        default_factory=list,
        description="Globs of CSV or Parquet files (gzip too), relative to the workspace root.",
    )
    column: str | None = Field(
        default=None, pattern=_COLUMN, description="The files' column holding the usage."
    )
    time_column: str = Field(
        default="timestamp", pattern=_COLUMN, description="The files' column of sample times."
    )
    where: dict[str, str] = Field(
        default_factory=dict,
        description="Column -> value: only rows with these values are read (one series).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Usage:
        if self.query and self.files:
            raise ValueError("give either query or files, not both")
        if not self.query and not self.files:
            raise ValueError("give a PromQL query or files with a column")
        if self.files and not self.column:
            raise ValueError("files need the column that holds the usage")
        if self.query and (self.column or self.where):
            raise ValueError("column and where go with files, not with a query")
        for key in self.where:
            if not re.match(_COLUMN, key):
                raise ValueError(f"where: {key!r} is not a column name")
        return self


class LimitSource(Strict):
    """A limit read at report time: a PromQL query, or a column of the usage files."""

    query: str | None = Field(default=None, min_length=1, description="PromQL: the limit now.")
    column: str | None = Field(
        default=None, pattern=_COLUMN, description="The usage files' column holding the limit."
    )

    @model_validator(mode="after")
    def _one(self) -> LimitSource:
        if bool(self.query) == bool(self.column):
            raise ValueError("give the limit as a query or a column (one of them)")
        return self


class Resource(Strict):
    """One resource: its usage, limit, threshold, horizon, scaling action and lead time."""

    name: str = Field(pattern=NAME, description="Resource name, e.g. 'disk' or 'connections'.")
    unit: str = Field(default="", max_length=16, description="Unit shown with values, e.g. GiB.")
    usage: Usage = Field(description="Where the usage comes from.")
    limit: float | LimitSource = Field(
        description="The hard limit: a number, or {query: ...} / {column: ...}."
    )
    threshold: float = Field(
        default=80, gt=0, le=100, description="Percent of the limit to act at (default 80)."
    )
    horizon: Duration = Field(default="90d", description="How far ahead to forecast.")
    history: Duration = Field(default="8w", description="How much history the forecast reads.")
    step: Duration = Field(default="1h", description="Resolution the history is read at.")
    action: str = Field(default="", description="The scaling action, e.g. 'grow the volume'.")
    lead_time: Duration = Field(description="How long the scaling action takes, e.g. '14d'.")

    @field_validator("limit")
    @classmethod
    def _positive(cls, value: float | LimitSource) -> float | LimitSource:
        if isinstance(value, float | int) and not value > 0:
            raise ValueError("the limit must be greater than zero")
        return value

    @model_validator(mode="after")
    def _limit_matches_usage(self) -> Resource:
        if isinstance(self.limit, LimitSource):
            if self.limit.query and not self.usage.query:
                raise ValueError("a limit query needs a usage query (or give a column)")
            if self.limit.column and not self.usage.files:
                raise ValueError("a limit column needs usage files (or give a query)")
        if duration_seconds(self.step) > 86400:
            raise ValueError("step must be at most 1d")
        return self


class CapacityFrontMatter(ServiceFrontMatter):
    """Front matter of a ``capacity`` document: the common keys plus the resources."""

    resources: Annotated[
        list[Resource], AfterValidator(unique_names("resource {!r} is listed twice"))
    ] = Field(default_factory=list, description="One entry per resource.")

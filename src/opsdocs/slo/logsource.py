"""The ``logs`` key of an SLO: how to measure it from request logs (``opsdocs slo report``).

It names the files, their format, the fields that hold the time, the status and the latency, which
requests count, and what makes a request good. Kept in its own module so the spec model only
gains one optional field. The keys are described in ``docs/reports.md``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from opsdocs.validators import Frozen

__all__ = ["GoodRule", "LogFormat", "LogsSource", "TimestampFormat"]

LogFormat = Literal["csv", "jsonl", "parquet", "combined"]
TimestampFormat = str  # "auto" | "iso" | "epoch_s" | "epoch_ms" | "epoch_us" | a strptime pattern

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class GoodRule(Frozen):
    """What makes a counted request good; every condition given must hold."""

    status_below: int | None = Field(
        default=None, ge=100, le=1000, description="Good when the status is below this (500)."
    )
    latency_at_most: float | None = Field(
        default=None, gt=0, description="Good when the latency is at most this many seconds."
    )


class LogsSource(Frozen):
    """Where the request logs of one SLO are and how to read them."""

    files: str | list[str] = Field(
        description="Glob(s) of log files, relative to the workspace root; .gz is read as gzip."
    )
    format: LogFormat | None = Field(
        default=None, description="csv, jsonl, parquet or combined; default from the extension."
    )
    timestamp: str | None = Field(
        default=None,
        description="Field with the request time (default 'timestamp'; combined: the [time]).",
    )
    timestamp_format: TimestampFormat = Field(
        default="auto",
        description="auto, iso, epoch_s, epoch_ms, epoch_us, or a strptime pattern.",
    )
    status: str | None = Field(default=None, description="Field with the HTTP status.")
    latency: str | None = Field(default=None, description="Field with the request duration.")
    latency_unit: Literal["s", "ms", "us"] = Field(default="s", description="Unit of latency.")
    include: dict[str, list[str | int]] = Field(
        default_factory=dict,
        description="Only requests whose field equals one of the values count ('x*': prefix).",
    )
    exclude: dict[str, list[str | int]] = Field(
        default_factory=dict,
        description="Requests whose field equals one of the values do not count ('x*': prefix).",
    )
    good: GoodRule | None = Field(
        default=None,
        description="Default: latency SLIs latency_at_most the threshold, others status_below 500.",
    )

    @field_validator("files")
    @classmethod
    def _files(cls, value: str | list[str]) -> str | list[str]:
        items = [value] if isinstance(value, str) else value
        if not items or any(not item.strip() for item in items):
            raise ValueError("give at least one file or glob")
        return value

    @field_validator("timestamp", "status", "latency")
    @classmethod
    def _field_name(cls, value: str | None) -> str | None:
        if value is not None and not _FIELD.match(value):
            raise ValueError(
                f"must be a field name such as 'status' or 'http.status' (got {value!r})"
            )
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _filter_fields(cls, value: dict[str, list[str | int]]) -> dict[str, list[str | int]]:
        for key, values in value.items():
            if not _FIELD.match(key):
                raise ValueError(f"must map field names to values (got field {key!r})")
            if not values:
                raise ValueError(f"{key}: give at least one value")
        return value

    @property
    def patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files)

"""Usage series with a known trend and seasonality, and capacity documents, for the tests.

A series is ``base + slope × days + daily × sin(2π days) + weekly × sin(2π days / 7) + noise``
sampled every ``step`` seconds; :meth:`Shape.crossing` is the first hour after a time at which
the noise-free curve reaches a level: the date a correct forecast must bracket.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

OPS = "docs/internal/operations"
#: The end of every generated history (the report time of the tests).
END = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Shape:
    """A noise-free usage curve; ``days`` are counted from ``start``."""

    start: dt.datetime
    base: float
    slope: float  # per day
    daily: float = 0.0
    weekly: float = 0.0
    noise: float = 0.0

    def value(self, at: float) -> float:
        days = (at - self.start.timestamp()) / 86400
        return (
            self.base
            + self.slope * days
            + self.daily * math.sin(2 * math.pi * days)
            + self.weekly * math.sin(2 * math.pi * days / 7)
        )

    def samples(
        self, end: dt.datetime = END, step: int = 300, seed: int = 1
    ) -> list[tuple[float, float]]:
        """(Unix seconds, value) every ``step`` from ``start`` up to ``end``, with noise."""
        rng = random.Random(seed)
        first, last = int(self.start.timestamp()), int(end.timestamp())
        return [
            (t, self.value(t) + (rng.gauss(0, self.noise) if self.noise else 0.0))
            for t in range(first, last + 1, step)
        ]

    def crossing(self, after: dt.datetime, level: float, *, within: int = 400 * 86400) -> float:
        """The first whole hour after ``after`` at which the curve reaches ``level``."""
        t = after.timestamp()
        t -= t % 3600
        for _ in range(within // 3600):
            t += 3600
            if self.value(t) >= level:
                return t
        raise AssertionError("no crossing")


def days_before(days: float, end: dt.datetime = END) -> dt.datetime:
    return end - dt.timedelta(days=days)


def write_csv(
    path: Path,
    samples: list[tuple[float, float]],
    *,
    host: str = "db-1",
    limit: float | None = None,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,host,used" + (",size" if limit is not None else "")]
    for t, v in samples:
        stamp = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{stamp},{host},{v:.4f}" + (f",{limit:g}" if limit is not None else ""))
    path.write_text("\n".join(lines) + "\n")


def openmetrics(series: dict[str, list[tuple[float, float]]]) -> str:
    """OpenMetrics text of gauges ``{'name{labels}': samples}`` (grouped by metric name)."""
    out: list[str] = []
    by_metric: dict[str, list[str]] = {}
    for key in series:
        by_metric.setdefault(key.split("{", 1)[0], []).append(key)
    for metric, keys in by_metric.items():
        out.append(f"# TYPE {metric} gauge")
        for key in keys:
            out.extend(f"{key} {v:.4f} {int(t)}" for t, v in series[key])
    out.append("# EOF")
    return "\n".join(out) + "\n"


def capacity_doc(resources: str, *, service: str = "database") -> str:
    """A capacity document whose front matter lists ``resources`` (YAML, unindented)."""
    body = textwrap.indent(textwrap.dedent(resources).strip("\n"), "  ")
    return (
        "---\n"
        "kind: capacity\n"
        f'title: "{service.title()} Capacity Plan"\n'
        "owner: team-db\n"
        f"service: {service}\n"
        "last_reviewed: 2026-11-01\n"
        "review_every: 90d\n"
        "resources:\n"
        f"{body}\n"
        "---\n\n"
        f"# {service.title()} Capacity Plan\n\n"
        "## Current Usage\n\nFrom the dashboards.\n\n"
        "## Growth & Forecast\n\nSee below.\n\n"
        "## Limits & Headroom\n\nThe volume is 1000 GiB.\n\n"
        "## Scaling Plan\n\nGrow the volume.\n\n"
        "## Review Triggers\n\nA new tenant.\n"
    )

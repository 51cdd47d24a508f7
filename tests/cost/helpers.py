"""FOCUS 1.x billing exports and cost documents generated for the tests."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

OPS = "docs/internal/operations"
#: The FOCUS 1.x columns the generated exports carry (a subset of the specification's).
COLUMNS = (
    "BillingAccountId",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceName",
    "Tags",
)
#: The same with FOCUS's ChargeClass (``Correction`` on corrections of earlier periods).
WITH_CLASS = (*COLUMNS, "ChargeClass")


@dataclass(frozen=True)
class Line:
    """One billing line."""

    day: dt.date
    service: str
    cost: Decimal
    tags: dict[str, str]
    currency: str = "USD"
    category: str = "Usage"
    charge_class: str = ""

    def row(self) -> dict[str, str]:
        start = dt.datetime.combine(self.day, dt.time(), dt.UTC)
        return {
            "BillingAccountId": "acct-1",
            "BillingCurrency": self.currency,
            "BilledCost": str(self.cost),
            "EffectiveCost": str(self.cost),
            "ChargeCategory": self.category,
            "ChargeClass": self.charge_class,
            "ChargePeriodStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ChargePeriodEnd": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ServiceName": self.service,
            "Tags": json.dumps(self.tags),
        }


def generate(seed: int, month: dt.date, days: int, *, per_day: int = 40) -> list[Line]:
    """Lines for the first ``days`` days of ``month`` and every day of the month before, costs
    with up to ten decimals (as cloud exports have)."""
    rng = random.Random(seed)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    dates = [previous + dt.timedelta(days=i) for i in range((month - previous).days)]
    dates += [month + dt.timedelta(days=i) for i in range(days)]
    lines = []
    for day in dates:
        for _ in range(per_day):
            service = rng.choice(["Amazon EC2", "Amazon S3", "Amazon RDS", "AWS Lambda"])
            owner = rng.choice(["api", "search", "web", None])
            tags = {"service": owner, "env": "prod"} if owner else {"env": "prod"}
            cost = Decimal(rng.randrange(0, 5_000_000_000)) / Decimal(10**7)
            lines.append(Line(day, service, cost, tags))
    return lines


def focus_csv(lines: list[Line], *, gz: bool = False, columns: tuple[str, ...] = COLUMNS) -> bytes:
    """The lines as a FOCUS CSV export (gzip-compressed when ``gz``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for line in lines:
        writer.writerow(line.row())
    data = out.getvalue().encode()
    return gzip.compress(data) if gz else data


def focus_parquet(lines: list[Line], path: Path, *, charge_class: bool = False) -> None:
    """The lines as a FOCUS Parquet export with the specification's types: decimal costs, UTC
    timestamps, the tags as a JSON object string."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE focus (BillingAccountId VARCHAR, BillingCurrency VARCHAR,"
        " BilledCost DECIMAL(38, 10), EffectiveCost DECIMAL(38, 10), ChargeCategory VARCHAR,"
        " ChargePeriodStart TIMESTAMPTZ, ChargePeriodEnd TIMESTAMPTZ, ServiceName VARCHAR,"
        " Tags VARCHAR" + (", ChargeClass VARCHAR)" if charge_class else ")")
    )
    columns = WITH_CLASS if charge_class else COLUMNS
    con.executemany(
        f"INSERT INTO focus VALUES ({', '.join('?' * len(columns))})",
        [[line.row()[c] or None for c in columns] for line in lines],
    )
    con.execute(f"COPY focus TO '{path}' (FORMAT parquet)")
    con.close()


def cost_doc(budgets_yaml: str, *, extra: str = "", sources: str = "[billing/*.csv]") -> str:
    """A cost document with ``budgets_yaml`` under ``budgets:``."""
    body = textwrap.indent(textwrap.dedent(budgets_yaml).strip("\n"), "  ")
    source = f"sources: {sources}\n" if sources else ""
    return (
        "---\nkind: cost\ntitle: Cost\nowner: team-sre\nlast_reviewed: 2026-11-01\n"
        f"{source}{extra}budgets:\n{body}\n---\n\n# Cost\n"
    )


BUDGETS = """
- name: api
  monthly: "1200.00"
  tags: {service: api}
- name: search
  monthly: "5000"
  tags: {service: search}
  threshold: 90
"""


def slo_doc(errors: str, total: str, *, source: str = "") -> str:
    """The API's SLO document: one availability ratio of ``errors`` over ``total``, then
    ``source`` (YAML lines of the SLO, e.g. its logs)."""
    return (
        "---\nkind: slo\ntitle: API SLOs\nowner: team-sre\nservice: api\n"
        'last_reviewed: "2026-11-01"\nslos:\n  - name: availability\n    objective: 99.5\n'
        f"    indicator:\n      type: ratio\n      errors: {errors}\n      total: {total}\n"
        f"{source}---\n\n# API SLOs\n"
    )


def findings_exit(data: dict[str, Any]) -> int:
    """The exit code ``cost report --format json`` owes its output: 1 when the report marks a
    forecast over its threshold, the untagged share over its maximum, or an anomalous day."""
    marked = data["untagged_over"] or data["anomalies"]
    return int(bool(marked or any(b["over_threshold"] for b in data["budgets"])))

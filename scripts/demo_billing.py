"""A FOCUS 1.x billing export for the demo: October and November 2026 up to the 19th.

Deterministic (seeded): hourly charges for the services the demo's cost document budgets
(api-server on EC2, search on OpenSearch, database on RDS), shared networking tagged with a
service that has no budget (untagged spend), a credit, and one day (2026-11-12) when a search
reindex ran all day and its spend quadrupled. Written as gzip-compressed CSV, as a billing account
exports it.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
SPIKE = dt.date(2026, 11, 12)
COLUMNS = [
    "BillingAccountId", "BillingCurrency", "BilledCost", "EffectiveCost", "ChargeCategory",
    "ChargeClass", "ChargePeriodStart", "ChargePeriodEnd", "ServiceName", "Tags",
]  # fmt: skip
#: service tag -> (FOCUS ServiceName, USD per hour)
HOURLY = {
    "api-server": ("Amazon Elastic Compute Cloud", Decimal("11.40")),
    "search": ("Amazon OpenSearch Service", Decimal("4.90")),
    "database": ("Amazon Relational Database Service", Decimal("7.80")),
    "platform": ("Amazon Virtual Private Cloud", Decimal("1.05")),
}


def _row(start: dt.datetime, service: str, tag: str, cost: Decimal, category: str) -> list[str]:
    end = start + dt.timedelta(hours=1)
    return [
        "123456789012", "USD", str(cost), str(cost), category, "",
        start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ"), service,
        json.dumps({"service": tag, "env": "prod"}),
    ]  # fmt: skip


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "billing")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261119)
    rows = []
    hour = START
    while hour < END:
        for tag, (service, rate) in HOURLY.items():
            factor = Decimal(rng.randint(90, 110)) / 100
            if tag == "search" and hour.date() == SPIKE:
                factor *= 4
            cost = (rate * factor).quantize(Decimal("0.0000000001"))
            rows.append(_row(hour, service, tag, cost, "Usage"))
        hour += dt.timedelta(hours=1)
    # a support credit on the API's compute, booked on the 5th
    credit = dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
    rows.append(_row(credit, HOURLY["api-server"][0], "api-server", Decimal("-150.00"), "Credit"))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path = out / "focus-2026-10-11.csv.gz"
    # mtime=0: the same bytes on every run
    path.write_bytes(gzip.compress(text.getvalue().encode(), mtime=0))
    print(f"wrote {len(rows):,} FOCUS rows to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

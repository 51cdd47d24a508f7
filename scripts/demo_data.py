"""Request logs for the demo: 31 days of API and search traffic ending at a fixed time.

Deterministic (seeded), with a daily traffic cycle, a low background error rate, one real
incident (2026-11-18 14:05-14:47 UTC: a quarter of API requests fail and search slows down),
health checks that the SLOs exclude, and a few malformed lines that the report counts.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import random
import sys
from pathlib import Path

END = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DAYS = 31
INCIDENT = (
    dt.datetime(2026, 11, 18, 14, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 18, 14, 47, tzinfo=dt.UTC),
)
PATHS = ["/v1/orders", "/v1/search", "/v1/users/me", "/v1/cart", "/v1/checkout"]


def _load(moment: dt.datetime) -> float:
    """Relative traffic: busier in the European and American day."""
    hour = moment.hour + moment.minute / 60
    return 0.55 + 0.45 * math.sin((hour - 8) / 24 * 2 * math.pi) ** 2


def _api(rng: random.Random, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    start = END - dt.timedelta(days=DAYS)
    lines = 0
    for day in range(DAYS + 1):
        day_start = start + dt.timedelta(days=day)
        if day_start >= END:
            break
        name = out / f"api-access-{day_start:%Y-%m-%d}.jsonl.gz"
        with gzip.open(name, "wt", encoding="utf-8") as fh:
            t = day_start
            day_end = min(day_start + dt.timedelta(days=1), END)
            while t < day_end:
                t += dt.timedelta(seconds=rng.expovariate(1 / 5) / _load(t))
                if t >= day_end:
                    break
                failing = INCIDENT[0] <= t < INCIDENT[1]
                status = 200
                if rng.random() < (0.25 if failing else 0.0002):
                    status = rng.choice([500, 502, 503, 504])
                elif rng.random() < 0.002:
                    status = 429
                elif rng.random() < 0.01:
                    status = 404
                record = {
                    "time": t.isoformat().replace("+00:00", "Z"),
                    "method": "GET" if rng.random() < 0.7 else "POST",
                    "path": rng.choice(PATHS),
                    "status": status,
                    "duration_ms": round(rng.lognormvariate(3.5, 0.5), 1),
                }
                fh.write(json.dumps(record) + "\n")
                lines += 1
                if rng.random() < 0.05:  # kubelet probes, excluded by the SLO
                    probe = {**record, "path": "/healthz", "status": 200, "method": "GET"}
                    fh.write(json.dumps(probe) + "\n")
                    lines += 1
            if day == 10:
                fh.write('{"time": "2026-10-31T00:00:00Z", "status": \n')  # a torn write
    return lines


def _search(rng: random.Random, out: Path) -> int:
    start = END - dt.timedelta(days=DAYS)
    t = start
    lines = 0
    with (out / "search-access.log").open("w", encoding="utf-8") as fh:
        while t < END:
            t += dt.timedelta(seconds=rng.expovariate(1 / 8) / _load(t))
            if t >= END:
                break
            slow = INCIDENT[0] <= t < INCIDENT[1]
            seconds = rng.lognormvariate(math.log(0.09), 0.5) * (4 if slow else 1)
            probe = rng.random() < 0.03
            agent = "blackbox-exporter/0.25" if probe else "api-server/3.14 (go)"
            path = "/search?q=" + rng.choice(["shoes", "laptop", "tent", "coffee", "bike"])
            stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
            fh.write(
                f"10.0.{rng.randrange(4)}.{rng.randrange(1, 250)} - - [{stamp}] "
                f'"GET {path} HTTP/1.1" 200 {rng.randrange(800, 9000)} "-" "{agent}" '
                f"{seconds:.3f}\n"
            )
            lines += 1
        fh.write("this line is not in combined log format\n")
    return lines


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "logs")
    rng = random.Random(20261120)
    api = _api(rng, out)
    search = _search(rng, out)
    print(f"wrote {api:,} API requests and {search:,} search requests to {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

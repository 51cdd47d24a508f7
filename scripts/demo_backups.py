"""The backup log for the demo: what the backup jobs of the DR plan reported over 15 days.

Deterministic (seeded), ending at the demo's "now" (2026-11-20 12:00 UTC), in the generic
evidence format (system, job, finished_at, status, size): the database's WAL archive every
minute (a few failed pushes, each retried the next minute), the search snapshots every hour,
which have failed since 2026-11-19 20:00 UTC (the snapshot repository's credentials expired), so
search misses its 1-hour RPO.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

END = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DAYS = 15
SNAPSHOTS_BROKEN = dt.datetime(2026, 11, 19, 20, 0, tzinfo=dt.UTC)


def _time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "evidence/backups.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261120)
    start = END - dt.timedelta(days=DAYS)
    rows = []
    minute = start
    while minute <= END:
        ok = rng.random() > 0.002
        size = rng.randrange(8, 17) * 1048576
        rows.append(("database", "pg-wal", minute + dt.timedelta(seconds=3), ok, size))
        minute += dt.timedelta(minutes=1)
    hour = start
    while hour <= END:
        ok = hour < SNAPSHOTS_BROKEN
        size = rng.randrange(40, 48) * 1073741824 if ok else None
        took = dt.timedelta(minutes=rng.randrange(6, 11))
        rows.append(("search", "search-snapshots", hour + took, ok, size))
        hour += dt.timedelta(hours=1)
    rows.sort(key=lambda row: row[2])
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["system", "job", "finished_at", "status", "size"])
        for system, job, finished, ok, size in rows:
            status = "success" if ok else "failed"
            writer.writerow([system, job, _time(finished), status, "" if size is None else size])
    print(f"wrote {len(rows):,} backup runs to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Usage readings for the demo's capacity documents: CSV files of 5-minute readings.

The database disk grows about 2 GiB a day, with nightly backups and busier weekdays; the
database connections swing with the day but do not grow. Ten weeks ending at the demo's "now"
(2026-11-20 12:00 UTC), from a fixed seed so every run draws the same charts.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from pathlib import Path

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DAYS = 70
STEP = 300


def _write(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "metrics")
    rng = random.Random(20261120)
    start = NOW - dt.timedelta(days=DAYS)
    disk, connections = [], []
    for k in range(DAYS * 86400 // STEP + 1):
        at = start + dt.timedelta(seconds=k * STEP)
        days = k * STEP / 86400
        hour = at.hour + at.minute / 60
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        # nightly backups stage dumps on the volume between 01:00 and 04:00
        backup = 18.0 if 1 <= hour < 4 else 0.0
        weekday = 6.0 if at.weekday() < 5 else -4.0
        used = 560 + 2.1 * days + backup + weekday + rng.gauss(0, 1.5)
        disk.append(f"{stamp},db-1,{used:.2f},1000")
        load = 0.5 - 0.5 * math.cos(2 * math.pi * (hour - 3) / 24)
        conns = 180 + 140 * load + (25 if at.weekday() < 5 else 0) + rng.gauss(0, 8)
        connections.append(f"{stamp},db-1,{conns:.0f}")
    _write(out / "database-disk.csv", "timestamp,instance,used_gib,size_gib", disk)
    _write(out / "database-connections.csv", "timestamp,instance,connections", connections)
    print(
        f"wrote {len(disk)} readings each to {out}/database-disk.csv and "
        f"{out}/database-connections.csv"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

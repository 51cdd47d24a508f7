"""Benchmark: ``opsdocs capacity report`` over 200 resources x 90 days of 5-minute data.

Generates, with DuckDB, one CSV file per resource (25,920 readings: a trend, daily and weekly
cycles and noise; some resources grow, some are flat) and four capacity documents of 50 resources
each reading the whole 90 days (``history: 90d``). Then times, each in its own process:

* opsdocs: ``opsdocs capacity report --format json`` (read, forecast, simulated crossings);
* floor: the bare DuckDB query that reads the same files into the same hourly means (one scan of
  every file, as opsdocs does), with no forecast at all.

Target (issue 17): opsdocs within 10 s on this machine kind (2 cores). Prints both times, the
ratio to the floor and to the 10 s budget. Run: ``python bench/bench_capacity.py [--resources N]
[--days D] [--repeat K]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AT = "2026-11-20T00:00:00Z"
BUDGET = 10.0
PER_DOC = 50

HEADER = """\
---
kind: capacity
title: "Bench {n} Capacity Plan"
owner: team-bench
service: bench-{n}
last_reviewed: "2026-11-01"
resources:
"""

RESOURCE = """\
  - name: r{i}
    usage: {{files: [data/r{i}.csv], column: used}}
    limit: 1000
    history: {days}d
    horizon: 90d
    lead_time: 14d
"""

FLOOR = """
import duckdb, sys
files = sys.argv[1:]
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
rows = con.execute(
    "SELECT filename, list(b ORDER BY b), list(m ORDER BY b) FROM ("
    " SELECT filename, time_bucket(INTERVAL 1 HOUR, CAST(timestamp AS TIMESTAMPTZ)) AS b,"
    " avg(CAST(used AS DOUBLE)) AS m"
    " FROM read_csv(?, header=true, all_varchar=true, filename=true) GROUP BY 1, 2)"
    " GROUP BY 1", [files]).fetchall()
print(sum(len(r[1]) for r in rows))
"""


def generate(root: Path, resources: int, days: int) -> None:
    import duckdb

    data = root / "data"
    data.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    points = days * 288
    for i in range(resources):
        slope = (i % 5) * 1.5  # per day: flat, and four growth rates
        con.execute(
            f"COPY (SELECT strftime(TIMESTAMPTZ '{AT}' - INTERVAL (({points} - n) * 5) MINUTE,"
            " '%Y-%m-%dT%H:%M:%SZ') AS timestamp,"
            f" round(300 + {slope} * n / 288.0 + 10 * sin(2 * pi() * n / 288.0)"
            " + 15 * sin(2 * pi() * n / 2016.0) + 3 * (random() - 0.5), 3) AS used"
            f" FROM range({points}) t(n)) TO '{data / f'r{i}.csv'}' (HEADER)"
        )
    con.close()
    ops = root / "docs/internal/operations"
    ops.mkdir(parents=True)
    for d in range(0, resources, PER_DOC):
        text = HEADER.format(n=d // PER_DOC)
        text += "".join(
            RESOURCE.format(i=i, days=days) for i in range(d, min(d + PER_DOC, resources))
        )
        text += f"---\n\n# Bench {d // PER_DOC} Capacity Plan\n"
        (ops / f"capacity-bench-{d // PER_DOC}.md").write_text(text)
    (root / "opsdocs.toml").write_text('owners = ["team-bench"]\n')


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"failed ({done.returncode}): {' '.join(command[:3])}: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    opsdocs = str(Path(sys.executable).with_name("opsdocs"))
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp:
        root = Path(tmp)
        generate(root, args.resources, args.days)
        files = sorted(str(p) for p in (root / "data").glob("*.csv"))
        size = sum(os.path.getsize(f) for f in files) / 1e6
        print(
            f"{args.resources} resources x {args.days} days of 5-minute data "
            f"({args.resources * args.days * 288:,} readings, {size:.0f} MB of CSV)"
        )
        runs, floors = [], []
        out = ""
        for _ in range(args.repeat):
            seconds, out = timed(
                [opsdocs, "capacity", "report", "--at", AT, "--format", "json"], root
            )
            runs.append(seconds)
            seconds, _ = timed([sys.executable, "-c", FLOOR, *files], root)
            floors.append(seconds)
        reports = json.loads(out)
        statuses: dict[str, int] = {}
        for report in reports:
            statuses[report["status"]] = statuses.get(report["status"], 0) + 1
        best, floor = min(runs), min(floors)
        cores = os.cpu_count()
        print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
        print(f"statuses: {json.dumps(statuses, sort_keys=True)}")
        print(
            f"opsdocs capacity report: {best:.2f} s (best of {args.repeat}); budget {BUDGET:.0f} s"
        )
        print(f"floor (DuckDB hourly means only, one scan): {floor:.2f} s")
        print(f"ratio to floor: {best / floor:.2f}; ratio to budget: {best / BUDGET:.2f}")
        if best > BUDGET:
            sys.exit(f"over budget: {best:.2f} s > {BUDGET:.0f} s")


if __name__ == "__main__":
    main()

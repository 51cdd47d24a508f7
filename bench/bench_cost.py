"""Benchmark: ``opsdocs cost report`` over a large FOCUS export against bare DuckDB SQL.

Generates a FOCUS 1.x export with DuckDB (``--rows``, default 10 million, hourly charges over
April and May 2026, credits included; Parquet, or gzip-compressed CSV with ``--csv``), writes a
workspace whose cost document has three budgets owned by a ``service`` tag, then times, each in
its own process (start-up included, peak memory = max RSS from wait4), interleaved so that a busy
machine slows each alike, best of ``--repeat``:

* opsdocs: ``opsdocs cost report --month 2026-05 --format json``;
* floor: the bare DuckDB SQL computing the same totals as the report: both months by day,
  ``ServiceName``, currency and ``service`` tag (what the budgets' month to date, the untagged
  spend, the total, the movers against last month and the daily series for anomalies are sums
  of), with nothing around it: no row checks, no document, no Python start-up beyond the query;
* totals: the least SQL giving only May's spend per ``service`` tag (budgets, untagged and total,
  no movers, no days), for reference.

The script checks that all three agree to the cent. Target (issue 17): opsdocs at most 1.3 x the
floor. Run: ``python bench/bench_cost.py [--rows N] [--repeat K] [--csv] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from child import machine, run_child

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ["api", "search", "web", "batch", "data"]
BUDGETED = ["api", "search", "web"]

COST_DOC = """\
---
kind: cost
title: Bench Cost
owner: team-bench
last_reviewed: 2026-11-01
sources: [{files}]
budgets:
  - name: api
    monthly: "50000000"
    tags: {{service: api}}
  - name: search
    monthly: "50000000"
    tags: {{service: search}}
  - name: web
    monthly: "50000000"
    tags: {{service: web}}
---

# Bench Cost
"""

FLOOR = """
import duckdb, json, sys
path, reader, how = sys.argv[1], sys.argv[2], sys.argv[3]
# the leanest SQL: the file's own types (CSV: the cost read straight as an exact decimal, the
# time by the sniffer), no checks, the window as a filter DuckDB can push into the scan
if reader == "read_csv":
    rel = f"read_csv('{path}', types={{'BilledCost': 'DECIMAL(38, 10)'}})"
else:
    rel = f"read_parquet('{path}')"
where = ("ChargePeriodStart >= TIMESTAMPTZ '{start} 00:00:00+00'"
         " AND ChargePeriodStart < TIMESTAMPTZ '{end} 00:00:00+00'")
if how == "totals":
    sql = (f"SELECT json_extract_string(Tags, '$.service'), sum(BilledCost) FROM {rel}"
           f" WHERE {where.format(start='2026-05-01', end='2026-06-01')} GROUP BY ALL")
else:
    sql = (f"SELECT CAST(ChargePeriodStart AS DATE), ServiceName, BillingCurrency,"
           f" json_extract_string(Tags, '$.service'), sum(BilledCost) FROM {rel}"
           f" WHERE {where.format(start='2026-04-01', end='2026-06-01')} GROUP BY ALL")
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
rows = con.execute(sql).fetchall()
if how == "grouped":  # the month's totals per tag, from the groups
    import datetime as dt
    from decimal import Decimal
    sums = {}
    for day, _, _, tag, amount in rows:
        if day >= dt.date(2026, 5, 1):
            sums[tag] = sums.get(tag, Decimal(0)) + amount
    rows = list(sums.items())
print(json.dumps({str(r[0]): str(r[1]) for r in rows}))
"""


def generate(path: Path, rows: int, *, csv: bool) -> float:
    """FOCUS rows spread evenly over April and May 2026; returns the seconds taken."""
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    hours = 61 * 24
    services = "['" + "', '".join(SERVICES) + "']"
    fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if csv else "(FORMAT parquet, COMPRESSION zstd)"
    con.execute(
        f"""
        COPY (
          SELECT
            'acct-' || CAST(i % 3 AS VARCHAR) AS BillingAccountId,
            'USD' AS BillingCurrency,
            CAST(CASE WHEN i % 1000 = 0 THEN -CAST(hash(i) % 5000 AS BIGINT)
                      ELSE CAST(hash(i) % 100000 AS BIGINT) END / 1000.0
                 AS DECIMAL(38, 10)) AS BilledCost,
            CAST(CAST(hash(i) % 100000 AS BIGINT) / 1000.0 AS DECIMAL(38, 10)) AS EffectiveCost,
            CASE WHEN i % 1000 = 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
            TIMESTAMPTZ '2026-04-01 00:00:00+00'
              + to_hours(CAST(CAST(i AS HUGEINT) * {hours} // {rows} AS BIGINT))
              AS ChargePeriodStart,
            TIMESTAMPTZ '2026-04-01 01:00:00+00'
              + to_hours(CAST(CAST(i AS HUGEINT) * {hours} // {rows} AS BIGINT))
              AS ChargePeriodEnd,
            ['Amazon EC2', 'Amazon S3', 'Amazon RDS', 'AWS Lambda', 'Amazon CloudFront']
              [CAST(1 + hash(i * 7) % 5 AS BIGINT)] AS ServiceName,
            CASE WHEN hash(i * 3) % 10 = 0 THEN '{{"env": "prod"}}'
                 ELSE '{{"service": "' || {services}[CAST(1 + hash(i * 5) % 5 AS BIGINT)]
                      || '", "env": "prod"}}' END AS Tags
          FROM range({rows}) t(i)
        ) TO '{path}' {fmt}
        """
    )
    con.close()
    return time.perf_counter() - start


def main() -> int:
    import duckdb

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per program (best wall time)")
    parser.add_argument("--csv", action="store_true", help="a gzip CSV export instead of Parquet")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the data (kept)")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="opsdocs-bench-cost-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / (f"focus-{args.rows}.csv.gz" if args.csv else f"focus-{args.rows}.parquet")
    if not data.exists():
        print(f"generating {args.rows:,} rows into {data} ...", flush=True)
        seconds = generate(data, args.rows, csv=args.csv)
        print(f"  {seconds:.1f} s, {data.stat().st_size / 1e6:.0f} MB", flush=True)

    ws = work / "workspace"
    shutil.rmtree(ws, ignore_errors=True)
    doc = ws / "docs/internal/operations/cost-bench.md"
    doc.parent.mkdir(parents=True)
    (ws / "opsdocs.toml").write_text('owners = ["team-bench"]\n')
    doc.write_text(COST_DOC.format(files=data))

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    opsdocs = [
        sys.executable, "-m", "opsdocs", "--root", str(ws), "cost", "report",
        "--month", "2026-05", "--format", "json",
    ]  # fmt: skip
    reader = "read_csv" if args.csv else "read_parquet"
    programs: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "opsdocs": (opsdocs, env),
        **{
            how: ([sys.executable, "-c", FLOOR, str(data), reader, how], None)
            for how in ("grouped", "totals")
        },
    }
    runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in programs}
    for _ in range(args.repeat):
        for name, (argv, penv) in programs.items():
            runs[name].append(run_child(argv, env=penv))
    best = {
        n: (min(r.wall for r in rs), max(r.rss_mb for r in rs), rs[-1].stdout)
        for n, rs in runs.items()
    }

    report = json.loads(best["opsdocs"][2])
    mine = {b["name"]: Decimal(b["month_to_date"]) for b in report["budgets"]}
    mine["(total)"] = Decimal(report["total"])
    mine["(untagged)"] = Decimal(report["untagged"])
    cent = Decimal("0.01")
    for how in ("grouped", "totals"):
        sums = {k: Decimal(v) for k, v in json.loads(best[how][2]).items()}
        floor = {name: sums.get(name, Decimal(0)).quantize(cent) for name in BUDGETED}
        floor["(total)"] = sum(sums.values(), Decimal(0)).quantize(cent)
        floor["(untagged)"] = (
            sum((v for k, v in sums.items() if k not in BUDGETED), Decimal(0))
        ).quantize(cent)
        if mine != floor:
            raise SystemExit(f"opsdocs and the {how} SQL disagree:\n{mine}\n{floor}")

    t_ops, mem_ops, _ = best["opsdocs"]
    t_floor, mem_floor, _ = best["grouped"]
    t_totals = best["totals"][0]
    print(f"machine: {machine()}, DuckDB {duckdb.__version__}")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(f"data: {data.name}, {args.rows:,} rows, {data.stat().st_size / 1e6:.0f} MB")
    print(f"opsdocs cost report: {t_ops:.2f} s (peak {mem_ops:.0f} MB)")
    print(f"floor (grouped SQL): {t_floor:.2f} s (peak {mem_floor:.0f} MB)")
    print(f"totals SQL:          {t_totals:.2f} s (opsdocs / totals: {t_ops / t_totals:.2f})")
    ratio = t_ops / t_floor
    print(f"opsdocs / floor: {ratio:.2f} (target <= 1.3); totals agree to the cent")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())

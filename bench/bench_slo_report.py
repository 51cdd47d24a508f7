"""Benchmark: ``opsdocs slo report --source logs`` over a large Parquet request log.

Generates a Parquet request log with DuckDB (``--rows``, default 100 million, spread over the
30-day period), then times three programs, each in its own process so that start-up and peak
memory (max RSS, from wait4) are measured the same way:

* opsdocs: ``opsdocs slo report --source logs --format json`` on a workspace whose SLO maps the
  log (availability: status below 500 among requests that are not health checks);
* floor: the bare DuckDB SQL that computes the same numbers (good and counted requests for every
  window the report evaluates), with nothing around it;
* pandas: what a user would otherwise write (read the columns, filter, count per window).
  pandas is installed into a cache folder when absent; the comparison is skipped, with a note,
  when it cannot be installed.

Targets (issue 5): opsdocs at most 1.3 x the floor, at least 10 x faster than pandas, peak memory
at most 2 GB. Run: ``python bench/bench_slo_report.py [--rows N] [--repeat K] [--no-pandas]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from child import machine, run_child

AT = "2026-11-20T12:00:00Z"
WINDOWS = [300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000]
PERIOD = 2592000
ROOT = Path(__file__).resolve().parent.parent

SLO_DOC = """\
---
kind: slo
title: "Bench SLOs"
owner: team-bench
service: bench
last_reviewed: "2026-11-01"
review_every: 90d
slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{{code=~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
    logs:
      files: {files}
      format: parquet
      timestamp: ts
      status: status
      exclude:
        path: ["/healthz"]
---

# Bench SLOs

## Measurement

Request logs.
"""

FLOOR = """
import duckdb, json, sys
path, at, how = sys.argv[1], sys.argv[2], sys.argv[4]
windows = [int(w) for w in sys.argv[3].split(",")]
period = max(windows)
where = (
    f"ts > TIMESTAMPTZ '{at}' - INTERVAL {period} SECOND AND ts <= TIMESTAMPTZ '{at}' "
    "AND path <> '/healthz'"
)
aggs = []
if how == "filter":  # one conditional count per window
    for w in windows:
        since = f"TIMESTAMPTZ '{at}' - INTERVAL {w} SECOND"
        aggs.append(f"count(*) FILTER (WHERE ts > {since})")
        aggs.append(f"count(*) FILTER (WHERE ts > {since} AND status < 500)")
    sql = f"SELECT {', '.join(aggs)} FROM read_parquet('{path}') WHERE {where}"
else:  # counts per 5-minute step back from at, then windows as sums of steps
    for w in windows:
        aggs.append(f"sum(n) FILTER (WHERE step < {w // 300})")
        aggs.append(f"sum(g) FILTER (WHERE step < {w // 300})")
    sql = (
        f"WITH s AS (SELECT (epoch_us(TIMESTAMPTZ '{at}') - epoch_us(ts)) // 300000000 AS step,"
        " count(*) AS n, count(*) FILTER (WHERE status < 500) AS g"
        f" FROM read_parquet('{path}') WHERE {where} GROUP BY step)"
        f" SELECT {', '.join(aggs)} FROM s"
    )
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
row = con.execute(sql).fetchone()
print(json.dumps({str(w): [int(row[2 * i + 1]), int(row[2 * i])] for i, w in enumerate(windows)}))
"""

PANDAS = """
import json, sys
import pandas as pd
path, at = sys.argv[1], sys.argv[2]
windows = [int(w) for w in sys.argv[3].split(",")]
df = pd.read_parquet(path, columns=["ts", "status", "path"])
at = pd.Timestamp(at)
df = df[(df["path"] != "/healthz") & (df["ts"] > at - pd.Timedelta(seconds=max(windows)))
        & (df["ts"] <= at)]
out = {}
for w in windows:
    part = df[df["ts"] > at - pd.Timedelta(seconds=w)]
    out[str(w)] = [int((part["status"] < 500).sum()), int(len(part))]
print(json.dumps(out))
"""


def generate(path: Path, rows: int) -> float:
    """A time-ordered request log over the 30-day period before AT; returns seconds taken."""
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    period_us = PERIOD * 1_000_000
    con.execute(
        f"""
        COPY (
          SELECT
            TIMESTAMPTZ '{AT}' - to_microseconds(
              CAST({period_us} - (CAST(i AS HUGEINT) * {period_us} // {rows}) - 1 AS BIGINT)) AS ts,
            CAST(CASE WHEN hash(i * 7) % 1000 < 2 THEN 503
                      WHEN hash(i * 7) % 1000 < 40 THEN 404
                      ELSE 200 END AS SMALLINT) AS status,
            CAST(hash(i * 13) % 2000 AS DOUBLE) / 4 AS duration_ms,
            CASE WHEN hash(i * 3) % 10 = 0 THEN '/healthz'
                 ELSE '/api/v1/items/' || CAST(hash(i * 3) % 50 AS VARCHAR) END AS path
          FROM range({rows}) t(i)
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
        """
    )
    con.close()
    return time.perf_counter() - start


def best(
    argv: list[str], repeat: int, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    results = [run_child(argv, env=env) for _ in range(repeat)]
    return min(r.wall for r in results), max(r.rss_mb for r in results), results[-1].stdout


def pandas_env(cache: Path) -> dict[str, str] | None:
    """An environment in which ``import pandas`` works, installing it into ``cache`` if needed."""
    env = dict(os.environ)
    probe = [sys.executable, "-c", "import pandas"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return env
    target = cache / "pandas"
    env["PYTHONPATH"] = str(target) + os.pathsep + env.get("PYTHONPATH", "")
    if subprocess.run(probe, capture_output=True, env=env).returncode == 0:
        return env
    print(f"installing pandas into {target} (for the comparison only)...", flush=True)
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "pandas"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        return None
    return env if subprocess.run(probe, capture_output=True, env=env).returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per program (best wall time)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the data (kept)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="opsdocs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"requests-{args.rows}.parquet"
    if not data.exists():
        print(f"generating {args.rows:,} rows into {data} ...", flush=True)
        seconds = generate(data, args.rows)
        print(f"  {seconds:.1f} s, {data.stat().st_size / 1e6:.0f} MB", flush=True)

    ws = work / "workspace"
    shutil.rmtree(ws, ignore_errors=True)
    doc = ws / "docs/internal/operations/slo-bench.md"
    doc.parent.mkdir(parents=True)
    (ws / "opsdocs.toml").write_text('owners = ["team-bench"]\n')
    doc.write_text(SLO_DOC.format(files=data))

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    opsdocs = [
        sys.executable, "-m", "opsdocs", "--root", str(ws), "slo", "report",
        "--source", "logs", "--at", AT, "--format", "json",
    ]  # fmt: skip
    floors = {
        how: [sys.executable, "-c", FLOOR, str(data), AT, ",".join(map(str, WINDOWS)), how]
        for how in ("filter", "steps")
    }
    pandas_cmd = [sys.executable, "-c", PANDAS, str(data), AT, ",".join(map(str, WINDOWS))]

    # Interleave the programs so that a busy machine slows each of them alike.
    programs = {"opsdocs": (opsdocs, env), **{h: (argv, None) for h, argv in floors.items()}}
    runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in programs}
    for _ in range(args.repeat):
        for name, (argv, penv) in programs.items():
            runs[name].append(run_child(argv, env=penv))
    best_of = {
        name: (min(r.wall for r in rs), max(r.rss_mb for r in rs), rs[-1].stdout)
        for name, rs in runs.items()
    }
    t_ops, mem_ops, out_ops = best_of.pop("opsdocs")
    report = json.loads(out_ops)["reports"][0]
    mine = {str(w["seconds"]): [w["good"], w["total"]] for w in report["windows"]}
    floor_runs = best_of
    for how, result in floor_runs.items():
        if json.loads(result[2]) != mine:
            raise SystemExit(f"opsdocs and the {how} floor disagree:\n{mine}\n{result[2]}")
    floor_counts = mine
    # the floor is the faster of two bare SQL formulations of the same numbers
    floor_how = min(floor_runs, key=lambda h: floor_runs[h][0])
    t_floor, mem_floor, _ = floor_runs[floor_how]

    lines = [
        f"machine: {machine()}",
        f"date: {dt.date.today().isoformat()}, rows: {args.rows:,}, best of {args.repeat}",
        f"opsdocs slo report: {t_ops:7.2f} s, peak {mem_ops:6.0f} MB",
        *(
            f"DuckDB SQL, {how + ':':7} {run_[0]:7.2f} s, peak {run_[1]:6.0f} MB"
            for how, run_ in floor_runs.items()
        ),
        f"floor ({floor_how}):     {t_floor:7.2f} s, peak {mem_floor:6.0f} MB",
        f"ratio opsdocs / floor: {t_ops / t_floor:.2f} (target <= 1.3)",
    ]
    if not args.no_pandas:
        penv = pandas_env(work)
        if penv is None:
            lines.append("pandas: could not be installed; comparison skipped")
        else:
            t_pd, mem_pd, out_pd = best(pandas_cmd, 1, penv)
            if json.loads(out_pd) != floor_counts:
                raise SystemExit("pandas and the floor disagree")
            lines.append(f"pandas script:      {t_pd:7.2f} s, peak {mem_pd:6.0f} MB")
            lines.append(f"speed-up over pandas: {t_pd / t_ops:.1f} x (target >= 10)")
    lines.append(f"peak memory target: {'met' if mem_ops <= 2048 else 'MISSED'} (<= 2048 MB)")
    print(textwrap.indent("\n".join(lines), ""))
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``opsdocs dr status`` over a generic backup log of 10 million runs.

Generates a CSV backup log with DuckDB (``--rows``, default 10 million: 200 jobs of 100 systems,
one run every few minutes over about a year, 2 % failed, the runs of each job in time order but
the jobs interleaved), writes a workspace whose DR plan lists the jobs, then times, each in its
own process (start-up included; peak memory = max RSS from wait4), interleaved so that machine
load hits both alike, best of K:

* opsdocs: ``opsdocs dr status --evidence backups.csv --format json --no-run`` (configuration,
  the plan, one DuckDB query that checks every row and computes the numbers, the report);
* floor: bare DuckDB SQL computing the same numbers per job (last and oldest success, successes
  and failures in the window, longest gap between successes) from the same file, with typed
  columns and no checks, in two formulations: ``lag`` over every run of each job (``window``),
  and ``lag`` over the successes in the window only (``in-window``, what opsdocs does); the
  faster is the floor.

The script checks that both give the same numbers. Target (issue 16): opsdocs at most 1.3 x the
floor. Run: ``python bench/bench_dr.py [--rows N] [--repeat K] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

from child import machine, run_child

AT = "2026-11-30T12:00:00Z"
WINDOW = "30d"
SYSTEMS = 100
JOBS_PER_SYSTEM = 2
ROOT = Path(__file__).resolve().parent.parent
OK = (0, 1)  # 1: an RPO missed, a finding

FLOOR = r'''
import datetime as dt, json, sys
import duckdb
path, at, how = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2]), sys.argv[3]
start = at - dt.timedelta(days=30)
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
runs = """
    SELECT system, job, finished_at AS t,
           status IN ('success', 'succeeded', 'ok', 'completed') AS ok
    FROM read_csv($path, header = true, columns = {
        'system': 'VARCHAR', 'job': 'VARCHAR', 'finished_at': 'TIMESTAMPTZ',
        'status': 'VARCHAR', 'size': 'BIGINT'})
    WHERE finished_at <= $at
"""
if how == "window":  # lag over every run of each job
    sql = f"""
    WITH o AS (
        SELECT *, CASE WHEN ok THEN lag(t) OVER (PARTITION BY system, job, ok ORDER BY t) END
            AS prev
        FROM ({runs})
    )
    SELECT system, job, max(t) FILTER (ok), min(t) FILTER (ok),
        count(*) FILTER (ok AND t >= $start), count(*) FILTER (NOT ok AND t >= $start),
        max(epoch(t) - epoch(greatest(prev, $start)))
            FILTER (ok AND t >= $start AND prev IS NOT NULL)
    FROM o GROUP BY system, job
    """
else:  # lag over the successes in the window only
    sql = f"""
    WITH r AS MATERIALIZED ({runs}),
    a AS (
        SELECT system, job, max(t) FILTER (ok) AS last, min(t) FILTER (ok) AS oldest,
            count(*) FILTER (ok AND t >= $start) AS good,
            count(*) FILTER (NOT ok AND t >= $start) AS bad,
            max(t) FILTER (ok AND t < $start) AS before
        FROM r GROUP BY system, job
    ),
    o AS (
        SELECT system, job, t, lag(t) OVER (PARTITION BY system, job ORDER BY t) AS prev
        FROM r WHERE ok AND t >= $start
    ),
    g AS (
        SELECT o.system, o.job,
            max(epoch(o.t) - epoch(greatest(coalesce(o.prev, a.before), $start))) AS gap
        FROM o JOIN a USING (system, job) WHERE coalesce(o.prev, a.before) IS NOT NULL
        GROUP BY o.system, o.job
    )
    SELECT system, job, last, oldest, good, bad, gap FROM a LEFT JOIN g USING (system, job)
    """
rows = con.execute(sql, {"path": path, "at": at, "start": start}).fetchall()
out = {}
for system, job, last, oldest, good, bad, inner in rows:
    final = (at - max(last, start)).total_seconds()
    out[f"{system}/{job}"] = [
        last.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        oldest.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        good, bad, int(max(final, inner or 0.0)),
    ]
print(json.dumps(out))
'''


def generate(path: Path, rows: int) -> float:
    """The backup log: each job's runs every `step` seconds back from AT; returns seconds."""
    import duckdb

    jobs = SYSTEMS * JOBS_PER_SYSTEM
    per_job = rows // jobs
    step = 365 * 86400 // per_job  # about a year of runs
    begin = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""
        COPY (
          SELECT
            'sys-' || CAST((i % {jobs}) // {JOBS_PER_SYSTEM} AS VARCHAR) AS system,
            'job-' || CAST(i % {JOBS_PER_SYSTEM} AS VARCHAR) AS job,
            strftime(TIMESTAMPTZ '{AT}' - to_seconds(
                CAST(({per_job} - i // {jobs}) * {step} + hash(i) % 60 AS BIGINT)),
                '%Y-%m-%dT%H:%M:%SZ') AS finished_at,
            CASE WHEN hash(i * 7) % 100 < 2 THEN 'failed' ELSE 'success' END AS status,
            CAST(hash(i * 13) % 1000000000 AS BIGINT) AS size
          FROM range({per_job * jobs}) t(i)
        ) TO '{path}' (FORMAT csv, HEADER true)
        """
    )
    con.close()
    return time.perf_counter() - begin


def plan(root: Path) -> None:
    systems = []
    for s in range(SYSTEMS):
        jobs = "".join(
            f"      - name: job-{j}\n        tool: script\n        schedule: 1h\n"
            "        retention: 90d\n"
            for j in range(JOBS_PER_SYSTEM)
        )
        systems.append(
            f"  - name: sys-{s}\n    tier: 2\n    rto: 4h\n    rpo: 2h\n    backups:\n{jobs}"
        )
    ops = root / "docs" / "internal" / "operations"
    ops.mkdir(parents=True, exist_ok=True)
    (root / "opsdocs.toml").write_text('owners = ["team-bench"]\n')
    (ops / "disaster-recovery.md").write_text(
        "---\nkind: disaster-recovery\ntitle: DR Plan\nowner: team-bench\n"
        "last_reviewed: 2026-11-01\nsystems:\n" + "".join(systems) + "---\n\n# DR Plan\n"
    )


def numbers(report: str) -> dict[str, list[object]]:
    data = json.loads(report)
    return {
        f"{s['system']}/{j['job']}": [
            j["last_success"],
            j["oldest_success"],
            j["successful_runs"],
            j["failed_runs"],
            j["longest_gap_seconds"],
        ]
        for s in data["systems"]
        for j in s["jobs"]
    }


def main() -> int:
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per program (best wall time)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the data (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.dir or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        log = root / "backups.csv"
        if not log.exists():
            seconds = generate(log, args.rows)
            print(f"generated {log} ({log.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s")
        plan(root)
        opsdocs = [
            str(Path(sys.executable).with_name("opsdocs")),
            "dr",
            "status",
            "--at",
            AT,
            "--window",
            WINDOW,
            "--evidence",
            "backups.csv",
            "--format",
            "json",
            "--no-run",
        ]
        floors = {
            how: [sys.executable, "-c", FLOOR, str(log), AT.replace("Z", "+00:00"), how]
            for how in ("window", "in-window")
        }
        times: dict[str, list[tuple[float, float, float, str]]] = {"opsdocs": []}
        times.update({how: [] for how in floors})
        for _ in range(args.repeat):  # interleaved: machine load hits each alike
            times["opsdocs"].append(run_child(opsdocs, cwd=root, ok=OK))
            for how, argv in floors.items():
                times[how].append(run_child(argv, cwd=root, ok=OK))
        expected = numbers(times["opsdocs"][-1][3])
        for how in floors:
            if json.loads(times[how][-1][3]) != expected:
                raise SystemExit(f"opsdocs and the floor ({how}) disagree")
        print(f"machine: {machine()}, DuckDB {duckdb.__version__}, {dt.date.today()}")
        print(f"rows: {args.rows:,}, jobs: {SYSTEMS * JOBS_PER_SYSTEM}, best of {args.repeat}")
        best = {
            name: (min(r[0] for r in got), min(r[1] for r in got), max(r[2] for r in got))
            for name, got in times.items()
        }
        for name, (wall, cpu, peak) in best.items():
            print(f"{name:10s} wall {wall:.2f} s, CPU {cpu:.2f} s, peak {peak:.0f} MB")
        floor = min((best[how] for how in floors), key=lambda b: b[0])
        mine = best["opsdocs"]
        print(
            f"ratio to the floor (the faster formulation): wall {mine[0] / floor[0]:.2f},"
            f" CPU {mine[1] / floor[1]:.2f} (target <= 1.3)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `opsdocs alerts check` on 5,000 alert rules and 5,000 runbooks.

Generates a workspace: 50 rule files of 100 alerting rules each (every alert with a severity,
a summary and a `runbook_url` with an anchor under a mapped URL prefix) and a runbook folder of
5,000 Markdown runbooks, then times, in the same run:

* `promtool check rules` on the 50 rule files (the peer: what a CI job runs today);
* `opsdocs alerts check` cold (no cache: every runbook parsed) and warm (unchanged files),
  which runs promtool itself on the same files besides resolving every link and anchor.

Each line gives the load average, wall clock and CPU time (user and system, child processes
included: the CPU time of 'alerts check' includes its own promtool run and its worker
processes), and both as ratios to promtool's. The last lines give the median ratios and say
whether the target is met, and, for comparison, the time of promtool started the way
'alerts check' starts it (on one core, GOGC=400).

Target: `alerts check` within 2 x the time of `promtool check rules`.

    python bench/bench_alerts.py [--alerts 5000] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = "https://runbooks.example.com/runbooks/"

RUNBOOK = """# {name}

## Meaning

{name} fires when service {service} fails more than 2 % of its requests for 5 minutes.

## Diagnosis

1. Open the service dashboard and look at the error panel.
2. Check the last deploy: `kubectl rollout history deploy/{service}`.

## Mitigation

Roll back the last deploy, or scale out: `kubectl scale deploy/{service} --replicas=6`.
"""


def build(root: Path, alerts: int, per_file: int = 100) -> None:
    (root / "rules").mkdir(parents=True)
    (root / "runbooks").mkdir()
    (root / "docs/internal/operations").mkdir(parents=True)
    (root / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
        f'runbook_urls = {{"{SITE}" = "runbooks/"}}\n'
    )
    for start in range(0, alerts, per_file):
        lines = ["groups:", f"  - name: group-{start // per_file}", "    rules:"]
        for n in range(start, min(start + per_file, alerts)):
            name = f"Service{n:05d}HighErrorRate"
            lines += [
                f"      - alert: {name}",
                f'        expr: sum(rate(http_requests_total{{job="svc{n}",code=~"5.."}}[5m]))'
                f' / sum(rate(http_requests_total{{job="svc{n}"}}[5m])) > 0.02',
                "        for: 5m",
                "        labels:",
                f"          severity: {'critical' if n % 3 == 0 else 'warning'}",
                f"          service: svc{n}",
                "        annotations:",
                f"          summary: svc{n} fails more than 2 % of its requests",
                f"          runbook_url: {SITE}svc{n}/{name.lower()}#mitigation",
            ]
            folder = root / "runbooks" / f"svc{n}"
            folder.mkdir()
            (folder / f"{name.lower()}.md").write_text(RUNBOOK.format(name=name, service=f"svc{n}"))
        (root / "rules" / f"rules-{start // per_file:03d}.yaml").write_text("\n".join(lines) + "\n")


#: promtool's environment when 'alerts check' starts it (monitoring.analysis.PromtoolRun)
AS_ALERTS_CHECK_RUNS_IT = {"GOGC": "400", "GOMAXPROCS": "1"}


def timed(
    args: list[str], cwd: Path, *, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall clock and CPU time (user and system, the command's own processes included: the
    promtool and the worker processes of 'alerts check') of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environ = {**os.environ, **(env or {})}
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=environ)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(args[:3])} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    promtool = shutil.which("promtool")
    opsdocs = shutil.which("opsdocs") or str(Path(sys.executable).parent / "opsdocs")
    if promtool is None:
        sys.exit("promtool is not installed (make tools)")
    root = args.keep or Path(tempfile.mkdtemp(prefix="opsdocs-bench-alerts-"))
    try:
        build(root, args.alerts)
        files = sorted(str(p) for p in (root / "rules").glob("*.yaml"))
        rows = []
        for run in range(1, args.runs + 1):
            peer, peer_cpu = timed([promtool, "check", "rules", *files], root)
            tuned, _ = timed(
                [promtool, "check", "rules", *files], root, env=AS_ALERTS_CHECK_RUNS_IT
            )
            shutil.rmtree(root / ".opsdocs", ignore_errors=True)
            cold, cold_cpu = timed([opsdocs, "alerts", "check"], root)
            warm, warm_cpu = timed([opsdocs, "alerts", "check"], root)
            rows.append((peer, tuned, cold, warm))
            print(
                f"run {run} (load average {os.getloadavg()[0]:.1f}): "
                f"promtool check rules {peer:.2f} s (CPU {peer_cpu:.2f} s), "
                f"alerts check cold {cold:.2f} s ({cold / peer:.2f} x; "
                f"CPU {cold_cpu:.2f} s, {cold_cpu / peer_cpu:.2f} x), "
                f"warm {warm:.2f} s ({warm / peer:.2f} x; "
                f"CPU {warm_cpu:.2f} s, {warm_cpu / peer_cpu:.2f} x)",
                flush=True,
            )
        cold_ratio = statistics.median(cold / peer for peer, _, cold, _ in rows)
        warm_ratio = statistics.median(warm / peer for peer, _, _, warm in rows)
        verdict = "met" if max(cold_ratio, warm_ratio) <= 2 else "not met"
        print(
            f"{args.alerts} alerts, {args.alerts} runbooks, median of {len(rows)} runs: "
            f"cold/promtool {cold_ratio:.2f} x, warm/promtool {warm_ratio:.2f} x "
            f"(target <= 2 x: {verdict})"
        )
        tuned_wall = statistics.median(tuned for _, tuned, _, _ in rows)
        print(
            f"for comparison, promtool started as 'alerts check' starts it (one core, GOGC=400): "
            f"{tuned_wall:.2f} s; cold/that "
            f"{statistics.median(cold / tuned for _, tuned, cold, _ in rows):.2f} x"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark `opsdocs check` on a realistic 10,000-document operations folder.

Generates the folder (runbooks, SLOs, monitoring, on-call, capacity and cost documents with
front matter, tables, code blocks and links between them), then times, in the same run:

* `opsdocs check` cold (no cache), with 2 workers;
* `opsdocs check` warm (unchanged files, results from the content-hash cache);
* `markdownlint-cli2` (from the npm registry; installed into a temporary folder when absent)
  on the same files.

Targets: cold <= markdownlint-cli2 wall time; warm <= 20 % of cold; peak memory < 500 MB.
Peak memory: the largest resident set of one process (getrusage of the children) and the
largest sum over the command's process tree (sampled from /proc every 50 ms).

    python bench/bench_check.py [--docs 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
TODAY = "2026-06-01"

RUNBOOK = """---
kind: runbook
title: {title}
owner: {owner}
service: {service}
tier: {tier}
last_reviewed: {reviewed}
review_every: 90d
---

# {title}

## Service Overview

`{service}` serves {purpose} for {users}. It runs as {replicas} replicas behind the internal
load balancer and depends on {deps}.

## SLOs / SLIs

{slo_links}

## Dashboards & Alerts

| Alert | Meaning | First step |
| --- | --- | --- |
| {Service}HighErrorRate | More than 2% of requests fail for 5 minutes | Check the last deploy |
| {Service}HighLatency | p95 latency above 400 ms for 10 minutes | Check the database pool |
| {Service}Down | No healthy replica for 1 minute | Page the secondary |

Dashboard: [Grafana: {service}](https://grafana.example.com/d/{service}).

## Common Failures & Diagnostics

### Connection pool exhausted

- **Symptom**: latency climbs, then `503` errors.
- **Check**: `kubectl -n {service} logs deploy/{service} | grep "pool exhausted"`.
- **Likely cause**: a slow query holds connections.

### Bad deploy

- **Symptom**: error rate jumps right after a rollout.
- **Check**: `kubectl -n {service} rollout history deploy/{service}`.

## Step-by-step Procedures

### Roll back

1. Find the previous revision:

   ```bash
   kubectl -n {service} rollout history deploy/{service}
   ```

2. Roll back and watch the error rate:

   ```bash
   kubectl -n {service} rollout undo deploy/{service}
   ```

### Scale out

1. Raise the replica count: `kubectl -n {service} scale deploy/{service} --replicas={more}`.
2. Confirm the new pods are ready.

## Escalation & Ownership

- **Owning team**: {owner}
- **Escalate to**: the {owner} secondary on-call, then the engineering manager.
- See the [on-call procedures](on-call-{team}.md) and
  [incident response](incident-response.md#response-procedures).

## DR / Backup / Restore

- **Backups**: nightly snapshots, kept for 30 days.
- **Restore**: see [the DR plan](disaster-recovery.md#restore-procedures).
"""

SLO = """---
kind: slo
title: {title}
owner: {owner}
service: {service}
last_reviewed: {reviewed}
---

# {title}

## Service

`{service}`: see [its runbook](runbook-{service}.md).

## SLI

The proportion of {what} requests served successfully in under {ms} ms, measured at the load
balancer. Good events over valid events; health checks are excluded.

## SLO Target

{target}% of requests over a rolling 30 days.

## Measurement

```promql
sum(rate(http_requests_total{{service="{service}",code!~"5.."}}[5m]))
/
sum(rate(http_requests_total{{service="{service}"}}[5m]))
```

## Alerting

Multi-window burn-rate alerts (1h/5m at 14.4x, 6h/30m at 6x) page {owner}; the runbook is
[runbook-{service}.md](runbook-{service}.md#common-failures--diagnostics).
"""

GENERIC = """---
kind: {kind}
title: {title}
owner: {owner}
last_reviewed: {reviewed}
---

# {title}

{sections}
"""

ADJ = ["fast", "quiet", "steady", "bright", "calm", "bold", "clear", "swift"]
NOUN = [
    "api",
    "search",
    "billing",
    "auth",
    "cart",
    "ledger",
    "mail",
    "media",
    "queue",
    "report",
    "stream",
    "user",
]


def generate(ops: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` documents into ``ops`` (plus the singleton documents)."""
    from opsdocs.documents.kinds import get_kind

    rng = random.Random(seed)
    services = [f"{rng.choice(ADJ)}-{rng.choice(NOUN)}-{i}" for i in range(n)]
    teams = [f"team-{noun}" for noun in NOUN]
    count = 0

    def write(name: str, text: str) -> None:
        nonlocal count
        (ops / name).write_text(text, encoding="utf-8")
        count += 1

    for kind in ("incident-response", "disaster-recovery"):
        spec = get_kind(kind)
        body = "\n".join(
            f"## {s.title}\n\n{s.guidance.rstrip('.')}: written.\n" for s in spec.sections
        )
        write(
            spec.filename,
            GENERIC.format(
                kind=kind, title=spec.label, owner="team-sre", reviewed="2026-05-01", sections=body
            ),
        )
    for team in teams:
        spec = get_kind("on-call")
        body = "\n".join(
            f"## {s.title}\n\nOur practice for this, in detail.\n" for s in spec.sections
        )
        write(
            f"on-call-{team.removeprefix('team-')}.md",
            GENERIC.format(
                kind="on-call",
                title=f"On-call {team}",
                owner=team,
                reviewed="2026-04-01",
                sections=body,
            ),
        )
    # Each service has a runbook, two SLOs and one more document, all owned by one team; about
    # one document in a hundred has a defect (a TODO left in), as in a real folder.
    i = 0
    while count < n:
        service = services[i]
        owner = teams[i % len(teams)]
        reviewed = f"2026-0{rng.randint(3, 5)}-{rng.randint(10, 28)}"
        slos = [f"slo-{service}-availability.md", f"slo-{service}-latency.md"]
        runbook = RUNBOOK.format(
            title=f"{service} runbook",
            owner=owner,
            team=owner.removeprefix("team-"),
            service=service,
            Service=service.title().replace("-", ""),
            tier=rng.randint(0, 3),
            reviewed=reviewed,
            purpose=rng.choice(["search results", "payments", "user profiles"]),
            users=rng.choice(["the web app", "mobile clients", "partners"]),
            replicas=rng.randint(2, 12),
            deps=rng.choice(["Postgres", "Redis and Kafka", "the auth service"]),
            slo_links="\n".join(f"- [{s}]({s})" for s in slos),
            more=rng.randint(12, 30),
        )
        if rng.random() < 0.01:
            runbook = runbook.replace("Page the secondary", "TODO: who?")
        write(f"runbook-{service}.md", runbook)
        for slo_file, what in zip(slos, ("availability", "latency"), strict=True):
            if count >= n:
                break
            write(
                slo_file,
                SLO.format(
                    title=f"{service} {what}",
                    owner=owner,
                    service=service,
                    reviewed=reviewed,
                    what=rng.choice(["read", "write", "search"]),
                    ms=rng.choice([200, 300, 500]),
                    target=rng.choice(["99.9", "99.5", "99.95"]),
                ),
            )
        if count < n:
            kind = ("monitoring", "capacity", "cost")[i % 3]
            spec = get_kind(kind)
            body = "\n".join(
                f"## {s.title}\n\nFor `{service}`: see [the runbook](runbook-{service}.md).\n"
                for s in spec.sections
            )
            text = GENERIC.format(
                kind=kind, title=f"{kind} {service}", owner=owner, reviewed=reviewed, sections=body
            )
            extra = f"service: {service}\n" if kind == "capacity" else ""
            write(f"{kind}-{service}.md", text.replace("last_reviewed", extra + "last_reviewed", 1))
        i += 1
    # The folders the operations README links to.
    for area in ("architecture", "delivery", "governance"):
        (ops.parent / area).mkdir(exist_ok=True)
        (ops.parent / area / "README.md").write_text(f"# {area.title()}\n")


PROBE = """
import os, resource, subprocess, sys, time

def tree_rss(root):
    # Resident memory of ``root`` and all its descendants, in kB, from /proc.
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    tree, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                todo.append(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total

t = time.perf_counter()
quiet = subprocess.DEVNULL
proc = subprocess.Popen(sys.argv[1:], stdout=quiet, stderr=quiet)
peak_total = 0
while proc.poll() is None:
    peak_total = max(peak_total, tree_rss(proc.pid))
    time.sleep(0.05)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(wall, rss, peak_total / 1024, proc.returncode)
"""


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall seconds, peak RSS of one process in MB, peak RSS of all its processes together
    in MB (sampled every 50 ms), exit code)."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def markdownlint(tool_dir: Path) -> list[str] | None:
    found = shutil.which("markdownlint-cli2")
    if found:
        return [found]
    local = tool_dir / "node_modules" / ".bin" / "markdownlint-cli2"
    if not local.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(tool_dir),
                "markdownlint-cli2",
            ],
            check=False,
        )
    return [str(local)] if local.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    sys.path.insert(0, str(SRC))
    base = args.keep or Path(tempfile.mkdtemp(prefix="opsdocs-bench-"))
    root = base / "ws"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    env = dict(os.environ, PYTHONPATH=str(SRC))
    opsdocs = [sys.executable, "-m", "opsdocs"]
    subprocess.run([*opsdocs, "init"], cwd=root, env=env, check=True, capture_output=True)
    ops = root / "docs" / "internal" / "operations"
    t = time.perf_counter()
    generate(ops, args.docs)
    subprocess.run([*opsdocs, "index"], cwd=root, env=env, check=True, capture_output=True)
    files = sum(1 for _ in ops.glob("*.md"))
    size = sum(p.stat().st_size for p in ops.glob("*.md")) / 1e6
    print(f"generated {files} files ({size:.1f} MB) in {time.perf_counter() - t:.1f} s")

    check = [*opsdocs, "check", "--today", TODAY, "--jobs", str(args.jobs)]
    shutil.rmtree(root / ".opsdocs" / "cache", ignore_errors=True)
    cold, cold_rss, cold_sum, code = measure(check, root, env)
    warm, warm_rss, warm_sum, warm_code = measure(check, root, env)
    print(
        f"opsdocs check cold: {cold:6.2f} s  peak {cold_rss:5.0f} MB per process, "
        f"{cold_sum:5.0f} MB together  exit {code}"
    )
    print(
        f"opsdocs check warm: {warm:6.2f} s  peak {warm_rss:5.0f} MB per process, "
        f"{warm_sum:5.0f} MB together  exit {warm_code}"
    )

    tool = markdownlint(base / "tools")
    if tool is None:
        print("markdownlint-cli2: not installed and npm could not install it; peer not measured")
        return 0
    mdl, mdl_rss, mdl_sum, mdl_code = measure(
        [*tool, "docs/internal/operations/**/*.md"], root, env
    )
    print(
        f"markdownlint-cli2:  {mdl:6.2f} s  peak {mdl_rss:5.0f} MB per process, "
        f"{mdl_sum:5.0f} MB together  exit {mdl_code}"
    )
    print()
    print(f"cold / markdownlint-cli2 = {cold / mdl:.2f}  (target <= 1.00)")
    print(f"warm / cold             = {warm / cold:.2f}  (target <= 0.20)")
    peak = max(cold_sum, warm_sum, cold_rss, warm_rss)
    print(f"peak memory             = {peak:.0f} MB  (target < 500 MB)")
    print(f"machine: {os.cpu_count()} CPUs, {os.uname().machine}, {_cpu_model()}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    ok = cold <= mdl and warm <= 0.2 * cold and peak < 500
    return 0 if ok else 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `opsdocs site build` on the 10,000-document folder of bench_check.py.

Generates the same folder as ``bench_check.py`` (same generator, same seed), then times, in the
same run:

* `opsdocs check` cold (no cache), with 2 workers: the peer;
* `opsdocs site build` cold (no cache, no previous site): every page, the search index, the
  findings page (the build runs the checks itself);
* `opsdocs site build` again with the check cache warm (what a second build costs);
* the incremental rebuild after one runbook changed (``Site.refresh``, what `opsdocs site serve`
  does on a change), in-process, timed from the change to the last page written.

Targets: cold build <= 3 x cold check; incremental rebuild of one document < 1 s.

    python bench/bench_site.py [--docs 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SRC))

from bench_check import TODAY, _cpu_model, generate, measure  # noqa: E402

AT = f"{TODAY}T12:00:00Z"


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s of the command and every process it waited for, peak MB of all its
    processes together, exit code): CPU time is what a loaded shared machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _rss, peak, code = measure(cmd, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak, code


def incremental(root: Path, changed: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds to rebuild the site after ``changed`` was edited, ``runs`` times (in-process):
    wall-clock and CPU time of this process (what a loaded shared machine distorts least)."""
    from opsdocs.site.build import BuildOptions, Site
    from opsdocs.workspace import Workspace

    options = BuildOptions(today=dt.date.fromisoformat(TODAY), now=dt.datetime.fromisoformat(AT))
    site = Site(Workspace.discover(root), root / "site-incremental", options)
    site.build()
    original = changed.read_text(encoding="utf-8")
    times, cpu = [], []
    for i in range(runs):
        changed.write_text(original + f"\nEdited {i}: the flamingo line.\n", encoding="utf-8")
        t, c = time.perf_counter(), time.process_time()
        site.refresh([changed])
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    changed.write_text(original, encoding="utf-8")
    return times, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5, help="incremental rebuilds to time")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="opsdocs-bench-site-"))
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

    cache = root / ".opsdocs" / "cache"
    check = [*opsdocs, "check", "--today", TODAY, "--jobs", str(args.jobs)]
    build = [*opsdocs, "site", "build", "--today", TODAY, "--at", AT, "--out", "site"]
    shutil.rmtree(cache, ignore_errors=True)
    check_cold, check_cpu, check_peak, check_code = timed(check, root, env)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    build_cold, build_cpu, build_peak, build_code = timed(build, root, env)
    pages = sum(1 for _ in (root / "site").rglob("*.html"))
    out_size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file()) / 1e6
    build_warm, warm_cpu, warm_peak, warm_code = timed(build, root, env)
    print(
        f"opsdocs check cold:       {check_cold:6.2f} s  CPU {check_cpu:6.2f} s  "
        f"peak {check_peak:5.0f} MB  exit {check_code}"
    )
    print(
        f"opsdocs site build cold:  {build_cold:6.2f} s  CPU {build_cpu:6.2f} s  "
        f"peak {build_peak:5.0f} MB  exit {build_code}  ({pages} pages, {out_size:.1f} MB)"
    )
    print(
        f"opsdocs site build again: {build_warm:6.2f} s  CPU {warm_cpu:6.2f} s  "
        f"peak {warm_peak:5.0f} MB  exit {warm_code}  (check cache warm)"
    )
    if build_code != 0:
        print("site build failed")
        return 1

    from opsdocs.site.build import Site

    worst = float("inf")
    if hasattr(Site, "refresh"):
        changed = next(iter(sorted(ops.glob("runbook-*.md"))))
        times, cpu = incremental(root, changed, args.runs)
        worst = max(times)
        print(
            f"incremental rebuild of one runbook: median {sorted(times)[len(times) // 2]:.3f} s,"
            f" worst {worst:.3f} s over {len(times)} edits; CPU median"
            f" {sorted(cpu)[len(cpu) // 2]:.3f} s, worst {max(cpu):.3f} s"
        )
    else:
        print("incremental rebuild: not measured (this opsdocs has no Site.refresh)")
    ratio = build_cold / check_cold
    print()
    print(f"site build cold / check cold = {ratio:.2f}  (target <= 3.00)")
    print(f"  on CPU time                = {build_cpu / check_cpu:.2f}")
    print(f"incremental rebuild (worst)  = {worst:.3f} s  (target < 1 s)")
    print(f"peak memory (build)          = {build_peak:.0f} MB")
    print(f"machine: {os.cpu_count()} CPUs, {os.uname().machine}, {_cpu_model()}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if ratio <= 3 and worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())

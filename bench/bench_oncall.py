"""Benchmark `opsdocs oncall schedule` for 50 teams × 3 layers over a year.

Generates a workspace with one on-call document per team. Each team has three rotations in
different zones: a weekly primary (Europe/Berlin), a daily secondary (America/New_York) and a
business-hours office rotation on an RRULE (Asia/Kolkata), plus a few overrides. Then it times,
best of K runs:

* the whole command, `opsdocs oncall schedule --from 2026-01-01 --to 2026-12-31 --format json`
  (start-up, reading 50 documents, validation, every shift, JSON written to a file);
* the library alone (`load_roster` and `schedule`);
* the floor: a bare loop that turns every handoff's wall-clock time into a UTC instant with
  zoneinfo and cuts business-hours windows the same way, with no validation, members or output:
  the arithmetic no implementation can skip.

Target: the whole command within 1 second. The ratio library / floor says how much the
schedule costs beyond the time arithmetic itself.

    python bench/bench_oncall.py [--teams 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
OPS = "docs/internal/operations"
START, END = "2026-01-01", "2026-12-31"

DOC = """---
kind: on-call
title: {team} On-Call
owner: {team}
last_reviewed: 2026-01-01
teams:
  - name: {team}
    rotations:
      - name: primary
        members: [{a}, {b}, {c}, {d}]
        zone: Europe/Berlin
        start: 2025-12-29
        handoff: "09:00"
        length: weekly
        overrides:
          - who: {d}
            from: 2026-03-30T12:00
            to: 2026-04-02T12:00
          - who: {a}
            from: 2026-10-20T09:00
            to: 2026-10-27T09:00
      - name: secondary
        members: [{b}, {c}, {d}, {a}]
        zone: America/New_York
        start: 2025-12-29
        handoff: "10:00"
        length: daily
      - name: office
        members: [{e}, {f}]
        zone: Asia/Kolkata
        start: 2025-12-29
        handoff: "09:00"
        length: "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"
        restrict: business-hours
    escalation:
      - rotation: primary
      - rotation: secondary
        after: 15m
      - rotation: office
        after: 30m
---

# {team} On-Call
"""


def build(root: Path, teams: int) -> None:
    (root / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    folder = root / OPS
    folder.mkdir(parents=True)
    for i in range(teams):
        team = f"team-{i:02d}"
        people = {k: f"p{i:02d}{k}" for k in "abcdef"}
        (folder / f"on-call-{team}.md").write_text(DOC.format(team=team, **people))


def floor(teams: int) -> float:
    """Every handoff and business-hours window of the same rotations, as bare zoneinfo math."""
    start = time.perf_counter()
    year_start = dt.datetime(2026, 1, 1)
    utc = dt.UTC
    for _ in range(teams):
        berlin, new_york, kolkata = (
            ZoneInfo("Europe/Berlin"),
            ZoneInfo("America/New_York"),
            ZoneInfo("Asia/Kolkata"),
        )
        first = dt.datetime(2025, 12, 29, 9)
        for k in range(54):
            (first + dt.timedelta(weeks=k)).replace(tzinfo=berlin).astimezone(utc)
        first = dt.datetime(2025, 12, 29, 10)
        for k in range(368):
            (first + dt.timedelta(days=k)).replace(tzinfo=new_york).astimezone(utc)
        for k in range(366):
            day = year_start + dt.timedelta(days=k)
            if day.weekday() < 5:
                day.replace(hour=9, tzinfo=kolkata).astimezone(utc)
                day.replace(hour=17, tzinfo=kolkata).astimezone(utc)
    return time.perf_counter() - start


def library(root: Path) -> tuple[float, int]:
    sys.path.insert(0, str(SRC))
    from opsdocs.oncall.roster import load_roster
    from opsdocs.oncall.schedule import parse_when, schedule
    from opsdocs.workspace import Workspace

    start = time.perf_counter()
    roster = load_roster(Workspace.discover(root=root))
    shifts = schedule(
        roster, parse_when(START, what="--from"), parse_when(END, what="--to", end=True)
    )
    return time.perf_counter() - start, len(shifts)


def command(root: Path) -> float:
    exe = Path(sys.executable).with_name("opsdocs")
    args = [str(exe) if exe.exists() else "opsdocs", "oncall", "schedule"]
    args += ["--from", START, "--to", END, "--format", "json", "--out", str(root / "out.json")]
    start = time.perf_counter()
    subprocess.run(args, cwd=root, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsdocs-bench-oncall-") as folder:
        root = Path(folder)
        build(root, opts.teams)
        commands, libs, floors = [], [], []
        shifts = 0
        for _ in range(opts.runs):
            commands.append(command(root))
            elapsed, shifts = library(root)
            libs.append(elapsed)
            floors.append(floor(opts.teams))
    best_cmd, best_lib, best_floor = min(commands), min(libs), min(floors)
    print(f"{opts.teams} teams × 3 layers, {START} to {END}: {shifts} shifts")
    print(f"command (whole 'oncall schedule'): {best_cmd:.3f} s  (target <= 1 s)")
    print(f"library (load + schedule):         {best_lib:.3f} s")
    print(f"floor (bare zoneinfo handoffs):    {best_floor:.3f} s")
    print(f"ratio library / floor: {best_lib / best_floor:.1f}")
    print(f"ratio command / 1 s target: {best_cmd:.2f}")
    return 0 if best_cmd <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

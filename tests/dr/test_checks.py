"""The DR rules that read the backup evidence ``[dr] evidence`` names (DR004, DR005), through
``opsdocs check``: the moment they judge at, and evidence that cannot be read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, snapshot
from tests.dr.helpers import OPS, plan_workspace

SYSTEMS = """\
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: 1h
    backups:
      - name: pg-dump
        tool: pg_dump
        schedule: 1h
        retention: 2h
"""

CONFIG = 'owners = ["team-sre"]\n\n[dr]\nevidence = ["backups.csv"]\n'


def _check(cli: Callable[..., Result], root: Path, today: str) -> Result:
    return cli("check", "--select", "DR004,DR005", "--today", today, "--no-cache", cwd=root)


def test_the_evidence_is_judged_at_the_start_of_the_day_checked(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    log = (
        "system,job,finished_at,status\n"
        "orders-db,pg-dump,2026-05-31T22:00:00Z,success\n"
        "orders-db,pg-dump,2026-05-31T23:30:00Z,success\n"
    )
    root = plan_workspace(tmp_path, SYSTEMS, **{"opsdocs.toml": CONFIG, "backups.csv": log})
    # at 2026-06-01T00:00:00Z the last dump is 30 minutes old, and the oldest 2 hours
    clean = _check(cli, root, "2026-06-01")
    assert (clean.exit_code, clean.stdout) == (0, "All checks passed (1 file).\n"), clean.stderr
    # a day later it is a day old, over the hour the RPO allows
    late = _check(cli, root, "2026-06-02")
    assert late.exit_code == 1
    assert (
        f"{OPS}/disaster-recovery.md:12:9: DR004 dr-evidence-rpo-missed: job 'pg-dump' of "
        "'orders-db': the last successful backup is 1d 30m old at 2026-06-02T00:00:00Z, over "
        "the RPO of 1h (evidence: backups.csv) (find out why the backups stopped, and run one "
        "now)" in late.stdout
    )


def test_evidence_that_cannot_be_read_is_a_finding_on_the_plan(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    log = "system,job,finished_at,status\norders-db,pg-dump,2026-05-31T22:00:00,success\n"
    root = plan_workspace(tmp_path, SYSTEMS, **{"opsdocs.toml": CONFIG, "backups.csv": log})
    before = snapshot(root)
    result = _check(cli, root, "2026-06-01")
    assert result.exit_code == 1
    assert (
        f"{OPS}/disaster-recovery.md:1:1: DR004 dr-evidence-rpo-missed: the backup evidence "
        "cannot be read: backups.csv:2: finished_at '2026-05-31T22:00:00' has no time zone "
        "(write times with a zone, e.g. 2026-11-30T02:00:00Z) (fix the evidence file, or [dr] "
        "evidence in the configuration)" in result.stdout
    )
    assert snapshot(root) == before


def test_without_configured_evidence_the_rules_are_quiet(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    result = _check(cli, root, "2026-06-02")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_new_plan_passes_the_dr_rules(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    assert cli("new", "disaster-recovery", cwd=workspace_dir).exit_code == 0
    dr = cli("check", "--select", "DR", "--no-cache", cwd=workspace_dir)
    assert (dr.exit_code, dr.stdout) == (0, "All checks passed (2 files).\n"), dr.stdout
    # what is left is the template's guidance and TODOs, for the author to replace
    every = cli("check", "--no-cache", "--format", "json", cwd=workspace_dir)
    codes = {f["code"] for f in json.loads(every.stdout)["findings"]}
    assert codes == {"CT001", "CT003"}, every.stdout


def test_a_wal_archive_is_held_by_its_archive_interval(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = """\
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: 5m
    backups:
      - name: orders-pg
        tool: pgbackrest
        schedule: 1d
        archive_every: {every}
"""
    root = plan_workspace(tmp_path, systems.format(every="1m"))
    clean = cli("check", "--select", "DR002", "--no-cache", cwd=root)
    assert (clean.exit_code, clean.stdout) == (0, "All checks passed (1 file).\n"), clean.stdout
    root = plan_workspace(tmp_path / "slow", systems.format(every="10m"))
    slow = cli("check", "--select", "DR002", "--no-cache", cwd=root)
    assert slow.exit_code == 1
    assert slow.stdout.splitlines()[0] == (
        f"{OPS}/disaster-recovery.md:15:9: DR002 dr-schedule-misses-rpo: job 'orders-pg' archives"
        " every 10m, so system 'orders-db' can lose more than its RPO of 5m (archive at least"
        " every 5m, or change the RPO)"
    )


def test_a_finding_on_a_job_is_at_that_jobs_name_when_two_share_it(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = SYSTEMS + "      - name: pg-dump\n        tool: pg_dump\n        schedule: 1h\n"
    log = "system,job,finished_at,status\norders-db,pg-dump,2026-05-31T22:00:00Z,success\n"
    root = plan_workspace(tmp_path, systems, **{"opsdocs.toml": CONFIG, "backups.csv": log})
    result = _check(cli, root, "2026-06-02")
    assert result.exit_code == 1
    # each job of the plan is reported at its own name (the second one was reported at the
    # first's, where the finding repeated)
    lines = [line.split(" DR004")[0] for line in result.stdout.splitlines() if "DR004" in line]
    assert lines == [f"{OPS}/disaster-recovery.md:12:9:", f"{OPS}/disaster-recovery.md:16:9:"]

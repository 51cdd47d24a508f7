"""``opsdocs dr status`` over a generic backup log (CSV and JSON Lines, read with DuckDB), the
effective RTO along ``depends_on``, and the bad input refused in one line with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, snapshot
from tests.dr.helpers import plan_workspace

SYSTEMS = """\
  - name: checkout
    tier: 1
    rto: 1h
    rpo: 1h
    depends_on: [orders-db]
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: 1h
    depends_on: [storage]
    backups:
      - name: pg-dump
        tool: pg_dump
        schedule: 1h
  - name: storage
    tier: 2
    rto: 6h
    rpo: 1d
    backups:
      - name: snapshots
        tool: zfs
        schedule: 1d
"""

CSV = """\
system,job,finished_at,status,size
orders-db,pg-dump,2026-11-30T08:00:00Z,success,100
orders-db,pg-dump,2026-11-30T09:00:00Z,failed,
orders-db,pg-dump,2026-11-30T10:00:00Z,failed,
orders-db,pg-dump,2026-11-30T11:00:00+01:00,success,120
"""

JSONL = """\
{"system": "storage", "job": "snapshots", "finished_at": "2026-11-28T00:00:00Z", "status": "ok"}

{"system": "storage", "job": "snapshots", "finished_at": "2026-11-29T23:30:00Z", "status": "ok"}
{"system": "storage", "job": "snapshots", "finished_at": "2026-11-30T23:00:00Z", "status": "ok"}
"""

AT = "2026-11-30T10:30:00Z"


def _status(cli: Callable[..., Result], root: Path, *extra: str) -> dict[str, object]:
    result = cli(
        "dr",
        "status",
        "--at",
        AT,
        "--evidence",
        "backups.csv",
        "--evidence",
        "backups.jsonl",
        "--format",
        "json",
        *extra,
        cwd=root,
    )
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_log_evidence_gives_ages_verdicts_gaps_and_failures(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV, "backups.jsonl": JSONL})
    data = _status(cli, root)
    systems = {s["system"]: s for s in data["systems"]}  # type: ignore[attr-defined]
    pg = systems["orders-db"]["jobs"][0]
    # 11:00+01:00 is 10:00Z: the last good dump, half an hour before --at.
    assert pg["last_success"] == "2026-11-30T10:00:00Z"
    assert pg["age_seconds"] == 1800
    assert pg["rpo_met"] is True
    assert pg["longest_gap_seconds"] == 7200
    assert pg["failed_runs"] == 2
    snap = systems["storage"]["jobs"][0]
    # The run finished after --at is not seen.
    assert snap["last_success"] == "2026-11-29T23:30:00Z"
    assert snap["age_seconds"] == 11 * 3600
    assert snap["longest_gap_seconds"] == 47.5 * 3600
    assert snap["rpo_met"] is True
    assert systems["checkout"]["jobs"] == []
    # checkout waits for orders-db, which waits for storage.
    assert systems["checkout"]["effective_rto_seconds"] == 6 * 3600
    assert systems["checkout"]["effective_rto_via"] == ["checkout", "orders-db", "storage"]


def test_window_bounds_the_gap_and_failures(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV, "backups.jsonl": JSONL})
    data = _status(cli, root, "--window", "1h")
    pg = next(s for s in data["systems"] if s["system"] == "orders-db")["jobs"][0]  # type: ignore[attr-defined]
    assert pg["failed_runs"] == 1  # 09:00 is before the window
    assert pg["longest_gap_seconds"] == 1800


def test_markdown_is_a_table_with_the_verdict(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV, "backups.jsonl": JSONL})
    result = cli(
        "dr",
        "status",
        "--at",
        "2026-11-30T12:00:00Z",
        "--evidence",
        "backups.csv",
        "--format",
        "markdown",
        cwd=root,
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "| orders-db | 1 | 1h | 6h (via storage) | pg-dump | 2026-11-30T10:00:00Z | 2h |"
        " MISSED | 2h | 2 | 2 |" in result.stdout
    )
    assert result.stdout.endswith("\nRPO missed: 1 job(s). No evidence: 1 job(s).\n")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "backups.csv",
            "system,job,finished_at,status\norders-db,pg-dump,2026-11-30T08:00:00,success\n",
            "error: backups.csv:2: finished_at '2026-11-30T08:00:00' has no time zone "
            "(write times with a zone, e.g. 2026-11-30T02:00:00Z)",
        ),
        (
            "backups.jsonl",
            '{"system": "storage", "job": "snapshots", "finished_at": "2026-11-28 00:00",'
            ' "status": "ok"}\n',
            "error: backups.jsonl:1: finished_at '2026-11-28 00:00' has no time zone "
            "(write times with a zone, e.g. 2026-11-30T02:00:00Z)",
        ),
        (
            "snapshots.json",
            '[{"time": "2026-11-28T00:00:00Z", "tags": ["orders"]}, {"time": "2026',
            "error: snapshots.json: not valid JSON at line 1 column 65: Unterminated string "
            "starting at (give the complete output of 'restic snapshots --json', 'pgbackrest "
            "info --output=json' or 'velero backup get -o json')",
        ),
        (
            "snapshots.json",
            '[{"time": "2026-11-28T00:00:00.123456789", "tags": ["orders"]}]',
            "error: snapshots.json: snapshot 0 time '2026-11-28T00:00:00.123456789' has no "
            "time zone (write times with a zone, e.g. 2026-11-30T02:00:00Z)",
        ),
        (
            "backups.csv",
            "system,job,finished_at,status\norders-db,pg-dump,2026-11-30T08:00:00Z,maybe\n",
            "error: backups.csv:2: status 'maybe' is neither a success nor a failure "
            "(use success or failed)",
        ),
        (
            "backups.csv",
            "system,job,finished_at,status\norders-db,pg-dump,2026-11-30T08:00:00Z,ok,extra\n",
            "error: backups.csv:2: a row does not fit the header "
            "(give every row the header's fields)",
        ),
        (
            "backups.csv",
            "system,job,when,status\norders-db,pg-dump,2026-11-30T08:00:00Z,ok\n",
            "error: backups.csv: the header has no finished_at "
            "(the columns are system, job, finished_at, status and size)",
        ),
        (
            "backups.txt",
            "anything\n",
            "error: backups.txt: cannot tell the evidence format from the file name "
            "(use .json for a tool's JSON output (restic, pgBackRest, Velero), .csv or .jsonl "
            "for a backup log)",
        ),
    ],
)
def test_bad_evidence_is_one_line_exit_2(
    tmp_path: Path, cli: Callable[..., Result], name: str, content: str, message: str
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{name: content})
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, "--evidence", name, cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert snapshot(root) == before


def test_dependency_cycle_is_one_line_at_the_key(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = SYSTEMS.replace("    rpo: 1d\n", "    rpo: 1d\n    depends_on: [checkout]\n")
    root = plan_workspace(tmp_path, systems)
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: docs/internal/operations/disaster-recovery.md:25:18: systems[2].depends_on: "
        "dependency cycle checkout -> orders-db -> storage -> checkout (a system cannot depend "
        "on itself, directly or through others)\n"
    )
    assert snapshot(root) == before


def test_a_wrong_key_is_reported_at_its_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = plan_workspace(tmp_path, SYSTEMS.replace("schedule: 1h", "schedule: hourly"))
    result = cli("dr", "status", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: docs/internal/operations/disaster-recovery.md:20:9: "
        "systems.1.backups.0.schedule: must be a duration such as '5m', '1h' or '3d' "
        "(got 'hourly')"
    )


def test_no_plan_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    result = cli("dr", "status", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no disaster-recovery.md" in result.stderr


def test_gzipped_csv_is_read(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import gzip

    root = plan_workspace(tmp_path, SYSTEMS)
    (root / "backups.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    result = cli(
        "dr", "status", "--at", AT, "--evidence", "backups.csv.gz", "--format", "json", cwd=root
    )
    assert result.exit_code == 0, result.stderr
    jobs = [j for s in json.loads(result.stdout)["systems"] for j in s["jobs"]]
    assert jobs[0]["last_success"] == "2026-11-30T10:00:00Z"
    assert jobs[0]["failed_runs"] == 2

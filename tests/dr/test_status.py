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
    assert result.exit_code == 1, result.stderr  # an RPO missed is a finding
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


def test_exit_1_when_the_evidence_shows_an_rpo_missed(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV})
    met = cli("dr", "status", "--at", AT, "--evidence", "backups.csv", cwd=root)
    assert met.exit_code == 0, met.stderr
    # 11:01 is more than the hour the RPO allows after the 10:00 dump
    missed = cli(
        "dr", "status", "--at", "2026-11-30T11:01:00Z", "--evidence", "backups.csv", cwd=root
    )
    assert (missed.exit_code, missed.stderr) == (1, "")
    assert "MISSED" in missed.stdout


def test_retention_coverage_from_the_oldest_successful_run(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = SYSTEMS.replace(
        "        schedule: 1h\n", "        schedule: 1h\n        retention: 3h\n"
    )
    root = plan_workspace(tmp_path, systems, **{"backups.csv": CSV})

    def job(at: str) -> dict[str, object]:
        result = cli(
            "dr", "status", "--at", at, "--evidence", "backups.csv", "--format", "json", cwd=root
        )
        data = json.loads(result.stdout)
        found: dict[str, object] = data["systems"][1]["jobs"][0]
        return found

    # at 10:30 the oldest successful run (08:00) reaches back 2.5h: with hourly runs, a 3h
    # retention keeps copies at least 2h old
    early = job(AT)
    assert (early["oldest_success"], early["oldest_age_seconds"]) == ("2026-11-30T08:00:00Z", 9000)
    assert early["retention"] == "3h"
    assert early["retention_covered"] is True
    # the runs before --at only: at 08:30 the oldest copy is half an hour old
    assert job("2026-11-30T08:30:00Z")["retention_covered"] is False
    table = cli(
        "dr", "status", "--at", "2026-11-30T08:30:00Z", "--evidence", "backups.csv", cwd=root
    )
    assert "3h: SHORT (30m)" in table.stdout


PLAN_WITH_SECTIONS = """\
---
kind: disaster-recovery
title: DR Plan
owner: team-sre
last_reviewed: 2026-11-01
systems:
{systems}---

# DR Plan

## Recovery Objectives

Written by hand.

## Backup Strategy

Nightly dumps, hourly WAL.

## Testing

Quarterly.
"""


def test_write_keeps_the_status_block_in_the_backup_strategy_section(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from tests.dr.helpers import OPS

    plan = root_plan = f"{OPS}/disaster-recovery.md"
    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV})
    (root / root_plan).write_text(PLAN_WITH_SECTIONS.format(systems=SYSTEMS))
    args = ("dr", "status", "--at", "2026-11-30T12:00:00Z", "--evidence", "backups.csv")
    result = cli(*args, "--write", cwd=root)
    # the block is evidence: it is written even when it shows an RPO missed
    assert result.exit_code == 1
    assert result.stderr == f"updated {plan}\n"
    text = (root / plan).read_text()
    head, block = text.split("Nightly dumps, hourly WAL.\n\n<!-- opsdocs:dr-status:start -->\n")
    block, tail = block.split("<!-- opsdocs:dr-status:end -->\n")
    assert head == PLAN_WITH_SECTIONS.format(systems=SYSTEMS).split("Nightly dumps")[0]
    assert tail == "\n## Testing\n\nQuarterly.\n"
    markdown = cli(*args, "--format", "markdown", cwd=root).stdout
    assert block == markdown
    assert "Evidence: `backups.csv`." in block
    # the same moment again: nothing to change
    again = cli(*args, "--write", cwd=root)
    assert (again.exit_code, again.stderr) == (1, "")
    assert (root / plan).read_text() == text


def test_write_refuses_repeated_markers_and_writes_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from tests.dr.helpers import OPS

    root = plan_workspace(tmp_path, SYSTEMS, **{"backups.csv": CSV})
    path = root / OPS / "disaster-recovery.md"
    path.write_text(
        path.read_text() + "\n<!-- opsdocs:dr-status:start -->\n<!-- opsdocs:dr-status:start -->\n"
    )
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, "--evidence", "backups.csv", "--write", cwd=root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {OPS}/disaster-recovery.md:33:1: marker <!-- opsdocs:dr-status:start --> appears "
        "2 times (keep exactly one <!-- opsdocs:dr-status:start --> line and one "
        "<!-- opsdocs:dr-status:end --> line)\n"
    )
    assert snapshot(root) == before


def test_configured_evidence_is_read_when_none_is_given(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(
        tmp_path,
        SYSTEMS,
        **{
            "evidence/backups.csv": CSV,
            "evidence/snapshots.jsonl": JSONL,
            "opsdocs.toml": 'owners = ["team-sre"]\n\n[dr]\nevidence = ["evidence/*"]\nwindow = "1h"\n',
        },
    )
    result = cli("dr", "status", "--at", AT, "--format", "json", cwd=root)
    data = json.loads(result.stdout)
    assert data["evidence"] == ["evidence/backups.csv", "evidence/snapshots.jsonl"]
    assert data["window_seconds"] == 3600
    jobs = {j["job"]: j for s in data["systems"] for j in s["jobs"]}
    assert jobs["pg-dump"]["failed_runs"] == 1
    assert jobs["snapshots"]["last_success"] == "2026-11-29T23:30:00Z"


def test_configured_evidence_that_matches_nothing_is_one_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(
        tmp_path,
        SYSTEMS,
        **{"opsdocs.toml": 'owners = ["team-sre"]\n\n[dr]\nevidence = ["backups/*.csv"]\n'},
    )
    result = cli("dr", "status", "--at", AT, cwd=root)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: dr.evidence: no file matches 'backups/*.csv' (check the path; it is relative to "
        "the workspace root)\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "backups.jsonl",
            JSONL + '{"system": "storage", "job": "snapshots", "finished_at": "2026-12-01", '
            '"status": "ok"}\n',
            # blank lines count: the bad line is the fifth of the file
            "error: backups.jsonl:5: finished_at '2026-12-01' has no time zone (write times "
            "with a zone, e.g. 2026-11-30T02:00:00Z)",
        ),
        (
            "backups.jsonl",
            JSONL + '{"system": "storage", "job": "snapshots", "finished_at": "2026-12-01T0',
            "error: backups.jsonl:5: not valid JSON: Unterminated string starting at (write "
            "one JSON object per line)",
        ),
        (
            "backups.jsonl",
            JSONL + '["storage", "snapshots"]\n',
            "error: backups.jsonl:5: not a JSON object (one object per line)",
        ),
        (
            "backups.csv",
            CSV + "orders-db,,2026-11-30T12:00:00Z,success,1\n",
            "error: backups.csv:6: job is empty (give every run a job)",
        ),
        (
            "backups.csv",
            CSV + "orders-db,pg-dump,2026-11-30T12:00:00Z,success,lots\n",
            "error: backups.csv:6: size is not a whole number of bytes (write the size in bytes, "
            "or leave it empty)",
        ),
        (
            "backups.csv",
            CSV + "orders-db,pg-dump,2026-11-30T12:00:00Z, success,1\n",
            "error: backups.csv:6: the run cannot be read as written (write the values without "
            "spaces around them, and times like 2026-11-30T02:00:00Z)",
        ),
        (
            "backups.csv",
            CSV + "orders-db,pg-dump,2026-11-30,success,1\n",
            "error: backups.csv:6: finished_at '2026-11-30' has no time zone (write times with "
            "a zone, e.g. 2026-11-30T02:00:00Z)",
        ),
    ],
)
def test_the_first_bad_row_of_a_log_is_named_by_its_line(
    tmp_path: Path, cli: Callable[..., Result], name: str, content: str, message: str
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{name: content})
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, "--evidence", name, "--write", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert snapshot(root) == before


def test_logs_with_their_columns_in_another_order_are_read_by_name(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    other = "status,finished_at,job,system\nsuccess,2026-11-30T10:15:00Z,pg-dump,orders-db\n"
    root = plan_workspace(tmp_path, SYSTEMS, **{"a.csv": CSV, "b.csv": other})
    result = cli(
        "dr",
        "status",
        "--at",
        AT,
        "--evidence",
        "a.csv",
        "--evidence",
        "b.csv",
        "--format",
        "json",
        cwd=root,
    )
    data = json.loads(result.stdout)
    assert data["systems"][1]["jobs"][0]["last_success"] == "2026-11-30T10:15:00Z"

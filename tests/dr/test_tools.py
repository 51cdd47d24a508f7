"""``opsdocs dr status`` over the JSON pgBackRest and Velero print (small samples, written for
the tests, with the fields the tools emit): runs attributed to jobs by stanza and by schedule,
failures counted, bad input refused in one line with nothing written."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, snapshot
from tests.dr.helpers import plan_workspace

SYSTEMS = """\
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: 1d
    backups:
      - name: pg-main
        tool: pgbackrest
        schedule: 1d
        retention: 3d
        stanza: main
      - name: pg-reports
        tool: pgbackrest
        schedule: 1d
  - name: orders-k8s
    tier: 2
    rto: 4h
    rpo: 1d
    backups:
      - name: orders-daily
        tool: velero
        schedule: 1d
        retention: 30d
        velero_schedule: daily
"""

AT = "2026-11-30T12:00:00Z"
DAY = 86400


def _backup(label: str, start: int, stop: int, kind: str, *, error: bool = False) -> dict[str, Any]:
    # The fields of one entry of backup[] in 'pgbackrest info --output=json' (pgBackRest 2.5x).
    return {
        "archive": {"start": "000000010000000000000003", "stop": "000000010000000000000003"},
        "backrest": {"format": 5, "version": "2.54.0"},
        "database": {"id": 1, "repo-key": 1},
        "error": error,
        "info": {
            "delta": 31541043,
            "repository": {"delta": 4003473, "size": 4003473},
            "size": 31541043,
        },
        "label": label,
        "lsn": {"start": "0/3000028", "stop": "0/3000100"},
        "prior": None,
        "reference": None,
        "timestamp": {"start": start, "stop": stop},
        "type": kind,
    }


# 2026-11-27T02:00:00Z and the days after, in seconds since the epoch
NOV27 = 1795744800


def _stanza(name: str, backups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "archive": [
            {
                "database": {"id": 1, "repo-key": 1},
                "id": "16-1",
                "max": "000000010000000000000005",
                "min": "000000010000000000000001",
            }
        ],
        "backup": backups,
        "cipher": "none",
        "db": [{"id": 1, "repo-key": 1, "system-id": 7439876543210987654, "version": "16"}],
        "name": name,
        "repo": [{"cipher": "none", "key": 1, "status": {"code": 0, "message": "ok"}}],
        "status": {"code": 0, "lock": {"backup": {"held": False}}, "message": "ok"},
    }


PGBACKREST = [
    _stanza(
        "main",
        [
            _backup("20261127-020000F", NOV27, NOV27 + 300, "full"),
            _backup("20261128-020000F_20261128-020000I", NOV27 + DAY, NOV27 + DAY + 60, "incr"),
            # page checksum errors: a failed run
            _backup(
                "20261129-020000F_20261129-020000I",
                NOV27 + 2 * DAY,
                NOV27 + 2 * DAY + 60,
                "incr",
                error=True,
            ),
            _backup(
                "20261130-020000F_20261130-020000D", NOV27 + 3 * DAY, NOV27 + 3 * DAY + 90, "diff"
            ),
        ],
    ),
    _stanza("reports", []),
]


def _velero_backup(name: str, phase: str, start: str, end: str | None) -> dict[str, Any]:
    status: dict[str, Any] = {
        "phase": phase,
        "startTimestamp": start,
        "expiration": "2026-12-30T02:00:00Z",
        "formatVersion": "1.1.0",
        "version": 1,
        "progress": {"itemsBackedUp": 120, "totalItems": 120},
    }
    if end is not None:
        status["completionTimestamp"] = end
    if phase == "PartiallyFailed":
        status["errors"] = 2
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": {
            "creationTimestamp": start,
            "labels": {
                "velero.io/schedule-name": "daily",
                "velero.io/storage-location": "default",
            },
            "name": name,
            "namespace": "velero",
        },
        "spec": {
            "includedNamespaces": ["orders"],
            "storageLocation": "default",
            "ttl": "720h0m0s",
        },
        "status": status,
    }


VELERO = {
    "apiVersion": "v1",
    "kind": "List",
    "metadata": {},
    "items": [
        _velero_backup(
            "daily-20261128020000", "Completed", "2026-11-28T02:00:00Z", "2026-11-28T02:03:00Z"
        ),
        _velero_backup(
            "daily-20261129020000",
            "PartiallyFailed",
            "2026-11-29T02:00:00Z",
            "2026-11-29T02:04:00Z",
        ),
        _velero_backup(
            "daily-20261130020000", "Completed", "2026-11-30T02:00:00Z", "2026-11-30T02:05:00Z"
        ),
        # still running at --at: not a run yet
        _velero_backup("daily-20261130110000", "InProgress", "2026-11-30T11:00:00Z", None),
    ],
}


def _jobs(cli: Callable[..., Result], root: Path, *evidence: str) -> dict[str, Any]:
    args = [a for e in evidence for a in ("--evidence", e)]
    result = cli("dr", "status", "--at", AT, *args, "--format", "json", cwd=root)
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    return {j["job"]: j for s in data["systems"] for j in s["jobs"]}


def test_pgbackrest_backups_are_runs_of_the_job_naming_their_stanza(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"info.json": json.dumps(PGBACKREST)})
    jobs = _jobs(cli, root, "info.json")
    main = jobs["pg-main"]
    assert main["last_success"] == "2026-11-30T02:01:30Z"
    assert main["age_seconds"] == 10 * 3600 - 90
    assert main["rpo_met"] is True
    assert main["successful_runs"] == 3
    assert main["failed_runs"] == 1  # the backup pgBackRest flagged with error: true
    # from the 28th's incremental to the 30th's differential: the flagged one does not count
    assert main["longest_gap_seconds"] == 2 * DAY + 30
    # the oldest kept backup (the full one of the 27th) reaches back 3 days and 10 hours
    assert main["oldest_success"] == "2026-11-27T02:05:00Z"
    assert main["retention_covered"] is True
    # the 'reports' stanza has no backups; the job is named after another stanza anyway
    assert jobs["pg-reports"]["last_success"] is None


def test_velero_backups_are_runs_of_the_job_naming_their_schedule(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"velero.json": json.dumps(VELERO)})
    daily = _jobs(cli, root, "velero.json")["orders-daily"]
    assert daily["last_success"] == "2026-11-30T02:05:00Z"
    assert daily["successful_runs"] == 2
    assert daily["failed_runs"] == 1  # PartiallyFailed
    assert daily["longest_gap_seconds"] == 2 * DAY + 120
    # two days of copies for a 30-day retention
    assert daily["retention_covered"] is False
    assert daily["oldest_age_seconds"] == 2 * DAY + 9 * 3600 + 57 * 60


def test_a_single_velero_backup_is_read_too(tmp_path: Path, cli: Callable[..., Result]) -> None:
    one = VELERO["items"][2]  # type: ignore[index]
    root = plan_workspace(tmp_path, SYSTEMS, **{"velero.json": json.dumps(one)})
    daily = _jobs(cli, root, "velero.json")["orders-daily"]
    assert (daily["last_success"], daily["successful_runs"]) == ("2026-11-30T02:05:00Z", 1)


def test_backups_of_another_schedule_or_stanza_belong_to_no_job(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    other = copy.deepcopy(VELERO)
    for item in other["items"]:  # type: ignore[union-attr]
        item["metadata"]["labels"]["velero.io/schedule-name"] = "hourly"
    stanzas = copy.deepcopy(PGBACKREST)
    stanzas[0]["name"] = "archive"
    root = plan_workspace(
        tmp_path,
        SYSTEMS,
        **{"velero.json": json.dumps(other), "info.json": json.dumps(stanzas)},
    )
    jobs = _jobs(cli, root, "velero.json", "info.json")
    assert all(j["last_success"] is None for j in jobs.values())


def _zoneless() -> str:
    data = copy.deepcopy(VELERO)
    data["items"][0]["status"]["completionTimestamp"] = "2026-11-28T02:03:00"  # type: ignore[index]
    return json.dumps(data)


def _stringly_pgbackrest() -> str:
    data = copy.deepcopy(PGBACKREST)
    data[0]["backup"][0]["timestamp"]["stop"] = "2026-11-27 02:05:00"
    return json.dumps(data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "info.json",
            json.dumps(PGBACKREST)[:200],
            "error: info.json: not valid JSON at line 1 column 201: Expecting property name "
            "enclosed in double quotes (give the complete output of 'restic snapshots --json', 'pgbackrest "
            "info --output=json' or 'velero backup get -o json')",
        ),
        (
            "velero.json",
            _zoneless(),
            "error: velero.json: backup 'daily-20261128020000' status.completionTimestamp "
            "'2026-11-28T02:03:00' has no time zone (write times with a zone, e.g. "
            "2026-11-30T02:00:00Z)",
        ),
        (
            "info.json",
            _stringly_pgbackrest(),
            "error: info.json: stanza 'main' backup 20261127-020000F timestamp.stop "
            "'2026-11-27 02:05:00' is not a time in seconds since the epoch (give the output "
            "of 'pgbackrest info --output=json')",
        ),
        (
            "velero.json",
            '{"kind": "BackupList"}',  # an internal error (KeyError) before
            "error: velero.json: 'items' is not a list (give the output of 'velero backup get "
            "-o json')",
        ),
        (
            "other.json",
            '{"kind": "Deployment"}',
            "error: other.json: cannot tell which tool wrote this JSON (give the complete "
            "output of 'restic snapshots --json', 'pgbackrest info --output=json' or 'velero "
            "backup get -o json')",
        ),
    ],
)
def test_bad_tool_output_is_one_line_exit_2(
    tmp_path: Path, cli: Callable[..., Result], name: str, content: str, message: str
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{name: content})
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, "--evidence", name, "--write", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert snapshot(root) == before


def _short_ttl(ttl: str) -> dict[str, Any]:
    """Daily backups reaching back 40 days, the newest made with the TTL ``ttl``."""
    import datetime as dt

    items = []
    for n in range(40, -1, -1):
        day = dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC) - dt.timedelta(days=n)
        start = day.strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (day + dt.timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        items.append(_velero_backup(f"daily-{day:%Y%m%d%H%M%S}", "Completed", start, end))
    items[-1]["spec"]["ttl"] = ttl
    return {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}


def test_a_velero_ttl_shorter_than_the_retention_is_short(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    velero = {"velero.json": json.dumps(_short_ttl("168h0m0s"))}
    root = plan_workspace(tmp_path, SYSTEMS, **velero)
    daily = _jobs(cli, root, "velero.json")["orders-daily"]
    # the copies reach back 40 days today, but Velero deletes the new ones after 7
    assert daily["oldest_age_seconds"] > 30 * DAY
    assert (daily["kept_for_seconds"], daily["retention_covered"]) == (7 * DAY, False)
    table = cli("dr", "status", "--at", AT, "--evidence", "velero.json", cwd=root)
    assert "30d: SHORT (kept 7d)" in table.stdout
    (root / "opsdocs.toml").write_text('owners = ["team-sre"]\n[dr]\nevidence = ["velero.json"]\n')
    check = cli("check", "--select", "DR005", "--today", "2026-12-01", "--no-cache", cwd=root)
    assert check.stdout.splitlines()[0] == (
        "docs/internal/operations/disaster-recovery.md:25:9: DR005 dr-evidence-retention-short:"
        " job 'orders-daily' of 'orders-k8s': its newest backup is kept 7d (Velero's spec.ttl),"
        " short of the retention of 30d (give the schedule a TTL of at least the"
        " retention, e.g. velero schedule create --ttl 720h, or correct 'retention')"
    )


@pytest.mark.parametrize(("ttl", "kept"), [("720h0m0s", 30 * DAY), ("1000h", 1000 * 3600)])
def test_a_velero_ttl_as_long_as_the_retention_covers_it(
    tmp_path: Path, cli: Callable[..., Result], ttl: str, kept: int
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"velero.json": json.dumps(_short_ttl(ttl))})
    daily = _jobs(cli, root, "velero.json")["orders-daily"]
    assert (daily["kept_for_seconds"], daily["retention_covered"]) == (kept, True)


def test_a_velero_ttl_that_is_not_a_duration_is_one_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS, **{"velero.json": json.dumps(_short_ttl("a week"))})
    result = cli("dr", "status", "--at", AT, "--evidence", "velero.json", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: velero.json: backup 'daily-20261130020000' spec.ttl 'a week' is not a duration"
        " (give the output of 'velero backup get -o json')\n"
    )

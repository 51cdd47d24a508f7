"""``opsdocs dr status`` against a real restic repository made in the test: snapshots taken with
``--time`` at known moments give exact ages, RPO verdicts and the longest gap."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, require_tool, snapshot
from tests.dr.helpers import plan_workspace

pytestmark = pytest.mark.tools

PASSWORD = "correct horse battery staple"

SYSTEMS = """\
  - name: orders-db
    tier: 1
    rto: 4h
    rpo: 1d
    backups:
      - name: orders-restic
        tool: restic
        schedule: 1d
        repository: repo
        password_env: DR_TEST_RESTIC_PASSWORD
        tag: orders
  - name: files
    tier: 2
    rto: 8h
    rpo: 1h
    backups:
      - name: files-restic
        tool: restic
        schedule: 1h
        repository: repo
        password_env: DR_TEST_RESTIC_PASSWORD
        tag: files
"""

#: (tag, time restic records, in UTC)
SNAPSHOTS = [
    ("orders", "2026-11-01 00:00:00"),
    ("orders", "2026-11-02 00:00:00"),
    ("orders", "2026-11-05 00:00:00"),  # three days after the one before: the longest gap
    ("orders", "2026-11-06 00:00:00"),
    ("orders", "2026-11-07 00:00:00"),  # after --at: not seen yet
    ("files", "2026-11-05 12:00:00"),
]
AT = "2026-11-06T06:00:00Z"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    restic = require_tool("restic")
    base = tmp_path_factory.mktemp("restic")
    repo = base / "repo"
    data = base / "data"
    data.mkdir()
    (data / "dump.sql").write_text("INSERT INTO orders VALUES (1);\n")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(base),
        "TZ": "UTC",
        "RESTIC_PASSWORD": PASSWORD,
        "RESTIC_CACHE_DIR": str(base / "cache"),
    }
    subprocess.run([restic, "-r", str(repo), "init"], env=env, check=True, capture_output=True)
    for tag, when in SNAPSHOTS:
        subprocess.run(
            [
                restic,
                "-r",
                str(repo),
                "backup",
                "--time",
                when,
                "--tag",
                tag,
                "--host",
                "db1",
                str(data),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    return repo


def _workspace(tmp_path: Path, repository: Path) -> Path:
    root = plan_workspace(tmp_path, SYSTEMS)
    os.symlink(repository, root / "repo")
    return root


def _jobs(result: Result) -> dict[str, dict[str, object]]:
    # files-restic misses its RPO: a finding, exit 1
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    return {job["job"]: job for system in data["systems"] for job in system["jobs"]}


def _expected(jobs: dict[str, dict[str, object]]) -> None:
    orders, files = jobs["orders-restic"], jobs["files-restic"]
    assert orders["last_success"] == "2026-11-06T00:00:00Z"
    assert orders["age_seconds"] == 6 * 3600
    assert orders["rpo_met"] is True
    assert orders["longest_gap_seconds"] == 3 * 86400
    assert orders["successful_runs"] == 4
    assert files["last_success"] == "2026-11-05T12:00:00Z"
    assert files["age_seconds"] == 18 * 3600
    assert files["rpo_met"] is False
    assert files["longest_gap_seconds"] == 18 * 3600


def test_status_runs_restic_against_the_configured_repository(
    tmp_path: Path,
    repository: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _workspace(tmp_path, repository)
    monkeypatch.setenv("DR_TEST_RESTIC_PASSWORD", PASSWORD)
    monkeypatch.setenv("RESTIC_CACHE_DIR", str(tmp_path / "cache"))
    before = snapshot(root)
    _expected(_jobs(cli("dr", "status", "--at", AT, "--format", "json", cwd=root)))
    assert snapshot(root) == before


def test_status_reads_snapshots_json_given_as_evidence(
    tmp_path: Path, repository: Path, cli: Callable[..., Result]
) -> None:
    restic = require_tool("restic")
    root = _workspace(tmp_path, repository)
    out = subprocess.run(
        [restic, "-r", str(repository), "snapshots", "--json", "--no-lock"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "RESTIC_PASSWORD": PASSWORD,
            "RESTIC_CACHE_DIR": str(tmp_path / "cache"),
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (root / "snapshots.json").write_text(out)
    result = cli(
        "dr",
        "status",
        "--at",
        AT,
        "--evidence",
        "snapshots.json",
        "--no-run",
        "--format",
        "json",
        cwd=root,
    )
    _expected(_jobs(result))
    table = cli("dr", "status", "--at", AT, "--evidence", "snapshots.json", "--no-run", cwd=root)
    assert "MISSED" in table.stdout and "3d" in table.stdout


def test_wrong_password_is_one_line_and_writes_nothing(
    tmp_path: Path,
    repository: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _workspace(tmp_path, repository)
    monkeypatch.setenv("DR_TEST_RESTIC_PASSWORD", "wrong")
    monkeypatch.setenv("RESTIC_CACHE_DIR", str(tmp_path / "cache"))
    before = snapshot(root)
    result = cli("dr", "status", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: restic repository 'repo': restic failed: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


def test_missing_password_variable_is_one_line(
    tmp_path: Path,
    repository: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _workspace(tmp_path, repository)
    monkeypatch.delenv("DR_TEST_RESTIC_PASSWORD", raising=False)
    result = cli("dr", "status", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: restic repository 'repo': the environment variable DR_TEST_RESTIC_PASSWORD is "
        "not set (export DR_TEST_RESTIC_PASSWORD with the repository password)\n"
    )

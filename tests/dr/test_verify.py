"""``opsdocs dr verify`` against a real restic repository made in the test: the latest snapshot is
restored into a fresh temporary folder, checked, timed and recorded as a drill; a wrong password
or a missing repository is one line and nothing is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.parse import read_document
from opsdocs.dr.drills import DrillFrontMatter
from tests.conftest import Result, require_tool, snapshot
from tests.dr.helpers import OPS, plan_workspace

pytestmark = pytest.mark.tools

PASSWORD = "correct horse battery staple"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
OLDER = NOW - dt.timedelta(hours=3)
LATEST = NOW - dt.timedelta(minutes=20)


def _restic(restic: str, repo: Path, *args: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESTIC_")}
    env |= {"RESTIC_PASSWORD": PASSWORD, "TZ": "UTC"}
    subprocess.run(
        [restic, "-r", str(repo), "--no-cache", *args], cwd=cwd, env=env, check=True,
        capture_output=True,
    )  # fmt: skip


def _repository(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with two snapshots tagged 'orders' of the folder ``data``: at OLDER with one
    file, at LATEST with three. Returns (repository, data folder)."""
    restic = require_tool("restic")
    repo = tmp_path / "repo"
    data = tmp_path / "live" / "data"
    data.mkdir(parents=True)
    _restic(restic, repo, "init", cwd=tmp_path)
    (data / "orders.csv").write_text("id,total\n1,10\n")
    when = OLDER.strftime("%Y-%m-%d %H:%M:%S")
    _restic(restic, repo, "backup", "--tag", "orders", "--time", when, str(data), cwd=tmp_path)
    (data / "customers.csv").write_text("id,name\n1,Ada\n")
    (data / "sub").mkdir()
    (data / "sub" / "notes.txt").write_text("restored\n")
    when = LATEST.strftime("%Y-%m-%d %H:%M:%S")
    _restic(restic, repo, "backup", "--tag", "orders", "--time", when, str(data), cwd=tmp_path)
    return repo, data


def _systems(repo: Path, rpo: str = "1h", extra: str = "") -> str:
    return f"""\
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: {rpo}
    backups:
      - name: orders-restic
        tool: restic
        schedule: 15m
        tag: orders
        repository: {repo}
        password_file: restic-password
{extra}"""


def _workspace(tmp_path: Path, systems: str, **files: str) -> Path:
    return plan_workspace(tmp_path / "ws", systems, **{"restic-password": PASSWORD + "\n"}, **files)


def _record(root: Path) -> DrillFrontMatter:
    (path,) = (root / OPS / "dr-drills").glob("*.md")
    return DrillFrontMatter.model_validate(read_document(path).require_front_matter())


def test_verify_restores_the_latest_snapshot_and_records_a_drill(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, data = _repository(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    digest = hashlib.sha256(b"restored\n").hexdigest()
    checker = tmp_path / "check_orders.py"
    checker.write_text(
        "import pathlib, sys\n"
        "text = pathlib.Path(sys.argv[1], 'orders.csv').read_text()\n"
        "sys.exit(0 if text.startswith('id,total') else 1)\n"
    )
    check = (
        "        verify:\n          files: 3\n          checksums: sums.sha256\n"
        f"          command: [{sys.executable}, {checker}, '{{restored}}']\n"
    )
    sums = {"sums.sha256": f"{digest}  sub/notes.txt\n"}
    root = _workspace(tmp_path, _systems(repo, extra=check), **sums)
    live = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = cli("dr", "verify", "orders-db", "--format", "json", cwd=root)
    after = dt.datetime.now(dt.UTC)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["result"] == "pass"
    assert out["verify"]["files"] == 3  # the latest snapshot, not the older one
    assert out["verify"]["passed"] is True
    assert out["verify"]["check"] == (
        f"files >= 3; checksums sums.sha256 (1 files); command {sys.executable}"
    )
    # The achieved RPO is the age of the snapshot when the restore started (measured around the
    # command, not from when this module was imported: a loaded machine runs it much later).
    age = out["achieved_rpo_seconds"]
    assert (before - LATEST).total_seconds() <= age <= (after - LATEST).total_seconds()
    assert out["rpo_met"] is True
    model = _record(root)
    assert (model.method, model.system, model.result) == ("verify", "orders-db", "pass")
    assert model.data_as_of == LATEST
    assert model.verify is not None and model.verify.job == "orders-restic"
    # The live data is untouched, and no restore is left behind.
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == live
    assert list(scratch.iterdir()) == []


def test_a_failed_check_fails_the_drill(tmp_path: Path, cli: Callable[..., Result]) -> None:
    repo, _ = _repository(tmp_path)
    root = _workspace(
        tmp_path,
        _systems(repo, rpo="5m", extra="        verify:\n          checksums: sums.sha256\n"),
        **{"sums.sha256": f"{'0' * 64}  orders.csv\n"},
    )
    today = dt.datetime.now(dt.UTC).date()
    result = cli("dr", "verify", "orders-db", cwd=root)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Recorded {OPS}/dr-drills/{today.isoformat()}-orders-db.md"
    assert lines[2].startswith("  RPO: 2") and lines[2].endswith("(objective 5m): MISSED")
    assert lines[3].startswith("  restored 3 file(s) of snapshot ")
    assert lines[3].endswith(
        "; check files >= 1; checksums sums.sha256 (1 files): FAILED "
        "(checksums sums.sha256 (1 files): orders.csv has another checksum)"
    )
    assert lines[4] == "Result: FAIL"
    assert _record(root).result == "fail"


@pytest.mark.parametrize(
    ("change", "files", "message"),
    [
        (
            lambda s, repo: s,
            {"restic-password": "wrong\n"},
            "restic failed: Fatal: wrong password or no key found",
        ),
        (
            lambda s, repo: s.replace(str(repo), str(repo) + "-missing"),
            {},
            "no restic repository there",
        ),
        (
            lambda s, repo: s.replace("        password_file: restic-password\n", ""),
            {},
            "the environment variable RESTIC_PASSWORD is not set",
        ),
        (
            lambda s, repo: s.replace("tag: orders", "tag: billing"),
            {},
            "has no snapshot tagged 'billing'",
        ),
        (
            lambda s, repo: s + "        verify:\n          command: [no-such-checker-x]\n",
            {},
            "error: the verify command 'no-such-checker-x' is not installed",
        ),
    ],
)
def test_bad_repository_is_one_line_and_nothing_is_written(
    tmp_path: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[str, Path], str],
    files: dict[str, str],
    message: str,
) -> None:
    monkeypatch.delenv("RESTIC_PASSWORD", raising=False)
    repo, _ = _repository(tmp_path)
    root = _workspace(tmp_path, change(_systems(repo), repo))
    for name, text in files.items():
        (root / name).write_text(text)
    before = snapshot(root)
    result = cli("dr", "verify", "orders-db", cwd=root)
    assert (result.exit_code, result.stdout) == (2, ""), result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert snapshot(root) == before


def test_a_system_without_a_restic_repository_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = "  - name: orders-db\n    tier: 1\n    rto: 2h\n    rpo: 1h\n"
    root = plan_workspace(tmp_path, systems)
    result = cli("dr", "verify", "orders-db", cwd=root)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: system 'orders-db' has no restic job with a repository to restore from "
        "(give one of its backup jobs 'tool: restic' and 'repository:' in the plan)\n",
    )

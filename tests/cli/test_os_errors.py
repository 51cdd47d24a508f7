"""Operating-system errors are one line naming the path and what to do, exit 2, nothing half
written: a read-only folder, an unreadable or directory README, a full disk, a name too long,
a symlink loop, standard output on a full device."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

import opsdocs
from tests.conftest import Result, snapshot

OPS = "docs/internal/operations"
README = f"{OPS}/README.md"


def _fail_temp_files(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """The folder refuses new files, as a read-only or full one does (root ignores modes)."""
    real = tempfile.mkstemp

    def refusing(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)  # type: ignore[call-overload]
        os.close(fd)
        os.unlink(name)
        raise OSError(code, os.strerror(code), name)

    monkeypatch.setattr(tempfile, "mkstemp", refusing)


@pytest.mark.parametrize(
    ("code", "line"),
    [
        (errno.EROFS, "read-only file system (run opsdocs where the files can be written)"),
        (errno.EACCES, "permission denied (check the permissions of the file and its folder)"),
    ],
)
def test_a_folder_that_cannot_be_written(
    workspace_dir: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    line: str,
) -> None:
    before = snapshot(workspace_dir)
    _fail_temp_files(monkeypatch, code)
    result = cli("new", "runbook", "api", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == f"error: {OPS}/runbook-api.md: {line}\n"
    assert snapshot(workspace_dir) == before


def test_a_full_disk_leaves_nothing_half_written(
    workspace_dir: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("new", "runbook", "web", cwd=workspace_dir).exit_code == 0
    before = snapshot(workspace_dir)
    real_fsync = os.fsync
    calls = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the document is staged, the README's copy does not fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    result = cli("new", "runbook", "api", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        f"error: {README}: no space left on device (free some space and run the command again)\n"
    )
    assert snapshot(workspace_dir) == before  # no document, no temporary file, README as it was


def test_an_unreadable_readme(
    workspace_dir: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = workspace_dir / README
    real = Path.read_bytes

    def unreadable(self: Path) -> bytes:
        if self == readme:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    before = snapshot(workspace_dir)
    monkeypatch.setattr(Path, "read_bytes", unreadable)
    for command in (("index",), ("new", "runbook", "api")):
        result = cli(*command, cwd=workspace_dir)
        assert result.exit_code == 2, result.stderr
        assert result.stderr == (
            f"error: {README}: permission denied "
            "(check the permissions of the file and its folder)\n"
        )
    monkeypatch.undo()
    assert snapshot(workspace_dir) == before


def test_a_readme_that_is_a_folder_stops_new_before_writing(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / README
    readme.unlink()
    readme.mkdir()
    result = cli("new", "runbook", "api", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        f"error: {README}: is a folder, not a file (move the folder away or pass a file)\n"
    )
    assert not (workspace_dir / OPS / "runbook-api.md").exists()


def test_a_name_over_the_file_systems_limit(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    before = snapshot(workspace_dir)
    name = "a" * 300
    result = cli("new", "runbook", name, cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        f"error: {OPS}/runbook-{name}.md: file name too long (choose a shorter name)\n"
    )
    assert snapshot(workspace_dir) == before


def test_a_symlink_loop_in_the_docs_folder(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    (workspace_dir / OPS / "incidents").symlink_to("incidents")
    result = cli("incident", "open", "-s", "P2", "--service", "api", "Down", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.endswith(
        f"error: {OPS}/incidents: too many levels of symbolic links "
        "(fix or remove the symlink loop)\n"
    ), result.stderr
    for command in (("list",), ("index",), ("check",)):  # reading commands go on
        result = cli(*command, cwd=workspace_dir)
        assert result.exit_code in (0, 1), (command, result.stderr)
        assert "internal error" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args", [["list"], ["list", "--format", "json"], ["check", "--format", "json"]]
)
def test_standard_output_on_a_full_device(workspace_dir: Path, args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(opsdocs.__file__).resolve().parents[1])}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "opsdocs", *args],
            cwd=workspace_dir,
            env=env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.endswith(
        "error: standard output: no space left on device "
        "(free some space and run the command again)\n"
    ), proc.stderr

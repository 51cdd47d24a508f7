"""Shared test helpers: file trees, the CLI runner, and external tools."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from opsdocs.cli import run


def build_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes (to prove a command changed nothing)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".opsdocs" not in p.parts
    }


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run ``opsdocs ARGS`` in-process: ``cli("new", "runbook", "x", cwd=path)``."""

    def invoke(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = run(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


@pytest.fixture
def no_max_file_size() -> Iterator[None]:
    """The size limit a test's configuration sets is the process's: put the default back."""
    from opsdocs.fileio import set_max_file_size

    yield
    set_max_file_size(None)


@pytest.fixture
def workspace_dir(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    """An initialised workspace (a git-less folder with opsdocs.toml)."""
    (tmp_path / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    assert cli("init", cwd=tmp_path).exit_code == 0
    return tmp_path


def require_tool(name: str) -> str:
    """Path of an external tool; skips the test when absent, fails under OPSDOCS_REQUIRE_TOOLS."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("OPSDOCS_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required (OPSDOCS_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path

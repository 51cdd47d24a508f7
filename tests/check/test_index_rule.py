"""IX001 builds the index from cached facts; it must agree with `opsdocs index --check`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.documents.index import INDEX_END, INDEX_START, compute_index
from opsdocs.fileio import atomic_write
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import Result

Cli = Callable[..., Result]
OPS = Path("docs/internal/operations")

CHANGES: dict[str, Callable[[Path], None]] = {
    "nothing": lambda ops: None,
    "new runbook": lambda ops: (ops / "runbook-api.md").write_text(RUNBOOK),
    "owner with spaces": lambda ops: (ops / "runbook-api.md").write_text(
        RUNBOOK.replace("owner: team-api", "owner: '  team-x  '")
    ),
    "title from H1": lambda ops: (ops / "runbook-api.md").write_text(
        RUNBOOK.replace("title: API runbook\n", "")
    ),
    "no front matter": lambda ops: (ops / "slo-x.md").write_text("# X [y]\n"),
    "binary document": lambda ops: (ops / "slo-bin.md").write_bytes(b"\x00\x01"),
    "string date": lambda ops: (ops / "runbook-api.md").write_text(
        RUNBOOK.replace("last_reviewed: 2026-05-01", "last_reviewed: '2026-05-02'")
    ),
    "folder named like a document": lambda ops: (ops / "runbook-dir.md").mkdir(),
    "singleton": lambda ops: (ops / "disaster-recovery.md").write_text("---\ntitle: DR\n---\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_ix001_agrees_with_compute_index(workspace_dir: Path, change: str) -> None:
    ops = workspace_dir / OPS
    CHANGES[change](ops)
    workspace = Workspace.discover(root=workspace_dir)
    stale = compute_index(workspace).stale
    assert stale == (change not in ("nothing", "folder named like a document"))

    def ix001() -> bool:
        result = run_check(workspace, None, CheckOptions(select=["IX001"]))
        return any(f.code == "IX001" for f in result.findings)

    assert ix001() == stale
    atomic_write(workspace.readme, compute_index(workspace).new)
    assert not ix001()


def test_broken_markers_are_a_finding(workspace_dir: Path, cli: Cli) -> None:
    readme = workspace_dir / OPS / "README.md"
    text = readme.read_text()
    readme.write_text(text + "\n" + INDEX_START + "\n")
    first = text[: text.find(INDEX_START)].count("\n") + 1
    result = cli("check", "--select", "IX001", cwd=workspace_dir)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{OPS}/README.md:{first}:1: IX001 stale-index: marker {INDEX_START} appears 2 times "
        f"(keep exactly one {INDEX_START} line and one {INDEX_END} line)"
    )

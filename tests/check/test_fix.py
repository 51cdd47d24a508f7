"""--fix: insert missing section headings with guidance, regenerate a stale index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from opsdocs.documents.index import compute_index
from opsdocs.documents.kinds import get_kind
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import Result, build_tree, snapshot

Cli = Callable[..., Result]
OPS = Path("docs/internal/operations")


def guidance(title: str) -> str:
    return next(s.guidance for s in get_kind("runbook").sections if s.title == title)


def test_fix_inserts_sections_and_regenerates_index(workspace_dir: Path, cli: Cli) -> None:
    ops = workspace_dir / OPS
    text = RUNBOOK.replace("## Escalation & Ownership\n\nPage the owning team.\n\n", "")
    text = text.replace("\n## DR / Backup / Restore\n\nRestore from the nightly snapshot.\n", "")
    (ops / "runbook-api.md").write_text(text)  # written by hand: the index does not list it
    before = cli("check", "--select", "ST001,IX001", cwd=workspace_dir)
    assert before.exit_code == 1
    assert sorted(line.split(": ")[1].split()[0] for line in before.stdout.splitlines()[:-1]) == [
        "IX001",
        "ST001",
        "ST001",
    ]
    assert "(3 fixable with --fix)" in before.stdout

    fixed = cli("check", "--fix", "--select", "ST001,IX001", cwd=workspace_dir)
    assert fixed.exit_code == 0, fixed.stdout
    assert fixed.stderr.splitlines() == [
        f"fixed {OPS}/runbook-api.md: added section '## Escalation & Ownership'",
        f"fixed {OPS}/runbook-api.md: added section '## DR / Backup / Restore'",
        f"fixed {OPS}/README.md: regenerated the index",
    ]
    assert fixed.stdout == "All checks passed (2 files).\n"
    new = (ops / "runbook-api.md").read_text()
    expected_tail = (
        "## Escalation & Ownership\n\n"
        f"_{guidance('Escalation & Ownership')}_\n\n"
        "## DR / Backup / Restore\n\n"
        f"_{guidance('DR / Backup / Restore')}_\n"
    )
    assert new == text.rstrip("\n") + "\n\n" + expected_tail
    assert not compute_index(Workspace.discover(root=workspace_dir)).stale
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0


def test_fix_inserts_before_the_next_required_section(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "opsdocs.toml").write_text("")
    (tmp_path / "d").mkdir()
    path = tmp_path / "d" / "runbook-api.md"
    text = RUNBOOK.replace("## SLOs / SLIs\n\nNone yet.\n\n", "").replace("\n", "\r\n")
    path.write_bytes(text.encode())
    assert cli("check", "d", "--fix", "--select", "ST", cwd=tmp_path).exit_code == 0
    raw = path.read_bytes().decode()
    block = f"## SLOs / SLIs\r\n\r\n_{guidance('SLOs / SLIs')}_\r\n\r\n## Dashboards & Alerts"
    assert block in raw
    assert raw.replace(block, "## Dashboards & Alerts") == text
    assert "\n" not in raw.replace("\r\n", "")  # CRLF kept everywhere


def test_fix_leaves_an_unsafe_document_alone(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "opsdocs.toml").write_text("")
    (tmp_path / "d").mkdir()
    path = tmp_path / "d" / "runbook-api.md"
    text = RUNBOOK.replace("## DR / Backup / Restore\n\nRestore from the nightly snapshot.\n", "")
    text += "\n```bash\nunclosed\n"
    path.write_text(text)
    result = cli("check", "d", "--fix", "--select", "ST", cwd=tmp_path)
    assert result.exit_code == 1
    assert path.read_text() == text
    assert result.stderr == ""
    # the summary does not promise a fix that --fix will not make
    assert "fixable" not in result.stdout


def test_without_fix_nothing_is_written(workspace_dir: Path, cli: Cli) -> None:
    ops = workspace_dir / OPS
    (ops / "runbook-api.md").write_text(RUNBOOK.replace("## SLOs / SLIs", "## Other"))
    readme = (ops / "README.md").read_bytes()
    assert cli("check", cwd=workspace_dir).exit_code == 1
    assert (ops / "README.md").read_bytes() == readme
    assert "## Other" in (ops / "runbook-api.md").read_text()


def test_fix_leaves_a_runbook_without_front_matter_alone(tmp_path: Path, cli: Cli) -> None:
    """Such a file is not adopted yet: its headings may be the sections under other names
    ('opsdocs adopt' maps them); appending empty template sections would bury them."""
    (tmp_path / "opsdocs.toml").write_text("")
    folder = build_tree(tmp_path / "notes", {"runbook-api.md": "# API\n\n## Symptoms\n\n5xx.\n"})
    before = snapshot(folder)
    result = cli("check", "notes", "--fix", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 1
    assert "fixed" not in result.stderr
    assert "fixable" not in result.stdout
    assert snapshot(folder) == before
    assert (
        "notes/runbook-api.md:5:1: ST001 missing-required-section: missing required section "
        "'## Service Overview' (add it, or run 'opsdocs adopt FILE' to map the headings it has "
        "and add the rest)"
    ) in result.stdout.splitlines()

"""One document set: `check` (IX001) and `index` agree on what the index lists, and files a
profile matches outside the operations folder are checked by a plain `opsdocs check`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tests.check.test_profiles import GOOD
from tests.conftest import Result, build_tree

Cli = Callable[..., Result]

INCIDENT = """---
kind: incident
title: {title}
severity: SEV2
status: resolved
services: [api]
started: 2026-05-01T10:00:00Z
---

# {title}
"""


def test_symlinked_incidents_folder_check_and_index_agree(
    workspace_dir: Path, cli: Cli, tmp_path_factory: object
) -> None:
    outside = workspace_dir.parent / (workspace_dir.name + "-incidents")
    build_tree(outside, {"2026-05-01-api-down.md": INCIDENT.format(title="API down")})
    ops = workspace_dir / "docs/internal/operations"
    if (ops / "incidents").exists():
        os.rmdir(ops / "incidents")
    os.symlink(outside, ops / "incidents")
    assert cli("index", cwd=workspace_dir).exit_code == 0
    assert "API down" in (ops / "README.md").read_text()
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0
    check = cli("check", "--select", "IX001", cwd=workspace_dir)
    assert check.exit_code == 0, check.stdout
    # a change in the symlinked folder: both see it, and --fix clears it
    (outside / "2026-05-01-api-down.md").write_text(INCIDENT.format(title="API slow"))
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 1
    assert cli("check", "--select", "IX001", cwd=workspace_dir).exit_code == 1
    fixed = cli("check", "--select", "IX001", "--fix", cwd=workspace_dir)
    assert fixed.exit_code == 0, fixed.stdout
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0


def test_profile_files_outside_the_operations_folder_are_checked(
    workspace_dir: Path, cli: Cli
) -> None:
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n\n[profiles.alert-runbook]\npaths = ["runbooks/alerts/**/*.md"]\n'
        'sections = ["Meaning", "Impact", "Diagnosis", "Mitigation"]\ntitle = "file-stem"\n'
    )
    bad = GOOD.replace("## Impact\n\nThe service runs with less capacity.\n\n", "")
    build_tree(
        workspace_dir / "runbooks/alerts",
        {
            "k8s/KubePodCrashLooping.md": GOOD,
            "k8s/KubeNodeNotReady.md": bad.replace("# KubePodCrashLooping", "# KubeNodeNotReady"),
        },
    )
    result = cli("check", "--select", "ST001", cwd=workspace_dir)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("runbooks/alerts/k8s/KubeNodeNotReady.md:")
    assert "ST001 missing-required-section: missing required section '## Impact'" in (result.stdout)
    assert "KubePodCrashLooping" not in result.stdout


def test_list_shows_profile_files_and_takes_a_profile_as_kind(
    workspace_dir: Path, cli: Cli
) -> None:
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n\n[profiles.alert-runbook]\npaths = ["runbooks/alerts/**/*.md"]\n'
        'sections = ["Meaning"]\ntitle = "file-stem"\n'
    )
    build_tree(workspace_dir / "runbooks/alerts", {"k8s/KubePodCrashLooping.md": GOOD})
    assert cli("new", "runbook", "api", cwd=workspace_dir).exit_code == 0
    listed = cli("list", "--format", "json", cwd=workspace_dir)
    assert listed.exit_code == 0, listed.stderr
    rows = [(row["kind"], row["path"]) for row in __import__("json").loads(listed.stdout)]
    assert rows == [
        ("runbook", "docs/internal/operations/runbook-api.md"),
        ("alert-runbook", "runbooks/alerts/k8s/KubePodCrashLooping.md"),
    ]
    only = cli("list", "--kind", "alert-runbook", "--format", "json", cwd=workspace_dir)
    assert only.exit_code == 0, only.stderr
    assert [row["path"] for row in __import__("json").loads(only.stdout)] == [
        "runbooks/alerts/k8s/KubePodCrashLooping.md"
    ]
    unknown = cli("list", "--kind", "nosuch", cwd=workspace_dir)
    assert unknown.exit_code == 2


def test_index_lists_profile_files_and_check_agrees(workspace_dir: Path, cli: Cli) -> None:
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n\n[profiles.alert-runbook]\npaths = ["runbooks/alerts/**/*.md"]\n'
        'sections = ["Meaning"]\ntitle = "file-stem"\n'
    )
    build_tree(workspace_dir / "runbooks/alerts", {"k8s/KubePodCrashLooping.md": GOOD})
    assert cli("index", cwd=workspace_dir).exit_code == 0
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    assert (
        "### alert-runbook\n- [KubePodCrashLooping]"
        "(../../../runbooks/alerts/k8s/KubePodCrashLooping.md) - no owner, never reviewed\n"
    ) in readme
    assert cli("check", "--select", "IX001", cwd=workspace_dir).exit_code == 0
    one = cli("check", "docs/internal/operations/README.md", "--select", "IX001", cwd=workspace_dir)
    assert one.exit_code == 0, one.stdout
    (workspace_dir / "runbooks/alerts/k8s/KubeNodeNotReady.md").write_text(GOOD)
    stale = cli("check", "--select", "IX001", cwd=workspace_dir)
    assert stale.exit_code == 1
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 1

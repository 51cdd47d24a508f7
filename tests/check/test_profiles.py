"""Profiles: a team's own document shape, on any folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree

Cli = Callable[..., Result]

ALERT_PROFILE = """
[tool.opsdocs.profiles.alert-runbook]
paths = ["alerts/**/*.md"]
sections = ["Meaning", "Impact", "Diagnosis", "Mitigation"]
title = "file-stem"
"""

GOOD = """# KubePodCrashLooping

## Meaning

A pod restarts over and over.

## Impact

The service runs with less capacity.

## Diagnosis

`kubectl describe pod`.

## Mitigation

Roll back the last deploy.
"""


def run(root: Path) -> set[tuple[str, str, int]]:
    result = run_check(
        Workspace.discover(root=root),
        [root / "alerts"],
        CheckOptions(cache=False, today=dt.date(2026, 6, 1)),
    )
    return {(Path(f.abspath).name, f.code, f.line) for f in result.findings}


def test_alert_runbook_profile(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n" + ALERT_PROFILE)
    bad = GOOD.replace("# KubePodCrashLooping", "# Pods crash").replace(
        "## Impact\n\nThe service runs with less capacity.\n\n", ""
    )
    build_tree(
        tmp_path / "alerts",
        {"kubernetes/KubePodCrashLooping.md": GOOD, "kubernetes/KubeNodeNotReady.md": bad},
    )
    diagnosis = bad.split("\n").index("## Diagnosis") + 1
    assert run(tmp_path) == {
        ("KubeNodeNotReady.md", "ST005", 1),
        ("KubeNodeNotReady.md", "ST001", diagnosis),
    }


def test_profile_under_check_table_by_front_matter_kind(tmp_path: Path) -> None:
    (tmp_path / "opsdocs.toml").write_text(
        '[check.profiles.alert-runbook]\nsections = ["Meaning", "Mitigation"]\n'
        'title = "any"\nfront_matter = "required"\n'
    )
    doc = "---\nkind: alert-runbook\ntitle: High error rate\nowner: team-api\n"
    doc += "last_reviewed: 2026-05-01\n---\n\n# HighErrorRate\n\n## Meaning\n\nErrors.\n"
    build_tree(tmp_path / "alerts", {"high-error-rate.md": doc, "other.md": "# Notes\n"})
    assert run(tmp_path) == {("high-error-rate.md", "ST001", doc.count("\n"))}


def test_profile_overrides_a_builtin_kind(tmp_path: Path) -> None:
    (tmp_path / "opsdocs.toml").write_text('[profiles.runbook]\nsections = ["Overview"]\n')
    doc = "---\nkind: runbook\ntitle: API\nowner: team-api\nservice: api\n"
    doc += "last_reviewed: 2026-05-01\n---\n\n# API\n\n## Overview\n\nText.\n"
    build_tree(tmp_path / "alerts", {"runbook-api.md": doc})
    assert run(tmp_path) == set()


def test_profile_declared_twice_is_a_config_error(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "opsdocs.toml").write_text(
        '[profiles.a]\nsections = ["X"]\n[check.profiles.a]\nsections = ["Y"]\n'
    )
    (tmp_path / "alerts").mkdir()
    result = cli("check", "alerts", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: opsdocs.toml:3:1: check.profiles.a: profile 'a' is declared twice "
        "(keep one of profiles.a and check.profiles.a)\n"
    )


def test_unknown_profile_key_is_a_config_error(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "opsdocs.toml").write_text('[profiles.a]\nsection = ["X"]\n')
    (tmp_path / "alerts").mkdir()
    result = cli("check", "alerts", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: opsdocs.toml:2:1: profiles.a.section: ")


def test_optional_front_matter_on_a_profile_named_after_a_kind(tmp_path: Path) -> None:
    """``front_matter = "optional"`` holds for a profile named like a built-in kind."""
    (tmp_path / "opsdocs.toml").write_text(
        '[profiles.runbook]\nsections = ["Meaning"]\nfront_matter = "optional"\n'
    )
    build_tree(tmp_path / "alerts", {"runbook-api.md": "# API\n\n## Meaning\n\nIt pages.\n"})
    assert not {f for f in run(tmp_path) if f[1] == "FM001"}
    (tmp_path / "opsdocs.toml").write_text('[profiles.runbook]\nsections = ["Meaning"]\n')
    assert ("runbook-api.md", "FM001", 1) in run(tmp_path)  # required stays the kind's default

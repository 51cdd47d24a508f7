"""The pre-commit hook definition and the CI example in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from opsdocs.cli import COMMANDS

ROOT = Path(__file__).parents[2]


def test_pre_commit_hooks_run_the_check_command() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"opsdocs-check", "opsdocs-check-files"}
    for hook in hooks:
        program, command = hook["entry"].split()[:2]
        assert program == "opsdocs"
        assert command in COMMANDS
        assert hook["language"] == "python"
    whole = next(h for h in hooks if h["id"] == "opsdocs-check")
    assert whole["pass_filenames"] is False


def test_ci_example_uploads_sarif() -> None:
    text = (ROOT / "docs" / "check.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    workflow = next(yaml.safe_load(b) for b in blocks if "upload-sarif" in b)
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("opsdocs check --format sarif -o opsdocs.sarif" in r for r in runs)
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "opsdocs.sarif"
    assert workflow["permissions"]["security-events"] == "write"

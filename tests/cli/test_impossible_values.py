"""A front-matter value that is YAML but not a date or a duration is a finding for its file;
no command stops on it (exit 3 was the bug)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

Cli = Callable[..., Result]

IMPOSSIBLE = [
    ("last_reviewed", "2026-02-30", "last_reviewed: Input should be a valid date"),
    ("last_reviewed", "2026-01-01 25:99:99", "last_reviewed: Input should be a valid date"),
    ("last_reviewed", "2026-01-01T25:99:99Z", "last_reviewed: Input should be a valid date"),
    ("last_reviewed", "9" * 4400, "last_reviewed: Input should be a valid date"),
    ("tier", "9" * 4400, "tier: Unable to parse input string as an integer"),
    ("review_every", "99999999999w", "review_every: must be at most 36500d"),
]


def _break(root: Path, key: str, value: str) -> Path:
    path = root / "docs/internal/operations/runbook-api.md"
    lines = path.read_text().split("\n")
    lines = [line for line in lines if not line.startswith(f"{key}:")]
    lines.insert(1, f"{key}: {value}")
    path.write_text("\n".join(lines))
    return path


@pytest.mark.parametrize(("key", "value", "message"), IMPOSSIBLE)
def test_impossible_value_is_a_finding_and_commands_go_on(
    workspace_dir: Path, cli: Cli, key: str, value: str, message: str
) -> None:
    assert cli("new", "runbook", "api", cwd=workspace_dir).exit_code == 0
    _break(workspace_dir, key, value)
    check = cli("check", "--select", "FM005", cwd=workspace_dir)
    assert check.exit_code == 1, check.stderr
    assert (
        f"docs/internal/operations/runbook-api.md:2:1: FM005 front-matter-schema-violation: "
        f"{message}"
    ) in check.stdout
    listing = cli("list", cwd=workspace_dir)
    assert listing.exit_code == 0, listing.stderr
    assert "runbook-api.md" in listing.stdout
    assert cli("index", cwd=workspace_dir).exit_code == 0
    assert cli("new", "runbook", "web", cwd=workspace_dir).exit_code == 0
    opened = cli("incident", "open", "-s", "SEV1", "api down", cwd=workspace_dir)
    assert opened.exit_code in (0, 1), opened.stderr
    assert "internal error" not in opened.stderr


def test_review_due_past_the_end_of_the_calendar(workspace_dir: Path, cli: Cli) -> None:
    assert cli("new", "runbook", "api", cwd=workspace_dir).exit_code == 0
    _break(workspace_dir, "last_reviewed", "9999-12-31")
    listing = cli("list", "--format", "json", cwd=workspace_dir)
    assert listing.exit_code == 0, listing.stderr
    assert '"review_due": null' in listing.stdout
    assert cli("check", "--select", "FR", cwd=workspace_dir).exit_code == 0

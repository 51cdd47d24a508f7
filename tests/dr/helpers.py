"""A DR plan in a workspace, for the dr tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_tree

OPS = "docs/internal/operations"


def plan_doc(systems: str) -> str:
    """A disaster-recovery.md whose ``systems:`` is ``systems`` (YAML, indented by 2)."""
    return (
        "---\nkind: disaster-recovery\ntitle: DR Plan\nowner: team-sre\n"
        f"last_reviewed: 2026-11-01\nsystems:\n{systems}---\n\n# DR Plan\n"
    )


def plan_workspace(root: Path, systems: str, **files: str) -> Path:
    """A workspace with the plan and ``files`` (relative path -> text)."""
    return build_tree(
        root,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/disaster-recovery.md": plan_doc(systems),
            **files,
        },
    )

"""``[dr]`` in ``opsdocs.toml`` (or ``[tool.opsdocs.dr]``): the backup evidence ``dr status`` and
the DR rules of ``opsdocs check`` read when no ``--evidence`` is given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from opsdocs.dr.spec import Duration
from opsdocs.validators import Frozen

if TYPE_CHECKING:
    from pathlib import Path

    from opsdocs.workspace import Workspace

__all__ = ["DrSettings", "configured_evidence", "load_settings"]


class DrSettings(Frozen):
    """The evidence files and the look-back window."""

    evidence: list[str] = Field(
        default_factory=list,
        description="Evidence files (globs, relative to the workspace root): a tool's JSON "
        "output (.json) or backup logs (.csv, .jsonl, gzipped or not).",
    )
    window: Duration = Field(default="30d", description="Look-back window for gaps and failures.")


def load_settings(workspace: Workspace) -> DrSettings:
    """The workspace's ``[dr]`` table; ConfigError at a wrong key."""
    return workspace.config.load_section("dr", DrSettings, hint="see docs/dr.md")


def configured_evidence(workspace: Workspace, settings: DrSettings) -> list[Path]:
    """The files ``evidence`` names (each once; InputError for a glob that matches nothing or
    reaches outside the workspace)."""
    from pathlib import Path

    from opsdocs.sources.files import expand_files

    found = expand_files(workspace.root, settings.evidence, where="dr", setting="evidence")
    return [Path(p) for p in found.files]

"""Helpers shared by the incident tests."""

from __future__ import annotations

from pathlib import Path


def fill_postmortem(path: Path) -> None:
    """Write every section of a scaffolded postmortem (its placeholders replaced by prose)."""
    path.write_text(path.read_text().replace("TODO", "Written down"))

"""The capacity feature: ``capacity`` documents, their CP rules and the ``capacity`` commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="capacity",
    rules=("opsdocs.capacity.checks",),
    config=("capacity",),
    commands={"capacity": "opsdocs.cli.capacity:capacity"},
)

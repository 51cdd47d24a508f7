"""The cost feature: ``cost`` documents, their CO rules and the ``cost`` commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="cost",
    rules=("opsdocs.cost.checks",),
    commands={"cost": "opsdocs.cli.cost:cost"},
)

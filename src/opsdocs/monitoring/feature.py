"""The monitoring feature: ``monitoring`` documents, their AL rules and the ``alerts``
commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="monitoring",
    rules=("opsdocs.monitoring.checks",),
    commands={"alerts": "opsdocs.cli.alerts:alerts"},
    config=("monitoring",),
)

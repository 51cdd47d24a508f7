"""The on-call feature: ``on-call`` documents, their OC rules and the ``oncall`` commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="oncall",
    rules=("opsdocs.oncall.checks",),
    commands={"oncall": "opsdocs.cli.oncall:oncall"},
    config=("oncall",),
)

"""The DR/BCP feature: the ``disaster-recovery`` plan, its DR rules and the ``dr`` commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="dr",
    rules=("opsdocs.dr.checks", "opsdocs.dr.readiness"),
    commands={"dr": "opsdocs.cli.dr:dr"},
    config=("dr",),
)

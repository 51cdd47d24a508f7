"""The incidents feature: the playbook, incident records and postmortems, their IR rules and
the ``incident`` commands."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="incidents",
    rules=("opsdocs.incidents.checks",),
    commands={"incident": "opsdocs.cli.incident:incident"},
)

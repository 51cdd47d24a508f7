"""The SLO feature: ``slo`` documents, their SL rules and the ``slo`` commands (``slo report``
comes from :mod:`opsdocs.reports`, which registers nothing of its own)."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="slo",
    rules=("opsdocs.slo.checks",),
    commands={"slo": "opsdocs.cli.slo:slo"},
    config=("slo", "report"),
    index_blocks=("opsdocs.slo.budget:workspace_budget_tables",),
)

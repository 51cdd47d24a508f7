"""The documents feature: scaffolding, listing and indexing documents, and the kinds that have
no package of their own (the runbook)."""

from __future__ import annotations

from opsdocs.features import Feature

FEATURE = Feature(
    name="documents",
    commands={
        "init": "opsdocs.cli.docs:init_command",
        "new": "opsdocs.cli.docs:new_command",
        "index": "opsdocs.cli.docs:index_command",
        "list": "opsdocs.cli.docs:list_command",
        "schema": "opsdocs.cli.docs:schema_command",
    },
)

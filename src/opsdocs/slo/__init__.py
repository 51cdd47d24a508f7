"""SLOs that compile: the SLO spec in ``slo`` documents → Prometheus rules, promtool tests,
error-budget tables, and Sloth/OpenSLO interchange.

The public API is listed in ``__all__``; names are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "CompileOptions": "opsdocs.slo.prometheus",
    "Rule": "opsdocs.slo.prometheus",
    "RuleGroup": "opsdocs.slo.prometheus",
    "SloFrontMatter": "opsdocs.slo.spec",
    "SloSection": "opsdocs.slo.spec",
    "SloSettings": "opsdocs.slo.settings",
    "SloSpec": "opsdocs.slo.spec",
    "budget_section": "opsdocs.slo.budget",
    "budget_table_is_stale": "opsdocs.slo.budget",
    "compile_section": "opsdocs.slo.prometheus",
    "compile_slo": "opsdocs.slo.prometheus",
    "export_openslo": "opsdocs.slo.interchange.openslo",
    "generate_tests": "opsdocs.slo.promtool",
    "load_settings": "opsdocs.slo.settings",
    "load_slo_document": "opsdocs.slo.rules",
    "plan_documents": "opsdocs.slo.rules",
    "read_openslo": "opsdocs.slo.interchange.openslo",
    "read_sloth": "opsdocs.slo.interchange.sloth",
    "read_specs": "opsdocs.slo.importer",
    "render_budget_table": "opsdocs.slo.budget",
    "render_rule_file": "opsdocs.slo.prometheus",
    "update_budget_table": "opsdocs.slo.budget",
    "update_document_slos": "opsdocs.slo.importer",
}

__all__ = [
    "CompileOptions",
    "Rule",
    "RuleGroup",
    "SloFrontMatter",
    "SloSection",
    "SloSettings",
    "SloSpec",
    "budget_section",
    "budget_table_is_stale",
    "compile_section",
    "compile_slo",
    "export_openslo",
    "generate_tests",
    "load_settings",
    "load_slo_document",
    "plan_documents",
    "read_openslo",
    "read_sloth",
    "read_specs",
    "render_budget_table",
    "render_rule_file",
    "update_budget_table",
    "update_document_slos",
]

if TYPE_CHECKING:
    from opsdocs.slo.budget import (
        budget_section,
        budget_table_is_stale,
        render_budget_table,
        update_budget_table,
    )
    from opsdocs.slo.importer import read_specs, update_document_slos
    from opsdocs.slo.interchange.openslo import export_openslo, read_openslo
    from opsdocs.slo.interchange.sloth import read_sloth
    from opsdocs.slo.prometheus import (
        CompileOptions,
        Rule,
        RuleGroup,
        compile_section,
        compile_slo,
        render_rule_file,
    )
    from opsdocs.slo.promtool import generate_tests
    from opsdocs.slo.rules import load_slo_document, plan_documents
    from opsdocs.slo.settings import SloSettings, load_settings
    from opsdocs.slo.spec import SloFrontMatter, SloSection, SloSpec


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opsdocs.slo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

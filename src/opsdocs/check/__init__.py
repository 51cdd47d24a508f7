"""`opsdocs check`: the linter for operations documents.

:func:`run_check` checks a workspace (or any paths) and returns a :class:`CheckResult` of
:class:`~opsdocs.diagnostics.Diagnostic` objects; :func:`apply_fixes` applies the safe fixes;
:func:`render` formats a result as text, JSON, SARIF or GitHub annotations. Rules live in
:mod:`opsdocs.check.registry`.
"""

from __future__ import annotations

from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.check.findings import CheckResult
from opsdocs.check.fix import FixResult, apply_fixes
from opsdocs.check.formats import FORMATS, render
from opsdocs.check.registry import Rule, all_rules, get_rule, select_rules

__all__ = [
    "FORMATS",
    "CheckOptions",
    "CheckResult",
    "FixResult",
    "Rule",
    "all_rules",
    "apply_fixes",
    "get_rule",
    "render",
    "run_check",
    "select_rules",
]

"""`opsdocs check`: the linter for operations documents.

:func:`run_check` checks a workspace (or any paths) and returns a :class:`CheckResult` of
:class:`~opsdocs.diagnostics.Diagnostic` objects; :func:`apply_fixes` applies the safe fixes;
:func:`render` formats a result as text, JSON, SARIF or GitHub annotations. Rules live in
:mod:`opsdocs.check.registry`.

Names are imported on first use, so that reading the feature's descriptor (``check.feature``)
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "FORMATS": "opsdocs.check.formats",
    "CheckOptions": "opsdocs.check.engine",
    "CheckResult": "opsdocs.check.findings",
    "FixResult": "opsdocs.check.fix",
    "Rule": "opsdocs.check.registry",
    "all_rules": "opsdocs.check.registry",
    "apply_fixes": "opsdocs.check.fix",
    "get_rule": "opsdocs.check.registry",
    "render": "opsdocs.check.formats",
    "run_check": "opsdocs.check.engine",
    "select_rules": "opsdocs.check.registry",
}

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

if TYPE_CHECKING:
    from opsdocs.check.engine import CheckOptions, run_check
    from opsdocs.check.findings import CheckResult
    from opsdocs.check.fix import FixResult, apply_fixes
    from opsdocs.check.formats import FORMATS, render
    from opsdocs.check.registry import Rule, all_rules, get_rule, select_rules


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opsdocs.check' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

"""A JSON object: the findings and the counts."""

from __future__ import annotations

import json

from opsdocs.check.findings import CheckResult


def render_json(result: CheckResult) -> str:
    data = {
        "findings": [f.as_dict() for f in result.findings],
        "summary": {
            "files": result.files,
            "errors": result.errors,
            "warnings": result.warnings,
            "fixable": result.fixable,
            "suppressed": result.suppressed,
        },
    }
    return json.dumps(data, indent=2) + "\n"

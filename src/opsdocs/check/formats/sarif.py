"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from typing import Any

from opsdocs import __version__
from opsdocs.check.findings import CheckResult
from opsdocs.check.registry import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.text.summary},
        "fullDescription": {"text": rule.text.what},
        "help": {
            "text": f"{rule.text.why}\n\nUse instead: {rule.text.instead}",
            "markdown": f"{rule.text.why}\n\n**Use instead**\n\n{rule.text.instead}",
        },
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": [rule.family], "fixable": rule.fixable},
    }


def render_sarif(result: CheckResult) -> str:
    rules = list(all_rules())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in result.findings:
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": f.severity,
                "message": {"text": f.detail()},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": f.line, "startColumn": f.col},
                        }
                    }
                ],
            }
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "opsdocs",
                        "version": __version__,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"

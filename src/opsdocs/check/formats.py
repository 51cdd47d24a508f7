"""Renderers of a check result: text, json, sarif (2.1.0) and github (Actions annotations).

Each returns the whole output as a string; the command line prints it.
"""

from __future__ import annotations

import json
from typing import Any

from opsdocs import __version__
from opsdocs.check.findings import CheckResult
from opsdocs.sanitize import escape_text

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif", "github")

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: CheckResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of :data:`FORMATS`)."""
    renderers = {"text": _text, "json": _json, "sarif": _sarif, "github": _github}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}")
    return renderers[fmt](result)


def _text(result: CheckResult) -> str:
    """``path:line:col: CODE name: message (hint)`` lines, then the summary."""
    lines = [f.format() for f in result.findings]
    lines.append(result.summary())
    return "\n".join(lines) + "\n"


def _json(result: CheckResult) -> str:
    """A JSON object: the findings and the counts."""
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


def _github_data(text: str) -> str:
    # Control characters but the line feed are escaped first (an ESC or a bidi override would
    # reach the log as it is); the line feeds become %0A, so no text starts a new log line.
    return escape_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(result: CheckResult) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""
    lines = []
    for f in result.findings:
        props = ",".join(
            [
                f"file={_github_property(f.uri)}",
                f"line={f.line}",
                f"col={f.col}",
                f"title={_github_property(f'{f.code} {f.name}')}",
            ]
        )
        lines.append(f"::{f.severity} {props}::{_github_data(f.detail())}")
    return "".join(line + "\n" for line in lines)


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


def _sarif(result: CheckResult) -> str:
    """SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""
    from opsdocs.check.registry import all_rules

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

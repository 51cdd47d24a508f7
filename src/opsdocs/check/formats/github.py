"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""

from __future__ import annotations

from opsdocs.check.findings import CheckResult
from opsdocs.sanitize import escape_text


def _data(text: str) -> str:
    # Control characters but the line feed are escaped first (an ESC or a bidi override would
    # reach the log as it is); the line feeds become %0A, so no text starts a new log line.
    return escape_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult) -> str:
    lines = []
    for f in result.findings:
        props = ",".join(
            [
                f"file={_property(f.uri)}",
                f"line={f.line}",
                f"col={f.col}",
                f"title={_property(f'{f.code} {f.name}')}",
            ]
        )
        lines.append(f"::{f.severity} {props}::{_data(f.detail())}")
    return "".join(line + "\n" for line in lines)

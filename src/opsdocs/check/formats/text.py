"""``path:line:col: CODE name: message (hint)`` lines, then the summary."""

from __future__ import annotations

from opsdocs.check.findings import CheckResult


def render_text(result: CheckResult) -> str:
    lines = [f.format() for f in result.findings]
    lines.append(result.summary())
    return "\n".join(lines) + "\n"

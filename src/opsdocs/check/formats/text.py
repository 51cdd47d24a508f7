"""``path:line:col: CODE name: message (hint)`` lines, then the summary."""

from __future__ import annotations

from opsdocs.check.findings import CheckResult, Finding


def format_finding(f: Finding) -> str:
    text = f"{f.path}:{f.line}:{f.col}: {f.code} {f.name}: {f.message}"
    return f"{text} ({f.hint})" if f.hint else text


def render_text(result: CheckResult) -> str:
    lines = [format_finding(f) for f in result.findings]
    lines.append(result.summary())
    return "\n".join(lines) + "\n"

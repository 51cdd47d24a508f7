"""What a check run returns: findings and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from opsdocs.diagnostics import Diagnostic
from opsdocs.errors import OpsdocsWarning

__all__ = ["CheckResult"]


@dataclass
class CheckResult:
    findings: list[Diagnostic]
    files: int = 0
    cached: int = 0
    parsed: int = 0
    strict: bool = False
    suppressed: int = 0
    rules: frozenset[str] = frozenset()
    # About the run rather than a document's content (two profiles matching one file).
    run_warnings: list[OpsdocsWarning] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def fixable(self) -> int:
        return sum(1 for f in self.findings if f.fixable)

    @property
    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        if not self.findings:
            return f"All checks passed ({_plural(self.files, 'file')})."
        parts = [_plural(self.errors, "error")]
        if self.warnings:
            parts.append(_plural(self.warnings, "warning"))
        text = f"Found {', '.join(parts)} in {_plural(self.files, 'file')}"
        if self.fixable:
            text += f" ({self.fixable} fixable with --fix)"
        return text + "."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"

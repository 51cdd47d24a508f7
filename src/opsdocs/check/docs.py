"""Rule documentation generated from the registry: ``opsdocs rule`` and ``docs/rules/``.

``python -m opsdocs.check.docs [DIR]`` (or :func:`write_rule_docs`) regenerates the pages;
a test fails when the committed pages differ from what the registry gives.
"""

from __future__ import annotations

import sys
from pathlib import Path

from opsdocs.check.registry import Rule, all_rules

__all__ = [
    "expected_rule_docs",
    "render_rule_pages",
    "rule_page",
    "rule_text",
    "write_rule_docs",
]

_GENERATED = (
    "<!-- Generated from the rule registry by `python -m opsdocs.check.docs`; do not edit. -->"
)


def rule_text(rule: Rule) -> str:
    """The rule's documentation as Markdown (what ``opsdocs rule CODE`` prints)."""
    fix = " Fixable with `--fix`." if rule.fixable else ""
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"{rule.text.summary}\n\n"
        f"Default severity: **{rule.severity}**.{fix}\n\n"
        f"## What it does\n\n{rule.text.what}\n\n"
        f"## Why it matters\n\n{rule.text.why}\n\n"
        f"## Example\n\n{rule.text.example}\n\n"
        f"## Use instead\n\n{rule.text.instead}\n\n"
        f"## Silence it\n\n"
        f"`<!-- opsdocs-disable-next-line {rule.code}: why -->`, "
        f'`--ignore {rule.code}`, or `ignore = ["{rule.code}"]` in `[tool.opsdocs.check]`.\n'
    )


def rule_page(rule: Rule) -> str:
    return f"{_GENERATED}\n\n{rule_text(rule)}"


def _index(rules: tuple[Rule, ...]) -> str:
    lines = [
        _GENERATED,
        "",
        "# Check rules",
        "",
        "Every rule of `opsdocs check`, by code. See [the check guide](../check.md) for usage,",
        "configuration and suppression, and how a feature adds its own rules.",
        "",
        "| Code | Name | Severity | Fix | Summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        fix = "yes" if rule.fixable else ""
        summary = rule.text.summary.replace("|", "\\|")
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | {fix} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def expected_rule_docs() -> dict[str, str]:
    """File name -> text of every page under ``docs/rules/``."""
    rules = all_rules()
    pages = {f"{rule.code}.md": rule_page(rule) for rule in rules}
    pages["README.md"] = _index(rules)
    return pages


#: The name ``scripts/gen_docs.py`` calls.
render_rule_pages = expected_rule_docs


def write_rule_docs(directory: Path) -> list[Path]:
    """Write the rule pages into ``directory``; returns the files that changed."""
    from opsdocs.fileio import atomic_write

    changed: list[Path] = []
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in expected_rule_docs().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            changed.append(path)
    return changed


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    for changed_path in write_rule_docs(target):
        print(f"wrote {changed_path}")

"""Renderers of a check result: text, json, sarif (2.1.0) and github (Actions annotations).

Each returns the whole output as a string; the command line prints it.
"""

from __future__ import annotations

from collections.abc import Callable

from opsdocs.check.findings import CheckResult

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif", "github")


def render(result: CheckResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of :data:`FORMATS`)."""
    renderer: Callable[[CheckResult], str]
    if fmt == "text":
        from opsdocs.check.formats.text import render_text as renderer
    elif fmt == "json":
        from opsdocs.check.formats.json import render_json as renderer
    elif fmt == "sarif":
        from opsdocs.check.formats.sarif import render_sarif as renderer
    elif fmt == "github":
        from opsdocs.check.formats.github import render_github as renderer
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return renderer(result)

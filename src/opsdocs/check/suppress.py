"""Inline suppression: ``<!-- opsdocs-disable CODE: why -->`` and friends.

* ``<!-- opsdocs-disable CODE[, CODE...][: reason] -->`` at the end of a line silences those rules
  on that line. On a line of its own it silences them until ``<!-- opsdocs-enable CODE -->`` or
  the end of the file.
* ``<!-- opsdocs-disable-next-line CODE -->`` silences them on the next line.
* ``<!-- opsdocs-disable-file CODE -->`` silences them in the whole file.

CODE is a code (``ST001``), a prefix (``ST``) or a name (``empty-section``); no CODE means every
rule. In front matter, where HTML comments cannot go, the same words work as a YAML comment:
``owner: x  # opsdocs-disable FM006: legacy key``. Directives inside code blocks are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from opsdocs.check.registry import Rule, match_selector

__all__ = ["is_suppressed", "parse_suppressions"]

_DIRECTIVE = re.compile(
    r"(?:<!--|#)\s*opsdocs-(?P<verb>disable-next-line|disable-file|disable|enable)"
    r"(?P<codes>(?:[\s,]+[A-Za-z][A-Za-z0-9-]*)*)\s*(?::\s*(?P<reason>.*?))?\s*(?:-->|$)"
)
_END = 10**9


def parse_suppressions(lines: list[str], skipped: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Directives in ``lines`` (1-based file lines in ``skipped`` are code, not directives).

    Each is ``{"codes": [...], "start": line, "end": line, "reason": str | None}``.
    """
    skip = set(skipped)
    result: list[dict[str, Any]] = []
    open_ranges: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if "opsdocs-" not in line or number in skip:
            continue
        for match in _DIRECTIVE.finditer(line):
            verb = match.group("verb")
            codes = [c for c in re.split(r"[\s,]+", match.group("codes")) if c]
            reason = match.group("reason") or None
            if verb == "enable":
                for entry in open_ranges:
                    if entry["end"] == _END and (not codes or set(codes) & set(entry["codes"])):
                        entry["end"] = number
                continue
            entry = {"codes": codes, "start": number, "end": number, "reason": reason}
            if verb == "disable-file":
                entry["start"], entry["end"] = 1, _END
            elif verb == "disable-next-line":
                entry["start"] = entry["end"] = number + 1
            elif not line[: match.start()].strip():  # alone on its line: a range
                entry["end"] = _END
                open_ranges.append(entry)
            result.append(entry)
    return result


def is_suppressed(rule: Rule, line: int, directives: list[dict[str, Any]]) -> bool:
    """True when a directive silences ``rule`` at ``line``."""
    for entry in directives:
        if entry["start"] <= line <= entry["end"] and (
            not entry["codes"] or any(match_selector(c, rule) for c in entry["codes"])
        ):
            return True
    return False

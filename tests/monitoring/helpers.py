"""Helpers the monitoring tests and the portal's share."""

from __future__ import annotations

import pytest

from opsdocs.monitoring import catalogue


def record_rule_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rule files parsed from here on, by path (the others are read back from the cache)."""
    seen: list[str] = []
    real_parse = catalogue.parse_rule_text

    def counting(text: str, result: catalogue.RuleFile) -> catalogue.RuleFile:
        seen.append(result.path)
        return real_parse(text, result)

    monkeypatch.setattr(catalogue, "parse_rule_text", counting)
    return seen

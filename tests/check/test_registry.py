"""The rule registry: codes, names, selection, and rules contributed by another package."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsdocs.check import registry
from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.check.registry import all_rules, get_rule, select_rules
from opsdocs.errors import UsageError
from opsdocs.workspace import Workspace
from tests.conftest import build_tree

SLO = """---
kind: slo
title: API availability
owner: team-api
service: api
last_reviewed: 2026-05-01
---

# API availability

## Error Budget

{state} table
"""


def test_codes_names_and_docs_are_well_formed() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"[A-Z]{2}\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert not rule.name.startswith(("no-", "disallow-"))
        assert rule.severity in ("error", "warning")
        assert rule.summary.endswith(".") and "\n" not in rule.summary
        assert all((rule.what, rule.why, rule.example, rule.instead))


def test_selection_by_code_prefix_name_and_all() -> None:
    all_codes = {r.code for r in all_rules()}
    assert select_rules() == all_codes
    assert select_rules(["ALL"]) == all_codes
    assert select_rules(["FM"]) == {c for c in all_codes if c.startswith("FM")}
    assert select_rules(["broken-link", "ST001"]) == {"LK001", "ST001"}
    assert select_rules(ignore=["ST", "empty-section"]) == {
        c for c in all_codes if not c.startswith("ST")
    }


def test_unknown_selector() -> None:
    with pytest.raises(UsageError, match="'nope' matches no rule"):
        select_rules(ignore=["nope"])


def test_get_rule_is_case_insensitive_for_codes() -> None:
    assert get_rule("lk002") is get_rule("broken-anchor")


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        registry, "RULE_MODULES", [*registry.RULE_MODULES, "tests.check.plugin_rules"]
    )
    all_rules.cache_clear()
    yield
    all_rules.cache_clear()


def test_a_feature_module_contributes_a_rule(plugin: None, tmp_path: Path) -> None:
    assert get_rule("ZZ901").source == "tests.check.plugin_rules"
    (tmp_path / "opsdocs.toml").write_text("")
    folder = build_tree(tmp_path / "d", {"slo-api.md": SLO.format(state="stale")})
    workspace = Workspace.discover(root=tmp_path)
    options = CheckOptions(select=["ZZ9"], today=dt.date(2026, 6, 1))
    line = SLO.split("\n").index("## Error Budget") + 1

    first = run_check(workspace, [folder], options)
    assert [(f.code, f.line, f.message) for f in first.findings] == [
        ("ZZ901", line, "error-budget table is stale")
    ]
    again = run_check(workspace, [folder], options)  # facts.extra comes from the cache
    assert again.cached == 1
    assert [(f.code, f.line) for f in again.findings] == [("ZZ901", line)]
    (folder / "slo-api.md").write_text(SLO.format(state="fresh"))
    assert run_check(workspace, [folder], options).findings == []

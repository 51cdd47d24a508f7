"""The rule registry: codes, names, selection, and rules contributed by another package."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from opsdocs.check import registry
from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.check.registry import all_rules, get_rule, select_family, select_rules
from opsdocs.errors import UsageError
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree

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
        assert rule.text.summary.endswith(".") and "\n" not in rule.text.summary
        assert all((rule.text.what, rule.text.why, rule.text.example, rule.text.instead))


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


def test_select_family_keeps_a_command_to_its_family() -> None:
    assert select_family("AL", []) == ["AL"]
    assert select_family("AL", ["AL002", "al003"]) == ["AL002", "al003"]
    with pytest.raises(UsageError) as refused:
        select_family("AL", ["AL002", "ST", "broken-link"])
    assert refused.value.format() == (
        "--select picks rules outside the AL family (LK001, ST001, ST002) "
        "(use 'opsdocs check' for other rules)"
    )
    with pytest.raises(UsageError, match="'nope' matches no rule"):
        select_family("AL", ["nope"])


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


def test_every_rule_module_ships_the_text_of_its_rules() -> None:
    """Each rule module has a TOML file beside it (a package resource, so it is in the wheel)
    with one table for each of its rules and none for another."""
    modules = {rule.source for rule in all_rules()}
    for module in modules:
        package, _, leaf = module.rpartition(".")
        assert (files(package) / f"{leaf}.toml").is_file(), module
        codes = {rule.code for rule in all_rules() if rule.source == module}
        assert set(registry.rule_texts(module)) == codes
    assert get_rule("ST001").text.instead.startswith("```markdown\n## Escalation & Ownership\n\n")


RULE_MODULE = """\
from opsdocs.check.registry import Rule

RULES = [Rule("ZZ801", "first-rule", "error"), Rule("ZZ802", "second-rule", "warning")]
"""

TEXT = """\
summary = "S."
what = "W"
why = "Y"
example = '''
```yaml
a: 1
```'''
instead = "I"
"""


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (f"[ZZ801]\n{TEXT}", r"rules.toml: no text for rule ZZ802 \(add a \[ZZ802\] table\)"),
        (
            f"[ZZ801]\n{TEXT}\n[ZZ802]\n{TEXT}\n[ZZ803]\n{TEXT}",
            r"rules.toml: \[ZZ803\] is no rule of pkg_\w+\.rules$",
        ),
        (
            f"[ZZ801]\n{TEXT}hint = 'h'\n[ZZ802]\n{TEXT}",
            r"rules.toml: \[ZZ801\] has an unknown key 'hint' "
            r"\(the keys are summary, what, why, example, instead\)",
        ),
        (
            f"[ZZ801]\n{TEXT}\n[ZZ802]\n{TEXT.replace('why =', 'wyh =')}",
            r"rules.toml: \[ZZ802\] has an unknown key 'wyh'",
        ),
        (
            f"[ZZ801]\n{TEXT}\n[ZZ802]\n{TEXT.replace('instead = ', '# ')}",
            r"rules.toml: \[ZZ802\] needs 'instead', a string",
        ),
        (f"[ZZ801]\n{TEXT}\n[ZZ801]\n", "rules.toml: cannot read the rule texts: "),
        (None, "rules.toml: cannot read the rule texts: "),
    ],
)
def test_a_rule_without_its_text_or_a_text_without_its_rule_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str | None, message: str
) -> None:
    package = f"pkg_{tmp_path.name}"  # a new module each time
    tree = {f"{package}/__init__.py": "", f"{package}/rules.py": RULE_MODULE}
    if toml is not None:
        tree[f"{package}/rules.toml"] = toml
    build_tree(tmp_path, tree)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_TEXTS", {})
    with pytest.raises(RuntimeError, match=f"^{package}/{message}"):  # the file and the code
        registry.rule_texts(f"{package}.rules")


def test_a_complete_text_reads_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(
        tmp_path,
        {
            "textpkgok/__init__.py": "",
            "textpkgok/rules.py": RULE_MODULE,
            "textpkgok/rules.toml": f"[ZZ802]\n{TEXT}\n[ZZ801]\n{TEXT}",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_TEXTS", {})
    texts = registry.rule_texts("textpkgok.rules")
    assert texts["ZZ801"] == registry.RuleText("S.", "W", "Y", "```yaml\na: 1\n```", "I")
    assert list(registry._TEXTS.items()) == [("textpkgok.rules", texts)]


ALERTS_CONFIG = """\
[monitoring]
rule_files = ["rules/*.yaml"]
promtool = false
"""

ALERTS = """\
groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up == 0
"""


def test_a_check_run_reads_no_rule_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    """`check` and `alerts check` find what they find without reading any rule's text (the
    TOML is parsed only when the text is shown: SARIF output, `opsdocs rule`, the rule pages)."""
    original = registry._read_texts
    read: list[str] = []

    def refuse(module: str) -> dict[str, registry.RuleText]:
        raise AssertionError(f"a check run read the text of {module}")

    def counting(module: str) -> dict[str, registry.RuleText]:
        read.append(module)
        return original(module)

    monkeypatch.setattr(registry, "_read_texts", refuse)  # in worker processes too
    monkeypatch.setattr(registry, "_TEXTS", {})
    build_tree(tmp_path, {"opsdocs.toml": ALERTS_CONFIG, "rules/api.yaml": ALERTS})
    assert cli("init", cwd=tmp_path).exit_code == 0
    (tmp_path / "docs/internal/operations/runbook-api.md").write_text("# API\n")

    checked = cli("check", "--no-cache", "--format", "json", cwd=tmp_path)
    assert checked.exit_code == 1, checked.stderr
    codes = {f["code"] for f in json.loads(checked.stdout)["findings"]}
    assert {"FM001", "ST001", "AL002"} <= codes
    alerts = cli("alerts", "check", cwd=tmp_path)
    assert alerts.exit_code == 1 and "AL002" in alerts.stdout, alerts.stderr
    assert registry._TEXTS == {}

    monkeypatch.setattr(registry, "_read_texts", counting)
    sarif = cli("check", "--format", "sarif", cwd=tmp_path)
    assert sarif.exit_code == 1 and "ApiDown" in sarif.stdout
    assert sorted(read) == sorted({rule.source for rule in all_rules()})


def test_a_rule_with_a_fix_is_fixable() -> None:
    assert registry.Rule("ZZ701", "some-rule", "error", fix=lambda ctx: None).fixable
    assert not registry.Rule("ZZ702", "other-rule", "error").fixable
    assert get_rule("SL003").fixable and get_rule("SL003").fix is not None

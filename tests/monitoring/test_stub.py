"""``opsdocs alerts stub``: a runbook section per alert without a runbook, and the URL to add."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from opsdocs.monitoring.stub import plan_stubs
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree, snapshot

PLAIN = """\
# Alerts of the API. Keep this comment.
groups:
  - name: api
    rules:
      - alert: ApiHighErrorRate   # the one that pages
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1
        for: 5m
        labels:
          severity: critical
          service: api
        annotations:
          summary: "API error rate above 1/s"
      - alert: ApiDown
        expr: up{job="api"} == 0
        for: 5m
        labels:
          severity: critical
          service: api
        annotations:
          summary: API is down
          runbook_url: https://docs.example.com/ops/runbook-api.md#apidown
"""

OPERATOR = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: queue
spec:
  groups:
    - name: queue
      rules:
        - alert: QueueBacklogGrowing
          expr: queue_depth > 1000
          for: 15m
          labels:
            severity: warning
"""


def _workspace(root: Path, cli: Callable[..., Result]) -> Path:
    build_tree(
        root,
        {
            "opsdocs.toml": (
                'owners = ["team-api"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
                'promtool = false\n\n[slo]\ndocs_base_url = "https://docs.example.com/ops/"\n'
            ),
            "rules/api.yaml": PLAIN,
            "rules/queue.yaml": OPERATOR,
        },
    )
    assert cli("init", cwd=root).exit_code == 0
    assert cli("new", "runbook", "api", cwd=root).exit_code == 0
    runbook = root / "docs/internal/operations/runbook-api.md"
    runbook.write_text(
        runbook.read_text().replace(
            "| TODO | TODO | TODO |", "| x | y | z |\n\n### ApiDown\n\nRestart it."
        )
    )
    return root


def test_dry_run_prints_the_plan_and_writes_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _workspace(tmp_path, cli)
    before = snapshot(tmp_path)
    result = cli("alerts", "stub", "--dry-run", "--write-rules", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "ApiHighErrorRate: docs/internal/operations/runbook-api.md#apihigherrorrate  runbook_url: "
        "https://docs.example.com/ops/runbook-api.md#apihigherrorrate",
        "QueueBacklogGrowing: docs/internal/operations/runbook-queue-backlog-growing.md"
        "#queuebackloggrowing  runbook_url: "
        "https://docs.example.com/ops/runbook-queue-backlog-growing.md#queuebackloggrowing",
    ]
    assert snapshot(tmp_path) == before


def test_stub_writes_sections_runbooks_index_and_rule_files(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _workspace(tmp_path, cli)
    assert cli("alerts", "check", "--select", "AL002", cwd=tmp_path).exit_code == 1
    result = cli("alerts", "stub", "--write-rules", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    ops = tmp_path / "docs/internal/operations"
    runbook = (ops / "runbook-api.md").read_text()
    section = runbook[runbook.index("### ApiHighErrorRate") :]
    assert section.startswith(
        "### ApiHighErrorRate\n\n"
        '- **Fires when:** `sum(rate(http_requests_total{code=~"5.."}[5m])) > 1` for 5m\n'
        "- **Labels:** service=api, severity=critical\n"
        "- **Summary:** API error rate above 1/s\n"
        "- **Defined in:** `rules/api.yaml` line 5\n"
    )
    # the new section sits inside 'Dashboards & Alerts', before the next section
    assert runbook.index("### ApiHighErrorRate") < runbook.index("## Common Failures")
    assert (ops / "runbook-queue-backlog-growing.md").exists()
    assert "runbook-queue-backlog-growing.md" in (ops / "README.md").read_text()
    plain = (tmp_path / "rules/api.yaml").read_text()
    assert plain.startswith("# Alerts of the API. Keep this comment.\n")
    assert "- alert: ApiHighErrorRate   # the one that pages" in plain
    assert (
        "          runbook_url: https://docs.example.com/ops/runbook-api.md#apihigherrorrate\n"
        in plain
    )
    operator = list(yaml.safe_load_all((tmp_path / "rules/queue.yaml").read_text()))
    rule = operator[0]["spec"]["groups"][0]["rules"][0]
    assert rule["annotations"]["runbook_url"].endswith(
        "runbook-queue-backlog-growing.md#queuebackloggrowing"
    )
    # every alert now has a runbook that exists, with its section
    after = cli("alerts", "check", "--select", "AL002,AL003", cwd=tmp_path)
    assert after.exit_code == 0, after.stdout
    # a second run has nothing to do
    assert cli("alerts", "stub", cwd=tmp_path).stdout == "Every alert has a runbook_url.\n"


def test_unknown_alert_name_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _workspace(tmp_path, cli)
    before = snapshot(tmp_path)
    result = cli("alerts", "stub", "ApiHighErorRate", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no alert named 'ApiHighErorRate' in the catalogue "
        "(run 'opsdocs alerts list' for the alert names)\n"
    )
    assert snapshot(tmp_path) == before


def test_a_rule_file_outside_the_workspace_is_not_written(
    tmp_path: Path, cli: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "rules.yaml"
    outside.write_text(PLAIN)
    root = tmp_path / "ws"
    _workspace(root, cli)
    config = root / "opsdocs.toml"
    config.write_text(
        config.read_text().replace('rule_files = ["rules/*.yaml"]', f'rule_files = ["{outside}"]')
    )
    before, rules_before = snapshot(root), outside.read_text()
    result = cli("alerts", "stub", "--write-rules", cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "outside" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(root) == before
    assert outside.read_text() == rules_before


def _library_workspace(root: Path, cli: Callable[..., Result]) -> Workspace:
    return Workspace.discover(root=_workspace(root, cli))


def test_plan_stubs_returns_the_runbooks_sections_and_rule_edits(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    workspace = _library_workspace(tmp_path, cli)
    before = snapshot(tmp_path)
    plan = plan_stubs(workspace, write_rules=True)
    assert snapshot(tmp_path) == before  # a plan writes nothing
    ops = tmp_path / "docs/internal/operations"
    queue = ops / "runbook-queue-backlog-growing.md"
    assert [(s.alert.name, s.runbook, s.anchor) for s in plan.alerts] == [
        ("ApiHighErrorRate", ops / "runbook-api.md", "apihigherrorrate"),
        ("QueueBacklogGrowing", queue, "queuebackloggrowing"),
    ]
    assert plan.created == [queue]
    assert sorted(plan.writes) == sorted(
        [
            ops / "runbook-api.md",
            queue,
            ops / "README.md",
            tmp_path / "rules/api.yaml",
            tmp_path / "rules/queue.yaml",
        ]
    )
    assert "### ApiHighErrorRate\n" in plan.writes[ops / "runbook-api.md"]
    assert (
        "runbook_url: https://docs.example.com/ops/runbook-api.md#apihigherrorrate"
        in (plan.writes[tmp_path / "rules/api.yaml"])
    )
    # without write_rules, the rule files are left out of the plan
    assert tmp_path / "rules/api.yaml" not in plan_stubs(workspace).writes
    only = plan_stubs(workspace, names=["QueueBacklogGrowing"])
    assert [s.alert.name for s in only.alerts] == ["QueueBacklogGrowing"]
    assert sorted(only.writes) == sorted([queue, ops / "README.md"])


def test_the_plans_change_set_creates_and_updates_what_it_plans(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    workspace = _library_workspace(tmp_path, cli)
    plan = plan_stubs(workspace)
    assert sorted(plan.changes(workspace).commit()) == sorted(plan.writes)
    for path, text in plan.writes.items():
        assert path.read_text() == text
    assert plan_stubs(workspace).writes == {}


def test_a_heading_in_a_block_quote_is_not_the_alerts_section(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    workspace = _library_workspace(tmp_path, cli)
    runbook = tmp_path / "docs/internal/operations/runbook-api.md"
    runbook.write_text(runbook.read_text() + "\n> ### ApiHighErrorRate\n>\n> A quoted note.\n")
    plan = plan_stubs(workspace, names=["ApiHighErrorRate"])
    # the quote is no section of its own: the alert still gets its '###' section
    assert "\n### ApiHighErrorRate\n" in plan.writes[runbook]

"""Reading rule files: plain, PrometheusRule, several documents, and what is wrong with them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opsdocs.monitoring.catalogue import (
    RuleFile,
    alerts_from_api,
    expand_rule_files,
    load_rule_file,
    parse_rule_text,
)
from tests.conftest import build_tree

PLAIN = """\
groups:
  - name: api
    rules:
      - record: job:errors:rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m]))
      - alert: ApiHighErrorRate
        expr: job:errors:rate5m > 1
        for: 5m
        labels:
          severity: critical
          team: team-api
        annotations:
          summary: High error rate
          runbook_url: runbooks/api.md
"""

OPERATOR = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: kube
spec:
  groups:
    - name: kube
      rules:
        - alert: KubePodCrashLooping
          expr: rate(kube_pod_container_status_restarts_total[5m]) > 0
          for: 15m
          labels:
            severity: warning
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node
spec:
  groups:
    - name: node
      rules:
        - alert: NodeDown
          expr: up{job="node"} == 0
"""


def parse(text: str) -> RuleFile:
    return parse_rule_text(text, RuleFile(path="rules.yaml", abspath="/x/rules.yaml"))


def test_plain_rule_file_gives_each_alert_with_its_position_and_parts() -> None:
    result = parse(PLAIN)
    assert result.errors == []
    assert result.records == ["job:errors:rate5m"]
    [alert] = result.alerts
    assert (alert.name, alert.group, alert.line, alert.col) == ("ApiHighErrorRate", "api", 6, 9)
    assert alert.expr == "job:errors:rate5m > 1"
    assert alert.for_ == "5m"
    assert alert.labels == {"severity": "critical", "team": "team-api"}
    assert alert.runbook_url == "runbooks/api.md"
    assert alert.at("annotations.runbook_url") == (14, 11)
    assert alert.at("labels.severity") == (10, 11)
    assert alert.at("for") == (8, 9)
    # promtool numbers the rules of a group from 1, recording rules too: the alert is rule 2
    assert result.rule_lines[(0, "api", 2)][:2] == (6, 9)


def test_prometheus_rule_manifests_several_documents_other_kinds_skipped() -> None:
    result = parse(OPERATOR)
    assert result.errors == []
    assert [(a.name, a.group, a.line) for a in result.alerts] == [
        ("KubePodCrashLooping", "kube", 14),
        ("NodeDown", "node", 28),
    ]
    assert [(n, plain) for n, _, plain in result.documents] == [(1, False), (2, False)]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("groups: [\n", "invalid YAML", 2),
        ("alerts:\n  - alert: X\n", "not a rule file: no 'groups' key", 1),
        ("- a\n- b\n", "not a rule file: expected a mapping", 1),
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec: {}\n",
            "PrometheusRule has no spec.groups",
            3,
        ),
        ("groups:\n  - rules: []\n", "a rule group needs a 'name'", 2),
        (
            "groups:\n  - name: g\n    rules:\n      - expr: up\n",
            "rule 1 has neither 'alert' nor 'record'",
            4,
        ),
        ("groups: 5\n", "'groups' must be a list", 1),
    ],
)
def test_what_is_not_a_rule_file_is_one_located_error(text: str, message: str, line: int) -> None:
    result = parse(text)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert message in error.message
    assert (error.path, error.line) == ("rules.yaml", line)
    assert error.hint


def test_files_that_cannot_be_read_are_errors_not_crashes(tmp_path: Path) -> None:
    build_tree(tmp_path, {"rules/bin.yaml": b"\xff\xfe\x00bad"})
    os.mkfifo(tmp_path / "rules" / "fifo.yaml")
    binary = load_rule_file(tmp_path / "rules" / "bin.yaml", tmp_path)
    assert [e.message for e in binary.errors] == ["not UTF-8 text"]
    fifo = load_rule_file(tmp_path / "rules" / "fifo.yaml", tmp_path)
    assert [e.message for e in fifo.errors] == ["not a regular file"]


def test_globs_read_each_file_once_even_through_a_symlink(tmp_path: Path) -> None:
    build_tree(tmp_path, {"rules/a.yaml": PLAIN, "rules/sub/b.yaml": PLAIN})
    (tmp_path / "rules" / "link.yaml").symlink_to(tmp_path / "rules" / "a.yaml")
    found = expand_rule_files(tmp_path, ["rules/*.yaml", "rules/**/*.yaml"])
    names = [str(p.relative_to(tmp_path)) for p in found]
    assert names == ["rules/a.yaml", "rules/sub/b.yaml"]


def test_alerts_from_the_rules_api() -> None:
    payload = {
        "groups": [
            {
                "name": "api",
                "file": "/etc/prometheus/api.yaml",
                "rules": [
                    {"type": "recording", "name": "x", "query": "up"},
                    {
                        "type": "alerting",
                        "name": "ApiDown",
                        "query": "up == 0",
                        "duration": 300,
                        "labels": {"severity": "critical"},
                        "annotations": {"summary": "down"},
                    },
                ],
            }
        ]
    }
    [alert] = list(alerts_from_api(payload, origin="http://prom"))
    assert (alert.name, alert.for_, alert.file, alert.source) == (
        "ApiDown",
        "5m",
        "/etc/prometheus/api.yaml",
        "prometheus",
    )

"""The alerts ``opsdocs slo rules`` generates join the catalogue, checked like any other."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, build_tree

SLO = """\
---
kind: slo
title: API availability
owner: team-api
service: api
last_reviewed: 2026-12-01
slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total{job="api"}[{{window}}]))
---

# API availability
"""

RUNBOOK = """\
---
kind: runbook
title: API
owner: team-api
service: api
last_reviewed: 2026-12-01
---

# API
"""


def _workspace(root: Path, rule_files: str) -> Path:
    return build_tree(
        root,
        {
            "opsdocs.toml": (
                'owners = ["team-api"]\n\n[monitoring]\n'
                f"rule_files = {rule_files}\npromtool = false\n\n"
                '[slo]\ndocs_base_url = "https://docs.example.com/ops/"\n'
            ),
            "docs/internal/operations/slo-api-availability.md": SLO,
            "docs/internal/operations/runbook-api.md": RUNBOOK,
        },
    )


def test_slo_alerts_are_in_the_catalogue_with_their_runbook(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _workspace(tmp_path, "[]")
    result = cli("alerts", "list", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    alerts = json.loads(result.stdout)
    assert [(a["alert"], a["severity"], a["service"], a["source"]) for a in alerts] == [
        ("ApiAvailabilityBurnRate", "page", "api", "slo"),
        ("ApiAvailabilityBurnRate", "ticket", "api", "slo"),
    ]
    assert {a["runbook"]["file"] for a in alerts} == {"docs/internal/operations/runbook-api.md"}
    assert {a["runbook"]["status"] for a in alerts} == {"ok"}
    assert alerts[0]["file"] == "docs/internal/operations/slo-api-availability.md"
    # burn-rate alerts need no 'for:' and carry their severity as slo_severity: no finding
    assert cli("alerts", "check", cwd=tmp_path).exit_code == 0


def test_generated_rule_files_in_rule_files_are_not_counted_twice(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _workspace(tmp_path, '["rules/**/*.yaml"]')
    assert cli("slo", "rules", cwd=tmp_path).exit_code == 0
    alerts = json.loads(cli("alerts", "list", "--format", "json", cwd=tmp_path).stdout)
    assert [(a["alert"], a["file"], a["source"]) for a in alerts] == [
        ("ApiAvailabilityBurnRate", "rules/slo/slo-api-availability.yaml", "slo"),
        ("ApiAvailabilityBurnRate", "rules/slo/slo-api-availability.yaml", "slo"),
    ]


def test_without_a_served_docs_url_the_slo_alert_has_no_runbook_link(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _workspace(tmp_path, "[]")
    config = tmp_path / "opsdocs.toml"
    config.write_text(
        config.read_text().replace('docs_base_url = "https://docs.example.com/ops/"', "")
    )
    result = cli("alerts", "check", cwd=tmp_path)
    assert result.exit_code == 1
    assert (
        "docs/internal/operations/slo-api-availability.md:7:1: AL002 alert-runbook-missing: "
        "alert 'ApiAvailabilityBurnRate': no runbook_url annotation"
    ) in result.stdout

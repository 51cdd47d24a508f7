"""Generated Alertmanager configurations, proven with the real amtool; routes of hand-written
ones resolved as Alertmanager resolves them."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from opsdocs.oncall.alertmanager import RouteCase, RouteProof, amtool_route, resolve
from tests.conftest import Result, build_tree, require_tool, snapshot
from tests.oncall.helpers import OPS, oncall_doc
from tests.oncall.test_oncall_cli import API, DB

PLAYBOOK = """---
kind: incident-response
title: Incident Response
owner: team-sre
last_reviewed: 2026-11-01
severities:
  - name: SEV1
    definition: Down.
    page: [primary on-call, secondary on-call]
    ack_within: 5m
    update_every: 20m
    postmortem: {required: true, due: 3 calendar days}
  - name: SEV2
    definition: Degraded.
    page: [primary on-call]
    ack_within: 15m
    update_every: 2h
    postmortem: {required: true, due: 5 business days}
  - name: SEV3
    definition: Minor.
    ack_within: 4h
    postmortem: {required: false}
---

# Incident Response
"""


def _runbook(service: str, owner: str) -> str:
    return (
        f"---\nkind: runbook\ntitle: {service}\nowner: {owner}\nservice: {service}\n"
        f"last_reviewed: 2026-11-01\n---\n\n# {service}\n"
    )


@pytest.fixture
def ws(workspace_dir: Path) -> Path:
    build_tree(
        workspace_dir,
        {
            f"{OPS}/on-call-team-api.md": oncall_doc(API),
            f"{OPS}/on-call-team-db.md": oncall_doc(DB, owner="team-db"),
            f"{OPS}/incident-response.md": PLAYBOOK,
            f"{OPS}/runbook-api-server.md": _runbook("api-server", "team-api"),
            f"{OPS}/runbook-checkout.md": _runbook("checkout", "team-api"),
            f"{OPS}/runbook-postgres.md": _runbook("postgres", "team-db"),
        },
    )
    return workspace_dir


def test_generated_config_follows_the_ladder(cli: Callable[..., Result], ws: Path) -> None:
    result = cli("oncall", "alertmanager", "--out", "alertmanager.yml", cwd=ws)
    assert result.exit_code == 0, result.stderr
    config = yaml.safe_load((ws / "alertmanager.yml").read_text())
    routes = config["route"]["routes"]
    assert [(r["matchers"], r["receiver"], r["repeat_interval"]) for r in routes] == [
        (['severity="SEV1"'], "default", "20m"),
        (['severity="SEV2"'], "default", "2h"),
        (['severity="SEV3"'], "tickets", "24h"),
    ]
    assert [(c["matchers"], c["receiver"]) for c in routes[0]["routes"]] == [
        (['team="team-api"'], "team-api-pager"),
        (['team="team-db"'], "team-db-pager"),
        (['service=~"api\\\\-server|checkout"'], "team-api-pager"),
        (['service="postgres"'], "team-db-pager"),
    ]
    assert [r["name"] for r in config["receivers"]] == [
        "default",
        "tickets",
        "team-api-pager",
        "team-db-pager",
    ]
    assert config["receivers"][2]["webhook_configs"][0]["url"] == (
        "http://127.0.0.1:9/opsdocs/team-api-pager"
    )
    assert config["inhibit_rules"][1] == {
        "source_matchers": ['severity=~"SEV1|SEV2"', 'slo_id=~".+"'],
        "target_matchers": ['severity="SEV3"'],
        "equal": ["slo_id"],
    }
    labels = {"severity": "SEV2", "service": "checkout"}
    assert resolve(config, labels) == ["team-api-pager"]
    assert resolve(config, {"severity": "SEV2", "team": "team-x"}) == ["default"]
    assert resolve(config, {"alertname": "Watchdog"}) == ["default"]


def test_configured_receivers_replace_the_placeholders(
    cli: Callable[..., Result], ws: Path
) -> None:
    (ws / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[oncall.alertmanager]\n'
        'webhook_url = "https://hooks.example.com/{receiver}"\n'
        '[oncall.alertmanager.receivers]\n"team-db-pager" = "https://pager.example.com/db"\n'
    )
    result = cli("oncall", "alertmanager", cwd=ws)
    config = yaml.safe_load(result.stdout.split("\n", 3)[3])
    urls = {r["name"]: r["webhook_configs"][0]["url"] for r in config["receivers"]}
    assert urls["team-db-pager"] == "https://pager.example.com/db"
    assert urls["tickets"] == "https://hooks.example.com/tickets"


@pytest.mark.tools
def test_generated_config_passes_amtool_and_every_route_test(
    cli: Callable[..., Result], ws: Path
) -> None:
    amtool = require_tool("amtool")
    result = cli("oncall", "alertmanager", "--out", "alertmanager.yml", "--tests", cwd=ws)
    assert result.exit_code == 0, result.stderr
    assert "amtool check-config: ok" in result.stderr
    assert "15 of 15 route tests pass with amtool" in result.stderr  # 3 × (2 teams + 3 services)
    path = ws / "alertmanager.yml"
    check = subprocess.run(
        [amtool, "check-config", str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # every severity x team label set, asked of amtool directly with --verify.receivers
    expected = {
        "SEV1": "{team}-pager",
        "SEV2": "{team}-pager",
        "SEV3": "tickets",
    }
    for severity, receiver in expected.items():
        for team in ("team-api", "team-db"):
            want = receiver.format(team=team)
            verify = subprocess.run(
                [
                    amtool,
                    "config",
                    "routes",
                    "test",
                    f"--config.file={path}",
                    f"--verify.receivers={want}",
                    f"severity={severity}",
                    f"team={team}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            assert verify.returncode == 0, (severity, team, verify.stdout, verify.stderr)


HAND_WRITTEN = """
route:
  receiver: fallback
  routes:
    - match: {severity: SEV1}
      receiver: oncall-pagerduty
      continue: true
    - match_re: {severity: "SEV[12]"}
      routes:
        - matchers: ['team!="team-db"']
          receiver: slack-api
        - matchers: ['team=~"team-d.*"']
          receiver: db-pager
    - matchers: ['severity!~"SEV[12]"']
      receiver: tickets
receivers:
  - name: fallback
  - name: oncall-pagerduty
    pagerduty_configs: [{routing_key: placeholder}]
  - name: slack-api
    slack_configs: [{api_url: "https://hooks.slack.example/x", channel: "#api"}]
  - name: db-pager
    webhook_configs: [{url: "http://127.0.0.1:9/db"}]
  - name: tickets
    webhook_configs: [{url: "http://127.0.0.1:9/tickets"}]
"""


@pytest.mark.tools
def test_resolve_agrees_with_amtool_on_a_hand_written_config(tmp_path: Path) -> None:
    require_tool("amtool")
    path = tmp_path / "alertmanager.yml"
    path.write_text(textwrap.dedent(HAND_WRITTEN))
    config = yaml.safe_load(path.read_text())
    for severity in ("SEV1", "SEV2", "SEV3", ""):
        for team in ("team-api", "team-db", "team-dx", ""):
            labels = {k: v for k, v in (("severity", severity), ("team", team)) if v}
            assert resolve(config, labels) == amtool_route(path, labels), labels


def test_routes_reports_a_paging_severity_that_reaches_no_pager(
    cli: Callable[..., Result], ws: Path
) -> None:
    (ws / "alertmanager.yml").write_text(textwrap.dedent(HAND_WRITTEN))
    before = snapshot(ws)
    result = cli("oncall", "routes", "--config", "alertmanager.yml", cwd=ws)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["labels", "receiver", "pages"]
    table = {line.split()[0]: line.split(None, 2)[1:] for line in lines[1:]}
    assert table["severity=SEV1,team=team-api"] == ["oncall-pagerduty,slack-api", "yes"]
    assert table["severity=SEV2,team=team-api"] == ["slack-api", "NO (the ladder pages for it)"]
    assert table["severity=SEV2,team=team-db"] == ["db-pager", "yes"]
    assert table["severity=SEV3,team=team-db"] == ["tickets", "no"]
    assert snapshot(ws) == before


def test_routes_refuses_a_file_that_is_not_an_alertmanager_config(
    cli: Callable[..., Result], ws: Path
) -> None:
    (ws / "alertmanager.yml").write_text("receivers: []\n")
    result = cli("oncall", "routes", "--config", "alertmanager.yml", cwd=ws)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: alertmanager.yml:1:1: not an Alertmanager configuration: no 'route' (give the "
        "file Alertmanager reads (alertmanager.yml))\n",
    )


def test_routes_escapes_control_characters_from_the_configuration(
    cli: Callable[..., Result], ws: Path
) -> None:
    (ws / "alertmanager.yml").write_text(
        'route:\n  receiver: "evil\\u001b[2Jpager"\nreceivers:\n  - name: "evil\\u001b[2Jpager"\n'
    )
    result = cli("oncall", "routes", "--config", "alertmanager.yml", cwd=ws)
    assert "\x1b" not in result.stdout
    assert "evil\\x1b[2Jpager" in result.stdout


def test_routes_of_carries_the_receivers_and_the_unpaged_severities(ws: Path) -> None:
    from opsdocs.oncall.alertmanager import routes_of
    from opsdocs.workspace import Workspace

    (ws / "alertmanager.yml").write_text(textwrap.dedent(HAND_WRITTEN))
    routes = routes_of(Workspace.discover(root=ws), ws / "alertmanager.yml")
    by_labels = {
        (r.case.severity, r.case.team): r for r in routes if "service" not in r.case.labels
    }
    assert len(by_labels) == 6  # 3 severities × 2 teams
    sev1 = by_labels["SEV1", "team-api"]
    assert (sev1.receivers, sev1.pages, sev1.unpaged) == (
        ["oncall-pagerduty", "slack-api"],
        True,
        False,
    )
    sev2 = by_labels["SEV2", "team-api"]
    assert (sev2.receivers, sev2.pages, sev2.unpaged) == (["slack-api"], False, True)
    sev3 = by_labels["SEV3", "team-db"]
    assert (sev3.receivers, sev3.pages, sev3.unpaged) == (["tickets"], False, False)
    assert sev2.as_dict() == {
        "severity": "SEV2",
        "team": "team-api",
        "labels": {"severity": "SEV2", "team": "team-api"},
        "expected": "team-api-pager",
        "paging": True,
        "receivers": ["slack-api"],
        "pages": False,
    }


@pytest.mark.tools
def test_prove_config_asks_amtool_about_every_case(ws: Path) -> None:
    from opsdocs.errors import InputError
    from opsdocs.oncall.alertmanager import (
        build_config,
        plan_routing,
        prove_config,
        render_config,
        route_cases,
    )
    from opsdocs.workspace import Workspace

    require_tool("amtool")
    routing = plan_routing(Workspace.discover(root=ws))
    config = build_config(routing)
    proofs = prove_config(config, render_config(config), route_cases(routing))
    assert len(proofs) == 15
    assert all(p.ok and p.amtool == [p.case.expected] for p in proofs)
    with pytest.raises(InputError, match="amtool check-config rejects the configuration"):
        prove_config(config, "route: [\n", route_cases(routing))


@pytest.mark.tools
def test_alertmanager_config_is_proven_on_the_text_it_returns(ws: Path) -> None:
    """What 'oncall alertmanager' writes comes from one library call; with prove, the route tests
    run on that very text."""
    from opsdocs.oncall.alertmanager import alertmanager_config
    from opsdocs.workspace import Workspace
    from opsdocs.yamlio import load_yaml

    require_tool("amtool")
    workspace = Workspace.discover(root=ws)
    plain = alertmanager_config(workspace)
    assert plain.proofs is None and plain.failed == 0
    assert load_yaml(plain.text).value["route"]["receiver"] == "default"
    proven = alertmanager_config(workspace, prove=True)
    assert proven.text == plain.text
    assert proven.proofs is not None and len(proven.proofs) == 15
    assert proven.failed == 0


def test_a_route_case_and_its_proof_as_json() -> None:
    labels = {"severity": "SEV1", "team": "team-api"}
    case = RouteCase("SEV1", "team-api", labels, "team-api-pager", True)
    proof = RouteProof(case, ["team-api-pager"], ["default"])
    head = (
        '{"severity": "SEV1", "team": "team-api", "labels": {"severity": "SEV1", "team":'
        ' "team-api"}, "expected": "team-api-pager", "paging": true'
    )
    assert json.dumps(case.as_dict()) == head + "}"
    assert json.dumps(proof.as_dict()) == (
        head + ', "resolved": ["team-api-pager"], "amtool": ["default"]}'
    )

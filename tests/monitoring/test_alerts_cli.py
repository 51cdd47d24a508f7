"""``opsdocs alerts list|check`` and the AL rules inside ``opsdocs check``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, build_tree, snapshot

SITE = "https://runbooks.example.com/runbooks/"

CONFIG = f"""\
owners = ["team-api"]

[monitoring]
rule_files = ["rules/**/*.yaml"]
runbook_urls = {{"{SITE}" = "runbooks/"}}
promtool = false
"""

RULES = f"""\
groups:
  - name: api
    rules:
      - alert: ApiHighErrorRate
        expr: sum(rate(http_requests_total{{code=~"5.."}}[5m])) > 1
        for: 5m
        labels:
          severity: critical
          team: team-api
          service: api
        annotations:
          summary: High error rate
          runbook_url: {SITE}api/high-error-rate#mitigation
      - alert: ApiLatencyHigh
        expr: histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m])) > 1
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: Slow
          runbook_url: {SITE}api/latency#what-to-do
"""


@pytest.fixture
def ws(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": CONFIG,
            "rules/api.yaml": RULES,
            "runbooks/api/high-error-rate.md": "# High error rate\n\n## Mitigation\n\nRoll back.\n",
            "runbooks/api/latency.md": "# Latency\n\n## Diagnosis\n",
            "runbooks/api/README.md": "# API runbooks\n",
        },
    )
    assert cli("init", cwd=tmp_path).exit_code == 0
    return tmp_path


def test_list_table_shows_runbook_file_and_section(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("alerts", "list", cwd=ws)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ALERT",
        "SEVERITY",
        "TEAM",
        "SERVICE",
        "RUNBOOK",
        "DASHBOARDS",
        "SOURCE",
    ]
    assert lines[1].split() == [
        "ApiHighErrorRate",
        "critical",
        "team-api",
        "api",
        "runbooks/api/high-error-rate.md#mitigation",
        "-",
        "rules/api.yaml:4",
    ]
    assert "runbooks/api/latency.md#what-to-do (no such anchor)" in lines[2]


def test_list_json_and_markdown(ws: Path, cli: Callable[..., Result]) -> None:
    data = json.loads(cli("alerts", "list", "--format", "json", cwd=ws).stdout)
    first = data[0]
    assert first["alert"] == "ApiHighErrorRate"
    assert first["runbook"] == {
        "url": f"{SITE}api/high-error-rate#mitigation",
        "status": "ok",
        "file": "runbooks/api/high-error-rate.md",
        "anchor": "mitigation",
    }
    assert (first["file"], first["line"], first["for"]) == ("rules/api.yaml", 4, "5m")
    markdown = cli("alerts", "list", "--format", "markdown", cwd=ws).stdout.splitlines()
    assert markdown[0] == "| Alert | Severity | Team | Service | Runbook | Dashboards | Source |"
    assert markdown[2].startswith("| ApiHighErrorRate | critical | team-api | api |")


def test_list_escapes_control_characters_in_every_format(
    ws: Path, cli: Callable[..., Result]
) -> None:
    # a label with a control character and a pipe: neither may reach the terminal as it is
    rules = ws / "rules/api.yaml"
    rules.write_text(rules.read_text().replace("team: team-api", 'team: "a\\a|b"'))
    for fmt in ("table", "markdown"):
        out = cli("alerts", "list", "--format", fmt, cwd=ws).stdout
        assert "\a" not in out
        assert "a\\x07|b" in out if fmt == "table" else "| a\\x07\\|b |" in out


def test_check_reports_the_broken_anchor_at_the_annotation(
    ws: Path, cli: Callable[..., Result]
) -> None:
    result = cli("alerts", "check", cwd=ws)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "rules/api.yaml:21:11: AL003 alert-runbook-broken: alert 'ApiLatencyHigh': runbook_url "
        f"'{SITE}api/latency#what-to-do': runbooks/api/latency.md has no heading with anchor "
        "'#what-to-do' (link an existing heading (lowercase, spaces as hyphens))",
        "Found 1 error in 1 file.",
    ]


def test_check_selects_only_al_rules(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("alerts", "check", "--select", "AL004,ST001", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --select picks rules outside the AL family (ST001) "
        "(use 'opsdocs check' for other rules)\n"
    )
    only = cli("alerts", "check", "--select", "AL004", "--ignore", "AL003", cwd=ws)
    assert (only.exit_code, only.stdout) == (0, "All checks passed (1 file).\n")


def test_plain_check_runs_the_al_rules_too(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("check", "--select", "AL", "--format", "json", cwd=ws)
    codes = [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert codes == [("AL003", "rules/api.yaml", 21)]


def test_a_rule_file_comment_suppresses_a_finding(ws: Path, cli: Callable[..., Result]) -> None:
    text = (
        (ws / "rules/api.yaml")
        .read_text()
        .replace(
            f"          runbook_url: {SITE}api/latency#what-to-do",
            f"          # opsdocs-disable AL003: the section is being written\n"
            f"          runbook_url: {SITE}api/latency#what-to-do",
        )
    )
    (ws / "rules/api.yaml").write_text(text)
    assert cli("alerts", "check", cwd=ws).exit_code == 0


def test_without_a_monitoring_table_the_al_rules_are_silent(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(tmp_path, {"opsdocs.toml": 'owners = ["team-api"]\n', "rules/api.yaml": RULES})
    cli("init", cwd=tmp_path)
    assert cli("check", "--select", "AL", cwd=tmp_path).exit_code == 0
    result = cli("alerts", "check", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no [monitoring] table in the configuration (")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'runbook_urls = {"https://x/" = "../../etc"}',
            "opsdocs.toml:6:1: monitoring.runbook_urls.https://x/: folder '../../etc' is outside "
            "the workspace",
        ),
        ('scrape_interval = "soon"', "opsdocs.toml:6:1: monitoring.scrape_interval:"),
        ("rule_file = []", "opsdocs.toml:6:1: monitoring.rule_file: Extra inputs"),
    ],
)
def test_bad_configuration_is_one_line_and_writes_nothing(
    tmp_path: Path, cli: Callable[..., Result], extra: str, message: str
) -> None:
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-api"]\n\n[monitoring]\nrule_files = ["r/*.yaml"]\n'
            "promtool = false\n" + extra + "\n",
        },
    )
    before = snapshot(tmp_path)
    result = cli("alerts", "list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: " + message), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("groups: [\n", "rules/bad.yaml:2:1: invalid YAML"),
        (
            "kind: PrometheusRule\nspec: {}\n",
            "rules/bad.yaml:2:1: PrometheusRule has no spec.groups",
        ),
        ("foo: 1\n", "rules/bad.yaml:1:1: not a rule file: no 'groups' key"),
    ],
)
def test_a_bad_rule_file_is_one_line_for_list_and_a_finding_for_check(
    ws: Path, cli: Callable[..., Result], text: str, expected: str
) -> None:
    (ws / "rules/bad.yaml").write_text(text)
    before = snapshot(ws)
    listed = cli("alerts", "list", cwd=ws)
    assert listed.exit_code == 2
    assert listed.stderr.startswith("error: " + expected)
    assert len(listed.stderr.splitlines()) == 1
    checked = cli("alerts", "check", cwd=ws)
    assert checked.exit_code == 1
    where, what = expected.split(": ", 1)
    assert f"{where}: AL001 rule-file-invalid: {what}" in checked.stdout
    assert snapshot(ws) == before


def test_runbook_naming_unknown_alerts_and_orphans(ws: Path, cli: Callable[..., Result]) -> None:
    build_tree(
        ws,
        {
            "runbooks/api/retired.md": "# An alert that was removed\n",
            "docs/internal/operations/runbook-api.md": (
                "---\nkind: runbook\ntitle: API\nowner: team-api\nlast_reviewed: 2026-12-01\n"
                "service: api\nalerts: [ApiHighErrorRate, ApiHighErorRate]\n---\n\n# API\n\n"
                "## Dashboards & Alerts\n\n### ApiLatencyHigh\n\n### ApiGone\n\n### Grafana\n"
            ),
        },
    )
    result = cli("alerts", "check", "--format", "json", cwd=ws)
    findings = json.loads(result.stdout)["findings"]
    found = [(f["code"], f["path"], f["line"], f["message"]) for f in findings]
    runbook = "docs/internal/operations/runbook-api.md"
    assert found == [
        (
            "AL004",
            runbook,
            1,
            "no alert's runbook_url points at this alert runbook",
        ),
        (
            "AL009",
            runbook,
            7,
            "front matter names alert 'ApiHighErorRate', which no rule file defines",
        ),
        (
            "AL009",
            runbook,
            16,
            "section 'Dashboards & Alerts' names alert 'ApiGone', which no rule file defines",
        ),
        ("AL003", "rules/api.yaml", 21, found[3][3]),
        (
            "AL004",
            "runbooks/api/retired.md",
            1,
            "no alert's runbook_url points at this alert runbook",
        ),
    ]
    hints = {f["line"]: f["hint"] for f in findings if f["code"] == "AL009"}
    assert hints[7] == "did you mean 'ApiHighErrorRate'?"


def _monitoring_doc(dashboard: str) -> str:
    return (
        "---\nkind: monitoring\ntitle: API monitoring\nowner: team-api\n"
        "last_reviewed: 2026-05-01\nservice: api\ndashboards:\n"
        f"  - title: API overview\n    file: {dashboard}\nalerts:\n  - ApiHighErrorRate\n"
        "---\n\n# API monitoring\n"
    )


@pytest.mark.usefixtures("no_max_file_size")
def test_max_file_size_limits_rule_files_and_dashboards(
    ws: Path, cli: Callable[..., Result]
) -> None:
    ops = "docs/internal/operations"
    panels = '{"title": "API", "panels": [{"title": "errors", "targets": [{"expr": "up"}]}]'
    # 11 MB: over a document's default 10 MiB, under the 11 MiB of a dashboard
    padding = "x" * 11_000_000
    build_tree(
        ws,
        {
            f"{ops}/monitoring-api.md": _monitoring_doc("dashboards/api.json"),
            f"{ops}/dashboards/api.json": panels + f', "description": "{padding}"}}',
            "rules/api.yaml": RULES + "# " + "y" * 3000 + "\n",
        },
    )
    unset = cli("check", "--select", "AL001,AL012", "--no-cache", cwd=ws)
    assert (unset.exit_code, unset.stdout) == (0, "All checks passed (2 files).\n")
    (ws / f"{ops}/dashboards/api.json").write_text(panels + f', "description": "{"x" * 3000}"}}')
    (ws / "opsdocs.toml").write_text('max_file_size = "2KiB"\n' + CONFIG)
    lowered = cli("check", "--select", "AL001,AL012", "--no-cache", cwd=ws)
    assert lowered.exit_code == 1
    assert lowered.stdout.splitlines()[:2] == [
        f"{ops}/monitoring-api.md:8:5: AL012 dashboard-invalid: dashboard 'API overview':"
        f" {ops}/dashboards/api.json: file is too large to be a dashboard (3 KB; dashboards"
        " must be under 2 KB; max_file_size in the configuration sets the limit) (fix the path"
        " (relative to this document) or the dashboard JSON)",
        "rules/api.yaml:1:1: AL001 rule-file-invalid: file is too large to be a rule file"
        " (3 KB) (rule files must be under 2 KB; max_file_size in the configuration sets the"
        " limit)",
    ]


def test_only_top_level_headings_of_the_section_name_alerts(
    ws: Path, cli: Callable[..., Result]
) -> None:
    # a '###' heading in a block quote or a list item is text of the section, not an alert
    build_tree(
        ws,
        {
            "docs/internal/operations/runbook-api.md": (
                "---\nkind: runbook\ntitle: API\nowner: team-api\nlast_reviewed: 2026-12-01\n"
                "service: api\n---\n\n# API\n\n## Dashboards & Alerts\n\n"
                "> ### ApiQuoted\n\n- ### ApiListed\n\n### ApiGone\n"
            ),
        },
    )
    result = cli("alerts", "check", "--select", "AL009", "--format", "json", cwd=ws)
    found = [(f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        (17, "section 'Dashboards & Alerts' names alert 'ApiGone', which no rule file defines")
    ]

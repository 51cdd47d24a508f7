"""The error-budget hook on resolve: a share, or the reason there is none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opsdocs.documents.parse import read_document
from opsdocs.incidents.budget import BudgetShare, default_estimator
from opsdocs.incidents.lifecycle import acknowledge, open_incident, resolve
from opsdocs.workspace import Workspace
from tests.conftest import Result

OPS = Path("docs/internal/operations")
T0 = dt.datetime(2025, 4, 1, 8, 0, tzinfo=dt.UTC)


def _resolved_record(ws: Path, cli: Callable[..., Result], service: str) -> dict[str, object]:
    ident = "2025-04-01-outage"
    for step in (
        ("open", "-s", "P2", "--service", service, "Outage", "--at", "2025-04-01T08:00:00Z"),
        ("ack", ident, "--at", "2025-04-01T08:05:00Z"),
    ):
        assert cli("incident", *step, cwd=ws).exit_code == 0
    result = cli("incident", "resolve", ident, "--at", "2025-04-01T09:00:00Z", cwd=ws)
    assert result.exit_code == 0, result.stderr
    fm = read_document(ws / OPS / "incidents" / f"{ident}.md").front_matter
    assert fm is not None
    fm["_stdout"] = result.stdout
    return fm


def _run_incident(
    workspace_dir: Path, cli: Callable[..., Result]
) -> tuple[Result, dict[str, Any] | None]:
    """Open, acknowledge and resolve an API incident from 11:00 to 12:00 UTC on 2026-11-20:
    the output of 'resolve' and the record's front matter."""
    ident = "2026-11-20-api-errors"
    for step in (
        ("open", "-s", "P2", "--service", "api", "API errors", "--at", "2026-11-20T11:00:00Z"),
        ("ack", ident, "--at", "2026-11-20T11:05:00Z"),
        ("resolve", ident, "--at", "2026-11-20T12:00:00Z"),
    ):
        result = cli("incident", *step, cwd=workspace_dir)
        assert result.exit_code == 0, result.stderr
    return result, read_document(workspace_dir / OPS / "incidents" / f"{ident}.md").front_matter


def test_no_slo_for_the_service(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    fm = _resolved_record(workspace_dir, cli, "billing")
    assert fm["error_budget"] == [{"service": "billing", "reason": "no SLO for service billing"}]
    assert "error budget, billing: unknown (no SLO for service billing)" in str(fm["_stdout"])


def test_slo_document_without_objectives(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    assert (
        cli(
            "new", "slo", "billing-availability", "--service", "billing", cwd=workspace_dir
        ).exit_code
        == 0
    )
    fm = _resolved_record(workspace_dir, cli, "billing")
    slo = f"{OPS}/slo-billing-availability.md"
    assert fm["error_budget"] == [
        {
            "service": "billing",
            "slo": slo,
            "reason": "the SLO document defines no objectives ('slos')",
        }
    ]


def test_prometheus_source_without_url(workspace_dir: Path) -> None:
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[report]\nsource = "prometheus"\n'
    )
    (workspace_dir / OPS / "slo-api.md").write_text(SLO_WITH_LOGS.format(extra=""))
    estimate = default_estimator(Workspace.discover(root=workspace_dir))
    (share,) = estimate("api", T0, T0 + dt.timedelta(hours=1))
    assert share == BudgetShare(
        "api",
        slo="api/availability",
        reason="no report source configured (report.prometheus_url is not set)",
    )


def test_resolve_records_what_the_estimator_returns(workspace_dir: Path) -> None:
    ws = Workspace.discover(root=workspace_dir)
    calls: list[tuple[str, dt.datetime, dt.datetime]] = []

    def estimator(service: str, start: dt.datetime, end: dt.datetime) -> list[BudgetShare]:
        calls.append((service, start, end))
        return [BudgetShare(service, slo="slo-a.md", share=0.125)]

    opened = open_incident(
        ws, "Both down", severity="P1", services=["a", "b"], at=T0 + dt.timedelta(minutes=3),
        started=T0,
    )  # fmt: skip
    ident = opened.change.id
    acknowledge(ws, ident, at=T0 + dt.timedelta(minutes=5))
    change = resolve(ws, ident, at=T0 + dt.timedelta(hours=2), estimator=estimator)
    assert calls == [("a", T0, T0 + dt.timedelta(hours=2)), ("b", T0, T0 + dt.timedelta(hours=2))]
    assert [s.share for s in change.budget] == [0.125, 0.125]
    fm = read_document(opened.change.path).front_matter
    assert fm is not None
    assert fm["error_budget"] == [
        {"service": "a", "slo": "slo-a.md", "share": 0.125},
        {"service": "b", "slo": "slo-a.md", "share": 0.125},
    ]


SLO_WITH_LOGS = """---
kind: slo
title: API SLOs
owner: team-api
service: api
last_reviewed: "2026-11-01"
slos:
  - name: availability
    objective: 99.5
    period: 30d
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{{code=~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
    logs:
      files: logs/*.csv
      timestamp: time
      status: status
{extra}---

# API SLOs
"""


def test_resolve_measures_the_share_from_request_logs(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    end = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    start = end - dt.timedelta(hours=1)
    rows = ["time,status,duration_ms,path,method"]
    requests: list[tuple[dt.datetime, int]] = []
    for n in range(6000):  # one request every 7 minutes over 29 days, 1 in 50 failing
        ts = end - dt.timedelta(minutes=7 * n + 1)
        requests.append((ts, 500 if n % 50 == 0 else 200))
    for n in range(40):  # the incident: 40 failures inside (start, end]
        requests.append((start + dt.timedelta(seconds=30 + 60 * n), 503))
    for ts, status in requests:
        rows.append(f"{ts.strftime('%Y-%m-%dT%H:%M:%SZ')},{status},12,/api,GET")
    (workspace_dir / "logs").mkdir()
    (workspace_dir / "logs" / "api.csv").write_text("\n".join(rows) + "\n")
    (workspace_dir / OPS / "slo-api.md").write_text(SLO_WITH_LOGS.format(extra=""))
    period_start = end - dt.timedelta(days=30)
    total = sum(1 for ts, _ in requests if period_start < ts <= end)
    bad_in_incident = sum(1 for ts, s in requests if start < ts <= end and s >= 500)
    expected = bad_in_incident / ((1 - 0.995) * total)

    result, fm = _run_incident(workspace_dir, cli)
    assert fm is not None
    (record,) = fm["error_budget"]
    assert record["service"] == "api" and record["slo"] == "api/availability"
    assert record["share"] == pytest.approx(expected, rel=1e-6)
    assert f"error budget, api (api/availability): {expected * 100:.2f}% consumed" in result.stdout


def test_no_traffic_during_the_incident_is_no_data_not_zero(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    """Logs that end a day before the incident cannot say what it cost: no 0 % share."""
    logs_end = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)
    rows = ["time,status,duration_ms,path,method"]
    for n in range(3000):
        ts = logs_end - dt.timedelta(minutes=7 * n + 1)
        rows.append(f"{ts.strftime('%Y-%m-%dT%H:%M:%SZ')},{500 if n % 50 == 0 else 200},12,/a,GET")
    (workspace_dir / "logs").mkdir()
    (workspace_dir / "logs" / "api.csv").write_text("\n".join(rows) + "\n")
    (workspace_dir / OPS / "slo-api.md").write_text(SLO_WITH_LOGS.format(extra=""))
    result, fm = _run_incident(workspace_dir, cli)
    assert fm is not None
    assert fm["error_budget"] == [
        {
            "service": "api",
            "slo": "api/availability",
            "reason": "no events for SLO api/availability while the incident lasted",
        }
    ]
    assert "consumed" not in result.stdout


def test_slo_without_logs_mapping_says_so(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    text = SLO_WITH_LOGS.format(extra="").replace(
        "    logs:\n      files: logs/*.csv\n      timestamp: time\n      status: status\n", ""
    )
    (workspace_dir / OPS / "slo-api.md").write_text(text)
    fm = _resolved_record(workspace_dir, cli, "api")
    assert fm["error_budget"] == [
        {
            "service": "api",
            "slo": "api/availability",
            "reason": "no report source configured (SLO api/availability has no 'logs' mapping)",
        }
    ]


def test_a_failing_measurement_never_blocks_resolve(workspace_dir: Path) -> None:
    ws = Workspace.discover(root=workspace_dir)

    def broken(service: str, start: dt.datetime, end: dt.datetime) -> list[BudgetShare]:
        raise RuntimeError("disk on fire\nsecond line")

    opened = open_incident(ws, "Down", severity="P2", services=["a"], at=T0)
    acknowledge(ws, opened.change.id, at=T0 + dt.timedelta(minutes=1))
    change = resolve(ws, opened.change.id, at=T0 + dt.timedelta(hours=1), estimator=broken)
    assert change.status == "resolved"
    fm = read_document(opened.change.path).front_matter
    assert fm is not None and fm["status"] == "resolved"
    assert fm["error_budget"] == [
        {"service": "a", "reason": "could not measure: RuntimeError: disk on fire"}
    ]


def test_unreachable_prometheus_is_recorded(workspace_dir: Path) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[report]\nsource = "prometheus"\n'
        f'prometheus_url = "http://127.0.0.1:{port}"\nretries = 0\ntimeout = 2\n'
    )
    (workspace_dir / OPS / "slo-api.md").write_text(SLO_WITH_LOGS.format(extra=""))
    estimate = default_estimator(Workspace.discover(root=workspace_dir))
    (share,) = estimate("api", T0, T0 + dt.timedelta(hours=1))
    assert share.share is None and share.slo == "api/availability"
    assert share.reason and f"127.0.0.1:{port}" in share.reason


def test_measures_again_when_the_record_changed_meanwhile(workspace_dir: Path) -> None:
    ws = Workspace.discover(root=workspace_dir)
    opened = open_incident(
        ws, "Both", severity="P2", services=["a"], at=T0 + dt.timedelta(minutes=30), started=T0
    )
    acknowledge(ws, opened.change.id, at=T0 + dt.timedelta(minutes=31))
    calls: list[dt.datetime] = []
    earlier = T0 - dt.timedelta(minutes=10)

    def estimator(service: str, start: dt.datetime, end: dt.datetime) -> list[BudgetShare]:
        calls.append(start)
        if len(calls) == 1:  # someone back-fills an earlier start while we measure
            path = opened.change.path
            path.write_text(
                path.read_text().replace("'2025-04-01T08:00:00Z'", "'2025-04-01T07:50:00Z'")
            )
        return [BudgetShare(service, share=len(calls) / 10)]

    resolve(ws, opened.change.id, at=T0 + dt.timedelta(hours=1), estimator=estimator)
    assert calls == [T0, earlier]
    fm = read_document(opened.change.path).front_matter
    assert fm is not None and fm["error_budget"] == [{"service": "a", "share": 0.2}]

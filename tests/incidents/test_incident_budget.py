"""The error-budget hook on resolve: a share, or the reason there is none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

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


def test_no_slo_for_the_service(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    fm = _resolved_record(workspace_dir, cli, "billing")
    assert fm["error_budget"] == [{"service": "billing", "reason": "no SLO for service billing"}]
    assert "error budget, billing: unknown (no SLO for service billing)" in str(fm["_stdout"])


def test_slo_but_no_report_source(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    assert (
        cli(
            "new", "slo", "billing-availability", "--service", "billing", cwd=workspace_dir
        ).exit_code
        == 0
    )
    fm = _resolved_record(workspace_dir, cli, "billing")
    slo = f"{OPS}/slo-billing-availability.md"
    assert fm["error_budget"] == [
        {"service": "billing", "slo": slo, "reason": "no report source configured"}
    ]


def test_report_source_without_reports_package(workspace_dir: Path) -> None:
    (workspace_dir / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[report]\nsource = "prometheus"\n'
    )
    (workspace_dir / OPS / "slo-x.md").write_text("---\nkind: slo\nservice: billing\n---\n# X\n")
    estimate = default_estimator(Workspace.discover(root=workspace_dir))
    (share,) = estimate("billing", T0, T0 + dt.timedelta(hours=1))
    assert share.share is None
    assert share.slo == f"{OPS}/slo-x.md"
    assert share.reason is not None and "no reports package" in share.reason


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

"""The unit cost's requests counted from a real Prometheus, as ``opsdocs slo report`` counts them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from opsdocs.reports.sources.prometheus import measure_prometheus
from opsdocs.sources.prometheus import PrometheusClient
from tests.conftest import Result, build_tree
from tests.cost.helpers import OPS, Line, cost_doc, findings_exit, focus_csv, slo_doc
from tests.reports.conftest import ERRORS, TOTAL, PrometheusServer, slo_spec

pytestmark = pytest.mark.tools

SLO_DOC = slo_doc(f"'{ERRORS}'", f"'{TOTAL}'")


def test_unit_cost_from_prometheus(
    tmp_path: Path, cli: Callable[..., Result], prometheus: PrometheusServer
) -> None:
    # billing lines on November 1st to 19th: the requests of those 19 days, up to the 20th
    november = dt.date(2026, 11, 1)
    api = {"service": "api"}
    lines = [Line(november + dt.timedelta(days=i), "EC2", Decimal("10.00"), api) for i in range(19)]
    budgets = (
        '- name: api\n  monthly: "1000"\n  tags: {service: api}\n  unit: {slo: api/availability}\n'
    )
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(budgets),
            f"{OPS}/slo-api.md": SLO_DOC,
            "billing/focus.csv": focus_csv(lines),
        },
    )
    result = cli(
        "cost", "report", "--month", "2026-11", "--format", "json",
        "--requests-from", "prometheus", "--prometheus-url", prometheus.url, cwd=root,
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert result.exit_code == findings_exit(data), result.stderr
    unit = data["budgets"][0]["unit"]
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    with PrometheusClient(prometheus.url, retries=0) as client:
        measured = measure_prometheus(slo_spec("availability"), client, at=at, windows=[19 * 86400])
    total = measured.windows[19 * 86400].total
    assert total is not None and total > 0
    assert unit["requests"] == pytest.approx(total, rel=1e-12)
    expected = (Decimal("190.00") * 1_000_000 / Decimal(repr(unit["requests"]))).quantize(
        Decimal("0.0001")
    )
    assert Decimal(unit["cost"]) == expected


def test_plan_workspace_cost_closes_the_clients_it_opened(
    tmp_path: Path, prometheus: PrometheusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsdocs.cost.plan import plan_workspace_cost
    from opsdocs.workspace import Workspace

    november = dt.date(2026, 11, 1)
    budgets = (
        '- name: api\n  monthly: "1000"\n  tags: {service: api}\n  unit: {slo: api/availability}\n'
    )
    line = Line(november, "EC2", Decimal("10.00"), {"service": "api"})
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(budgets),
            f"{OPS}/slo-api.md": SLO_DOC,
            "billing/focus.csv": focus_csv([line]),
        },
    )
    closed: list[str] = []
    real_close = PrometheusClient.close

    def close(client: PrometheusClient) -> None:
        closed.append("closed")
        real_close(client)

    monkeypatch.setattr(PrometheusClient, "close", close)
    plan = plan_workspace_cost(
        Workspace.discover(root=root),
        "2026-11",
        requests_from="prometheus",
        prometheus_url=prometheus.url,
    )
    assert plan.report.budgets[0].name == "api"
    assert plan.report.as_dict()["budgets"][0]["unit"]["requests"] > 0
    assert closed == ["closed"]
    assert not plan.changes  # nothing to write without --write or --chart

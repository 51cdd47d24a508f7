"""Days with anomalous spend, unit cost from the SLO indicators' request counts, untagged share."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from opsdocs.cost.anomaly import find_anomalies, score
from tests.conftest import Result, build_tree
from tests.cost.helpers import BUDGETS, OPS, Line, cost_doc, findings_exit, focus_csv, slo_doc
from tests.reports.logdata import Request, expected, write_jsonl

MAY = dt.date(2026, 5, 1)
APRIL = dt.date(2026, 4, 1)


def _report(cli: Callable[..., Result], root: Path, *args: str) -> dict[str, Any]:
    result = cli("cost", "report", "--month", "2026-05", "--format", "json", *args, cwd=root)
    data: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == findings_exit(data), result.stderr
    return data


def _steady(days: int, start: dt.date, amount: str, tags: dict[str, str]) -> list[Line]:
    """One line a day, the amount wobbling by a few percent (no day stands out)."""
    wobble = ["0", "1.5", "-2", "0.5", "3", "-1", "2"]
    return [
        Line(start + dt.timedelta(days=i), "Amazon EC2",
             Decimal(amount) + Decimal(wobble[i % 7]), tags)
        for i in range(days)
    ]  # fmt: skip


LOGS = (
    "    logs:\n      files: logs/*.jsonl\n      timestamp: time\n      status: http.status\n"
    '      exclude:\n        http.path: ["/healthz"]\n'
)
SLO_DOC = slo_doc(
    'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
    "sum(rate(http_requests_total[{{window}}]))",
    source=LOGS,
)


def test_a_spike_and_a_drop_are_anomalous_and_steady_days_are_not(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    api = {"service": "api"}
    lines = _steady(30, APRIL, "100", api) + _steady(20, MAY, "100", api)
    lines[30 + 12] = Line(MAY + dt.timedelta(days=12), "Amazon EC2", Decimal("400"), api)
    lines[30 + 16] = Line(MAY + dt.timedelta(days=16), "Amazon EC2", Decimal("5"), api)
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(BUDGETS),
            "billing/focus.csv": focus_csv(lines),
        },
    )
    data = _report(cli, root)
    found = [(a["owner"], a["day"], a["spend"]) for a in data["anomalies"]]
    assert found == [("api", "2026-05-13", "400.00"), ("api", "2026-05-17", "5.00")]
    assert Decimal(data["anomalies"][0]["score"]) > Decimal("3.5")
    assert Decimal(data["anomalies"][1]["score"]) < Decimal("-3.5")
    # the spike is not in the median of the days after it: it does not hide the drop
    assert data["anomalies"][1]["median"] in ("100.50", "101.00", "101.50")
    table = cli("cost", "report", "--month", "2026-05", cwd=root).stdout
    assert "days with anomalous spend" in table
    assert "2026-05-13    api  400.00  100.50  +59.6" in table


def test_a_day_needs_a_week_before_it_to_be_judged() -> None:
    spend = {MAY + dt.timedelta(days=i): Decimal(10) for i in range(6)}
    spend[MAY + dt.timedelta(days=5)] = Decimal(1000)
    assert find_anomalies({"api": spend}, first=MAY, start=MAY, elapsed=6) == []
    spend[MAY + dt.timedelta(days=6)] = Decimal(10)
    spend[MAY + dt.timedelta(days=7)] = Decimal(1000)
    found = find_anomalies({"api": spend}, first=MAY, start=MAY, elapsed=8)
    assert [a.day.day for a in found] == [8]


def test_flat_spend_needs_a_real_change_to_be_anomalous() -> None:
    flat = [Decimal("50.00")] * 14
    assert abs(score(Decimal("51.00"), flat)[1]) < Decimal("3.5")  # 2 %: not a day to look at
    assert score(Decimal("60.00"), flat)[1] > Decimal("3.5")  # 20 %


def test_unit_cost_divides_by_the_requests_the_slo_counts(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    start = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    requests = [
        Request(start + dt.timedelta(minutes=7 * i), 500 if i % 50 == 0 else 200, 20,
                "/healthz" if i % 10 == 3 else "/api/a")
        for i in range(2400)
    ]  # fmt: skip
    api = {"service": "api"}
    lines = [
        Line(MAY + dt.timedelta(days=i), "Amazon EC2", Decimal("12.34"), api) for i in range(10)
    ]
    budgets = BUDGETS.replace(
        "  tags: {service: api}", "  tags: {service: api}\n  unit: {slo: api/availability}"
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
    (root / "logs").mkdir()
    write_jsonl(root / "logs" / "a.jsonl", requests)
    data = _report(cli, root)
    at = dt.datetime(2026, 5, 11, tzinfo=dt.UTC)
    _, total = expected(requests, 10 * 86400, at=at)
    assert total > 1000
    unit = data["budgets"][0]["unit"]
    assert unit["slo"] == "api/availability"
    assert unit["requests"] == total
    assert Decimal(unit["cost"]) == (Decimal("123.40") * 1_000_000 / total).quantize(
        Decimal("0.0001")
    )
    assert data["budgets"][1]["unit"] is None
    table = cli("cost", "report", "--month", "2026-05", cwd=root).stdout
    assert f"{unit['cost']} per M" in table


def test_an_unknown_unit_slo_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    budgets = BUDGETS.replace(
        "  tags: {service: api}", "  tags: {service: api}\n  unit: {slo: api/nope}"
    )
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(budgets),
            f"{OPS}/slo-api.md": SLO_DOC,
            "billing/focus.csv": focus_csv([Line(MAY, "EC2", Decimal(1), {"service": "api"})]),
        },
    )
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == ("error: no SLO matches 'api/nope' (name one of: api/availability)\n")


def test_untagged_share_over_its_limit_is_marked(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = [
        Line(MAY, "EC2", Decimal("70.00"), {"service": "api"}),
        Line(MAY, "S3", Decimal("20.00"), {"service": "web"}),  # no budget owns 'web'
        Line(MAY, "S3", Decimal("10.00"), {}),
    ]
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(BUDGETS, extra="untagged_max: 25\n"),
            "billing/focus.csv": focus_csv(lines),
        },
    )
    data = _report(cli, root)
    assert (data["untagged"], data["untagged_percent"]) == ("30.00", "30.0")
    assert data["untagged_over"] is True
    assert data["daily"]["(untagged)"] == ["30.00"]
    table = cli("cost", "report", "--month", "2026-05", cwd=root).stdout
    assert "untagged 30.00 (30.0%) (limit 25%" in table
    assert "over)" in table

"""``opsdocs cost report`` over generated FOCUS exports: exact totals, the linear forecast,
untagged spend, movers, and the bad input refused with one line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Result, build_tree, snapshot
from tests.cost.helpers import (
    BUDGETS,
    OPS,
    Line,
    cost_doc,
    findings_exit,
    focus_csv,
    focus_parquet,
    generate,
)

MAY = dt.date(2026, 5, 1)
CENT = Decimal("0.01")


def _workspace(tmp_path: Path, files: dict[str, str | bytes], doc: str | None = None) -> Path:
    return build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": doc if doc is not None else cost_doc(BUDGETS),
            **files,
        },
    )


def _direct_sum(pattern: str, where: str) -> Decimal:
    """The month's cost straight from DuckDB, independent of the report's code."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        "SELECT sum(CAST(BilledCost AS DECIMAL(38, 10))) FROM read_csv(?, all_varchar=true)"
        " WHERE CAST(ChargePeriodStart AS TIMESTAMPTZ) >= TIMESTAMPTZ '2026-05-01 00:00:00+00'"
        f" AND CAST(ChargePeriodStart AS TIMESTAMPTZ) < TIMESTAMPTZ '2026-06-01 00:00:00+00'"
        f" AND {where}",
        [pattern],
    ).fetchone()
    con.close()
    assert row is not None
    return Decimal(row[0]).quantize(CENT)


def test_totals_are_exact_to_the_cent(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = generate(1, MAY, 10)
    root = _workspace(
        tmp_path,
        {
            "billing/focus-1.csv": focus_csv(lines[: len(lines) // 2]),
            "billing/focus-2.csv.gz": focus_csv(lines[len(lines) // 2 :], gz=True),
        },
        cost_doc(BUDGETS, sources="[billing/*.csv, billing/*.csv.gz]"),
    )
    result = cli("cost", "report", "--month", "2026-05", "--format", "json", cwd=root)
    data = json.loads(result.stdout)
    assert result.exit_code == findings_exit(data), result.stderr
    budgets = {b["name"]: b for b in data["budgets"]}
    pattern = str(root / "billing" / "*.csv*")
    for name in ("api", "search"):
        direct = _direct_sum(pattern, f"json_extract_string(Tags, '$.service') = '{name}'")
        mine = sum(
            (x.cost for x in lines if x.day >= MAY and x.tags.get("service") == name), Decimal(0)
        ).quantize(CENT)
        assert Decimal(budgets[name]["month_to_date"]) == direct == mine
    # 'web' has no budget: its spend is untagged (no budget owns it), like lines with no tag
    untagged = "coalesce(json_extract_string(Tags, '$.service'), '') NOT IN ('api', 'search')"
    assert Decimal(data["untagged"]) == _direct_sum(pattern, untagged)
    assert Decimal(data["total"]) == _direct_sum(pattern, "true")
    assert data["days_elapsed"] == 10
    assert data["days_in_month"] == 31


def test_parquet_export_gives_the_same_totals(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = generate(2, MAY, 7)
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)})
    focus_parquet(lines, root / "parquet" / "focus.parquet")
    from_csv = cli("cost", "report", "--month", "2026-05", "--format", "json", cwd=root)
    from_parquet = cli(
        "cost", "report", "--month", "2026-05", "--format", "json",
        "--source", "parquet/*.parquet", cwd=root,
    )  # fmt: skip
    data = json.loads(from_csv.stdout)
    assert from_csv.exit_code == from_parquet.exit_code == findings_exit(data), from_parquet.stderr
    assert json.loads(from_parquet.stdout) == data


def test_forecast_is_linear_on_the_days_with_data(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = [Line(MAY + dt.timedelta(days=i), "Amazon EC2", Decimal("100.00"), {"service": "api"})
             for i in range(10)]  # fmt: skip
    lines.append(Line(dt.date(2026, 4, 3), "Amazon EC2", Decimal("250.00"), {"service": "api"}))
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)})
    result = cli("cost", "report", "--month", "2026-05", "--format", "json", cwd=root)
    data = json.loads(result.stdout)
    api = data["budgets"][0]
    assert api["month_to_date"] == "1000.00"
    assert api["forecast"] == "3100.00"  # 1000 / 10 days * 31
    assert api["variance"] == "1900.00"
    assert api["over_threshold"] is True
    assert data["movers"] == [
        {"service": "Amazon EC2", "current": "1000.00", "previous": "250.00", "change": "750.00"}
    ]
    assert result.exit_code == 1  # the forecast is over the threshold: a finding
    table = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert table.exit_code == 1
    assert "forecast is linear" in table.stdout
    assert "258.3 over" in table.stdout
    markdown = cli("cost", "report", "--month", "2026-05", "--format", "markdown", cwd=root)
    assert "| api | 1000.00 | 3100.00 | 1200.00 | +1900.00 | 258.3 over |" in markdown.stdout


def test_a_complete_month_forecasts_its_total(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = [Line(dt.date(2026, 4, 1) + dt.timedelta(days=i), "S3", Decimal("0.33"),
                  {"service": "search"}) for i in range(30)]  # fmt: skip
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)})
    data = json.loads(
        cli("cost", "report", "--month", "2026-04", "--format", "json", cwd=root).stdout
    )
    search = data["budgets"][1]
    assert search["month_to_date"] == search["forecast"] == "9.90"


def _bad(tmp_path: Path, cli: Callable[..., Result], csv_bytes: bytes) -> Result:
    root = _workspace(tmp_path, {"billing/focus.csv": csv_bytes})
    before = snapshot(root)
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert snapshot(root) == before
    assert result.stdout == ""
    return result


def test_missing_columns_are_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = generate(3, MAY, 2, per_day=2)
    result = _bad(tmp_path, cli, focus_csv(lines, columns=("BilledCost", "ServiceName")))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: billing/focus.csv: missing FOCUS columns: BillingCurrency, ChargeCategory, "
        "ChargePeriodStart, Tags (export the billing data as FOCUS 1.x)\n"
    )


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("twelve", "2:3: BilledCost: not a number (costs are decimal numbers such as 12.34)"),
        (
            "-3.50",
            "2:3: BilledCost: a negative cost on a row that is not a credit, refund or correction"
            " (FOCUS allows a negative cost only with ChargeCategory Credit or Adjustment, or "
            "ChargeClass Correction)",
        ),
    ],
)
def test_bad_costs_are_one_line(
    tmp_path: Path, cli: Callable[..., Result], cost: str, message: str
) -> None:
    lines = generate(4, MAY, 2, per_day=3)
    text = focus_csv(lines).decode()
    first = lines[0].row()["BilledCost"]
    text = text.replace(f",{first},", f",{cost},", 1)
    result = _bad(tmp_path, cli, text.encode())
    assert result.exit_code == 2
    assert result.stderr == f"error: billing/focus.csv:{message}\n"


def test_mixed_currencies_are_refused(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = [
        Line(MAY, "EC2", Decimal(1), {"service": "api"}),
        Line(MAY, "EC2", Decimal(2), {"service": "api"}, currency="EUR"),
    ]
    result = _bad(tmp_path, cli, focus_csv(lines))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: BillingCurrency: the export mixes currencies EUR, USD "
        "(give exchange_rates for EUR into USD in the cost document, or export one currency)\n"
    )


def test_a_budget_in_another_currency_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(
        tmp_path,
        {"billing/focus.csv": focus_csv([Line(MAY, "EC2", Decimal(1), {"service": "api"})])},
        cost_doc(BUDGETS, extra="currency: EUR\n"),
    )
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {OPS}/cost-platform.md: budget 'api' is in EUR but the export bills in USD "
        "(give the budget in the billing currency)\n"
    )


def test_a_bad_month_and_no_source_are_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path, {}, cost_doc(BUDGETS, sources=""))
    bad = cli("cost", "report", "--month", "May", cwd=root)
    assert bad.exit_code == 2
    assert (
        bad.stderr
        == "error: --month: not a month: 'May' (give the month as YYYY-MM, e.g. 2026-05)\n"
    )
    none = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert none.exit_code == 2
    assert none.stderr == (
        f"error: {OPS}/cost-platform.md: no billing export to read "
        "(list FOCUS exports under 'sources:' or pass --source)\n"
    )


def test_a_misspelt_key_is_refused_at_the_key(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = cost_doc(BUDGETS.replace('monthly: "5000"', 'montly: "5000"'))
    root = _workspace(
        tmp_path, {"billing/focus.csv": focus_csv(generate(5, MAY, 1, per_day=1))}, doc
    )
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {OPS}/cost-platform.md:")
    assert "budgets.1.monthly: Field required" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_row_with_extra_fields_is_refused_at_its_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    text = focus_csv([Line(MAY, "EC2", Decimal(1), {"service": "api"})] * 3).decode()
    rows = text.splitlines()
    rows[2] += ",extra"
    result = _bad(tmp_path, cli, ("\n".join(rows) + "\n").encode())
    assert result.exit_code == 2
    assert result.stderr == (
        "error: billing/focus.csv:3:1: 1 row cannot be read as CSV "
        "(every row needs the header's number of fields)\n"
    )


def test_a_new_cost_document_is_valid_and_reports_no_source(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    assert cli("new", "cost", "team-api", cwd=workspace_dir).exit_code == 0
    checked = cli("check", "--select", "FM,CO", cwd=workspace_dir)
    assert checked.exit_code == 0, checked.stdout
    assert "CO001 cost-source-missing" in checked.stdout
    assert "FM0" not in checked.stdout


@pytest.mark.parametrize(
    ("spend", "extra", "code"),
    [
        ({"api": "30.00"}, "", 0),  # 30 a day forecasts 930 of 1200: nothing to mark
        ({"api": "50.00"}, "", 1),  # forecasts 1550: over the threshold
        ({"api": "30.00", "web": "10.00"}, "untagged_max: 10\n", 1),  # 25 % untagged
    ],
)
def test_exit_1_when_the_report_marks_something(
    tmp_path: Path, cli: Callable[..., Result], spend: dict[str, str], extra: str, code: int
) -> None:
    lines = [
        Line(MAY + dt.timedelta(days=i), "Amazon EC2", Decimal(amount), {"service": service})
        for i in range(10)
        for service, amount in spend.items()
    ]
    root = _workspace(
        tmp_path, {"billing/focus.csv": focus_csv(lines)}, cost_doc(BUDGETS, extra=extra)
    )
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == code, result.stderr
    assert "2026-05: 10 of 31 days with data" in result.stdout  # the report is shown either way


def test_plan_workspace_cost_reads_the_month_and_every_cost_document(tmp_path: Path) -> None:
    from opsdocs.cost.plan import plan_workspace_cost
    from opsdocs.errors import InputError
    from opsdocs.workspace import Workspace

    lines = generate(7, MAY, 3)
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)})
    workspace = Workspace.discover(root=root)
    before = snapshot(root)
    plan = plan_workspace_cost(workspace, "2026-05", write=True)
    assert snapshot(root) == before  # a plan writes nothing
    assert plan.report.month == "2026-05"
    assert [b.name for b in plan.report.budgets] == ["api", "search"]
    assert plan.documents == [root / OPS / "cost-platform.md"]
    with pytest.raises(InputError, match="--month: not a month: 'May'"):
        plan_workspace_cost(workspace, "May")


def test_a_budget_name_in_two_documents_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = [Line(MAY, "Amazon EC2", Decimal("30.00"), {"service": "api"})]
    root = _workspace(
        tmp_path,
        {
            "billing/focus.csv": focus_csv(lines),
            # the same owner in a second document: its lines would be counted for both
            f"{OPS}/cost-team-api.md": cost_doc(
                '- name: api\n  monthly: "500"\n  tags: {team: a}\n'
            ),
        },
    )
    before = snapshot(root)
    result = cli("cost", "report", "--month", "2026-05", "--write", cwd=root)
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {OPS}/cost-team-api.md:8:5: budgets[0].name: budget 'api' is also in"
        f" {OPS}/cost-platform.md (give each owner one budget, in one cost document)\n",
    )
    assert snapshot(root) == before


def test_a_cost_document_in_a_subfolder_is_reported_on(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = [
        Line(MAY, "Amazon EC2", Decimal("30.00"), {"service": "api"}),
        Line(MAY, "Amazon S3", Decimal("12.50"), {"service": "web"}),
    ]
    web = '- name: web\n  monthly: "100"\n  tags: {service: web}\n'
    root = _workspace(
        tmp_path,
        {
            "billing/focus.csv": focus_csv(lines),
            # a team's folder, which check (the CO rules) reads too
            f"{OPS}/team-web/cost-web.md": cost_doc(web),
        },
    )
    checked = cli("check", "--select", "CO", "--no-cache", cwd=root)
    assert checked.exit_code == 0, checked.stdout  # the CO rules read both documents
    result = cli("cost", "report", "--month", "2026-05", "--format", "json", cwd=root)
    data = json.loads(result.stdout)
    assert result.exit_code == findings_exit(data), result.stderr
    budgets = {b["name"]: b for b in data["budgets"]}
    assert sorted(budgets) == ["api", "search", "web"]
    assert Decimal(budgets["web"]["month_to_date"]) == Decimal("12.50")
    assert budgets["web"]["document"] == "cost-web.md"
    written = cli("cost", "report", "--month", "2026-05", "--write", cwd=root)
    assert written.exit_code in (0, 1), written.stderr
    assert "<!-- opsdocs:" in (root / OPS / "team-web" / "cost-web.md").read_text()


def test_no_operations_folder_is_no_cost_document(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(tmp_path, {"opsdocs.toml": 'owners = ["team-sre"]\n'})
    result = cli("cost", "report", "--month", "2026-05", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no cost document in the workspace (create one: opsdocs new cost <scope>)\n",
    )

"""Credits, refunds and corrections accepted; bad rows refused at their file, row and column;
currencies converted by the configured rates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tests.conftest import Result, build_tree, snapshot
from tests.cost.helpers import (
    BUDGETS,
    OPS,
    WITH_CLASS,
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


def _report(cli: Callable[..., Result], root: Path, *args: str) -> dict[str, object]:
    result = cli("cost", "report", "--month", "2026-05", "--format", "json", *args, cwd=root)
    data: dict[str, object] = json.loads(result.stdout)
    assert result.exit_code == findings_exit(data), result.stderr
    return data


def _credits() -> list[Line]:
    lines = generate(11, MAY, 5, per_day=10)
    api = {"service": "api"}
    return [
        *lines,
        Line(MAY, "Amazon EC2", Decimal("-125.5000000001"), api, category="Credit"),
        Line(MAY, "Amazon EC2", Decimal("-3.25"), api, category="Adjustment"),
        Line(MAY, "Amazon S3", Decimal("-7.10"), {"env": "prod"}, charge_class="Correction"),
    ]


def _direct_sum(path: Path, reader: str, where: str = "true") -> Decimal:
    """The month's cost straight from DuckDB, independent of the report's code."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        f"SELECT sum(CAST(BilledCost AS DECIMAL(38, 10))) FROM {reader}(?)"
        " WHERE CAST(ChargePeriodStart AS TIMESTAMPTZ) >= TIMESTAMPTZ '2026-05-01 00:00:00+00'"
        " AND CAST(ChargePeriodStart AS TIMESTAMPTZ) < TIMESTAMPTZ '2026-06-01 00:00:00+00'"
        f" AND {where}",
        [str(path)],
    ).fetchone()
    con.close()
    assert row is not None
    return Decimal(row[0]).quantize(CENT)


def test_credits_refunds_and_corrections_count_negative(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = _credits()
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines, columns=WITH_CLASS)})
    focus_parquet(lines, root / "pq" / "focus.parquet", charge_class=True)
    csv_data = _report(cli, root)
    pq_data = _report(cli, root, "--source", "pq/*.parquet")
    assert csv_data == pq_data
    csv_path = root / "billing" / "focus.csv"
    assert Decimal(str(csv_data["total"])) == _direct_sum(csv_path, "read_csv")
    assert Decimal(str(pq_data["total"])) == _direct_sum(
        root / "pq" / "focus.parquet", "read_parquet"
    )
    api = next(b for b in csv_data["budgets"] if b["name"] == "api")  # type: ignore[attr-defined]
    owned = sum((x.cost for x in lines if x.day >= MAY and x.tags.get("service") == "api"),
                Decimal(0))  # fmt: skip
    assert Decimal(api["month_to_date"]) == owned.quantize(CENT)
    assert owned < sum(
        (x.cost for x in lines if x.day >= MAY and x.tags.get("service") == "api" and x.cost > 0),
        Decimal(0),
    )


def _refused(tmp_path: Path, cli: Callable[..., Result], files: dict[str, str | bytes]) -> Result:
    root = _workspace(tmp_path, files)
    before = snapshot(root)
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert snapshot(root) == before
    assert result.stdout == ""
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    return result


NEGATIVE = (
    "a negative cost on a row that is not a credit, refund or correction (FOCUS allows a "
    "negative cost only with ChargeCategory Credit or Adjustment, or ChargeClass Correction)"
)


def test_a_negative_usage_or_purchase_cost_is_refused_at_its_row(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = generate(12, MAY, 3, per_day=4)
    lines[5] = Line(lines[5].day, "EC2", Decimal("-1"), {}, category="Purchase")
    lines[9] = Line(lines[9].day, "EC2", Decimal("-2"), {}, category="Usage")
    good = focus_csv(lines[:3], columns=WITH_CLASS)
    result = _refused(
        tmp_path,
        cli,
        {"billing/a.csv": good, "billing/b.csv": focus_csv(lines, columns=WITH_CLASS)},
    )
    # the sixth line of b.csv, row 7 with the header; BilledCost is its third column
    assert result.stderr == (
        "error: billing/b.csv:7:3: BilledCost: a negative cost on a row that is not a credit, "
        "refund or correction, the first of 2 rows (FOCUS allows a negative cost only with "
        "ChargeCategory Credit or Adjustment, or ChargeClass Correction)\n"
    )


def test_a_negative_cost_in_parquet_names_its_row(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = generate(13, MAY, 2, per_day=5)
    lines[3] = Line(lines[3].day, "EC2", Decimal("-1"), {}, category="Tax")
    root = _workspace(tmp_path, {})
    focus_parquet(lines, root / "pq" / "focus.parquet")
    result = cli("cost", "report", "--month", "2026-05", "--source", "pq/*.parquet", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == f"error: pq/focus.parquet: row 4: BilledCost: {NEGATIVE}\n"


def test_a_time_that_is_not_a_time_is_refused_at_its_cell(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    text = focus_csv(generate(14, MAY, 1, per_day=3)).decode()
    rows = text.splitlines()
    rows[3] = rows[3].replace("2026-04-01T00:00:00Z", "yesterday", 1)
    result = _refused(tmp_path, cli, {"billing/focus.csv": "\n".join(rows) + "\n"})
    assert result.stderr == (
        "error: billing/focus.csv:4:6: ChargePeriodStart: not a time "
        "(FOCUS times are ISO 8601, e.g. 2026-05-01T00:00:00Z)\n"
    )


def test_an_empty_cost_counts_as_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = [Line(MAY, "EC2", Decimal("2.50"), {"service": "api"})] * 2
    text = focus_csv(lines).decode().replace(",2.50,", ",,", 1)
    root = _workspace(tmp_path, {"billing/focus.csv": text})
    assert _report(cli, root)["total"] == "2.50"


def test_other_currencies_are_converted_by_the_configured_rates(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = [
        Line(MAY, "EC2", Decimal("10.00"), {"service": "api"}),
        Line(MAY, "EC2", Decimal("10.00"), {"service": "api"}, currency="EUR"),
        Line(MAY, "EC2", Decimal("1000"), {"service": "search"}, currency="JPY"),
    ]
    doc = cost_doc(BUDGETS, extra='exchange_rates: {EUR: "1.085", JPY: "0.0066"}\n')
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)}, doc)
    data = _report(cli, root)
    assert data["currency"] == "USD"
    assert data["converted"] == {"EUR": "1.085", "JPY": "0.0066"}
    budgets = {b["name"]: b for b in data["budgets"]}  # type: ignore[attr-defined]
    assert budgets["api"]["month_to_date"] == "20.85"
    assert budgets["search"]["month_to_date"] == "6.60"
    table = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert "converted into USD: EUR at 1.085, JPY at 0.0066" in table.stdout


def test_a_currency_without_a_rate_is_refused(tmp_path: Path, cli: Callable[..., Result]) -> None:
    lines = [
        Line(MAY, "EC2", Decimal(1), {"service": "api"}),
        Line(MAY, "EC2", Decimal(1), {"service": "api"}, currency="EUR"),
        Line(MAY, "EC2", Decimal(1), {"service": "api"}, currency="GBP"),
    ]
    doc = cost_doc(BUDGETS, extra='exchange_rates: {EUR: "1.085"}\n')
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(lines)}, doc)
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: BillingCurrency: the export mixes currencies EUR, GBP, USD "
        "(give exchange_rates for GBP into USD in the cost document, or export one currency)\n"
    )


def test_a_bad_rate_is_refused_at_its_key(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = cost_doc(BUDGETS, extra='exchange_rates: {EUR: "0"}\n')
    root = _workspace(tmp_path, {"billing/focus.csv": focus_csv(generate(1, MAY, 1))}, doc)
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {OPS}/cost-platform.md:7:1: exchange_rates: the rate of EUR must be greater "
        "than 0 (see docs/cost.md)\n"
    )


def test_a_text_cost_in_parquet_that_is_not_a_number_names_its_row(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    import duckdb

    root = _workspace(tmp_path, {})
    (root / "pq").mkdir()
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'USD' AS BillingCurrency, c AS BilledCost, 'Usage' AS ChargeCategory,"
        " TIMESTAMPTZ '2026-05-02 00:00:00+00' AS ChargePeriodStart, 'EC2' AS ServiceName,"
        " '{}' AS Tags FROM (VALUES ('1.50'), (' 2 '), ('n/a'), ('3')) v(c))"
        f" TO '{root / 'pq' / 'focus.parquet'}' (FORMAT parquet)"
    )
    con.close()
    result = cli("cost", "report", "--month", "2026-05", "--source", "pq/*.parquet", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: pq/focus.parquet: row 3: BilledCost: not a number "
        "(costs are decimal numbers such as 12.34)\n"
    )


def test_a_bad_row_in_a_gzipped_export_is_located(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lines = generate(15, MAY, 1, per_day=2)
    text = focus_csv(lines).decode()
    rows = text.splitlines()
    first = lines[3].row()["BilledCost"]
    rows[4] = rows[4].replace(f",{first},", ",1.2.3,", 1)
    import gzip

    root = _workspace(
        tmp_path,
        {"billing/focus.csv.gz": gzip.compress(("\n".join(rows) + "\n").encode())},
        cost_doc(BUDGETS, sources="[billing/*.csv.gz]"),
    )
    result = cli("cost", "report", "--month", "2026-05", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: billing/focus.csv.gz:5:3: BilledCost: not a number "
        "(costs are decimal numbers such as 12.34)\n"
    )


def test_the_located_row_is_the_one_duckdb_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    # '1e2' and '2026-05-01 00:00:00 UTC' are read by DuckDB, though neither is written the
    # plain way; 'NaN' is not a cost: the row named is the one the scan counted
    lines = [Line(MAY, "EC2", Decimal(1), {"service": "api"})] * 4
    rows = focus_csv(lines).decode().splitlines()
    rows[1] = rows[1].replace(",1,", ",1e2,", 1)
    rows[2] = rows[2].replace("2026-05-01T00:00:00Z", "2026-05-01 00:00:00 UTC", 1)
    rows[3] = rows[3].replace(",1,", ",NaN,", 1)
    result = _refused(tmp_path, cli, {"billing/focus.csv": "\n".join(rows) + "\n"})
    assert result.stderr == (
        "error: billing/focus.csv:4:3: BilledCost: not a number "
        "(costs are decimal numbers such as 12.34)\n"
    )
    rows[3] = rows[3].replace(",NaN,", ",1,", 1)
    fine = _workspace(tmp_path / "fine", {"billing/focus.csv": "\n".join(rows) + "\n"})
    assert _report(cli, fine)["total"] == "103.00"

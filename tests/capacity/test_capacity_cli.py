"""``opsdocs capacity report`` and ``backtest`` over data files (CSV read with DuckDB)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.capacity.series import END, OPS, Shape, capacity_doc, days_before, write_csv
from tests.conftest import Result, build_tree, snapshot

AT = END.strftime("%Y-%m-%dT%H:%M:%SZ")
DOC = f"{OPS}/capacity-database.md"
GROWING = Shape(start=days_before(60), base=400, slope=2.0, daily=10, weekly=15, noise=3)

DISK = """
- name: disk
  unit: GiB
  usage: {files: [metrics/disk.csv], column: used, where: {host: db-1}}
  limit: {column: size}
  horizon: 200d
  lead_time: 14d
  action: grow the volume
"""


def _workspace(root: Path, resources: str = DISK, **csv: str) -> Path:
    build_tree(
        root,
        {
            "opsdocs.toml": 'owners = ["team-db"]\n',
            DOC: capacity_doc(resources),
            **{f"metrics/{name}": text for name, text in csv.items()},
        },
    )
    return root


def _disk(root: Path, shape: Shape = GROWING, limit: float | None = 1000) -> None:
    write_csv(root / "metrics/disk.csv", shape.samples(seed=4), limit=limit)


def test_report_from_a_csv_file(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    # another host's rows in the same file are left out by 'where'
    with (root / "metrics/disk.csv").open("a") as fh:
        fh.write("2026-11-19T23:00:00Z,db-9,99999,1000\n")
    result = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    (disk,) = json.loads(result.stdout)
    truth = GROWING.crossing(END, 800)
    import datetime as dt

    def stamp(seconds: float) -> str:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # within the interval, give or take the one-hour grid the history is read on
    assert disk["threshold_crossing"]["earliest"] <= stamp(truth + 3600)
    assert stamp(truth - 3600) <= disk["threshold_crossing"]["latest"]
    assert disk["status"] == "ok"
    assert disk["note"].startswith("act by ")
    assert disk["growth_per_week"] == pytest.approx(14, rel=0.05)
    assert disk["headroom"] == pytest.approx(1000 - disk["current"])


def test_table_and_markdown(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    table = cli("capacity", "report", "--at", AT, cwd=root)
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == (
        "capacity at 2026-11-20 00:00 UTC; crossing dates are expected "
        "(earliest .. latest, 80% interval)"
    )
    assert lines[2].split()[:4] == ["resource", "current", "limit", "headroom"]
    assert lines[3].startswith("database/disk ")
    assert " 1000 GiB " in lines[3]
    assert lines[3].endswith("  ok")
    assert lines[5].startswith("database/disk: act by 2027-")
    markdown = cli("capacity", "report", "--at", AT, "--format", "markdown", cwd=root)
    assert markdown.stdout.splitlines()[2].startswith("| resource | current | limit |")


def test_short_and_flat_histories_say_so(tmp_path: Path, cli: Callable[..., Result]) -> None:
    resources = DISK + DISK.replace("name: disk", "name: flat").replace("disk.csv", "flat.csv")
    resources = resources.replace("where: {host: db-1}", "where: {host: db-1}", 1)
    root = _workspace(tmp_path, resources)
    short = Shape(start=days_before(1.5), base=500, slope=40)
    write_csv(root / "metrics/disk.csv", short.samples(seed=1), limit=1000)
    flat = Shape(start=days_before(40), base=300, slope=0, daily=5, weekly=5, noise=3)
    write_csv(root / "metrics/flat.csv", flat.samples(seed=2), limit=1000)
    result = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    disk, flat_report = json.loads(result.stdout)
    assert disk["status"] == "too short"
    assert disk["note"] == (
        "history too short: 37 readings over 36 h (at least 48 h and 24 readings needed)"
    )
    assert disk["threshold_crossing"] is None
    assert (flat_report["status"], flat_report["note"]) == (
        "flat",
        "flat: no crossing within horizon",
    )
    assert flat_report["threshold_crossing"] == {
        "earliest": None,
        "expected": None,
        "latest": None,
    }


def test_too_noisy_says_so(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    noisy = Shape(start=days_before(30), base=400, slope=1, noise=800)
    write_csv(root / "metrics/disk.csv", noisy.samples(seed=3), limit=1000)
    result = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    (disk,) = json.loads(result.stdout)
    assert disk["status"] == "too noisy"
    assert disk["note"].startswith("too noisy: readings scatter by ")
    assert disk["note"].endswith("around the trend and seasonality, more than 10% of the limit")


def test_order_now_exits_1(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path, DISK.replace("lead_time: 14d", "lead_time: 26w"))
    _disk(root)
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3].endswith("ORDER NOW")
    assert "inside the lead time (182d); action: grow the volume" in result.stdout


def test_write_keeps_a_status_block(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    first = cli("capacity", "report", "--at", AT, "--write", cwd=root)
    assert first.exit_code == 0, first.stderr
    assert first.stderr == f"updated {DOC}\n"
    text = (root / DOC).read_text()
    before, rest = text.split("## Growth & Forecast\n\nSee below.\n\n", 1)
    assert before == capacity_doc(DISK).split("## Growth & Forecast")[0]
    assert rest.startswith("<!-- opsdocs:capacity:start -->\n_capacity at 2026-11-20 00:00 UTC")
    assert "| database/disk |" in rest
    assert rest.split("<!-- opsdocs:capacity:end -->\n", 1)[1].startswith("\n## Limits")
    again = cli("capacity", "report", "--at", AT, "--write", cwd=root)
    assert again.stderr == ""  # the same block: nothing to write
    assert (root / DOC).read_text() == text


def test_repeated_markers_leave_every_file_as_it_was(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    doc = root / DOC
    doc.write_text(doc.read_text() + "\n<!-- opsdocs:capacity:start -->\n" * 2)
    before = snapshot(root)
    result = cli("capacity", "report", "--at", AT, "--write", cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {DOC}:")
    assert "marker <!-- opsdocs:capacity:start --> appears 2 times" in result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("resources", "csv", "message"),
    [
        (
            DISK.replace("limit: {column: size}", "limit: 0"),
            None,
            f"{DOC}:12:5: resources.0.limit: the limit must be greater than zero ("
            "see docs/capacity.md)",
        ),
        (
            DISK,
            "timestamp,host,used,size\n2026-11-19T00:00:00Z,db-1,10,0\n",
            f"{DOC}:12:5: resource 'database/disk': the limit is zero "
            "(a limit must be a number greater than zero)",
        ),
        (
            DISK,
            "timestamp,host,used\n2026-11-19T00:00:00Z,db-1,10\n",
            f"{DOC}:11:5: resource 'database/disk': the usage files have no column size "
            "(name columns the files have)",
        ),
        (
            DISK,
            "timestamp,host,used,size\n2026-11-19T00:00:00Z,db-1,lots,10\n",
            f"{DOC}:11:40: resource 'database/disk': used: 1 value not a number "
            "(usage values are numbers such as 12.5)",
        ),
        (
            DISK,
            "timestamp,host,used,size\nyesterday,db-1,1,10\n",
            f"{DOC}:11:5: resource 'database/disk': timestamp: 1 value not a time "
            "(times are ISO 8601, e.g. 2026-05-01T00:00:00Z)",
        ),
        (
            DISK.replace(
                "usage: {files: [metrics/disk.csv], column: used, where: {host: db-1}}",
                "usage: {files: [metrics/disk.csv]}",
            ),
            None,
            f"{DOC}:11:5: resources.0.usage: files need the column that holds the usage "
            "(see docs/capacity.md)",
        ),
    ],
)
def test_bad_input_is_one_line(
    tmp_path: Path, cli: Callable[..., Result], resources: str, csv: str | None, message: str
) -> None:
    root = _workspace(tmp_path, resources)
    if csv is None:
        _disk(root)
    else:
        (root / "metrics").mkdir()
        (root / "metrics/disk.csv").write_text(csv)
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"


def test_a_query_without_prometheus_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    resources = (
        "- name: cpu\n  usage: {query: 'sum(rate(cpu[5m]))'}\n  limit: 64\n  lead_time: 1d\n"
    )
    root = _workspace(tmp_path, resources)
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {DOC}:10:13: resource 'database/cpu': no Prometheus to query (set "
        "prometheus_url under [capacity] in opsdocs.toml or pass --prometheus-url)\n"
    )


def test_an_unknown_resource_is_a_usage_error(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    result = cli("capacity", "report", "database/nope", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no capacity resource 'database/nope' "
        "(name a service or service/resource from a capacity document)\n"
    )


def test_backtest_table(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    result = cli("capacity", "backtest", "--at", AT, "--over", "2w", "--every", "1w", cwd=root)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "resource",
        "forecasts",
        "MAPE",
        "crossings",
        "inside",
        "80%",
        "interval",
    ]
    assert lines[1].split()[:2] == ["database/disk", "2"]
    assert lines[3] == "database/disk:"
    assert lines[4].startswith("  from 2026-11-06: MAPE ")
    assert lines[5].startswith("  from 2026-11-13: MAPE ")
    bad = cli("capacity", "backtest", "--every", "soon", cwd=root)
    assert bad.exit_code == 2
    assert bad.stderr == (
        "error: --every must be a duration such as '5m', '1h' or '3d' (got 'soon') "
        "(e.g. --over 4w --every 1w)\n"
    )


def test_resources_read_in_one_scan_keep_their_own_readings(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    # two resources over files of one layout are read in one scan; a third pools two files
    resources = (
        DISK
        + DISK.replace("name: disk", "name: disk-b").replace("disk.csv", "b.csv")
        + DISK.replace("name: disk", "name: both").replace("[metrics/disk.csv]", "[metrics/*.csv]")
    )
    root = _workspace(tmp_path, resources)
    low = Shape(start=days_before(10), base=100, slope=0)
    high = Shape(start=days_before(10), base=300, slope=0)
    write_csv(root / "metrics/disk.csv", low.samples(seed=1), limit=1000)
    write_csv(root / "metrics/b.csv", high.samples(seed=1), limit=2000)
    result = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    disk, disk_b, both = json.loads(result.stdout)
    assert (disk["current"], disk["limit"]) == (100, 1000)
    assert (disk_b["current"], disk_b["limit"]) == (300, 2000)
    # both files' readings of a step are averaged; the limit is the latest row's (a tie: either)
    assert both["current"] == 200


def test_a_row_that_is_not_csv_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    _disk(root)
    with (root / "metrics/disk.csv").open("a") as fh:
        fh.write('2026-11-19T23:00:00Z,db-1,"12\n')
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {DOC}:11:13: resource 'database/disk': 1 row of the usage files cannot be read "
        "as CSV (first at metrics/disk.csv:"
    )


def test_parquet_files_are_read_like_csv(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import duckdb

    root = _workspace(tmp_path, DISK.replace("disk.csv", "disk.parquet"))
    _disk(root)
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT CAST(timestamp AS TIMESTAMPTZ) AS timestamp, host, used, size"
        " FROM read_csv(?, header=true)) TO ? (FORMAT parquet)",
        [str(root / "metrics/disk.csv"), str(root / "metrics/disk.parquet")],
    )
    con.close()
    (root / "metrics/disk.csv").unlink()
    parquet = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    assert parquet.exit_code == 0, parquet.stderr
    (from_parquet,) = json.loads(parquet.stdout)
    assert from_parquet["status"] == "ok"
    assert from_parquet["current"] == pytest.approx(GROWING.value(END.timestamp()), abs=10)
    assert from_parquet["growth_per_week"] == pytest.approx(14, rel=0.05)

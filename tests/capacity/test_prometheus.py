"""``opsdocs capacity report`` and ``backtest`` against a real Prometheus serving generated
series (trend, daily and weekly seasonality known) from backfilled blocks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.capacity.conftest import END, GROWING
from tests.capacity.series import OPS, capacity_doc
from tests.conftest import Result, build_tree

pytestmark = pytest.mark.tools

AT = END.strftime("%Y-%m-%dT%H:%M:%SZ")


def _workspace(root: Path, url: str, resources: str) -> Path:
    build_tree(
        root,
        {
            "opsdocs.toml": f'owners = ["team-db"]\n\n[capacity]\nprometheus_url = "{url}"\n',
            f"{OPS}/capacity-database.md": capacity_doc(resources),
        },
    )
    return root


RESOURCES = """
- name: disk
  unit: GiB
  usage: {query: 'disk_used_gib{instance="db-1"}'}
  limit: {query: 'disk_size_gib{instance="db-1"}'}
  threshold: 80
  horizon: 200d
  lead_time: 14d
  action: grow the volume
- name: archive
  unit: GiB
  usage: {query: 'disk_used_gib{instance="db-2"}'}
  limit: 1000
  lead_time: 14d
- name: scratch
  usage: {query: 'disk_used_gib{instance="db-3"}'}
  limit: 1000
  lead_time: 14d
"""


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_report_brackets_the_true_crossing_and_says_when_it_cannot(
    capacity_prometheus: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path, capacity_prometheus, RESOURCES)
    result = cli("capacity", "report", "--at", AT, "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    disk, archive, scratch = json.loads(result.stdout)
    assert disk["resource"] == "database/disk"
    assert disk["status"] == "ok"
    assert disk["limit"] == 1000.0
    assert disk["growth_per_week"] == pytest.approx(14, rel=0.05)
    truth = _iso(GROWING.crossing(END, 800))
    crossing = disk["threshold_crossing"]
    assert crossing["earliest"] <= truth <= crossing["latest"]
    assert disk["limit_crossing"]["expected"] is None  # 1000 GiB is beyond the horizon
    assert disk["current"] == pytest.approx(GROWING.value(END.timestamp()), abs=8)
    # flat and short histories say so instead of inventing a date
    assert (archive["status"], archive["note"]) == ("flat", "flat: no crossing within horizon")
    assert archive["threshold_crossing"]["expected"] is None
    assert scratch["status"] == "too short"
    assert scratch["note"].startswith("history too short: 21 readings over 20 h")
    assert scratch["threshold_crossing"] is None


def test_inside_the_lead_time_is_order_now(
    capacity_prometheus: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path, capacity_prometheus, RESOURCES.replace("14d", "180d", 1))
    result = cli("capacity", "report", "database/disk", "--at", AT, cwd=root)
    assert result.exit_code == 1, result.stderr
    expected = dt.datetime.fromtimestamp(GROWING.crossing(END, 800), dt.UTC).date()
    lines = result.stdout.splitlines()
    assert lines[3].startswith("database/disk ")
    assert lines[3].endswith("ORDER NOW")
    note = lines[-1]
    assert note.startswith("database/disk: threshold expected ")
    assert note.endswith("inside the lead time (180d); action: grow the volume")
    shown = dt.date.fromisoformat(note.split()[3].rstrip(","))
    assert abs((shown - expected).days) <= 1


def test_a_query_returning_several_series_is_one_line(
    capacity_prometheus: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    resources = "- name: disk\n  usage: {query: disk_used_gib}\n  limit: 10\n  lead_time: 1d\n"
    root = _workspace(tmp_path, capacity_prometheus, resources)
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {OPS}/capacity-database.md:10:13: resource 'database/disk': the usage query "
        'returned 3 series (disk_used_gib{instance="db-1"}, disk_used_gib{instance="db-2"}, '
        'disk_used_gib{instance="db-3"}) '
        "(aggregate it to one series, e.g. sum(...) or max(...))\n"
    )


def test_a_limit_query_of_zero_is_one_line(
    capacity_prometheus: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    resources = (
        "- name: disk\n  usage: {query: 'disk_used_gib{instance=\"db-2\"}'}\n"
        "  limit: {query: 'disk_size_gib{instance=\"db-2\"}'}\n  lead_time: 1d\n"
    )
    root = _workspace(tmp_path, capacity_prometheus, resources)
    result = cli("capacity", "report", "--at", AT, cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {OPS}/capacity-database.md:11:5: resource 'database/disk': the limit is zero "
        "(a limit must be a number greater than zero)\n"
    )


def test_backtest_reports_error_and_crossings_inside_the_interval(
    capacity_prometheus: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    # a threshold the disk crossed in the last fortnight (on a noise spike before the curve
    # itself reached it): each forecast made before says whether the crossing was inside
    resources = RESOURCES.replace("threshold: 80", "threshold: 53")
    root = _workspace(tmp_path, capacity_prometheus, resources)
    result = cli(
        "capacity",
        "backtest",
        "database/disk",
        "--at",
        AT,
        "--over",
        "3w",
        "--every",
        "1w",
        "--format",
        "json",
        cwd=root,
    )
    assert result.exit_code == 0, result.stderr
    (disk,) = json.loads(result.stdout)
    points = disk["points"]
    assert [p["origin"] for p in points] == [
        "2026-10-30T00:00:00Z",
        "2026-11-06T00:00:00Z",
        "2026-11-13T00:00:00Z",
    ]
    assert all(p["mape_percent"] < 1 for p in points)
    assert disk["mape_percent"] == pytest.approx(sum(p["mape_percent"] for p in points) / 3)
    assert disk["crossings"] == 3
    for point in points:
        interval = point["interval"]
        inside = interval["earliest"] <= point["crossed"] <= interval["latest"]
        assert point["inside"] is inside
    # the last forecast, made 4 days before the crossing, has it inside its interval
    assert points[-1]["inside"] is True
    assert disk["inside_interval"] == sum(p["inside"] for p in points)

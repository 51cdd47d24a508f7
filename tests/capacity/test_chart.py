"""``opsdocs capacity report --chart``: history, forecast, interval, threshold and limit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.capacity.series import END, OPS, Shape, capacity_doc, days_before, write_csv
from tests.capacity.test_capacity_cli import DISK
from tests.conftest import Result, build_tree, snapshot

AT = END.strftime("%Y-%m-%dT%H:%M:%SZ")
DOC = f"{OPS}/capacity-database.md"


def _workspace(root: Path) -> Path:
    build_tree(root, {"opsdocs.toml": 'owners = ["team-db"]\n', DOC: capacity_doc(DISK)})
    shape = Shape(start=days_before(30), base=400, slope=2.0, daily=10, weekly=15, noise=3)
    write_csv(root / "metrics/disk.csv", shape.samples(seed=5), limit=1000)
    return root


def test_chart_shows_history_forecast_band_threshold_and_limit(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path)
    result = cli("capacity", "report", "--at", AT, "--chart", "charts", "--write", cwd=root)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (f"wrote charts/capacity-database-disk.svg\nupdated {DOC}\n")
    svg = (root / "charts/capacity-database-disk.svg").read_text()
    assert svg.startswith("<svg ")
    assert "<title>database/disk: ok</title>" in svg
    assert svg.count('<polyline class="history"') == 1
    assert svg.count('<polyline class="forecast"') == 1
    assert '<polygon class="band"' in svg
    assert "<title>threshold 80%</title>" in svg
    assert "<title>limit</title>" in svg
    assert "Usage (GiB): history, forecast and 80% interval" in svg
    # the status block links the chart, relative to the document
    assert (
        "chart [database/disk](../../../charts/capacity-database-disk.svg)"
        in (root / DOC).read_text()
    )
    again = cli("capacity", "report", "--at", AT, "--chart", "charts", cwd=root)
    assert again.stderr == ""  # the same bytes: nothing rewritten
    assert (root / "charts/capacity-database-disk.svg").read_text() == svg


def test_png_needs_a_chart_folder(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _workspace(tmp_path)
    before = snapshot(root)
    result = cli("capacity", "report", "--at", AT, "--png", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --png needs --chart DIR (give the folder to write charts into)\n"
    )
    assert snapshot(root) == before

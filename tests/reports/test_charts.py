"""Budget charts: the data they draw agrees with the report; SVG is well formed."""

from __future__ import annotations

import importlib.util
import itertools
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from opsdocs.charts import render_png
from opsdocs.errors import UsageError
from opsdocs.reports.charts import chart_data, render_svg
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.reports.sources.logs import measure_logs
from opsdocs.slo.spec import SloSpec
from tests.reports.logdata import AT, expected, generate, write_parquet

REQUESTS = generate(4000, bad_share=0.003)


@pytest.fixture
def report(tmp_path: Path):  # type: ignore[no-untyped-def]
    write_parquet(tmp_path / "a.parquet", REQUESTS)
    slo = SloSpec.model_validate(
        {
            "name": "avail",
            "objective": 99,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
            "logs": {"files": "a.parquet", "timestamp": "time", "exclude": {"path": ["/healthz"]}},
        }
    )
    m = measure_logs(slo, root=tmp_path, at=AT, windows=needed_windows(slo))
    return build_report("api", slo, m)


def test_chart_data_ends_where_the_report_stands(report) -> None:  # type: ignore[no-untyped-def]
    data = chart_data(report)
    assert data.remaining[-1] == pytest.approx(report.budget_remaining)
    assert data.remaining[0] <= 1.0
    assert all(a >= b for a, b in zip(data.remaining, data.remaining[1:], strict=False))
    assert data.burn_window == 3600
    good, total = expected(REQUESTS, 3600)
    assert data.burn[-1] == pytest.approx((total - good) / total / 0.01)
    assert [f for _, f in data.thresholds] == pytest.approx([14.4, 6, 3, 1])
    assert data.times[-1] == AT and data.start == AT - (data.end - data.start)


def test_svg_is_well_formed(report) -> None:  # type: ignore[no-untyped-def]
    svg = render_svg(chart_data(report))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    lines = root.findall(f"{ns}polyline")
    remaining = [p for p in lines if p.get("class") == "remaining"]
    assert len(remaining) == 1
    points = remaining[0].get("points", "").split()
    assert 2 <= len(points) <= 1001  # thinned from 8,640 steps
    assert len(root.findall(f"{ns}line[@class='threshold']")) == 4


def test_chart_needs_steps(report) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    bare = replace(report, measurement=None)
    with pytest.raises(UsageError, match="no data over time for api/avail"):
        chart_data(bare)


def test_png_without_resvg_says_how_to_get_it(  # type: ignore[no-untyped-def]
    report, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "resvg_py", None)  # makes 'import resvg_py' fail
    with pytest.raises(UsageError) as caught:
        render_png(render_svg(chart_data(report)))
    assert str(caught.value) == (
        "PNG charts need resvg-py, which is not installed"
        " (pip install 'opsdocs[charts]', or leave out --png to get SVG)"
    )


def _require_resvg() -> None:
    if importlib.util.find_spec("resvg_py") is None:
        if os.environ.get("OPSDOCS_REQUIRE_TOOLS") == "1":
            pytest.fail("resvg-py is required (OPSDOCS_REQUIRE_TOOLS=1): make dev installs it")
        pytest.skip("needs resvg-py (pip install 'opsdocs[charts]')")


def test_png(report) -> None:  # type: ignore[no-untyped-def]
    _require_resvg()
    png = render_png(render_svg(chart_data(report)))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[16:24] == (800).to_bytes(4, "big") + (520).to_bytes(4, "big")  # IHDR size


def test_thinning_keeps_burn_spikes(report) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    data = chart_data(report)
    spiky = [0.0] * len(data.burn)
    spiky[4321] = 13.0  # one step out of 8,640: thinning must not drop it
    svg = render_svg(replace(data, burn=tuple(spiky)))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    burn = root.findall(f"{ns}polyline[@class='burn']")
    ys = [float(p.split(",")[1]) for line in burn for p in line.get("points", "").split()]
    assert min(ys) < max(ys)  # the spike is drawn above the zero line


def test_a_spike_far_above_the_thresholds_is_cut_and_labelled(report) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    data = chart_data(report)
    spiky = list(data.burn)
    spiky[100] = 480.0
    root = ET.fromstring(render_svg(replace(data, burn=tuple(spiky))))
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.findall(f"{ns}text")]
    assert "peak 480× (cut)" in texts
    ys = sorted(
        float(line.get("y1", "0")) for line in root.findall(f"{ns}line[@class='threshold']")
    )
    assert min(b - a for a, b in itertools.pairwise(ys)) >= 8  # thresholds stay apart

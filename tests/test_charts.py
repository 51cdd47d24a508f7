"""Chart primitives: where things are placed, gaps, bands, labels apart, escaping, PNG."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import os
import re
import sys
import xml.etree.ElementTree as ET

import pytest

import opsdocs.charts as charts
from opsdocs.charts import (
    LABEL_GAP,
    Frame,
    Scale,
    Threshold,
    band,
    document,
    grid,
    hline,
    labelled_lines,
    line,
    nice_ticks,
    peaks,
    render_png,
    sample,
    spread,
    text,
    time_axis,
    without_crowding,
)
from opsdocs.errors import UsageError

NS = "{http://www.w3.org/2000/svg}"
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=10)
FRAME = Frame(width=400, height=300, left=50, right=10, start=T0, end=T1)
SCALE = Scale(top=20, bottom=220, high=100.0)


def _hours(n: int) -> list[dt.datetime]:
    return [T0 + dt.timedelta(hours=h) for h in range(n)]


def _points(polyline: str) -> list[tuple[float, float]]:
    raw = re.search(r'points="([^"]*)"', polyline)
    assert raw is not None
    return [(float(x), float(y)) for x, y in (p.split(",") for p in raw.group(1).split())]


def test_frame_places_times_between_the_edges() -> None:
    assert FRAME.x(T0) == 50
    assert FRAME.x(T1) == 390  # width - right
    assert FRAME.x(T0 + dt.timedelta(hours=5)) == 220
    same = Frame(400, 300, 50, 10, T0, T0)
    assert same.x(T0) == 50  # no division by zero when start == end


def test_scale_places_values_and_clamps_when_asked() -> None:
    assert SCALE.y(0) == 220 and SCALE.y(100) == 20 and SCALE.y(50) == 120
    assert SCALE.y(300) < 20  # unclamped: off the panel
    assert Scale(top=20, bottom=220, high=100.0, clamp=True).y(300) == 20
    below_zero = Scale(top=0, bottom=100, low=-1.0, high=1.0)
    assert below_zero.y(-1.0) == 100 and below_zero.y(0.0) == 50


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (10, [0, 2.5, 5, 7.5, 10]),
        (33, [0, 10, 20, 30]),
        (1.1, [0, 0.5, 1.0]),
        (0, [0]),
    ],
)
def test_nice_ticks(high: float, ticks: list[float]) -> None:
    assert nice_ticks(high) == pytest.approx(ticks)


def test_crowded_ticks_are_dropped() -> None:
    kept = without_crowding([0, 1, 2, 10, 11, 30], lambda v: v * 2)  # 2 px per unit
    assert kept == [0, 10, 30]


def test_spread_keeps_labels_apart_and_inside() -> None:
    placed = spread([100, 101, 102, 300], gap=13, low=20, high=200)
    assert all(b - a >= 13 for a, b in itertools.pairwise(sorted(placed)))
    assert all(20 <= y <= 200 for y in placed)
    assert placed[0] == 100  # the first of a cluster stays where it was wanted


def test_sample_keeps_the_last_point_and_no_more_than_the_limit() -> None:
    times = [T0 + dt.timedelta(minutes=m) for m in range(5000)]
    values: list[float | None] = [float(m) for m in range(5000)]
    kept_t, kept_v = sample(times, values, limit=100)
    assert len(kept_v) == 101 and kept_t[-1] == times[-1] and kept_v[-1] == 4999.0
    assert sample(times[:10], values[:10], limit=100) == (times[:10], values[:10])


def test_peaks_keep_a_spike_and_a_gap() -> None:
    times = [T0 + dt.timedelta(minutes=m) for m in range(5000)]
    values: list[float | None] = [1.0] * 5000
    values[2345] = 99.0
    values[4000:4010] = [None] * 10
    kept_t, kept_v = peaks(times, values, limit=500)
    assert len(kept_v) == 500 and max(v for v in kept_v if v is not None) == 99.0
    assert kept_v.count(None) == 1
    assert kept_t[-1] == times[-1]


def test_line_breaks_at_none() -> None:
    times = _hours(5)
    out = line(FRAME, SCALE, times, [0.0, 50.0, None, 100.0, 100.0], cls="used", stroke="#123")
    assert len(out) == 2
    assert _points(out[0]) == [(50.0, 220.0), (84.0, 120.0)]
    assert _points(out[1]) == [(152.0, 20.0), (186.0, 20.0)]
    assert 'class="used"' in out[0] and 'stroke="#123"' in out[0] and 'stroke-width="2"' in out[0]
    assert line(FRAME, SCALE, times, [None] * 5, cls="x", stroke="#000") == []


def test_band_goes_along_the_top_and_back_along_the_bottom() -> None:
    times = _hours(4)
    out = band(FRAME, SCALE, times, [10.0, 20.0, None, 0.0], [30.0, 40.0, 50.0, 0.0], fill="#abc")
    assert len(out) == 2  # the unknown low splits the band
    assert _points(out[0]) == [(50.0, 160.0), (84.0, 140.0), (84.0, 180.0), (50.0, 200.0)]
    assert _points(out[1]) == [(152.0, 220.0), (152.0, 220.0)]
    assert 'fill="#abc"' in out[0] and 'fill-opacity="0.2"' in out[0]


def test_hline_with_a_tooltip_and_without() -> None:
    assert hline(FRAME, 12.34, stroke="#ddd") == (
        '<line x1="50" y1="12.3" x2="390" y2="12.3" stroke="#ddd"/>'
    )
    assert hline(FRAME, 5, stroke="red", dash="4 3", title="a < b", cls="limit") == (
        '<line class="limit" x1="50" y1="5.0" x2="390" y2="5.0" stroke="red"'
        ' stroke-dasharray="4 3"><title>a &lt; b</title></line>'
    )


def test_grid_labels_each_uncrowded_tick() -> None:
    out = grid(FRAME, SCALE, [0, 1, 50, 100], label=lambda v: f"{v:g} %", stroke=lambda v: "#eee")
    assert len(out) == 3  # 1 is 2 px above 0: dropped
    assert out[1] == (
        '<line x1="50" y1="120.0" x2="390" y2="120.0" stroke="#eee"/>'
        '<text x="44" y="120.0" text-anchor="end" dy="4">50 %</text>'
    )


def test_labelled_lines_close_together_keep_their_labels_apart() -> None:
    lines, labels = labelled_lines(
        FRAME,
        SCALE,
        [Threshold(50.0, "warn", "#d68910"), Threshold(51.0, "page", "#c0392b", title="page!")],
    )
    assert (
        len(lines) == 2 and "<title>page!</title>" in lines[1] and 'class="threshold"' in lines[0]
    )
    ys = sorted(float(re.search(r' y="([^"]*)"', t).group(1)) for t in labels)  # type: ignore[union-attr]
    assert ys[1] - ys[0] >= LABEL_GAP
    assert all('x="386"' in t and 'text-anchor="end"' in t for t in labels)


def test_time_axis_in_utc_flush_with_the_edges() -> None:
    local = dt.timezone(dt.timedelta(hours=2))
    frame = Frame(400, 300, 50, 10, T0.astimezone(local), T1.astimezone(local))
    out = time_axis(frame, 250)
    assert len(out) == 5
    assert out[0] == '<text x="50.0" y="250" text-anchor="start">2026-11-01 00:00</text>'
    assert out[2] == '<text x="220.0" y="250" text-anchor="middle">2026-11-01 05:00</text>'
    assert out[-1] == '<text x="390.0" y="250" text-anchor="end">2026-11-01 10:00</text>'


def test_text_and_document_escape_what_they_are_given() -> None:
    assert (
        text(1, 2, '<b>&"', fill="red")
        == '<text x="1" y="2" fill="red">&lt;b&gt;&amp;&quot;</text>'
    )
    svg = document(FRAME, 'x</title><script>"', [text(0, 0, "</svg>")])
    root = ET.fromstring(svg)  # well formed despite the hostile strings
    assert root.get("width") == "400" and root.get("height") == "300"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}title").text == 'x</title><script>"'  # type: ignore[union-attr]
    assert root.find(f"{NS}script") is None


def test_the_module_example_draws_a_chart() -> None:
    """The example in the module's docstring runs as written and gives well-formed SVG."""
    doc = charts.__doc__ or ""
    example = doc.split("::\n", 1)[1].split("\n\n", 1)[0]
    example = "\n".join(line[4:] for line in example.splitlines())
    example = example.replace("png = render_png(svg)", "pass")
    times = _hours(11)
    namespace = {
        **{name: getattr(charts, name) for name in charts.__all__},
        "start": T0,
        "end": T1,
        "times": times,
        "used": [float(10 + h) for h in range(11)],
        "lows": [None] * 6 + [float(15 + h) for h in range(5)],
        "highs": [None] * 6 + [float(17 + h) for h in range(5)],
        "limit": 30.0,
    }
    exec(example, namespace)
    root = ET.fromstring(namespace["svg"])
    assert len(root.findall(f"{NS}polyline[@class='used']")) == 1
    assert len(root.findall(f"{NS}polygon[@class='band']")) == 1
    assert len(root.findall(f"{NS}line[@class='threshold']")) == 1
    assert [t.text for t in root.findall(f"{NS}text")][-1] == "limit"


def test_png_without_resvg_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # makes 'import resvg_py' fail
    with pytest.raises(UsageError) as caught:
        render_png(document(FRAME, "t", []))
    assert str(caught.value) == (
        "PNG charts need resvg-py, which is not installed"
        " (pip install 'opsdocs[charts]', or leave out --png to get SVG)"
    )


def test_png() -> None:
    if importlib.util.find_spec("resvg_py") is None:
        if os.environ.get("OPSDOCS_REQUIRE_TOOLS") == "1":
            pytest.fail("resvg-py is required (OPSDOCS_REQUIRE_TOOLS=1): make dev installs it")
        pytest.skip("needs resvg-py (pip install 'opsdocs[charts]')")
    png = render_png(
        document(FRAME, "t", line(FRAME, SCALE, _hours(3), [1, 2, 3], cls="a", stroke="#000"))
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[16:24] == (400).to_bytes(4, "big") + (300).to_bytes(4, "big")  # IHDR size

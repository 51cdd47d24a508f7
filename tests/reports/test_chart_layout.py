"""Chart layout, measured on the rendered image: every label is drawn, inside the canvas, and
clear of every other label.

Each ``<text>`` of the SVG is rasterised alone by resvg (the PNG renderer ``--png`` uses, with
the system's fonts), and its box is where its pixels are; boxes are then compared pairwise.
"""

from __future__ import annotations

import importlib.util
import io
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from opsdocs.charts import render_png
from opsdocs.reports.charts import ChartData, chart_data, render_svg
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.reports.sources.logs import measure_logs
from opsdocs.slo.spec import SloSpec
from tests.reports.logdata import AT, generate, write_parquet

NS = "{http://www.w3.org/2000/svg}"
Box = tuple[int, int, int, int]


@pytest.fixture(scope="module")
def image() -> Any:
    if importlib.util.find_spec("resvg_py") is None or importlib.util.find_spec("PIL") is None:
        if os.environ.get("OPSDOCS_REQUIRE_TOOLS") == "1":
            pytest.fail("resvg-py and pillow are required (OPSDOCS_REQUIRE_TOOLS=1): make dev")
        pytest.skip("needs resvg-py and pillow (make dev)")
    from PIL import Image

    return Image


def _data(tmp_path: Path, period: str, bad_share: float) -> ChartData:
    write_parquet(tmp_path / "a.parquet", generate(3000, bad_share=bad_share))
    slo = SloSpec.model_validate(
        {
            "name": "availability",
            "objective": 99.9,
            "period": period,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
            "logs": {"files": "a.parquet", "timestamp": "time"},
        }
    )
    m = measure_logs(slo, root=tmp_path, at=AT, windows=needed_windows(slo))
    return chart_data(build_report("checkout-payments", slo, m))


def _boxes(svg: str, image: Any) -> list[tuple[str, Box]]:
    root = ET.fromstring(svg)
    texts = [child for child in root if child.tag == f"{NS}text"]
    out = []
    for text in texts:
        alone = ET.Element(root.tag, root.attrib)
        alone.append(text)
        png = render_png(ET.tostring(alone, encoding="unicode"))
        # render_png paints a white background: the text is whatever is not white
        picture = image.open(io.BytesIO(png)).convert("L")
        inverted = picture.point(lambda v: 255 - v)
        box = inverted.getbbox()
        assert box is not None, f"label {text.text!r} was not drawn (no font?)"
        out.append((text.text or "", box))
    return out


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _spiky(data: ChartData) -> ChartData:
    burn = list(data.burn)
    burn[len(burn) // 2] = 480.0  # one huge spike squeezes the thresholds together
    return replace(data, burn=tuple(burn))


def _overspent(data: ChartData) -> ChartData:
    n = len(data.remaining)
    return replace(data, remaining=tuple(1 - 4.5 * i / n for i in range(n)))


@pytest.mark.parametrize(
    ("period", "bad_share", "change"),
    [
        ("30d", 0.0005, None),
        ("30d", 0.0005, _spiky),
        ("7d", 0.02, _overspent),
        ("28d", 0.0, None),
    ],
    ids=["calm-30d", "spike-30d", "overspent-7d", "no-errors-28d"],
)
def test_labels_are_drawn_inside_the_canvas_and_apart(
    image: Any, tmp_path: Path, period: str, bad_share: float, change: Any
) -> None:
    data = _data(tmp_path, period, bad_share)
    if change is not None:
        data = change(data)
    svg = render_svg(data)
    root = ET.fromstring(svg)
    width, height = int(root.get("width", "0")), int(root.get("height", "0"))
    boxes = _boxes(svg, image)
    for label, (left, top, right, bottom) in boxes:
        assert left >= 1 and top >= 1, f"{label!r} leaves the canvas: {left}, {top}"
        assert right <= width - 1 and bottom <= height - 1, f"{label!r} leaves the canvas"
    for i, (label, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            assert not _overlap(box, other_box), f"{label!r} {box} overlaps {other!r} {other_box}"
    y_labels = [label for label, _ in boxes if label.endswith("×") and " " not in label]
    assert len(y_labels) >= 3, f"the burn-rate axis has labels {y_labels}"

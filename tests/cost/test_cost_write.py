"""``opsdocs cost report --write`` keeps a status block in each cost document; ``--chart`` draws
each budget's daily spend against its budget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tests.conftest import Result, build_tree, snapshot
from tests.cost.helpers import OPS, Line, focus_csv

MAY = dt.date(2026, 5, 1)
APRIL = dt.date(2026, 4, 1)
#: The exit code of a report over _workspace: api's forecast is over budget, 2026-05-16 anomalous.
FINDINGS = 1

PLATFORM = """\
---
kind: cost
title: Platform Cost
owner: team-sre
last_reviewed: 2026-11-01
sources: [billing/*.csv]
budgets:
  - name: api
    monthly: "3100"
    tags: {service: api}
---

# Platform Cost

## Budget

Set by the CTO.

## Current Spend & Trend

Hand-written notes stay.

## Owners & Allocation

Team SRE.
"""

SEARCH = """\
---
kind: cost
title: Search Cost
owner: team-sre
last_reviewed: 2026-11-01
sources: [billing/*.csv]
budgets:
  - name: search
    monthly: "100"
    tags: {service: search}
---

# Search Cost
"""


def _lines() -> list[Line]:
    api = {"service": "api"}
    lines = [Line(APRIL + dt.timedelta(days=i), "EC2", Decimal("100.00"), api) for i in range(30)]
    lines += [Line(MAY + dt.timedelta(days=i), "EC2", Decimal("100.00"), api) for i in range(20)]
    lines[30 + 15] = Line(MAY + dt.timedelta(days=15), "EC2", Decimal("900.00"), api)
    lines.append(Line(MAY, "S3", Decimal("7.00"), {"service": "search"}))
    lines.append(Line(MAY, "S3", Decimal("3.00"), {}))
    return lines


def _workspace(tmp_path: Path, platform: str = PLATFORM) -> Path:
    return build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": platform,
            f"{OPS}/cost-search.md": SEARCH,
            "billing/focus.csv": focus_csv(_lines()),
        },
    )


def _run(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    return cli("cost", "report", "--month", "2026-05", *args, cwd=root)


def test_write_keeps_a_status_block_in_each_cost_document(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path)
    result = _run(cli, root, "--write", "--chart", "charts")
    assert result.exit_code == FINDINGS, result.stderr
    assert result.stderr == (
        "wrote charts/cost-api-2026-05.svg\n"
        "wrote charts/cost-search-2026-05.svg\n"
        f"updated {OPS}/cost-platform.md\n"
        f"updated {OPS}/cost-search.md\n"
    )
    text = (root / OPS / "cost-platform.md").read_text()
    before, _, rest = text.partition("<!-- opsdocs:cost:start -->")
    block, _, after = rest.partition("<!-- opsdocs:cost:end -->")
    # the author's text around the block is kept byte for byte
    assert before == PLATFORM.split("## Owners")[0].rstrip("\n") + "\n\n"
    assert after == "\n\n## Owners & Allocation\n\nTeam SRE.\n"
    assert "Measured by `opsdocs cost report --month 2026-05 --write`. 2026-05: 20 of 31" in block
    assert "| api | 2800.00 | 4340.00 | 3100.00 | +1240.00 | 140.0 over |" in block
    assert "| search |" not in block  # another document's budget
    assert "untagged 3.00 (0.1%)" in block
    assert "| 2026-05-16 | api | 900.00 | 100.00 |" in block
    assert "![api: daily spend against the budget](../../../charts/cost-api-2026-05.svg)" in block
    search = (root / OPS / "cost-search.md").read_text()
    assert search.startswith(SEARCH + "\n## Current Spend & Trend\n\n<!-- opsdocs:cost:start -->")
    assert "| search | 7.00 |" in search
    # a second run changes nothing
    again = _run(cli, root, "--write", "--chart", "charts")
    assert again.exit_code == FINDINGS and again.stderr == ""
    assert (root / OPS / "cost-platform.md").read_text() == text


def test_the_chart_shows_daily_spend_the_budget_and_the_anomalies(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path)
    assert _run(cli, root, "--chart", "charts").exit_code == FINDINGS
    svg = (root / "charts" / "cost-api-2026-05.svg").read_text()
    assert svg.startswith("<svg ")
    assert "<title>api: 2026-05 (forecast over 100% of budget)</title>" in svg
    assert svg.count('class="spend"') == 1
    assert ">budget 100.00/day<" in svg  # 3100 over 31 days
    assert ">forecast 140.00/day<" in svg
    assert svg.count('class="anomaly"') == 1
    assert "2026-05-16: 900.00 (median 100.00" in svg
    # same data, same bytes; nothing was written into the documents without --write
    assert (root / OPS / "cost-platform.md").read_text() == PLATFORM
    assert _run(cli, root, "--chart", "charts").exit_code == FINDINGS
    assert (root / "charts" / "cost-api-2026-05.svg").read_text() == svg


def test_a_document_with_repeated_markers_leaves_every_file_as_it_was(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    broken = PLATFORM + "\n<!-- opsdocs:cost:start -->\n<!-- opsdocs:cost:start -->\n"
    root = _workspace(tmp_path, broken)
    before = snapshot(root)
    result = _run(cli, root, "--write", "--chart", "charts")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {OPS}/cost-platform.md:27:1: marker <!-- opsdocs:cost:start --> appears 2 times"
        " (keep exactly one <!-- opsdocs:cost:start --> line and one <!-- opsdocs:cost:end -->"
        " line)\n"
    )
    assert snapshot(root) == before


def test_png_needs_a_chart_folder(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = _run(cli, _workspace(tmp_path), "--png")
    assert result.exit_code == 2
    assert result.stderr == "error: --png needs --chart DIR (name the folder for the charts)\n"

"""The CO rules that read the billing exports: computed once per run for CO002 and CO003, and
kept in the check cache while the documents and exports are unchanged."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tests.conftest import Result, build_tree
from tests.cost.helpers import OPS, Line, cost_doc, focus_csv

JUNE = dt.date(2026, 6, 1)
BUDGET = """
- name: api
  monthly: "10000"
  tags: {service: api}
"""


def _export(amount: str) -> bytes:
    return focus_csv([Line(JUNE, "EC2", Decimal(amount), {"service": "api"})])


def _check(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    return cli("check", "--select", "CO002,CO003", "--today", "2026-06-10", *args, cwd=root)


def test_a_warm_check_does_not_read_the_exports_again(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(BUDGET, extra="untagged_max: 5\n"),
            "billing/focus.csv": _export("500.00"),  # on June 1st: forecast 15000, over
        },
    )
    export = root / "billing" / "focus.csv"
    cold = _check(cli, root)
    assert cold.exit_code == 0, cold.stderr
    assert "CO002" in cold.stdout and "forecast 15000.00 USD" in cold.stdout
    # the same size and time, other content: a cached result cannot tell, so it is used
    stat = export.stat()
    export.write_bytes(_export("100.00"))
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _check(cli, root).stdout == cold.stdout
    fresh = _check(cli, root, "--no-cache")
    assert "CO002" not in fresh.stdout  # 100 on June 1st: 3000, under the budget
    # a new modification time is a change: the exports are read again
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _check(cli, root).stdout == fresh.stdout
    # so is an edit of the cost document
    doc = root / OPS / "cost-platform.md"
    doc.write_text(doc.read_text().replace('monthly: "10000"', 'monthly: "1000"'))
    assert "forecast 3000.00 USD is 300.0%" in _check(cli, root).stdout


def test_unreadable_exports_are_one_finding_and_not_cached(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(BUDGET),
            "billing/focus.csv": _export("500.00").replace(b",500.00,", b",lots,", 1),
        },
    )
    first = _check(cli, root)
    assert first.stdout.count("CO002") == 1
    assert "cannot measure the budgets: BilledCost: not a number" in first.stdout
    (root / "billing" / "focus.csv").write_bytes(_export("1.00"))
    assert "CO002" not in _check(cli, root).stdout


def test_a_finding_is_placed_in_its_own_document_when_two_share_a_file_name(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    other = """
- name: web
  monthly: "100000"
  tags: {service: web}
"""
    root = build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n',
            f"{OPS}/cost-platform.md": cost_doc(BUDGET),
            # the same file name in a team's folder, which check reads too
            f"{OPS}/team-web/cost-platform.md": cost_doc(other),
            "billing/focus.csv": _export("500.00"),  # api's forecast: 15000, over its 10000
        },
    )
    result = _check(cli, root, "--no-cache")
    assert result.stdout.splitlines()[0] == (
        f"{OPS}/cost-platform.md:9:5: CO002 cost-forecast-over-budget: budget 'api': forecast"
        " 15000.00 USD is 150.0% of 10000.00 (threshold 100%) (cut spend or raise the budget;"
        " 'opsdocs cost report' shows the movers)"
    )

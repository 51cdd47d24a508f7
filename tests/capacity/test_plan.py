"""The capacity report as a plan (capacity/plan.py) and the backtest (capacity/backtest.py),
called as the library, over data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsdocs.capacity.backtest import backtest_resources
from opsdocs.capacity.plan import plan_capacity
from opsdocs.errors import UsageError
from opsdocs.workspace import Workspace
from tests.capacity.series import END
from tests.capacity.test_capacity_cli import DISK, _disk, _workspace

TWO = DISK + DISK.replace("name: disk", "name: wal")


def test_the_plan_says_whether_to_order_now(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ok")
    _disk(root)
    plan = plan_capacity(Workspace.discover(root=root), (), at=END)
    assert [r.order_now for r in plan.reports] == [False]
    assert not plan.order_now
    late = _workspace(tmp_path / "late", DISK.replace("lead_time: 14d", "lead_time: 26w"))
    _disk(late)
    assert plan_capacity(Workspace.discover(root=late), (), at=END).order_now


def test_backtest_resources_takes_the_resources_by_name(tmp_path: Path) -> None:
    root = _workspace(tmp_path, TWO)
    _disk(root)
    workspace = Workspace.discover(root=root)
    every = backtest_resources(workspace, (), END, over=14 * 86400, every=7 * 86400)
    assert [r.key for r in every] == ["database/disk", "database/wal"]
    assert [len(r.points) for r in every] == [2, 2]
    one = backtest_resources(workspace, ("database/wal",), END, over=14 * 86400, every=7 * 86400)
    assert [r.key for r in one] == ["database/wal"]
    with pytest.raises(UsageError, match="no capacity resource 'database/nope'"):
        backtest_resources(workspace, ("database/nope",), END, over=86400, every=86400)

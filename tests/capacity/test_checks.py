"""The CP rules through ``opsdocs check`` (their fixtures are in tests/check/fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.capacity.series import OPS, capacity_doc
from tests.conftest import Result, build_tree

DISK = """
- name: disk
  usage: {files: [metrics/disk.csv], column: used}
  limit: 1000
  lead_time: 14d
"""


def test_unreadable_data_is_a_finding_at_the_resource(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-db"]\n',
            f"{OPS}/capacity-database.md": capacity_doc(DISK),
            "metrics/disk.csv": "timestamp,used\n2026-11-19T00:00:00Z,lots\n",
        },
    )
    result = cli("check", "--select", "CP", "--today", "2026-11-19", cwd=tmp_path)
    assert result.exit_code == 0  # a warning
    assert (
        f"{OPS}/capacity-database.md:12:5: CP001 capacity-inside-lead-time: cannot forecast "
        "'disk': resource 'database/disk': used: 1 value not a number (usage values are numbers "
        "such as 12.5)"
    ) in result.stdout


def test_a_prometheus_resource_without_prometheus_is_left_alone(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    resources = (
        "- name: cpu\n  usage: {query: 'sum(rate(cpu[5m]))'}\n  limit: 64\n  lead_time: 1d\n"
    )
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-db"]\n',
            f"{OPS}/capacity-database.md": capacity_doc(resources),
        },
    )
    result = cli("check", "--select", "CP", "--today", "2026-11-19", cwd=tmp_path)
    assert result.exit_code == 0
    assert "CP00" not in result.stdout

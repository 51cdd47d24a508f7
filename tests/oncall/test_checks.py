"""The OC rules through ``opsdocs check`` (each rule also has a fixture under tests/check)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, build_tree
from tests.oncall.helpers import OPS, oncall_doc
from tests.oncall.test_schedule import FOLLOW_THE_SUN


def test_check_reports_the_follow_the_sun_hole_after_the_us_dst_change(
    cli: Callable[..., Result], workspace_dir: Path
) -> None:
    build_tree(
        workspace_dir,
        {
            "opsdocs.toml": 'owners = ["team-sre"]\n\n[oncall]\ngap_days = 7\n'
            "holidays = [2026-12-25]\n",
            f"{OPS}/on-call.md": oncall_doc(FOLLOW_THE_SUN, owner="team-sre"),
        },
    )
    args = ("check", "--select", "OC", "--today")
    before = cli(*args, "2026-02-28", cwd=workspace_dir)
    assert (before.exit_code, before.stdout) == (0, "All checks passed (2 files).\n")
    after = cli(*args, "2026-03-05", cwd=workspace_dir)
    assert after.exit_code == 1
    assert after.stdout.splitlines()[0] == (
        f"{OPS}/on-call.md:24:9: OC004 oncall-schedule-gap: nobody covers team team-edge's "
        "level 1 (americas, india, after 0m) for 3 h in the next 7 days, first from "
        "2026-03-09T01:00Z to 2026-03-09T02:00Z (extend the rotation, add members or an "
        "override; 'opsdocs oncall gaps' lists every hole)"
    )


def test_roles_match_however_the_ladder_spells_on_call() -> None:
    from opsdocs.oncall.audit import normalize_role

    assert normalize_role("Primary On Call") == "primary on-call"
    assert normalize_role("primary  oncall") == "primary on-call"
    assert normalize_role("team-sre on call (incident commander)") == "team-sre on-call"


def test_gaps_as_json(cli: Callable[..., Result], workspace_dir: Path) -> None:
    import json

    build_tree(workspace_dir, {f"{OPS}/on-call.md": oncall_doc(FOLLOW_THE_SUN, owner="team-sre")})
    result = cli(
        "oncall",
        "gaps",
        "--from",
        "2026-03-09",
        "--to",
        "2026-03-09",
        "--format",
        "json",
        cwd=workspace_dir,
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["gaps"] == [
        {
            "kind": "uncovered",
            "team": "team-edge",
            "level": 1,
            "rotation": None,
            "person": None,
            "start": "2026-03-09T01:00:00Z",
            "end": "2026-03-09T02:00:00Z",
            "hours": 1.0,
            "message": "nobody covers level 1 (americas, india, after 0m) from "
            "2026-03-09T01:00:00Z to 2026-03-09T02:00:00Z (1 h)",
        }
    ]

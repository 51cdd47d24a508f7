"""``opsdocs dr drill``: a restore or failover test recorded under ``dr-drills/``, its achieved
RTO and RPO held against the plan's objectives, and bad input refused in one line."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.parse import read_document
from opsdocs.documents.schemas import ActionItem
from opsdocs.dr.drills import DrillFrontMatter
from opsdocs.incidents.postmortem import PostmortemFrontMatter
from tests.conftest import Result, snapshot
from tests.dr.helpers import OPS, plan_workspace

SYSTEMS = """\
  - name: orders-db
    tier: 1
    rto: 2h
    rpo: 1h
  - name: reports
    tier: 3
"""

TIMES = (
    "--started",
    "2026-11-30T10:00:00Z",
    "--restored",
    "2026-11-30T11:10:00+01:00",  # 10:10Z
    "--data-as-of",
    "2026-11-30T09:45",  # no zone: UTC
)


def _drill(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    return cli("dr", "drill", *args, cwd=root)


def test_a_drill_is_recorded_with_its_achieved_objectives(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    result = _drill(
        cli,
        root,
        "orders-db",
        *TIMES,
        "--notes",
        "Restored last night's dump to a scratch host.",
        "--action",
        "Script the restore",
        "--action",
        "Add a restore dashboard",
        "--owner",
        "team-sre",
        "--due",
        "2026-12-31",
        "--due",
        "2027-01-15",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"Recorded {OPS}/dr-drills/2026-11-30-orders-db.md\n"
        "  RTO: 10m (objective 2h): met\n"
        "  RPO: 15m (objective 1h): met\n"
        "Result: pass\n"
    )
    path = root / OPS / "dr-drills" / "2026-11-30-orders-db.md"
    model = DrillFrontMatter.model_validate(read_document(path).require_front_matter())
    assert (model.system, model.result, model.method, model.test) == (
        "orders-db",
        "pass",
        "manual",
        "restore",
    )
    assert (model.rto, model.rpo, model.achieved_rto, model.achieved_rpo) == (
        "2h",
        "1h",
        "10m",
        "15m",
    )
    assert model.data_as_of.isoformat() == "2026-11-30T09:45:00+00:00"
    assert [(a.what, a.owner, str(a.due), a.status) for a in model.action_items] == [
        ("Script the restore", "team-sre", "2026-12-31", "open"),
        ("Add a restore dashboard", "team-sre", "2027-01-15", "open"),
    ]
    text = path.read_text()
    assert "Restored last night's dump to a scratch host." in text
    assert "| RTO (restored - started) | 2h | 10m | met |" in text
    # The record is a checked document of its own kind.
    check = cli("check", str(path.relative_to(root)), "--select", "FM,NM,ST", cwd=root)
    assert check.exit_code == 0, check.stdout


def test_action_items_have_the_postmortems_shape() -> None:
    def item(model: type[DrillFrontMatter | PostmortemFrontMatter]) -> object:
        (annotated,) = typing.get_args(model.model_fields["action_items"].annotation)
        return typing.get_args(annotated)[0]

    assert item(DrillFrontMatter) is item(PostmortemFrontMatter) is ActionItem
    assert ActionItem.__module__ == "opsdocs.documents.schemas"


def test_a_missed_objective_fails_the_drill_and_json_says_why(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    result = _drill(
        cli,
        root,
        "orders-db",
        "--started",
        "2026-11-30T10:00:00Z",
        "--restored",
        "2026-11-30T13:00:00Z",
        "--data-as-of",
        "2026-11-29T22:00:00Z",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["path"] == f"{OPS}/dr-drills/2026-11-30-orders-db.md"
    assert (data["achieved_rto_seconds"], data["rto_met"]) == (3 * 3600, False)
    assert (data["achieved_rpo_seconds"], data["rpo_met"]) == (12 * 3600, False)
    assert data["result"] == "fail"
    # A second drill the same day gets a file of its own; the first is kept.
    again = _drill(cli, root, "orders-db", *TIMES)
    assert again.stdout.startswith(f"Recorded {OPS}/dr-drills/2026-11-30-orders-db-2.md\n")
    assert "result: fail" in (root / OPS / "dr-drills" / "2026-11-30-orders-db.md").read_text()


def test_a_system_without_objectives_passes_on_what_is_set(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    result = _drill(cli, root, "reports", "--test", "failover", *TIMES)
    assert result.exit_code == 0, result.stderr
    assert "  RTO: 10m (objective -): no objective\n" in result.stdout
    text = (root / OPS / "dr-drills" / "2026-11-30-reports.md").read_text()
    assert "title: 'Failover drill: reports, 2026-11-30'" in text
    assert "test: failover" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("orders-bd", *TIMES),
            "error: no system 'orders-bd' in the DR plan (did you mean 'orders-db'?)",
        ),
        (
            ("billing", *TIMES),
            "error: no system 'billing' in the DR plan (the plan's systems: orders-db, reports)",
        ),
        (
            (
                "orders-db",
                "--started",
                "2026-11-30T10:00:00Z",
                "--restored",
                "2026-11-30T09:00:00Z",
                "--data-as-of",
                "2026-11-30T08:00:00Z",
            ),
            "error: the drill ends before it starts: --restored 2026-11-30T09:00:00Z is before "
            "--started 2026-11-30T10:00:00Z (give the time the system was back with --restored)",
        ),
        (
            (
                "orders-db",
                "--started",
                "2026-11-30T10:00:00Z",
                "--restored",
                "2026-11-30T11:00:00Z",
                "--data-as-of",
                "2026-11-30T10:30:00Z",
            ),
            "error: --data-as-of 2026-11-30T10:30:00Z is after --started 2026-11-30T10:00:00Z "
            "(give the time of the newest data the restore brought back)",
        ),
        (
            ("orders-db", "--started", "2026-11-30T10:00:00Z"),
            "error: missing --restored, --data-as-of (give when the drill started, when the "
            "system was back and how recent the restored data is)",
        ),
        (
            ("orders-db", *TIMES, "--started", "yesterday"),
            "error: --started 'yesterday' is not a time (write it like 2026-11-26T14:02:00Z "
            "(no zone: UTC), 14:02, now-2h or Unix seconds)",
        ),
        (
            (
                "orders-db",
                *TIMES,
                "--action",
                "a",
                "--action",
                "b",
                "--owner",
                "x",
                "--owner",
                "y",
                "--owner",
                "z",
            ),
            "error: 3 --owner for 2 --action (give --owner once for every action, or once for "
            "all of them)",
        ),
        (
            ("orders-db", *TIMES, "--owner", "team-sre"),
            'error: --owner needs --action (e.g. --action "Fix X" --owner)',
        ),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_written(
    tmp_path: Path, cli: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    before = snapshot(root)
    result = _drill(cli, root, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert snapshot(root) == before


def test_a_plan_with_a_dependency_cycle_records_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    systems = SYSTEMS.replace("    rpo: 1h\n", "    rpo: 1h\n    depends_on: [reports]\n")
    systems += "    depends_on: [orders-db]\n"
    root = plan_workspace(tmp_path, systems)
    before = snapshot(root)
    result = _drill(cli, root, "orders-db", *TIMES)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "dependency cycle" in result.stderr
    assert snapshot(root) == before


NOTES_WITH_HEADINGS = """\
Restored last night's dump.

## Timeline

09:00 started.

# Surprises

Setext, the CLI said
---

```sh
## a comment in a script, not a heading
restic restore latest
```

> ## Quoted
> Setext in a quote
> ---
"""


def test_headings_in_the_notes_stay_inside_what_was_done(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = plan_workspace(tmp_path, SYSTEMS)
    result = _drill(cli, root, "orders-db", *TIMES, "--notes", NOTES_WITH_HEADINGS)
    assert result.exit_code == 0, result.stderr
    doc = read_document(root / OPS / "dr-drills" / "2026-11-30-orders-db.md")
    assert [s.title for s in doc.sections] == [
        "Result",
        "What Was Done",
        "What We Learned",
        "Follow-up Actions",
    ]
    done = doc.section("What Was Done")
    assert done is not None
    # the notes' outline is kept two levels down ('#' -> '###', '##' -> '####'), quotes and
    # code included; a heading in a code block is not one
    assert (
        "Restored last night's dump.\n\n#### Timeline\n\n09:00 started.\n\n### Surprises\n\n"
        "#### Setext, the CLI said\n\n```sh\n## a comment in a script, not a heading\n"
        "restic restore latest\n```\n\n> #### Quoted\n> #### Setext in a quote\n"
    ) in doc.section_text(done)
    record = f"{OPS}/dr-drills/2026-11-30-orders-db.md"
    check = cli("check", "--select", "ST", "--no-cache", record, cwd=root)
    assert (check.exit_code, check.stdout) == (0, "All checks passed (1 file).\n"), check.stdout

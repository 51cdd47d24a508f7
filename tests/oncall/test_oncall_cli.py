"""``opsdocs oncall who`` and ``schedule`` through the command line, and the bad input they
refuse with one line at the key."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, build_tree, snapshot
from tests.oncall.helpers import OPS, oncall_doc

API = """
- name: team-api
  rotations:
    - name: primary
      members: [alice, bob, carol]
      zone: Europe/Berlin
      start: 2026-03-22
      handoff: "09:00"
      length: weekly
      overrides:
        - who: dave
          from: 2026-03-30T12:00
          to: 2026-03-31T12:00
    - name: secondary
      members: [bob, carol, alice]
      zone: Europe/Berlin
      start: 2026-03-22
      handoff: "09:00"
      length: weekly
  escalation:
    - rotation: primary
    - rotation: secondary
      after: 15m
    - person: erin
      after: 30m
      role: engineering manager
"""

DB = """
- name: team-db
  rotations:
    - name: primary
      members: [dana, dev]
      zone: America/New_York
      start: 2026-03-02
      handoff: "10:00"
      length: 2d
  escalation:
    - rotation: primary
    - rotation: team-api/secondary
      after: 10m
"""


@pytest.fixture
def ws(workspace_dir: Path) -> Path:
    build_tree(
        workspace_dir,
        {
            f"{OPS}/on-call-team-api.md": oncall_doc(API),
            f"{OPS}/on-call-team-db.md": oncall_doc(DB, owner="team-db"),
        },
    )
    return workspace_dir


def test_who_prints_each_level_and_until_when(cli: Callable[..., Result], ws: Path) -> None:
    result = cli("oncall", "who", "--at", "2026-03-30T10:00:00Z", cwd=ws)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "On call at 2026-03-30 10:00Z:\n"
        "team      level                 after  who    until\n"
        "team-api  1 primary             0m     dave   2026-03-31 10:00Z\n"
        "team-api  2 secondary           15m    carol  2026-04-05 07:00Z\n"
        "team-api  3 erin                30m    erin   (always)\n"
        "team-db   1 primary             0m     dev    2026-03-30 14:00Z\n"
        "team-db   2 team-api/secondary  10m    carol  2026-04-05 07:00Z\n"
    )


def test_who_json_and_team_filter(cli: Callable[..., Result], ws: Path) -> None:
    result = cli(
        "oncall",
        "who",
        "--at",
        "2026-03-30T10:00:00Z",
        "--team",
        "team-db",
        "--format",
        "json",
        cwd=ws,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # team-db: 2-day shifts from 2026-03-02 10:00 EST; 2026-03-28 10:00 EDT starts shift 13 (dev)
    assert data["levels"][0]["on_call"] == [
        {"person": "dev", "rotation": "primary", "until": "2026-03-30T14:00:00Z"}
    ]
    assert data["levels"][1]["on_call"][0]["person"] == "carol"
    assert cli("oncall", "who", "--team", "team-x", cwd=ws).stderr == (
        "error: unknown team 'team-x' (teams with a schedule: team-api, team-db)\n"
    )


def test_schedule_ics_parses_back_and_matches_the_shifts(
    cli: Callable[..., Result], ws: Path
) -> None:
    from icalendar import Calendar

    args = ("oncall", "schedule", "--from", "2026-03-20", "--to", "2026-04-10")
    shifts = json.loads(cli(*args, "--format", "json", cwd=ws).stdout)["shifts"]
    result = cli(*args, "--format", "ics", "--out", "oncall.ics", cwd=ws)
    assert result.exit_code == 0, result.stderr
    data = (ws / "oncall.ics").read_bytes()
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(shifts) > 10
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {s["uid"] for s in shifts}
    for shift in shifts:
        event = by_uid[shift["uid"]]
        start = dt.datetime.fromisoformat(shift["start"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(shift["end"].replace("Z", "+00:00"))
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTEND") == end
        assert shift["member"] in str(event["SUMMARY"])
    # the same schedule renders to the same bytes: re-imports update rather than duplicate
    cli(*args, "--format", "ics", "--out", "again.ics", cwd=ws)
    assert (ws / "again.ics").read_bytes() == data
    assert b"\r\n" in data


def test_schedule_table_in_a_zone(cli: Callable[..., Result], ws: Path) -> None:
    result = cli(
        "oncall",
        "schedule",
        "--from",
        "2026-03-29",
        "--to",
        "2026-03-29",
        "--team",
        "team-api",
        "--zone",
        "Europe/Berlin",
        cwd=ws,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "start                  end                    team      rotation   who",
        "2026-03-29 00:00+0100  2026-03-29 09:00+0200  team-api  primary    alice",
        "2026-03-29 00:00+0100  2026-03-29 09:00+0200  team-api  secondary  bob",
        "2026-03-29 09:00+0200  2026-03-30 00:00+0200  team-api  primary    bob",
        "2026-03-29 09:00+0200  2026-03-30 00:00+0200  team-api  secondary  carol",
    ]


BAD = [
    (
        "zone: Europe/Berlin",
        "zone: Europe/Berlinn",
        11,
        "teams[0].rotations[0].zone: unknown time zone 'Europe/Berlinn' (use an IANA name "
        "such as 'Europe/Berlin')",
    ),
    (
        "length: weekly\n      overrides",
        "length: RRULE:FREQ=WEEKLY;COUNT=1\n      overrides",
        14,
        "teams[0].rotations[0].length: the RRULE 'RRULE:FREQ=WEEKLY;COUNT=1' never repeats "
        "(a rotation needs a second handoff)",
    ),
    (
        "to: 2026-03-31T12:00",
        "to: 2026-03-30T11:00",
        18,
        "teams[0].rotations[0].overrides[0].to: the override ends (2026-03-30T11:00:00) at or "
        "before it starts (2026-03-30T12:00:00) (see docs/oncall.md for the schedule keys)",
    ),
    (
        "members: [alice, bob, carol]",
        "members: []",
        10,
        "teams[0].rotations[0].members: the member list is empty (a rotation needs at least "
        "one person)",
    ),
    (
        "    - rotation: secondary\n      after: 15m",
        "    - rotation: primary\n      after: 15m",
        27,
        "teams[0].escalation[1]: level 2 escalates to itself: it pages the same rotation as "
        "level 1 (escalate to someone else, or remove the level)",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BAD)
def test_bad_input_is_one_line_at_the_key(
    cli: Callable[..., Result], workspace_dir: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in API
    path = f"{OPS}/on-call-team-api.md"
    build_tree(workspace_dir, {path: oncall_doc(API.replace(old, new))})
    before = snapshot(workspace_dir)
    result = cli("oncall", "who", "--at", "2026-03-30T10:00:00Z", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    prefix = f"error: {path}:{line}:"
    assert result.stderr.startswith(prefix), result.stderr
    assert result.stderr.split(": ", 2)[2] == message + "\n"
    assert snapshot(workspace_dir) == before


def test_bad_command_line_values(cli: Callable[..., Result], ws: Path) -> None:
    result = cli("oncall", "schedule", "--from", "2026-04-01", "--to", "2026-03-01", cwd=ws)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: the range is empty: --to must be after --from\n",
    )
    result = cli("oncall", "who", "--at", "yesterday", cwd=ws)
    assert result.stderr == (
        "error: --at 'yesterday' is not a time (write it like 2026-11-26T14:02:00Z (no zone: "
        "UTC), 14:02, now-2h or Unix seconds)\n"
    )
    result = cli("oncall", "who", "--zone", "Mars/Olympus", cwd=ws)
    assert result.stderr == (
        "error: --zone: unknown time zone 'Mars/Olympus' (use an IANA name such as "
        "'Europe/Berlin')\n"
    )


def test_no_schedules_yet(cli: Callable[..., Result], workspace_dir: Path) -> None:
    result = cli("oncall", "who", cwd=workspace_dir)
    assert (result.exit_code, result.stdout) == (
        0,
        "no on-call schedules (add 'teams' to an on-call document)\n",
    )


def test_gaps_and_report_through_the_command_line(cli: Callable[..., Result], ws: Path) -> None:
    gaps = cli(
        "oncall",
        "gaps",
        "--from",
        "2026-03-30",
        "--to",
        "2026-04-05",
        "--team",
        "team-api",
        cwd=ws,
    )
    assert gaps.exit_code == 1
    assert gaps.stdout.splitlines() == [
        "team-api: outsider-override: the override gives team-api/primary to dave, who is not "
        "one of its members",
        "team-api: back-to-back: carol's shift on team-api/primary starts at "
        "2026-04-05T07:00:00Z, the moment their shift on team-api/secondary ends",
        "Found 2 problems; 0 h uncovered",
    ]
    (ws / "holidays.txt").write_text("# Easter Monday\n2026-04-06\n")
    report = cli(
        "oncall",
        "report",
        "--from",
        "2026-04-06",
        "--to",
        "2026-04-06",
        "--team",
        "team-api",
        "--holidays",
        "holidays.txt",
        "--format",
        "json",
        cwd=ws,
    )
    assert report.exit_code == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["holidays"] == ["2026-04-06"]
    people = {p["person"]: p for p in data["people"]}
    # 2026-04-06 00:00Z-24:00Z: carol (primary) and alice (secondary) all day; the holiday is
    # 2026-04-06 in Berlin, 2026-04-05T22:00Z to 2026-04-06T22:00Z, so 22 h of it fall in range
    assert people["carol"]["hours"] == 24
    assert people["carol"]["holiday_hours"] == 22
    assert people["alice"]["night_hours"] == 8  # 22:00-06:00 Berlin is 20:00-04:00Z
    (ws / "bad.txt").write_text("2026-04-06\nEaster\n")
    bad = cli(
        "oncall",
        "report",
        "--from",
        "2026-04-06",
        "--to",
        "2026-04-06",
        "--holidays",
        "bad.txt",
        cwd=ws,
    )
    assert (bad.exit_code, bad.stderr) == (
        2,
        "error: bad.txt:2:1: not a date: 'Easter' (one YYYY-MM-DD a line)\n",
    )


def test_a_new_on_call_document_has_a_schedule(
    cli: Callable[..., Result], workspace_dir: Path
) -> None:
    assert (
        cli("new", "on-call", "team-web", "--owner", "team-sre", cwd=workspace_dir).exit_code == 0
    )
    result = cli("oncall", "who", "--team", "team-web", "--format", "json", cwd=workspace_dir)
    assert result.exit_code == 0, result.stderr
    levels = json.loads(result.stdout)["levels"]
    assert [(lv["level"], lv["target"], lv["after"]) for lv in levels] == [
        (1, ["primary"], "0m"),
        (2, ["secondary"], "15m"),
    ]

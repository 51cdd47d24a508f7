"""Shifts across real time zones and DST changes, checked against hand-computed instants."""

from __future__ import annotations

import datetime as dt

from opsdocs.oncall.schedule import parse_when, schedule, who
from tests.oncall.helpers import roster

UTC = dt.UTC


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


BERLIN = """
- name: team-api
  rotations:
    - name: primary
      members: [alice, bob, carol]
      zone: Europe/Berlin
      start: 2026-03-22
      handoff: "09:00"
      length: weekly
"""


def test_weekly_berlin_handoff_across_the_march_change() -> None:
    # 2026-03-29 is the last Sunday of March: 09:00 CET is 08:00Z, 09:00 CEST is 07:00Z.
    shifts = schedule(roster(BERLIN), z("2026-03-22T00:00Z"), z("2026-04-06T00:00Z"))
    assert [(s.member, s.start, s.end) for s in shifts] == [
        ("alice", z("2026-03-22T08:00Z"), z("2026-03-29T07:00Z")),
        ("bob", z("2026-03-29T07:00Z"), z("2026-04-05T07:00Z")),
        ("carol", z("2026-04-05T07:00Z"), z("2026-04-06T00:00Z")),
    ]
    assert shifts[0].hours == 167
    assert shifts[1].hours == 168


def test_weekly_berlin_handoff_across_the_october_change() -> None:
    # 2026-10-25 is the last Sunday of October: the week before it lasts 169 hours.
    # Week 30 after 2026-03-22 starts 2026-10-18 (30 % 3 = 0: alice), week 31 is bob's.
    shifts = schedule(roster(BERLIN), z("2026-10-18T00:00Z"), z("2026-11-01T12:00Z"))
    assert [(s.member, s.start, s.end) for s in shifts[1:3]] == [
        ("alice", z("2026-10-18T07:00Z"), z("2026-10-25T08:00Z")),
        ("bob", z("2026-10-25T08:00Z"), z("2026-11-01T08:00Z")),
    ]
    assert shifts[1].hours == 169


def test_who_at_checked_against_hand_computed_shifts() -> None:
    team = roster(BERLIN)
    cases = [
        ("2026-03-29T06:59:59Z", "alice", "2026-03-29T07:00:00Z"),
        ("2026-03-29T07:00:00Z", "bob", "2026-04-05T07:00:00Z"),
        ("2026-10-25T07:30:00Z", "alice", "2026-10-25T08:00:00Z"),
        ("2026-10-25T08:00:00Z", "bob", "2026-11-01T08:00:00Z"),
    ]
    for at, person, until in cases:
        (level,) = who(team, z(at))
        assert level.members == [(person, "primary", z(until))], at
    (before,) = who(team, z("2026-03-22T07:59:00Z"))
    assert before.members == []  # the rotation has not started yet


def test_until_spans_contiguous_shifts_of_the_same_person() -> None:
    team = roster(
        """
        - name: solo
          rotations:
            - name: primary
              members: [alice]
              zone: UTC
              start: 2026-01-05
              length: daily
        """
    )
    (level,) = who(team, z("2026-01-06T12:00Z"))
    # alice holds every daily shift: her cover runs to the end of the look-ahead window
    assert level.members[0][2] is not None and level.members[0][2] > z("2026-04-01T00:00Z")


FOLLOW_THE_SUN = """
- name: team-edge
  rotations:
    - name: americas
      members: [nina, noah]
      zone: America/New_York
      start: 2026-02-23
      handoff: "09:00"
      length: daily
      restrict: {hours: "09:00-21:00"}
    - name: india
      members: [isha, ira]
      zone: Asia/Kolkata
      start: 2026-02-23
      handoff: "07:30"
      length: daily
      restrict: {hours: "07:30-19:30"}
  escalation:
    - rotation: [americas, india]
"""


def test_follow_the_sun_tiles_the_day_in_winter_and_moves_with_new_york_dst() -> None:
    team = roster(FOLLOW_THE_SUN)
    # 2026-03-06 (EST, -5): New York 09-21 is 14:00-02:00Z, Kolkata 07:30-19:30 is 02:00-14:00Z.
    winter = schedule(team, z("2026-03-06T00:00Z"), z("2026-03-07T00:00Z"))
    assert [(s.rotation, s.start, s.end) for s in winter] == [
        ("americas", z("2026-03-06T00:00Z"), z("2026-03-06T02:00Z")),
        ("india", z("2026-03-06T02:00Z"), z("2026-03-06T14:00Z")),
        ("americas", z("2026-03-06T14:00Z"), z("2026-03-07T00:00Z")),
    ]
    # 2026-03-10 (EDT, -4 since 2026-03-08): New York is 13:00-01:00Z; Kolkata does not move.
    summer = schedule(team, z("2026-03-10T00:00Z"), z("2026-03-11T00:00Z"))
    assert [(s.rotation, s.start, s.end) for s in summer] == [
        ("americas", z("2026-03-10T00:00Z"), z("2026-03-10T01:00Z")),
        ("india", z("2026-03-10T02:00Z"), z("2026-03-10T14:00Z")),
        ("americas", z("2026-03-10T13:00Z"), z("2026-03-11T00:00Z")),
    ]
    # who: 01:30Z on 2026-03-10 is in the hole; 13:30Z both are on call
    (hole,) = who(team, z("2026-03-10T01:30Z"))
    assert hole.members == []
    (both,) = who(team, z("2026-03-10T13:30Z"))
    assert sorted(m[1] for m in both.members) == ["americas", "india"]


def test_members_alternate_in_order_per_handoff() -> None:
    team = roster(FOLLOW_THE_SUN)
    shifts = schedule(team, z("2026-02-23T00:00Z"), z("2026-02-26T00:00Z"), team="team-edge")
    india = [s.member for s in shifts if s.rotation == "india"]
    assert india == ["isha", "ira", "isha"]


def test_override_replaces_the_rotation_for_its_span() -> None:
    team = roster(
        BERLIN.replace(
            "length: weekly",
            "length: weekly\n      overrides:\n        - who: dave\n"
            "          from: 2026-03-30T12:00\n          to: 2026-03-31T12:00:00+02:00",
        )
    )
    shifts = schedule(team, z("2026-03-29T00:00Z"), z("2026-04-05T12:00Z"))
    assert [(s.member, s.start, s.end, s.override) for s in shifts] == [
        ("alice", z("2026-03-29T00:00Z"), z("2026-03-29T07:00Z"), False),
        ("bob", z("2026-03-29T07:00Z"), z("2026-03-30T10:00Z"), False),
        ("dave", z("2026-03-30T10:00Z"), z("2026-03-31T10:00Z"), True),
        ("bob", z("2026-03-31T10:00Z"), z("2026-04-05T07:00Z"), False),
        ("carol", z("2026-04-05T07:00Z"), z("2026-04-05T12:00Z"), False),
    ]
    (now,) = who(team, z("2026-03-30T11:00Z"))
    assert now.members == [("dave", "primary", z("2026-03-31T10:00Z"))]


def test_business_hours_and_rrule_lengths() -> None:
    team = roster(
        """
        - name: team-db
          rotations:
            - name: days
              members: [dana, dev]
              zone: Europe/London
              start: 2026-06-01
              handoff: "09:00"
              length: "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"
              restrict: business-hours
        """
    )
    shifts = schedule(team, z("2026-06-01T00:00Z"), z("2026-06-08T00:00Z"))
    # BST is +1: 09:00-17:00 local is 08:00-16:00Z; Monday to Wednesday dana, Thursday on dev.
    assert [(s.member, s.start.day, s.start.hour, s.end.hour) for s in shifts] == [
        ("dana", 1, 8, 16),
        ("dana", 2, 8, 16),
        ("dana", 3, 8, 16),
        ("dev", 4, 8, 16),
        ("dev", 5, 8, 16),
    ]


def test_a_rotation_that_ends_leaves_the_month_with_a_gap() -> None:
    team = roster(
        """
        - name: team-db
          rotations:
            - name: primary
              members: [dana, dev]
              zone: UTC
              start: 2026-06-01
              handoff: "09:00"
              length: "RRULE:FREQ=WEEKLY;UNTIL=20260615T090000"
        """
    )
    shifts = schedule(team, z("2026-06-01T00:00Z"), z("2026-07-01T00:00Z"))
    assert [(s.member, s.start, s.end) for s in shifts] == [
        ("dana", z("2026-06-01T09:00Z"), z("2026-06-08T09:00Z")),
        ("dev", z("2026-06-08T09:00Z"), z("2026-06-15T09:00Z")),
    ]


def test_uids_do_not_depend_on_the_range() -> None:
    team = roster(BERLIN)
    wide = schedule(team, z("2026-03-01T00:00Z"), z("2026-05-01T00:00Z"))
    narrow = schedule(team, z("2026-04-02T00:00Z"), z("2026-04-03T00:00Z"))
    assert narrow[0].uid in {s.uid for s in wide}
    assert len({s.uid for s in wide}) == len(wide)


def test_parse_when_reads_dates_local_times_and_offsets() -> None:
    assert parse_when("2026-03-29", what="--at") == z("2026-03-29T00:00Z")
    assert parse_when("2026-03-29", what="--to", end=True) == z("2026-03-30T00:00Z")
    assert parse_when("2026-03-29T09:00", what="--at", zone_name="Europe/Berlin") == z(
        "2026-03-29T07:00Z"
    )
    assert parse_when("2026-03-29T09:00:00+01:00", what="--at") == z("2026-03-29T08:00Z")


def test_a_handoff_time_that_does_not_exist_uses_the_offset_before_the_change() -> None:
    team = roster(
        """
        - name: night
          rotations:
            - name: primary
              members: [alice, bob]
              zone: Europe/Berlin
              start: 2026-03-28
              handoff: "02:30"
              length: daily
        """
    )
    shifts = schedule(team, z("2026-03-28T00:00Z"), z("2026-03-31T00:00Z"))
    # 02:30 does not exist on 2026-03-29 in Berlin; read with CET (+1) it is 01:30Z (03:30 CEST)
    assert [(s.member, s.start, s.end) for s in shifts] == [
        ("alice", z("2026-03-28T01:30Z"), z("2026-03-29T01:30Z")),
        ("bob", z("2026-03-29T01:30Z"), z("2026-03-30T00:30Z")),
        ("alice", z("2026-03-30T00:30Z"), z("2026-03-31T00:00Z")),
    ]

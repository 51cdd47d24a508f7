"""Gaps, overlaps, outsider overrides, back-to-back shifts, and the load report."""

from __future__ import annotations

import datetime as dt

from opsdocs.oncall.coverage import find_gaps, load_report, uncovered_hours
from tests.oncall.helpers import roster
from tests.oncall.test_schedule import FOLLOW_THE_SUN, z


def test_a_month_of_follow_the_sun_has_an_hour_gap_each_day_of_us_summer_time() -> None:
    team = roster(FOLLOW_THE_SUN)
    gaps = find_gaps(team, z("2026-03-01T00:00Z"), z("2026-04-01T00:00Z"))
    holes = [(g.start, g.end) for g in gaps if g.kind == "uncovered"]
    # New York moves to EDT on 2026-03-08: from the next night on, 01:00-02:00Z is nobody's.
    assert holes == [
        (z(f"2026-03-{day:02d}T01:00Z"), z(f"2026-03-{day:02d}T02:00Z")) for day in range(9, 32)
    ]
    assert sum(g.hours for g in gaps) == uncovered_hours(gaps) == 23
    assert gaps[0].message == (
        "nobody covers level 1 (americas, india, after 0m) from 2026-03-09T01:00:00Z to "
        "2026-03-09T02:00:00Z (1 h)"
    )
    # February: the halves tile the day exactly
    assert find_gaps(team, z("2026-02-24T00:00Z"), z("2026-03-08T00:00Z")) == []


TWO_LAYERS = """
- name: team-api
  rotations:
    - name: primary
      members: [alice, bob]
      zone: UTC
      start: 2026-06-01
      handoff: "09:00"
      length: weekly
      overrides:
        - who: zoe
          from: 2026-06-03T09:00:00Z
          to: 2026-06-04T09:00:00Z
        - who: carol
          from: 2026-06-10T09:00:00Z
          to: 2026-06-11T09:00:00Z
    - name: secondary
      members: [carol, alice]
      zone: UTC
      start: 2026-06-01
      handoff: "09:00"
      length: weekly
"""


def test_overlap_outsider_override_and_back_to_back() -> None:
    team = roster(TWO_LAYERS)
    gaps = find_gaps(team, z("2026-06-01T09:00Z"), z("2026-06-15T09:00Z"))
    found = [(g.kind, g.person, g.start, g.end) for g in gaps]
    assert found == [
        # zoe is not a member of primary
        ("outsider-override", "zoe", z("2026-06-03T09:00Z"), z("2026-06-04T09:00Z")),
        # alice: primary in week 1 ends as her secondary in week 2 starts
        ("back-to-back", "alice", z("2026-06-08T09:00Z"), z("2026-06-15T09:00Z")),
        # carol is on secondary, not on primary: an override there is an outsider's too
        ("outsider-override", "carol", z("2026-06-10T09:00Z"), z("2026-06-11T09:00Z")),
    ]
    # every hour has someone, however badly: 24 h of outsider and 168 h back to back
    assert sum(g.hours for g in gaps) == 24 + 168 + 24
    assert uncovered_hours(gaps) == 0


def test_a_person_on_two_rotations_at_once_is_an_overlap() -> None:
    team = roster(TWO_LAYERS.replace("members: [carol, alice]", "members: [alice, carol]"))
    gaps = find_gaps(team, z("2026-06-01T09:00Z"), z("2026-06-08T09:00Z"))
    overlaps = [(g.person, g.start, g.end) for g in gaps if g.kind == "overlap"]
    # alice holds primary and secondary in week 1, except while zoe has primary
    assert overlaps == [
        ("alice", z("2026-06-01T09:00Z"), z("2026-06-03T09:00Z")),
        ("alice", z("2026-06-04T09:00Z"), z("2026-06-08T09:00Z")),
    ]


def test_load_report_counts_nights_weekends_and_holidays_in_the_local_zone() -> None:
    team = roster(
        """
        - name: solo
          rotations:
            - name: primary
              members: [alice, bob]
              zone: Europe/Berlin
              start: 2026-06-01
              handoff: "00:00"
              length: weekly
        """
    )
    # alice: Monday 2026-06-01 00:00 to Monday 2026-06-08 00:00 Berlin (CEST, +2)
    loads = load_report(
        team,
        z("2026-05-31T22:00Z"),
        z("2026-06-07T22:00Z"),
        holidays=[dt.date(2026, 6, 4)],
        night="22:00-06:00",
    )
    assert [lo.as_dict() for lo in loads] == [
        {
            "person": "alice",
            "shifts": 1,
            "hours": 168,
            "night_hours": 56,  # 8 h a night, 7 nights
            "weekend_hours": 48,
            "holiday_hours": 24,
            "teams": ["solo"],
        }
    ]


def test_load_report_splits_an_override_out_of_the_shift() -> None:
    team = roster(TWO_LAYERS)
    loads = {
        lo.person: lo
        for lo in load_report(team, z("2026-06-01T09:00Z"), z("2026-06-08T09:00Z"), team="team-api")
    }
    assert loads["alice"].seconds / 3600 == 168 - 24
    assert loads["alice"].shifts == 1
    assert loads["zoe"].seconds / 3600 == 24
    assert loads["carol"].seconds / 3600 == 168

"""Incident records: slugs, times, timeline entries kept in order beside people's text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import parse_document
from opsdocs.errors import UsageError
from opsdocs.incidents.records import (
    find_incident,
    format_time,
    incident_from_document,
    parse_timeline,
    slug_for,
)
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree

UTC = dt.UTC


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Checkout returns 5xx", "checkout-returns-5xx"),
        ("  DB: replica lag > 30s!! ", "db-replica-lag-30s"),
        ("Café outage — Zürich", "cafe-outage-zurich"),
        ("支付失败", "incident"),  # letters, but none in ASCII
        ("a" * 70, "a" * 60),
        ("word " * 20, "-".join(["word"] * 12)),
    ],
)
def test_slug_for(title: str, slug: str) -> None:
    assert slug_for(title) == slug
    assert get_kind("incident").match(f"2025-01-01-{slug}.md") == slug


@pytest.mark.parametrize("title", ["", "   ", "!!!", "— … —"])
def test_slug_for_refuses_titles_without_words(title: str) -> None:
    with pytest.raises(UsageError):
        slug_for(title)


def test_format_time() -> None:
    assert format_time(dt.datetime(2025, 3, 4, 14, 2, 9, tzinfo=UTC)) == "2025-03-04T14:02:09Z"


RECORD = """---
kind: incident
id: 2025-03-04-x
title: X
owner: team-sre
severity: P2
status: active
milestones:
  started: 2025-03-04T10:00:00Z
---

# X

## Summary

Something people wrote.

## Timeline

_guidance_

- 2025-03-04T10:00:00Z — Opened
- 2025-03-04T10:30:00Z — Second
  with a continuation line
- 2025-03-04T11:00:00Z — Third

## Notes

Kept as written.
"""


def test_entries_go_in_time_order_and_other_text_stays() -> None:
    incident = incident_from_document(parse_document(Path("x.md"), RECORD))
    incident.add_entry(dt.datetime(2025, 3, 4, 10, 45, tzinfo=UTC), "Between")
    incident.add_entry(dt.datetime(2025, 3, 4, 10, 30, tzinfo=UTC), "Same time as second")
    incident.add_entry(dt.datetime(2025, 3, 4, 12, 0, tzinfo=UTC), "Last")
    text = incident.text()
    timeline = [
        (format_time(e.at), e.text) for e in parse_timeline(parse_document(Path("x.md"), text))
    ]
    assert timeline == [
        ("2025-03-04T10:00:00Z", "Opened"),
        ("2025-03-04T10:30:00Z", "Second"),
        ("2025-03-04T10:30:00Z", "Same time as second"),
        ("2025-03-04T10:45:00Z", "Between"),
        ("2025-03-04T11:00:00Z", "Third"),
        ("2025-03-04T12:00:00Z", "Last"),
    ]
    assert (
        "- 2025-03-04T10:30:00Z — Second\n  with a continuation line\n- 2025-03-04T10:30:00Z"
        in text
    )
    assert text.endswith("- 2025-03-04T12:00:00Z — Last\n\n## Notes\n\nKept as written.\n")
    assert "## Summary\n\nSomething people wrote.\n" in text


def test_first_entry_and_missing_section() -> None:
    empty = RECORD.split("- 2025-03-04T10:00:00Z")[0].rstrip() + "\n\n## Notes\n\nKept.\n"
    incident = incident_from_document(parse_document(Path("x.md"), empty))
    incident.add_entry(dt.datetime(2025, 3, 4, 10, 5, tzinfo=UTC), "First")
    assert "_guidance_\n\n- 2025-03-04T10:05:00Z — First\n\n## Notes\n" in incident.text()
    none = RECORD.split("## Timeline")[0]
    incident = incident_from_document(parse_document(Path("x.md"), none))
    incident.add_entry(dt.datetime(2025, 3, 4, 10, 5, tzinfo=UTC), "First")
    assert incident.text().endswith("## Timeline\n\n- 2025-03-04T10:05:00Z — First\n")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=15))
def test_timeline_stays_sorted_whatever_the_order(offsets: list[int]) -> None:
    incident = incident_from_document(parse_document(Path("x.md"), RECORD))
    base = dt.datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    for n, offset in enumerate(offsets):
        incident.add_entry(base + dt.timedelta(seconds=offset), f"entry {n}")
    entries = parse_timeline(parse_document(Path("x.md"), incident.text()))
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert sorted(e.text for e in entries if e.text.startswith("entry ")) == sorted(
        f"entry {n}" for n in range(len(offsets))
    )


def test_find_incident_by_id_slug_and_path(tmp_path: Path, cli: Callable[..., Result]) -> None:
    folder = "docs/internal/operations/incidents"
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": "",
            f"{folder}/2025-01-01-db-down.md": "x",
            f"{folder}/2025-02-01-db-down.md": "x",
            f"{folder}/2025-02-01-api-down.md": "x",
        },
    )
    ws = Workspace.discover(root=tmp_path)
    assert find_incident(ws, "2025-01-01-db-down").name == "2025-01-01-db-down.md"
    assert find_incident(ws, "api-down").name == "2025-02-01-api-down.md"
    assert find_incident(ws, str(tmp_path / folder / "2025-02-01-api-down.md")).name == (
        "2025-02-01-api-down.md"
    )
    with pytest.raises(UsageError) as info:
        find_incident(ws, "db-down")
    assert str(info.value) == (
        "incident 'db-down' is ambiguous (use the full id: 2025-01-01-db-down, 2025-02-01-db-down)"
    )


HAND_WRITTEN = """---
# Incident record: opsdocs keeps these comments
id: 2025-06-01-search-is-slow   # the file stem
kind: incident
title: Search is slow
severity: P2   # set at triage
status: triage  # moved by opsdocs
owner: team-search
notes_url: https://wiki.example/inc/42   # our own key
services: [search]
drill: false
roles: {}
milestones:
  # all times UTC
  started: '2025-06-01T10:00:00Z'
  detected: '2025-06-01T10:00:00Z'   # the alert fired
  acknowledged: null
  mitigated: null
  resolved: null
template: opsdocs/incident@1
---"""
COMMENTS = [
    "# Incident record: opsdocs keeps these comments",
    "# the file stem",
    "# set at triage",
    "# moved by opsdocs",
    "# our own key",
    "# all times UTC",
    "# the alert fired",
]
STEPS: list[tuple[tuple[str, ...], str, object]] = [
    (("log", "Search p99 at 4s", "--at", "2025-06-01T10:01:00Z"), "status", "triage"),
    (("ack", "--by", "alice", "--at", "2025-06-01T10:02:00Z"), "status", "active"),
    (("assign", "scribe", "bob", "--at", "2025-06-01T10:03:00Z"), "roles", None),
    (("set-severity", "P1", "--at", "2025-06-01T10:04:00Z"), "severity", "P1"),
    (("mitigate", "--at", "2025-06-01T10:05:00Z"), "status", "mitigated"),
    (("resolve", "--at", "2025-06-01T10:06:00Z"), "status", "resolved"),
]


def test_lifecycle_commands_keep_comments_and_key_order(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    opened = cli(
        "incident", "open", "-s", "P2", "--service", "search", "Search is slow",
        "--at", "2025-06-01T10:00:00Z", cwd=workspace_dir,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    path = workspace_dir / "docs/internal/operations/incidents/2025-06-01-search-is-slow.md"
    text = path.read_text()
    body = text[text.index("\n---\n", 4) + len("\n---") :]
    path.write_text(HAND_WRITTEN + body)
    order = [k for k in parse_document(path, HAND_WRITTEN + body).front_matter or {}]
    intro = body.split("## Timeline")[0]
    for args, key, value in STEPS:
        result = cli("incident", args[0], "2025-06-01-search-is-slow", *args[1:], cwd=workspace_dir)
        assert result.exit_code == 0, (args, result.stderr)
        text = path.read_text()
        head = text[: text.index("\n---\n", 4)]
        assert [c for c in COMMENTS if c not in head] == [], args
        assert "notes_url: https://wiki.example/inc/42   # our own key" in head, args
        doc = parse_document(path, text)
        assert doc.front_matter is not None
        assert list(doc.front_matter)[: len(order)] == order, args  # new keys only at the end
        if value is not None:
            assert doc.front_matter[key] == value, args
        assert text[len(head) :].startswith("\n---" + intro), args  # the body before the timeline
    front_matter = doc.front_matter
    assert front_matter["roles"] == {"incident-commander": "alice", "scribe": "bob"}
    assert front_matter["milestones"]["resolved"] == "2025-06-01T10:06:00Z"
    assert "status: resolved  # moved by opsdocs" in head
    assert "severity: P1   # set at triage" in head
    entries = [e.text for e in parse_timeline(doc)]
    assert entries[1] == "Search p99 at 4s" and entries[-1] == "Resolved"

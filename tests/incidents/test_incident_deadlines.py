"""What is late on an incident, and the JSON form ``incident show`` prints (incidents/deadlines.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from opsdocs.incidents.deadlines import describe_incident
from opsdocs.incidents.lifecycle import acknowledge, open_incident
from opsdocs.workspace import Workspace

OPENED = dt.datetime(2025, 3, 4, 14, 5, tzinfo=dt.UTC)


def _opened(root: Path) -> tuple[Workspace, str]:
    workspace = Workspace.discover(root=root)
    result = open_incident(
        workspace,
        "Checkout returns 5xx",
        severity="P1",
        services=[],
        at=OPENED,
        started=OPENED - dt.timedelta(minutes=5),
        owner="team-sre",
    )
    return workspace, result.change.id


def test_the_view_lists_the_deadlines_and_gives_its_json_form(workspace_dir: Path) -> None:
    workspace, ident = _opened(workspace_dir)
    view = describe_incident(workspace, ident, now=OPENED + dt.timedelta(hours=1))
    ack, update = list(view.deadlines)
    assert (ack.what, update.what) == ("acknowledgement", "status update")
    data = view.as_dict()
    assert (data["id"], data["status"], data["path"]) == (
        ident,
        "triage",
        f"docs/internal/operations/incidents/{ident}.md",
    )
    assert data["milestones"]["started"] == "2025-03-04T14:00:00Z"
    assert data["timeline"][0] == {"at": "2025-03-04T14:00:00Z", "text": "Impact started"}
    assert data["deadlines"] == [
        {
            "what": "acknowledgement",
            "due": ack.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "late_seconds": int((OPENED + dt.timedelta(hours=1) - ack.due).total_seconds()),
            "met": None,
        },
        update.as_dict(),
    ]
    assert view.deadlines.marks == [d.mark for d in (ack, update)]


def test_a_met_target_says_when_and_leaves_the_marks(workspace_dir: Path) -> None:
    workspace, ident = _opened(workspace_dir)
    acknowledge(workspace, ident, by="carol", at=OPENED + dt.timedelta(minutes=1))
    view = describe_incident(workspace, ident, now=OPENED + dt.timedelta(minutes=2))
    ack = view.as_dict()["deadlines"][0]
    assert (ack["what"], ack["late_seconds"], ack["met"]) == (
        "acknowledgement",
        None,
        "2025-03-04T14:06:00Z",
    )
    assert view.deadlines.marks == []

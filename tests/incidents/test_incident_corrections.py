"""Typing in a hurry, correcting mistakes, and seeing what is late."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.parse import read_document
from tests.conftest import Result, snapshot
from tests.incidents.helpers import fill_postmortem

OPS = Path("docs/internal/operations")
ID = "2025-03-04-checkout-returns-5xx"


@pytest.fixture
def ws(workspace_dir: Path, cli: Callable[..., Result]) -> Path:
    opened = cli(
        "incident", "open", "-s", "P1", "--service", "api", "Checkout returns 5xx",
        "--at", "2025-03-04T14:05:00Z", "--started", "2025-03-04T14:00:00Z", cwd=workspace_dir,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    return workspace_dir


def _entries(ws: Path, ident: str = ID) -> list[str]:
    doc = read_document(ws / OPS / "incidents" / f"{ident}.md")
    section = doc.section("Timeline")
    assert section is not None
    return [line for line in doc.section_text(section).split("\n") if line.startswith("- ")]


def _front(ws: Path, ident: str = ID) -> dict[str, object]:
    fm = read_document(ws / OPS / "incidents" / f"{ident}.md").front_matter
    assert fm is not None
    return fm


def test_log_takes_the_rest_of_the_line_and_an_id_prefix(
    ws: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "incident", "log", "checkout", "rolled", "back", "again",
        "--at", "2025-03-04T14:10:00Z", cwd=ws,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{ID}: triage — 2025-03-04T14:10:00Z rolled back again\n"
    assert _entries(ws)[-1] == "- 2025-03-04T14:10:00Z — rolled back again"


def test_unknown_id_suggests_and_ambiguous_prefix_lists(
    ws: Path, cli: Callable[..., Result]
) -> None:
    other = cli(
        "incident", "open", "-s", "P3", "Checkout slow", "--at", "2025-03-05T09:00:00Z", cwd=ws
    )
    assert other.exit_code == 0, other.stderr
    before = snapshot(ws)
    typo = cli("incident", "log", "checkout-returns-5xz", "note", cwd=ws)
    assert typo.exit_code == 2
    assert typo.stderr == (
        "error: unknown incident 'checkout-returns-5xz' (did you mean "
        f"'{ID}'?) (see 'opsdocs incident list' for the ids)\n"
    )
    both = cli("incident", "log", "checkout", "note", cwd=ws)
    assert both.exit_code == 2
    assert both.stderr == (
        "error: incident 'checkout' is ambiguous "
        f"(use the full id: {ID}, 2025-03-05-checkout-slow)\n"
    )
    assert snapshot(ws) == before


def test_role_aliases(ws: Path, cli: Callable[..., Result]) -> None:
    for role, person in (("ic", "alice"), ("comms", "bob"), ("Scribe", "carol")):
        result = cli("incident", "assign", ID, role, person, "--at", "2025-03-04T14:06:00Z", cwd=ws)
        assert result.exit_code == 0, result.stderr
    assert _front(ws)["roles"] == {
        "incident-commander": "alice",
        "communications-lead": "bob",
        "scribe": "carol",
    }
    bad = cli("incident", "assign", ID, "scrib", "dave", cwd=ws)
    assert bad.exit_code == 2
    assert bad.stderr == (
        "error: unknown role 'scrib' (did you mean 'scribe'?) "
        "(use one of incident-commander, communications-lead, scribe)\n"
    )


def test_edit_changes_title_services_owner_and_times_with_entries(
    ws: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "incident", "edit", ID, "--title", "Checkout and cart return 5xx",
        "--add-service", "cart", "--owner", "team-shop", "--started", "2025-03-04T13:58:00Z",
        "--at", "2025-03-04T14:20:00Z", cwd=ws,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    fm = _front(ws)
    assert fm["title"] == "Checkout and cart return 5xx"
    assert fm["services"] == ["api", "cart"]
    assert fm["owner"] == "team-shop"
    assert fm["milestones"]["started"] == "2025-03-04T13:58:00Z"  # type: ignore[index]
    assert _entries(ws)[-4:] == [
        "- 2025-03-04T14:20:00Z — Title changed from 'Checkout returns 5xx' to "
        "'Checkout and cart return 5xx'",
        "- 2025-03-04T14:20:00Z — Services changed from api to api, cart",
        "- 2025-03-04T14:20:00Z — Owner changed from team-sre to team-shop",
        "- 2025-03-04T14:20:00Z — Milestone started changed from 2025-03-04T14:00:00Z to "
        "2025-03-04T13:58:00Z",
    ]
    before = snapshot(ws)
    late = cli("incident", "edit", ID, "--started", "2025-03-04T14:06:00Z", cwd=ws)
    assert late.exit_code == 2
    assert late.stderr == (
        "error: detected 2025-03-04T14:05:00Z would be before started 2025-03-04T14:06:00Z "
        "(milestones go started, detected, acknowledged, mitigated, resolved)\n"
    )
    same = cli("incident", "edit", ID, "--owner", "team-shop", cwd=ws)
    assert same.exit_code == 2
    assert same.stderr == (
        f"error: nothing to change in incident {ID} "
        "(pass --title, --service, --owner or a milestone time)\n"
    )
    assert snapshot(ws) == before


def test_resolve_says_it_filled_in_mitigated_and_reopen_clears_it(
    ws: Path, cli: Callable[..., Result]
) -> None:
    assert cli("incident", "ack", ID, "--at", "2025-03-04T14:07:00Z", cwd=ws).exit_code == 0
    resolved = cli("incident", "resolve", ID, "deploy", "reverted", "--at", "2025-03-04T15:00:00Z",
                   cwd=ws)  # fmt: skip
    assert resolved.exit_code == 0, resolved.stderr
    assert resolved.stdout.splitlines()[:2] == [
        f"{ID}: resolved — 2025-03-04T15:00:00Z Resolved: deploy reverted",
        "  mitigated set to 2025-03-04T15:00:00Z too (no mitigation was recorded; correct it "
        f"with: opsdocs incident edit {ID} --mitigated TIME)",
    ]
    reopened = cli("incident", "reopen", ID, "errors", "are", "back", "--at",
                   "2025-03-04T16:00:00Z", cwd=ws)  # fmt: skip
    assert reopened.exit_code == 0, reopened.stderr
    fm = _front(ws)
    assert fm["status"] == "active"
    assert fm["milestones"]["resolved"] is None  # type: ignore[index]
    assert fm["milestones"]["mitigated"] is None  # type: ignore[index]
    assert "postmortem_due" not in fm
    assert _entries(ws)[-1] == (
        "- 2025-03-04T16:00:00Z — Reopened (was resolved; cleared mitigated "
        "2025-03-04T15:00:00Z, resolved 2025-03-04T15:00:00Z): errors are back"
    )
    again = cli("incident", "reopen", ID, cwd=ws)
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: cannot reopen incident {ID}: it is active (it is still open: nothing to reopen)\n"
    )


def test_duplicates_and_false_alarms_are_closed_and_left_out_of_stats(
    ws: Path, cli: Callable[..., Result]
) -> None:
    dup = "2025-03-04-checkout-5xx-again"
    opened = cli("incident", "open", "-s", "P1", "--service", "api", "Checkout 5xx again",
                 "--at", "2025-03-04T14:06:00Z", cwd=ws)  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    noise = "2025-03-04-pager-noise"
    assert cli("incident", "open", "-s", "P3", "Pager noise", "--at", "2025-03-04T15:00:00Z",
               cwd=ws).exit_code == 0  # fmt: skip
    closed = cli("incident", "close", dup, "--duplicate-of", "checkout-returns",
                 "--at", "2025-03-04T14:08:00Z", cwd=ws)  # fmt: skip
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout == (
        f"{dup}: closed — 2025-03-04T14:08:00Z Closed as a duplicate of {ID}\n"
    )
    alarm = cli("incident", "close", noise, "--false-alarm", "--at", "2025-03-04T15:01:00Z",
                cwd=ws)  # fmt: skip
    assert alarm.exit_code == 0, alarm.stderr
    assert _front(ws, dup)["closed_as"] == "duplicate"
    assert _front(ws, dup)["duplicate_of"] == ID
    assert _front(ws, noise)["closed_as"] == "false-alarm"
    stats = cli("incident", "stats", cwd=ws)
    assert stats.stdout.splitlines()[0] == ("Incidents: 1 (2 duplicates or false alarms left out)")
    # Closed without a resolution, yet no check finding (IR002) on either record.
    check = cli("check", "--select", "IR002", "--no-cache", cwd=ws)
    assert check.exit_code == 0, check.stdout
    both = cli("incident", "close", ID, "--false-alarm", "--duplicate-of", dup, cwd=ws)
    assert both.exit_code == 2
    assert both.stderr == (
        "error: an incident is either a duplicate or a false alarm "
        "(pass --duplicate-of ID or --false-alarm, not both)\n"
    )


def test_list_and_show_mark_what_is_late(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    opened = cli("incident", "open", "-s", "P1", "Queue stuck", "--at", "now-5h", cwd=workspace_dir)
    assert opened.exit_code == 0, opened.stderr
    ident = opened.stdout.splitlines()[0].rsplit("/", 1)[1][: -len(".md")]
    listed = cli("incident", "list", cwd=workspace_dir).stdout.splitlines()
    assert listed[0].split() == ["ID", "SEVERITY", "STATUS", "STARTED", "SERVICES", "LATE", "TITLE"]
    assert "ack late 4h 55m, update late 4h 30m  Queue stuck" in listed[1]
    shown = cli("incident", "show", ident, cwd=workspace_dir).stdout.splitlines()
    assert re.fullmatch(
        r"NOT ACKNOWLEDGED: the target \(\S+Z\) was missed by 4h 55m\.", shown[-2]
    ), shown
    assert re.fullmatch(r"STATUS UPDATE OVERDUE by 4h 30m \(was due by \S+Z\)\.", shown[-1]), shown
    import json

    rows = json.loads(cli("incident", "list", "--format", "json", cwd=workspace_dir).stdout)
    assert rows[0]["late"] == ["ack late 4h 55m", "update late 4h 30m"]
    data = json.loads(cli("incident", "show", ident, "--format", "json", cwd=workspace_dir).stdout)
    assert [(d["what"], d["late_seconds"] // 60) for d in data["deadlines"]] == [
        ("acknowledgement", 295),
        ("status update", 270),
    ]
    assert cli("incident", "ack", ident, cwd=workspace_dir).exit_code == 0
    listed = cli("incident", "list", cwd=workspace_dir).stdout.splitlines()
    assert listed[1].split()[5] == "-"  # acknowledged, and the entry just written is an update
    shown = cli("incident", "show", ident, cwd=workspace_dir).stdout.splitlines()
    assert shown[-2].startswith("Acknowledged 4h 55m after the target (")
    assert shown[-1].startswith("Next status update due by ")


def test_close_refuses_a_reviewed_postmortem_with_placeholders(
    ws: Path, cli: Callable[..., Result]
) -> None:
    for step in (
        ("ack", ID, "--at", "2025-03-04T14:07:00Z"),
        ("resolve", ID, "--at", "2025-03-04T15:00:00Z"),
        ("postmortem", ID),
    ):
        assert cli("incident", *step, cwd=ws).exit_code == 0
    pm = ws / OPS / "postmortems" / f"{ID}.md"
    fill_postmortem(pm)
    for status in ("In Review", "Reviewed"):
        assert cli("incident", "postmortem", ID, "--status", status, cwd=ws).exit_code == 0
    pm.write_text(pm.read_text().replace("## Trigger\n", "## Trigger\n\nTBD\n"))
    refused = cli("incident", "close", ID, "--at", "2025-03-06T10:00:00Z", cwd=ws)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: cannot close incident {ID}: its postmortem is required and the postmortem's "
        f"sections 'Trigger' are not written yet (write it with 'opsdocs incident postmortem "
        f"{ID}', fill it in and get it reviewed)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("open", "-s", "P1", "API \x1b]8;;http://x\x07down"),
            "error: the title 'API \\x1b]8;;http://x\\x07down' is not one printable line "
            "(it contains U+001B, U+0007) (the title names the record: write it on one line)",
        ),
        (
            ("open", "-s", "P1", "API \u202edown"),
            "error: the title 'API \\u202edown' is not one printable line (it contains U+202E) "
            "(the title names the record: write it on one line)",
        ),
        (
            ("open", "-s", "P1", "API\ndown"),
            "error: the title 'API\\ndown' is not one printable line (it contains U+000A) "
            "(the title names the record: write it on one line)",
        ),
        (
            ("log", ID, "rolled \x1b[31mback"),
            "error: the entry 'rolled \\x1b[31mback' is not one printable line "
            "(it contains U+001B) (write it on one line without control characters)",
        ),
    ],
)
def test_control_characters_are_refused(
    ws: Path, cli: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    before = snapshot(ws)
    result = cli("incident", *args, cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert snapshot(ws) == before


def test_a_multi_line_log_message_becomes_one_entry(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("incident", "log", ID, "rolled back\n\tdeploy 42", "--at",
                 "2025-03-04T14:10:00Z", cwd=ws)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _entries(ws)[-1] == "- 2025-03-04T14:10:00Z — rolled back deploy 42"


def test_new_title_uses_the_same_check(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    result = cli("new", "runbook", "api", "--title", "API \x1b[2J", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the title 'API \\x1b[2J' is not one printable line (it contains U+001B) "
        "(the title becomes the H1 heading: pass it without line breaks or tabs)\n"
    )


def test_an_unreadable_record_is_skipped_with_its_relative_path(
    ws: Path, cli: Callable[..., Result]
) -> None:
    record = ws / OPS / "incidents" / f"{ID}.md"
    record.write_text(
        record.read_text().replace(
            "started: '2025-03-04T14:00:00Z'", "started: 2025-02-30T14:00:00Z"
        )
    )
    listed = cli("incident", "list", cwd=ws)
    assert listed.exit_code == 0
    assert listed.stderr.startswith(f"warning: skipped {OPS}/incidents/{ID}.md:")
    assert listed.stdout == "No incidents match.\n"

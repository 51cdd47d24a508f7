"""Postmortems: written from the incident, due date from the ladder, status moves forward."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import read_document
from opsdocs.incidents.postmortem import PostmortemFrontMatter
from tests.conftest import Result, snapshot
from tests.incidents.helpers import fill_postmortem

OPS = Path("docs/internal/operations")
ID = "2025-05-02-login-fails"


@pytest.fixture
def resolved(workspace_dir: Path, cli: Callable[..., Result]) -> Path:
    steps = [
        ("open", "-s", "P1", "--service", "auth", "Login fails", "--at", "2025-05-02T09:10:00Z",
         "--started", "2025-05-02T09:00:00Z"),
        ("ack", ID, "--at", "2025-05-02T09:12:00Z"),
        ("mitigate", ID, "--at", "2025-05-02T09:40:00Z"),
        ("resolve", ID, "--at", "2025-05-02T11:30:00Z"),
    ]  # fmt: skip
    for step in steps:
        result = cli("incident", *step, cwd=workspace_dir)
        assert result.exit_code == 0, result.stderr
    return workspace_dir


def test_postmortem_from_the_incident(resolved: Path, cli: Callable[..., Result]) -> None:
    result = cli("incident", "postmortem", ID, cwd=resolved)
    assert result.exit_code == 0, result.stderr
    # P1: 3 calendar days after the resolution on 2025-05-02.
    assert (
        result.stdout == f"{OPS}/postmortems/{ID}.md\n  due 2025-05-05 (from the severity ladder)\n"
    )
    doc = read_document(resolved / OPS / "postmortems" / f"{ID}.md")
    assert doc.problems == []
    model = PostmortemFrontMatter.model_validate(doc.front_matter)
    assert (model.status, str(model.due), model.incident, model.severity) == (
        "Draft", "2025-05-05", ID, "P1",
    )  # fmt: skip
    assert [s.title for s in doc.sections] == list(get_kind("postmortem").section_titles)
    impact = doc.section_text(doc.section("Impact"))  # type: ignore[arg-type]
    assert "- Duration (started to resolved): 2h 30m" in impact
    assert "- Time to detect: 10m" in impact
    assert "- Time to acknowledge (from detection): 2m" in impact
    assert "- Time to mitigate (from start): 40m" in impact
    assert "- Error budget consumed, auth: unknown (no SLO for service auth)" in impact
    timeline = doc.section_text(doc.section("Timeline"))  # type: ignore[arg-type]
    assert "- 2025-05-02T09:00:00Z — Impact started" in timeline
    assert "- 2025-05-02T11:30:00Z — Resolved" in timeline
    link = next(link for link in doc.links if link.text == ID)
    assert (doc.path.parent / link.href).resolve() == (
        resolved / OPS / "incidents" / f"{ID}.md"
    ).resolve()

    before = snapshot(resolved)
    again = cli("incident", "postmortem", ID, cwd=resolved)
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: {OPS}/postmortems/{ID}.md: postmortem already exists "
        "(edit it, or move it forward with --status)\n"
    )
    assert snapshot(resolved) == before


def test_status_moves_forward_only_and_review_needs_owners(
    resolved: Path, cli: Callable[..., Result]
) -> None:
    assert cli("incident", "postmortem", ID, cwd=resolved).exit_code == 0
    path = resolved / OPS / "postmortems" / f"{ID}.md"
    text = path.read_text().replace(
        "action_items: []",
        "action_items:\n  - what: Add a login canary\n    due: 2025-06-01\n"
        "    tracker: https://tracker.example/OPS-1",
    )
    path.write_text(text)
    fill_postmortem(path)
    ok = cli("incident", "postmortem", ID, "--status", "in-review", cwd=resolved)
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout == f"{OPS}/postmortems/{ID}.md: Draft → In Review\n"
    assert "# Draft -> In Review" in path.read_text()  # comments kept

    before = snapshot(resolved)
    line = path.read_text().split("\n").index("  - what: Add a login canary") + 1
    blocked = cli("incident", "postmortem", ID, "--status", "Reviewed", cwd=resolved)
    assert blocked.exit_code == 2
    assert blocked.stderr == (
        f"error: {OPS}/postmortems/{ID}.md:{line}:5: action item 'Add a login canary' has no "
        "owner (give every action item an owner and a due date before Reviewed)\n"
    )
    back = cli("incident", "postmortem", ID, "--status", "Draft", cwd=resolved)
    assert back.exit_code == 2
    assert back.stderr == (
        "error: postmortem is In Review; it cannot move to Draft "
        "(the order is Draft → In Review → Reviewed → Closed, one step at a time)\n"
    )
    unknown = cli("incident", "postmortem", ID, "--status", "Done", cwd=resolved)
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "error: unknown postmortem status 'Done' (use one of Draft, In Review, Reviewed, Closed)\n"
    )
    assert snapshot(resolved) == before

    path.write_text(
        path.read_text().replace("    due: 2025-06-01", "    owner: team-auth\n    due: 2025-06-01")
    )
    skip = cli("incident", "postmortem", ID, "--status", "Closed", cwd=resolved)
    assert skip.exit_code == 2
    assert skip.stderr == (
        "error: postmortem is In Review; it cannot move to Closed (next is Reviewed; the order is"
        " Draft → In Review → Reviewed → Closed, one step at a time)\n"
    )
    assert read_document(path).get("status") == "In Review"
    assert cli("incident", "postmortem", ID, "--status", "Reviewed", cwd=resolved).exit_code == 0
    assert cli("incident", "postmortem", ID, "--status", "Closed", cwd=resolved).exit_code == 0
    assert read_document(path).get("status") == "Closed"
    assert cli("incident", "close", ID, "--at", "2025-05-06T10:00:00Z", cwd=resolved).exit_code == 0


def test_p3_needs_no_postmortem(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    ident = "2025-05-02-slow-batch"
    for step in (
        ("open", "-s", "P3", "Slow batch", "--at", "2025-05-02T09:00:00Z"),
        ("ack", ident, "--at", "2025-05-02T09:30:00Z"),
        ("resolve", ident, "--at", "2025-05-02T10:00:00Z"),
    ):
        assert cli("incident", *step, cwd=workspace_dir).exit_code == 0
    fm = read_document(workspace_dir / OPS / "incidents" / f"{ident}.md").front_matter
    assert fm is not None and "postmortem_due" not in fm
    closed = cli("incident", "close", ident, "--at", "2025-05-02T11:00:00Z", cwd=workspace_dir)
    assert closed.exit_code == 0, closed.stderr
    status = cli("incident", "postmortem", ident, "--status", "In Review", cwd=workspace_dir)
    assert status.exit_code == 2
    assert status.stderr.startswith(f"error: incident {ident} has no postmortem yet")


def test_status_written_on_its_own_line_or_quoted_moves_with_comments_kept(
    resolved: Path, cli: Callable[..., Result]
) -> None:
    assert cli("incident", "postmortem", ID, cwd=resolved).exit_code == 0
    path = resolved / OPS / "postmortems" / f"{ID}.md"
    fill_postmortem(path)
    text = path.read_text()
    lines = text.split("\n")
    end = lines.index("---", 1)
    status_at = next(n for n in range(end) if lines[n].startswith("status:"))
    # The value on the next line, a comment above it: a line-by-line edit would break this.
    lines[status_at : status_at + 1] = ["# review state, see the wiki", "status:", "  'Draft'"]
    path.write_text("\n".join(lines))
    moved = cli("incident", "postmortem", ID, "--status", "In Review", cwd=resolved)
    assert moved.exit_code == 0, moved.stderr
    new = path.read_text()
    assert read_document(path).get("status") == "In Review"
    assert "# review state, see the wiki\nstatus:" in new
    old_lines, new_lines = text.split("\n"), new.split("\n")
    # every other line of the file is as it was
    assert [x for x in old_lines if not x.startswith("status:")] == [
        x for x in new_lines if x != "# review state, see the wiki" and not x.startswith("status:")
    ]

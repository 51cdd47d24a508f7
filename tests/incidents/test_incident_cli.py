"""The whole incident lifecycle through the command line, and the bad input it refuses."""

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
    for args in (
        ("new", "runbook", "api-server", "--owner", "team-api"),
        ("new", "slo", "api-availability", "--service", "api-server", "--owner", "team-api"),
        ("new", "incident-response", "--owner", "team-sre"),
    ):
        assert cli(*args, cwd=workspace_dir).exit_code == 0
    return workspace_dir


def _open(cli: Callable[..., Result], ws: Path, *extra: str) -> Result:
    return cli(
        "incident",
        "open",
        "--severity",
        "P1",
        "--service",
        "api-server",
        "Checkout returns 5xx!",
        "--at",
        "2025-03-04T14:05:00Z",
        "--started",
        "2025-03-04T14:00:00Z",
        *extra,
        cwd=ws,
    )


def _record(ws: Path) -> tuple[dict[str, object], list[str]]:
    doc = read_document(ws / OPS / "incidents" / f"{ID}.md")
    assert doc.front_matter is not None
    section = doc.section("Timeline")
    assert section is not None
    entries = [line for line in doc.section_text(section).split("\n") if line.startswith("- ")]
    return doc.front_matter, entries


def test_whole_lifecycle(ws: Path, cli: Callable[..., Result]) -> None:
    opened = _open(cli, ws)
    assert opened.exit_code == 0, opened.stderr
    assert opened.stdout.splitlines()[0] == f"{OPS}/incidents/{ID}.md"
    # What the playbook says to do now, and the service's documents.
    assert "Acknowledge within 5m." in opened.stdout
    assert "Status updates every 30m." in opened.stdout
    assert "Notify status page: public incident within 15 minutes" in opened.stdout
    assert "1. Acknowledge the page and name an incident commander" in opened.stdout
    assert f"Runbook for api-server: {OPS}/runbook-api-server.md" in opened.stdout
    assert f"SLO for api-server: {OPS}/slo-api-availability.md" in opened.stdout
    fm, entries = _record(ws)
    assert fm["status"] == "triage"
    assert fm["severity"] == "P1"
    assert fm["services"] == ["api-server"]
    assert fm["owner"] == "team-api"  # from the service's runbook
    record = (ws / OPS / "incidents" / f"{ID}.md").read_text()
    assert "_UTC ISO 8601 entries" not in record  # template guidance is not copied
    assert "## Summary\n\nTODO\n\n## Impact\n\nTODO\n\n## Timeline\n\n- " in record

    steps = [
        ("ack", ID, "--by", "alice", "--at", "2025-03-04T14:08:00Z"),
        ("log", ID, "Rolled back deploy 42", "--at", "2025-03-04T14:10:00Z"),
        ("log", ID, "Pager alert fired", "--at", "2025-03-04T14:04:30Z"),  # back-filled
        ("assign", ID, "scribe", "bob", "--at", "2025-03-04T14:11:00Z"),
        ("set-severity", ID, "P2", "--reason", "one region only", "--at", "2025-03-04T14:12:00Z"),
        ("mitigate", ID, "error rate back to normal", "--at", "2025-03-04T14:20:00Z"),
        ("resolve", ID, "bad config reverted", "--at", "2025-03-04T15:00:00Z"),
    ]
    for step in steps:
        result = cli("incident", *step, cwd=ws)
        assert result.exit_code == 0, (step, result.stderr)
        if step[0] == "ack":
            assert "acknowledged 3m after detection (within the 5m target for P1)" in result.stdout

    fm, entries = _record(ws)
    assert fm["status"] == "resolved"
    assert fm["severity"] == "P2"
    assert fm["roles"] == {"incident-commander": "alice", "scribe": "bob"}
    assert fm["milestones"] == {
        "started": "2025-03-04T14:00:00Z",
        "detected": "2025-03-04T14:05:00Z",
        "acknowledged": "2025-03-04T14:08:00Z",
        "mitigated": "2025-03-04T14:20:00Z",
        "resolved": "2025-03-04T15:00:00Z",
    }
    # P2: 5 business days after Tuesday 2025-03-04 is Tuesday 2025-03-11.
    assert str(fm["postmortem_due"]) == "2025-03-11"
    assert entries == [
        "- 2025-03-04T14:00:00Z — Impact started",
        "- 2025-03-04T14:04:30Z — Pager alert fired",
        "- 2025-03-04T14:05:00Z — Opened at P1 on api-server: Checkout returns 5xx!",
        "- 2025-03-04T14:08:00Z — Acknowledged by alice",
        "- 2025-03-04T14:10:00Z — Rolled back deploy 42",
        "- 2025-03-04T14:11:00Z — Scribe: bob",
        "- 2025-03-04T14:12:00Z — Severity P1 → P2: one region only",
        "- 2025-03-04T14:20:00Z — Mitigated: error rate back to normal",
        "- 2025-03-04T15:00:00Z — Resolved: bad config reverted",
    ]

    shown = cli("incident", "show", "checkout-returns-5xx", cwd=ws)  # by slug
    assert shown.exit_code == 0
    assert "P2, resolved; services: api-server" in shown.stdout
    assert "2025-03-04T14:12:00Z  Severity P1 → P2: one region only" in shown.stdout

    # Closing needs the required postmortem to be reviewed.
    refused = cli("incident", "close", ID, "--at", "2025-03-05T10:00:00Z", cwd=ws)
    assert refused.exit_code == 2
    assert "its postmortem is required and there is no postmortem" in refused.stderr

    written = cli("incident", "postmortem", ID, cwd=ws)
    assert written.exit_code == 0, written.stderr
    pm = ws / OPS / "postmortems" / f"{ID}.md"
    assert written.stdout.splitlines()[0] == f"{OPS}/postmortems/{ID}.md"
    doc = read_document(pm)
    assert doc.get("status") == "Draft"
    assert str(doc.get("due")) == "2025-03-11"
    timeline = doc.section("Timeline")
    assert timeline is not None
    assert "- 2025-03-04T14:12:00Z — Severity P1 → P2: one region only" in doc.section_text(
        timeline
    )
    # Past Draft only once every section is written (the same test as CT001).
    early = cli("incident", "postmortem", ID, "--status", "In Review", cwd=ws)
    line = pm.read_text().split("\n").index("## Summary") + 5
    assert early.exit_code == 2
    assert early.stderr == (
        f"error: {OPS}/postmortems/{ID}.md:{line}:1: section 'Summary' is not written yet: "
        "placeholder 'TODO' left in (and 8 more sections) (fill in every section before "
        "In Review ('opsdocs check' lists what is left))\n"
    )
    fill_postmortem(pm)
    for status in ("In Review", "reviewed"):
        assert cli("incident", "postmortem", ID, "--status", status, cwd=ws).exit_code == 0
    assert read_document(pm).get("status") == "Reviewed"

    closed = cli("incident", "close", ID, "--at", "2025-03-06T10:00:00Z", cwd=ws)
    assert closed.exit_code == 0, closed.stderr
    fm, entries = _record(ws)
    assert fm["status"] == "closed"
    assert entries[-1] == "- 2025-03-06T10:00:00Z — Closed"

    listed = cli("incident", "list", cwd=ws)
    assert listed.stdout.splitlines()[1].startswith(f"{ID}  P2        closed")
    assert cli("incident", "list", "--open", cwd=ws).stdout.strip() == "No incidents open."

    readme = (ws / OPS / "README.md").read_text()
    assert f"- [Checkout returns 5xx!](incidents/{ID}.md) - P2, closed, api-server" in readme
    assert (
        f"- [Postmortem: Checkout returns 5xx!](postmortems/{ID}.md) - P2, Reviewed, "
        "due 2025-03-11" in readme
    )
    assert cli("index", "--check", cwd=ws).exit_code == 0


def test_open_uses_the_playbook_ladder(ws: Path, cli: Callable[..., Result]) -> None:
    playbook = ws / OPS / "incident-response.md"
    text = playbook.read_text()
    text = re.sub(r"severities:.*?(?=roles:)", _CUSTOM_LADDER, text, flags=re.S)
    playbook.write_text(text)
    result = cli(
        "incident", "open", "-s", "sev1", "Queue stuck", "--owner", "team-sre",
        "--at", "2025-01-01T00:00:00Z", cwd=ws,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "SEV1: Everything is on fire." in result.stdout
    assert "Acknowledge within 2m." in result.stdout
    assert "Postmortem required, due 2 business days after resolution." in result.stdout
    # The number says which rung: 'p2' on a SEV ladder opens at SEV2, with a warning.
    alias = cli(
        "incident", "open", "-s", "p2", "Disk filling", "--owner", "team-sre",
        "--at", "2025-01-01T00:05:00Z", cwd=ws,
    )  # fmt: skip
    assert alias.exit_code == 0, alias.stderr
    assert alias.stderr == (
        f"warning: severity 'p2' read as SEV2 (from {OPS}/incident-response.md)\n"
    )
    assert "SEV2: Something is smouldering." in alias.stdout
    bad = cli("incident", "open", "-s", "P3", "Queue stuck", "--owner", "team-sre", cwd=ws)
    assert bad.exit_code == 2
    assert bad.stderr == (
        f"error: unknown severity 'P3' (use one of SEV1, SEV2 (from {OPS}/incident-response.md))\n"
    )


_CUSTOM_LADDER = """severities:
  - name: SEV1
    definition: Everything is on fire.
    ack_within: 2m
    postmortem: {required: true, due: 2 business days}
  - name: SEV2
    definition: Something is smouldering.
    ack_within: 1h
    postmortem: {required: false}
"""


def test_open_without_playbook_uses_the_default_ladder(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "incident", "open", "-s", "P3", "Batch job late", "--at", "2025-01-01T00:00:00Z",
        cwd=workspace_dir,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "[from the default ladder (no incident-response.md yet)]" in result.stdout
    assert "Page: nobody (working hours)" in result.stdout
    fm = read_document(
        workspace_dir / OPS / "incidents" / "2025-01-01-batch-job-late.md"
    ).front_matter
    assert fm is not None and fm["owner"] == "team-sre"  # first of config 'owners'


def test_playbook_without_a_ladder_says_the_default_applies(
    ws: Path, cli: Callable[..., Result]
) -> None:
    playbook = ws / OPS / "incident-response.md"
    assert "[from docs/internal/operations/incident-response.md]" in _open(cli, ws).stdout
    text = playbook.read_text()
    start = text.index("severities:")
    end = text.index("roles:")
    playbook.write_text(text[:start] + text[end:])  # the same playbook without its ladder
    result = cli(
        "incident", "open", "-s", "P3", "Batch job late", "--at", "2025-03-05T00:00:00Z", cwd=ws
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (
        "[from the default ladder (docs/internal/operations/incident-response.md defines no"
        " severities)]"
    ) in result.stdout


def test_same_title_same_day_gets_a_new_id(ws: Path, cli: Callable[..., Result]) -> None:
    assert _open(cli, ws).exit_code == 0
    second = _open(cli, ws)
    assert second.exit_code == 0
    assert second.stdout.splitlines()[0] == f"{OPS}/incidents/{ID}-2.md"
    ambiguous = cli("incident", "show", "checkout-returns-5xx-2", cwd=ws)
    assert ambiguous.exit_code == 0


def test_new_refuses_incident_kinds(ws: Path, cli: Callable[..., Result]) -> None:
    before = snapshot(ws)
    result = cli("new", "incident", "x", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: 'opsdocs new' does not create incident documents (use 'opsdocs incident open')\n"
    )
    assert snapshot(ws) == before


def _opened(cli: Callable[..., Result], ws: Path) -> None:
    assert _open(cli, ws).exit_code == 0


BAD_INPUT = [
    pytest.param(
        False,
        ("open", "-s", "P9", "--service", "api-server", "Checkout down"),
        f"error: unknown severity 'P9' (use one of P1, P2, P3 (from {OPS}/incident-response.md))",
        id="unknown-severity",
    ),
    pytest.param(
        False,
        ("open", "-s", "P1", "--service", "api-server", ""),
        'error: the title is empty (describe what is broken, e.g. "Checkout returns 5xx")',
        id="empty-title",
    ),
    pytest.param(
        False,
        ("open", "-s", "P1", "--service", "api-server", "!!! ??? ---"),
        "error: the title '!!! ??? ---' has no letters or digits "
        '(describe what is broken, e.g. "Checkout returns 5xx")',
        id="symbols-title",
    ),
    pytest.param(
        False,
        ("open", "-s", "P1", "--service", "API Server", "Checkout down"),
        "error: invalid service 'API Server' "
        "(use lowercase letters, digits and single hyphens, e.g. 'api-server')",
        id="bad-service",
    ),
    pytest.param(
        False,
        (
            "open",
            "-s",
            "P1",
            "Checkout down",
            "--at",
            "2025-03-04T14:00:00Z",
            "--started",
            "2025-03-04T15:00:00Z",
        ),
        "error: start 2025-03-04T15:00:00Z is after detection 2025-03-04T14:00:00Z "
        "(--started is when impact began, --at when it was detected)",
        id="started-after-detected",
    ),
    pytest.param(
        False,
        ("open", "-s", "P1", "Checkout down", "--at", "yesterday"),
        "error: --at 'yesterday' is not a time "
        "(write it like 2026-11-26T14:02:00Z (no zone: UTC), 14:02, now-2h or Unix seconds)",
        id="not-a-time",
    ),
    pytest.param(
        False,
        ("open", "-s", "P1", "Checkout down", "--at", "2999-01-01T00:00:00Z"),
        "error: time 2999-01-01T00:00:00Z is in the future "
        "(pass --at with a time that has passed (UTC))",
        id="future",
    ),
    pytest.param(
        False,
        ("resolve", "no-such-incident"),
        "error: unknown incident 'no-such-incident' (see 'opsdocs incident list' for the ids)",
        id="resolve-before-open",
    ),
    pytest.param(
        False,
        ("log", "2025-03-04-nope", "hello"),
        "error: unknown incident '2025-03-04-nope' (see 'opsdocs incident list' for the ids)",
        id="unknown-incident",
    ),
    pytest.param(
        True,
        ("resolve", ID, "--at", "2025-03-04T15:00:00Z"),
        f"error: cannot resolve incident {ID}: it is triage "
        f"(acknowledge it first: opsdocs incident ack {ID})",
        id="resolve-before-ack",
    ),
    pytest.param(
        True,
        ("mitigate", ID, "--at", "2025-03-04T15:00:00Z"),
        f"error: cannot mitigate incident {ID}: it is triage "
        f"(acknowledge it first: opsdocs incident ack {ID})",
        id="mitigate-before-ack",
    ),
    pytest.param(
        True,
        ("ack", ID, "--at", "2025-03-04T14:01:00Z"),
        "error: acknowledge time 2025-03-04T14:01:00Z is before the incident was detected "
        "(2025-03-04T14:05:00Z) (give a later --at, or correct the milestone in the record)",
        id="ack-before-detection",
    ),
    pytest.param(
        True,
        ("log", ID, "too early", "--at", "2025-03-04T13:00:00Z"),
        "error: time 2025-03-04T13:00:00Z is before the incident started "
        "(2025-03-04T14:00:00Z) (give a later --at)",
        id="log-before-start",
    ),
    pytest.param(
        True,
        ("log", ID, "   "),
        "error: the entry is empty (say what happened in a few words)",
        id="empty-entry",
    ),
    pytest.param(
        True,
        ("set-severity", ID, "P7"),
        f"error: unknown severity 'P7' (use one of P1, P2, P3 (from {OPS}/incident-response.md))",
        id="set-unknown-severity",
    ),
    pytest.param(
        True,
        ("assign", ID, "captain", "alice"),
        "error: unknown role 'captain' "
        "(use one of incident-commander, communications-lead, scribe)",
        id="unknown-role",
    ),
    pytest.param(
        True,
        ("postmortem", ID),
        f"error: incident {ID} is triage: write the postmortem once it is resolved "
        f"(resolve it first: opsdocs incident resolve {ID})",
        id="postmortem-before-resolve",
    ),
    pytest.param(
        True,
        ("close", ID),
        f"error: cannot close incident {ID}: it is triage "
        f"(resolve it first: opsdocs incident resolve {ID})",
        id="close-before-resolve",
    ),
]


@pytest.mark.parametrize(("opened", "args", "message"), BAD_INPUT)
def test_bad_input_changes_nothing(
    ws: Path, cli: Callable[..., Result], opened: bool, args: tuple[str, ...], message: str
) -> None:
    if opened:
        _opened(cli, ws)
    before = snapshot(ws)
    result = cli("incident", *args, cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""
    assert snapshot(ws) == before


def test_out_of_order_milestones_after_ack(ws: Path, cli: Callable[..., Result]) -> None:
    _opened(cli, ws)
    assert cli("incident", "ack", ID, "--at", "2025-03-04T14:08:00Z", cwd=ws).exit_code == 0
    before = snapshot(ws)
    again = cli("incident", "ack", ID, "--at", "2025-03-04T14:09:00Z", cwd=ws)
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: cannot acknowledge incident {ID}: it is active (it was acknowledged already)\n"
    )
    early = cli("incident", "mitigate", ID, "--at", "2025-03-04T14:07:00Z", cwd=ws)
    assert early.exit_code == 2
    assert early.stderr == (
        "error: mitigation time 2025-03-04T14:07:00Z is before the incident was acknowledged "
        "(2025-03-04T14:08:00Z) (give a later --at, or correct the milestone in the record)\n"
    )
    assert snapshot(ws) == before


def test_broken_record_is_a_clear_error(ws: Path, cli: Callable[..., Result]) -> None:
    _opened(cli, ws)
    path = ws / OPS / "incidents" / f"{ID}.md"
    text = path.read_text().replace("status: triage", "status: panicking")
    path.write_text(text)
    line = text.split("\n").index("status: panicking") + 1
    before = snapshot(ws)
    result = cli("incident", "log", ID, "hello", cwd=ws)
    assert result.exit_code == 2
    # The path is shown as the CLI displays paths (relative, or absolute outside the cwd).
    assert re.match(
        rf"error: (/.*/)?{OPS}/incidents/{ID}\.md:{line}:1: status: Input should be 'triage', ",
        result.stderr,
    ), result.stderr
    assert snapshot(ws) == before


def test_index_lists_recent_incidents_newest_first(ws: Path, cli: Callable[..., Result]) -> None:
    for day in range(1, 13):
        result = cli(
            "incident", "open", "-s", "P3", f"Blip number {day}", "--owner", "team-sre",
            "--at", f"2025-01-{day:02d}T09:00:00Z", cwd=ws,
        )  # fmt: skip
        assert result.exit_code == 0
    readme = (ws / OPS / "README.md").read_text()
    block = readme.split("### Recent Incidents\n", 1)[1].split("\n\n", 1)[0].split("\n")
    expected = [
        f"- [Blip number {d}](incidents/2025-01-{d:02d}-blip-number-{d}.md) - P3, triage"
        for d in range(12, 2, -1)
    ]
    assert block == [*expected, "- ... and 2 older ones in [incidents/](incidents/)"]


def test_broken_index_never_blocks_an_incident(ws: Path, cli: Callable[..., Result]) -> None:
    readme = ws / OPS / "README.md"
    broken = readme.read_text().replace("<!-- opsdocs:index:end -->", "")
    readme.write_text(broken)
    result = _open(cli, ws)
    assert result.exit_code == 0
    assert (ws / OPS / "incidents" / f"{ID}.md").is_file()
    assert re.search(
        r"^warning: index not updated: (/.*/)?docs/internal/operations/README\.md: marker "
        r"<!-- opsdocs:index:end --> is missing",
        result.stderr,
        re.M,
    ), result.stderr
    assert readme.read_text() == broken


def test_show_json(ws: Path, cli: Callable[..., Result]) -> None:
    import json

    _opened(cli, ws)
    assert cli("incident", "assign", ID, "incident-commander", "carol", cwd=ws).exit_code == 0
    data = json.loads(cli("incident", "show", ID, "--format", "json", cwd=ws).stdout)
    assert data["id"] == ID
    assert data["status"] == "triage"
    assert data["roles"] == {"incident-commander": "carol"}
    assert data["milestones"]["started"] == "2025-03-04T14:00:00Z"
    assert data["path"] == f"{OPS}/incidents/{ID}.md"
    assert [e["text"] for e in data["timeline"]][:2] == [
        "Impact started",
        "Opened at P1 on api-server: Checkout returns 5xx!",
    ]
    text = cli("incident", "show", ID, cwd=ws).stdout
    # P1 updates every 30m: the last entry (the assignment, now) sets the next update.
    assert "Next status update due by " in text


def test_log_leaves_the_index_alone_and_status_changes_refresh_it(
    ws: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import opsdocs.documents.index as index_module

    _opened(cli, ws)
    calls: list[str] = []
    real = index_module.compute_index

    def counting(*args: object, **kwargs: object) -> index_module.IndexUpdate:
        calls.append("index")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "compute_index", counting)
    assert (
        cli("incident", "log", ID, "a note", "--at", "2025-03-04T14:06:00Z", cwd=ws).exit_code == 0
    )
    assert calls == []
    assert cli("incident", "ack", ID, "--at", "2025-03-04T14:07:00Z", cwd=ws).exit_code == 0
    assert calls == ["index"]
    assert "P1, active, api-server" in (ws / OPS / "README.md").read_text()


def test_list_aligns_its_columns(ws: Path, cli: Callable[..., Result]) -> None:
    assert _open(cli, ws).exit_code == 0
    short = cli("incident", "open", "-s", "P3", "Lag", "--at", "2025-03-05T09:00:00Z", cwd=ws)
    assert short.exit_code == 0, short.stderr
    lines = cli("incident", "list", cwd=ws).stdout.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "STATUS", "STARTED", "SERVICES", "LATE", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == ["2025-03-05-lag", ID]  # newest first
    # every column starts at the same place on every line
    for column in ("P", "triage", "2025-03-0"):
        starts = {line.index(column, len(line.split()[0])) for line in lines[1:]}
        assert len(starts) == 1, (column, lines)


def test_index_orders_recent_incidents_by_time_like_list(
    ws: Path, cli: Callable[..., Result]
) -> None:
    # Same day: "zebra" sorts last by name but started first; "alpha" started later.
    for title, at in (
        ("Zebra outage", "2025-03-04T09:00:00Z"),
        ("Alpha outage", "2025-03-04T14:00:00Z"),
    ):
        opened = cli("incident", "open", "-s", "P3", title, "--at", at, cwd=ws)
        assert opened.exit_code == 0, opened.stderr
    listed = [line.split()[0] for line in cli("incident", "list", cwd=ws).stdout.splitlines()[1:]]
    assert listed == ["2025-03-04-alpha-outage", "2025-03-04-zebra-outage"]
    readme = (ws / OPS / "README.md").read_text()
    assert readme.index("[Alpha outage]") < readme.index("[Zebra outage]")
    assert cli("index", "--check", cwd=ws).exit_code == 0
    check = cli("check", "--select", "IX", cwd=ws)
    assert check.exit_code == 0, check.stdout

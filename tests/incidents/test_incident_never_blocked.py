"""Opening an incident is never blocked by an unfinished workspace (it warns instead)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from opsdocs.documents.parse import read_document
from tests.conftest import Result, snapshot

OPS = Path("docs/internal/operations")


def _today_id(slug: str) -> str:
    return f"{dt.datetime.now(dt.UTC).date().isoformat()}-{slug}"


def test_fresh_workspace_flow_opens_with_no_options(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    for args in (("init",), ("new", "runbook", "api"), ("new", "incident-response")):
        result = cli(*args, cwd=tmp_path)
        assert result.exit_code == 0, result.stderr
    opened = cli("incident", "open", "-s", "p1", "api down", cwd=tmp_path)
    ident = _today_id("api-down")
    assert opened.exit_code == 0, opened.stderr
    assert opened.stderr == (
        "warning: no owning team found: the incident is owned by 'unassigned' "
        f"(set it: opsdocs incident edit {ident} --owner TEAM)\n"
    )
    assert opened.stdout.splitlines()[0] == f"{OPS}/incidents/{ident}.md"
    record = read_document(tmp_path / OPS / "incidents" / f"{ident}.md")
    assert record.get("owner") == "unassigned"
    assert record.get("severity") == "P1"
    assert ident in (tmp_path / OPS / "README.md").read_text()


def test_runbook_with_a_placeholder_owner_is_passed_over(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "opsdocs.toml").write_text('owners = ["team-sre"]\n')
    for args in (("init",), ("new", "runbook", "api")):
        assert cli(*args, cwd=tmp_path).exit_code == 0
    runbook = tmp_path / OPS / "runbook-api.md"
    runbook.write_text(re.sub(r"(?m)^owner: .*$", "owner: TODO", runbook.read_text()))
    opened = cli("incident", "open", "-s", "P2", "--service", "api", "Slow", cwd=tmp_path)
    assert opened.exit_code == 0, opened.stderr
    assert opened.stderr == (
        f"warning: {OPS}/runbook-api.md names no owning team (owner: 'TODO'); not used\n"
    )
    record = read_document(tmp_path / OPS / "incidents" / f"{_today_id('slow')}.md")
    assert record.get("owner") == "team-sre"  # the configured owners come next


def test_service_without_runbook_and_owner_option(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    opened = cli(
        "incident", "open", "-s", "P3", "--service", "billing", "--owner", "team-pay",
        "Invoices late", cwd=workspace_dir,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    assert opened.stderr == ""
    assert "No runbook for billing (create one: opsdocs new runbook billing)" in opened.stdout
    record = read_document(workspace_dir / OPS / "incidents" / f"{_today_id('invoices-late')}.md")
    assert record.get("owner") == "team-pay"


def test_unfinished_playbook_ladder_falls_back_to_the_default(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    (workspace_dir / OPS / "incident-response.md").write_text(
        "---\nkind: incident-response\ntitle: Playbook\nowner: TODO\n"
        "severities:\n  - name: SEV1\n    definition: fire\n    ack_within: soon\n"
        "    postmortem: {required: false}\n---\n# Playbook\n"
    )
    opened = cli("incident", "open", "-s", "sev-1", "Queue stuck", cwd=workspace_dir)
    assert opened.exit_code == 0, opened.stderr
    assert opened.stderr == (
        f"warning: {OPS}/incident-response.md: severities cannot be used (Value error, must be "
        "a number and a unit s, m, h or d, such as '15m' (got 'soon')); using the default "
        "ladder\n"
        f"warning: severity 'sev-1' read as P1 (from the default ladder ({OPS}/"
        "incident-response.md defines no severities))\n"
    )
    assert "P1: Critical" in opened.stdout


def test_unknown_severity_suggests_the_closest(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    before = snapshot(workspace_dir)
    result = cli("incident", "open", "-s", "P", "Queue stuck", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown severity 'P' (did you mean 'P1'?) (use one of P1, P2, P3 "
        "(from the default ladder (no incident-response.md yet)))\n"
    )
    assert snapshot(workspace_dir) == before


def test_readme_that_cannot_be_read_only_warns(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / OPS / "README.md"
    readme.unlink()
    readme.mkdir()
    opened = cli("incident", "open", "-s", "P1", "Checkout down", cwd=workspace_dir)
    assert opened.exit_code == 0, opened.stderr
    assert opened.stderr == (
        f"warning: index not updated: {OPS}/README.md: Is a directory "
        "(fix the README, then run 'opsdocs index')\n"
    )
    assert (workspace_dir / OPS / "incidents" / f"{_today_id('checkout-down')}.md").is_file()


def test_similar_open_incident_is_pointed_out(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    first = cli("incident", "open", "-s", "P1", "--service", "api", "API down", cwd=workspace_dir)
    assert first.exit_code == 0 and first.stderr == ""
    second = cli(
        "incident", "open", "-s", "P1", "--service", "api", "api is down", cwd=workspace_dir
    )
    old, new = _today_id("api-down"), _today_id("api-is-down")
    assert second.exit_code == 0, second.stderr
    assert second.stderr == (
        f"warning: {old} is open on api with a similar title ('API down'); if this is the same "
        f"incident: opsdocs incident close {new} --duplicate-of {old}\n"
    )
    other = cli("incident", "open", "-s", "P1", "--service", "db", "API down", cwd=workspace_dir)
    assert other.stderr == ""  # another service: another incident


def test_time_without_zone_is_utc_as_in_reports(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    opened = cli(
        "incident", "open", "-s", "P2", "Disk full", "--at", "2025-03-04 14:05",
        "--started", "2025-03-04T14:00", cwd=workspace_dir,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    record = read_document(workspace_dir / OPS / "incidents" / "2025-03-04-disk-full.md")
    assert record.get("milestones") == {
        "started": "2025-03-04T14:00:00Z",
        "detected": "2025-03-04T14:05:00Z",
        "acknowledged": None,
        "mitigated": None,
        "resolved": None,
    }


def test_set_severity_reads_an_alias_with_a_warning(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    opened = cli("incident", "open", "-s", "P1", "Queue stuck", "--at", "now-1h", cwd=workspace_dir)
    assert opened.exit_code == 0, opened.stderr
    ident = opened.stdout.splitlines()[0].rsplit("/", 1)[1][: -len(".md")]
    changed = cli("incident", "set-severity", ident, "sev2", cwd=workspace_dir)
    assert changed.exit_code == 0, changed.stderr
    assert changed.stderr == (
        "warning: severity 'sev2' read as P2 (from the default ladder (no incident-response.md "
        "yet))\n"
    )
    assert read_document(workspace_dir / OPS / "incidents" / f"{ident}.md").get("severity") == "P2"


def test_a_mistyped_service_gets_the_closest_runbook(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    assert cli("new", "runbook", "checkout", cwd=workspace_dir).exit_code == 0
    opened = cli("incident", "open", "-s", "P2", "--service", "chekout", "Cart empty",
                 "--at", "2025-03-04T10:00:00Z", cwd=workspace_dir)  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    assert (
        "  No runbook for chekout: did you mean 'checkout'? (fix it: opsdocs incident edit "
        "2025-03-04-cart-empty --remove-service chekout --add-service checkout)"
    ) in opened.stdout.splitlines()
    fixed = cli("incident", "edit", "cart-empty", "--remove-service", "chekout",
                "--add-service", "checkout", "--at", "2025-03-04T10:01:00Z", cwd=workspace_dir)  # fmt: skip
    assert fixed.exit_code == 0, fixed.stderr
    record = read_document(workspace_dir / OPS / "incidents" / "2025-03-04-cart-empty.md")
    assert record.get("services") == ["checkout"]


def _acked_with_playbook(
    workspace_dir: Path, cli: Callable[..., Result], severity: str, ladder: str
) -> str:
    """An acknowledged incident of ``severity``, after which the playbook's ladder becomes
    ``ladder`` (YAML lines under ``severities:``); returns its id."""
    opened = cli(
        "incident", "open", "-s", severity, "Queue stuck", "--at", "now-1h", cwd=workspace_dir
    )
    assert opened.exit_code == 0, opened.stderr
    ident = opened.stdout.splitlines()[0].rsplit("/", 1)[1][: -len(".md")]
    assert cli("incident", "ack", ident, cwd=workspace_dir).exit_code == 0
    (workspace_dir / OPS / "incident-response.md").write_text(
        "---\nkind: incident-response\ntitle: Playbook\nowner: team-sre\n"
        f"severities:\n{ladder}---\n# Playbook\n"
    )
    return ident


def test_resolve_tells_what_the_ladder_could_not_give(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ident = _acked_with_playbook(
        workspace_dir, cli, "P1",
        "  - name: Critical\n    definition: fire\n    ack_within: 5m\n"
        "    postmortem: {required: true, due: 5 calendar days}\n",
    )  # fmt: skip
    resolved = cli("incident", "resolve", ident, cwd=workspace_dir)
    assert resolved.exit_code == 0, resolved.stderr
    assert resolved.stderr == (
        "warning: severity 'P1' is not one of Critical (from "
        f"{OPS}/incident-response.md): no postmortem due date set (give it one: opsdocs "
        f"incident set-severity {ident} SEVERITY)\n"
    )
    record = read_document(workspace_dir / OPS / "incidents" / f"{ident}.md")
    assert record.get("postmortem_due") is None


def test_resolve_shows_the_playbooks_warnings(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ident = _acked_with_playbook(
        workspace_dir, cli, "P2",
        "  - name: P2\n    definition: fire\n    ack_within: soon\n"
        "    postmortem: {required: false}\n",
    )  # fmt: skip
    resolved = cli("incident", "resolve", ident, cwd=workspace_dir)
    assert resolved.exit_code == 0, resolved.stderr
    assert resolved.stderr == (
        f"warning: {OPS}/incident-response.md: severities cannot be used (Value error, must be "
        "a number and a unit s, m, h or d, such as '15m' (got 'soon')); using the default "
        "ladder\n"
    )
    assert "postmortem due" in resolved.stdout  # the default ladder's P2 requires one

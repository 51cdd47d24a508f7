"""The IR rule family in 'opsdocs check': incident and postmortem rules on a real workspace."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opsdocs.check.registry import all_rules
from opsdocs.incidents.validate import CODES, RULES
from tests.conftest import Result
from tests.incidents.helpers import fill_postmortem

OPS = "docs/internal/operations"
ID = "2026-11-20-checkout-down"


def _lifecycle(ws: Path, cli: Callable[..., Result]) -> None:
    steps = [
        ("open", "-s", "P1", "Checkout down", "--at", "2026-11-20T10:00:00Z"),
        ("ack", ID, "--at", "2026-11-20T10:05:00Z"),
        ("resolve", ID, "--at", "2026-11-20T11:00:00Z"),
        ("postmortem", ID),
    ]
    for step in steps:
        result = cli("incident", *step, cwd=ws)
        assert result.exit_code == 0, result.stderr


def _findings(cli: Callable[..., Result], ws: Path, *args: str) -> list[tuple[str, str, int]]:
    result = cli("check", "--format", "json", "--no-cache", *args, cwd=ws)
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    rows = data["findings"] if isinstance(data, dict) else data
    return sorted((row["code"], Path(row["path"]).name, row["line"]) for row in rows)


def test_every_rule_of_the_family_is_registered() -> None:
    mine = {r.name: r for r in all_rules() if r.code.startswith("IR")}
    assert set(mine) == set(RULES)
    assert all(r.code == CODES[r.name] for r in mine.values())


def test_a_fresh_lifecycle_gives_no_structural_findings(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _lifecycle(workspace_dir, cli)
    # Placeholders (CT) are expected in a fresh record and postmortem; nothing else may fire.
    found = _findings(cli, workspace_dir, "--ignore", "CT,LK", "--today", "2026-11-21")
    assert found == []


def test_overdue_and_hand_edits_are_reported(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _lifecycle(workspace_dir, cli)
    record = workspace_dir / OPS / "incidents" / f"{ID}.md"
    text = record.read_text().replace(
        "acknowledged: '2026-11-20T10:05:00Z'", "acknowledged: '2026-11-20T09:00:00Z'"
    )
    record.write_text(text)
    ack_line = text.split("\n").index("  acknowledged: '2026-11-20T09:00:00Z'") + 1
    due_line = next(
        n for n, line in enumerate(text.split("\n"), 1) if line.startswith("postmortem_due")
    )
    pm = workspace_dir / OPS / "postmortems" / f"{ID}.md"
    pm_text = pm.read_text().replace(
        "action_items: []", "action_items:\n  - what: Add a canary\n    due: 2026-11-25"
    )
    pm.write_text(pm_text)
    pm_lines = pm_text.split("\n")
    item_line = pm_lines.index("  - what: Add a canary") + 1
    pm_due_line = next(n for n, line in enumerate(pm_lines, 1) if line.startswith("due:"))
    found = _findings(cli, workspace_dir, "--select", "IR", "--today", "2026-12-01")
    # The overdue postmortem is reported once, on the postmortem (IR008), not on the record too.
    assert found == sorted(
        [
            ("IR001", record.name, ack_line),
            ("IR005", pm.name, item_line),
            ("IR007", pm.name, item_line),
            ("IR008", pm.name, pm_due_line),
        ]
    )
    # Before the due dates nothing date-dependent fires.
    early = _findings(cli, workspace_dir, "--select", "IR", "--today", "2026-11-21")
    assert [code for code, _, _ in early] == ["IR001", "IR005"]
    # Without a postmortem the record says it is overdue (IR004).
    pm.unlink()
    alone = _findings(cli, workspace_dir, "--select", "IR", "--today", "2026-12-01")
    assert alone == [("IR001", record.name, ack_line), ("IR004", record.name, due_line)]


def test_an_overdue_postmortem_hint_names_the_next_status(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _lifecycle(workspace_dir, cli)

    def hint() -> str:
        result = cli("check", "--format", "json", "--no-cache", "--select", "IR008",
                     "--today", "2026-12-01", cwd=workspace_dir)  # fmt: skip
        data = json.loads(result.stdout)
        rows = data["findings"] if isinstance(data, dict) else data
        (row,) = rows
        return str(row.get("hint") or row["message"])

    assert "--status \"In Review\"', then 'Reviewed'" in hint()  # a Draft
    fill_postmortem(workspace_dir / OPS / "postmortems" / f"{ID}.md")
    moved = cli("incident", "postmortem", ID, "--status", "In Review", cwd=workspace_dir)
    assert moved.exit_code == 0, moved.stderr
    assert hint().endswith(f"'opsdocs incident postmortem {ID} --status \"Reviewed\"'")


def _set_severity(record: Path, severity: str) -> int:
    lines = record.read_text().split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("severity:"))
    lines[n] = f"severity: {severity}"
    record.write_text("\n".join(lines))
    return n + 1


def test_a_severity_off_the_default_ladder_is_reported(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _lifecycle(workspace_dir, cli)
    record = workspace_dir / OPS / "incidents" / f"{ID}.md"
    assert _findings(cli, workspace_dir, "--select", "IR009") == []
    line = _set_severity(record, "SEV1")
    assert _findings(cli, workspace_dir, "--select", "IR009") == [("IR009", record.name, line)]
    text = cli("check", "--select", "IR009", "--no-cache", cwd=workspace_dir).stdout
    assert (
        f"{record.name}:{line}:1: IR009 incident-severity-not-on-ladder: severity 'SEV1' is not "
        "on the ladder (P1, P2, P3 from the default ladder)"
    ) in text
    _set_severity(record, "p1")  # names match without regard to case
    assert _findings(cli, workspace_dir, "--select", "IR009") == []


def test_the_playbooks_own_ladder_is_the_one_checked(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _lifecycle(workspace_dir, cli)
    record = workspace_dir / OPS / "incidents" / f"{ID}.md"
    assert cli("new", "incident-response", cwd=workspace_dir).exit_code == 0
    playbook = workspace_dir / OPS / "incident-response.md"
    playbook.write_text(
        playbook.read_text()
        .replace("- name: P1", "- name: SEV1")
        .replace("- name: P2", "- name: SEV2")
    )
    line = next(
        n
        for n, text in enumerate(record.read_text().split("\n"), 1)
        if text.startswith("severity:")
    )
    assert _findings(cli, workspace_dir, "--select", "IR009") == [("IR009", record.name, line)]
    text = cli("check", "--select", "IR009", "--no-cache", cwd=workspace_dir).stdout
    assert "severity 'P1' is not on the ladder (SEV1, SEV2, P3 from incident-response.md)" in text
    _set_severity(record, "SEV1")
    assert _findings(cli, workspace_dir, "--select", "IR009") == []
    # a ladder that does not validate is FM005's to report, not a reason to flag every incident
    playbook.write_text(playbook.read_text().replace("- name: SEV1", "- name: 'SEV 1'"))
    _set_severity(record, "P2")
    found = _findings(cli, workspace_dir, "--select", "IR009,FM005")
    assert [code for code, _, _ in found] == ["FM005"]


def test_document_rules_share_one_analysis_per_document(
    workspace_dir: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import opsdocs.incidents.checks as checks
    from opsdocs.check.engine import analyze_document
    from opsdocs.check.settings import load_settings
    from opsdocs.workspace import Workspace

    _lifecycle(workspace_dir, cli)
    calls: list[str] = []
    real = checks.incident_findings

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("analysis")
        return real(*args, **kwargs)

    monkeypatch.setattr(checks, "incident_findings", counting)
    settings = load_settings(Workspace.discover(root=workspace_dir).config)
    record = workspace_dir / OPS / "incidents" / f"{ID}.md"
    analyze_document(str(record), [f"{OPS}/incidents/{ID}.md"], settings)
    assert calls == ["analysis"]  # IR001, IR002 and IR003 read one analysis

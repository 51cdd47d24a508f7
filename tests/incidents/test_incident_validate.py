"""Check rules for incidents and postmortems, as pure functions, with the finding on its line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from opsdocs.documents.parse import parse_document
from opsdocs.incidents.validate import RULES, incident_findings, postmortem_findings

TODAY = dt.date(2025, 6, 1)
MARK = re.compile(r"\s*\{([a-z-]+)\}$")


def _marked(text: str) -> tuple[str, list[tuple[str, int]]]:
    """Strip ``{rule-name}`` markers from line ends; return the text and (name, line) pairs."""
    lines, expected = [], []
    for number, line in enumerate(text.split("\n"), 1):
        match = MARK.search(line)
        if match:
            expected.append((match.group(1), number))
            line = line[: match.start()]
        lines.append(line)
    return "\n".join(lines), expected


INCIDENTS = {
    "clean": """---
kind: incident
status: resolved
milestones:
  started: 2025-05-01T10:00:00Z
  detected: 2025-05-01T10:05:00Z
  acknowledged: 2025-05-01T10:06:00Z
  mitigated: 2025-05-01T10:30:00Z
  resolved: 2025-05-01T11:00:00Z
postmortem_due: 2025-06-10
---
# Clean

## Timeline

- 2025-05-01T10:05:00Z — Opened
- 2025-05-01T11:00:00Z — Resolved
""",
    "milestones": """---
kind: incident
status: resolved
milestones:
  started: 2025-05-01T10:00:00Z
  detected: 2025-05-01T09:55:00Z {incident-milestones-out-of-order}
  acknowledged: 2025-05-01T10:06:00Z
  mitigated: null
  resolved: 2025-05-01T10:01:00Z {incident-milestones-out-of-order}
postmortem_due: 2025-05-04 {incident-postmortem-overdue}
---
# Bad

## Timeline

- 2025-05-01T10:05:00Z — Opened
- 2025-05-01T10:04:00Z — Back in time {incident-timeline-out-of-order}
- 2025-05-01T11:00:00Z — Resolved
""",
    "status": """---
kind: incident
status: mitigated {incident-status-without-milestone}
milestones:
  started: 2025-05-01T10:00:00Z
  acknowledged: 2025-05-01T10:06:00Z
---
# Status
""",
}


@pytest.mark.parametrize("name", sorted(INCIDENTS))
def test_incident_rules(name: str) -> None:
    text, expected = _marked(INCIDENTS[name])
    doc = parse_document(Path(f"{name}.md"), text)
    findings = incident_findings(doc, today=TODAY)
    assert sorted((f.name, f.line) for f in findings) == sorted(expected)
    assert all(f.name in RULES for f in findings)


def test_overdue_postmortem_depends_on_its_status() -> None:
    text, _ = _marked(INCIDENTS["milestones"])
    doc = parse_document(Path("x.md"), text)

    def names(status: str | None) -> set[str]:
        return {f.name for f in incident_findings(doc, today=TODAY, postmortem_status=status)}

    assert "incident-postmortem-overdue" in names(None)
    assert "incident-postmortem-overdue" in names("In Review")
    assert "incident-postmortem-overdue" not in names("Reviewed")
    (finding,) = [
        f for f in incident_findings(doc, today=TODAY, postmortem_status="Draft")
        if f.name == "incident-postmortem-overdue"
    ]  # fmt: skip
    assert finding.message == "the required postmortem was due 2025-05-04 and is Draft"


POSTMORTEM = """---
kind: postmortem
status: In Review
due: 2025-05-20 {postmortem-overdue}
action_items:
  - what: Add a canary {postmortem-action-item-without-owner}
    due: 2025-07-01
  - what: Fix the alert {postmortem-action-item-without-due-date}
    owner: team-sre
  - what: Old thing {postmortem-action-item-overdue}
    owner: team-sre
    due: 2025-05-01
  - what: Done thing
    owner: team-sre
    due: 2025-05-01
    status: done
---
# PM
"""


def test_postmortem_rules() -> None:
    text, expected = _marked(POSTMORTEM)
    doc = parse_document(Path("pm.md"), text)
    findings = postmortem_findings(doc, today=TODAY)
    assert sorted((f.name, f.line) for f in findings) == sorted(expected)
    owner = [f for f in findings if f.code == "IR005"]
    assert [(f.name, f.line, f.col, f.message) for f in owner] == [
        ("postmortem-action-item-without-owner", 6, 5, "'Add a canary' has no owner")
    ]
    reviewed = parse_document(Path("pm.md"), text.replace("status: In Review", "status: Reviewed"))
    assert "postmortem-overdue" not in {f.name for f in postmortem_findings(reviewed, today=TODAY)}


def test_garbage_front_matter_gives_no_crash() -> None:
    doc = parse_document(Path("x.md"), "---\nmilestones: [1, 2]\naction_items: nope\n---\n# X\n")
    assert incident_findings(doc, today=TODAY) == []
    assert postmortem_findings(doc, today=TODAY) == []


def test_date_rules_work_from_cached_json_facts() -> None:
    import json

    from opsdocs.incidents.validate import (
        incident_due_facts,
        incident_due_findings,
        postmortem_due_facts,
        postmortem_due_findings,
    )

    text, _ = _marked(INCIDENTS["milestones"])
    doc = parse_document(Path("2025-05-01-bad.md"), text)
    undated = {f.name for f in incident_findings(doc, today=None)}
    assert "incident-postmortem-overdue" not in undated
    assert "incident-milestones-out-of-order" in undated
    facts = json.loads(json.dumps(incident_due_facts(doc)))
    assert facts["id"] == "2025-05-01-bad"
    direct = [f for f in incident_findings(doc, today=TODAY) if f.name not in undated]
    assert incident_due_findings(facts, today=TODAY, postmortem_status=None) == direct

    pm_text, _ = _marked(POSTMORTEM)
    pm = parse_document(Path("pm.md"), pm_text)
    pm_undated = {f.name for f in postmortem_findings(pm, today=None)}
    assert pm_undated == {
        "postmortem-action-item-without-owner",
        "postmortem-action-item-without-due-date",
    }
    pm_facts = json.loads(json.dumps(postmortem_due_facts(pm)))
    assert pm_facts["status"] == "In Review"
    dated = [f for f in postmortem_findings(pm, today=TODAY) if f.name not in pm_undated]
    assert postmortem_due_findings(pm_facts, today=TODAY) == dated
    assert {f.name for f in dated} == {"postmortem-action-item-overdue", "postmortem-overdue"}

"""The severity ladder in the playbook's front matter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import parse_document, read_document
from opsdocs.documents.scaffold import bundled_template
from opsdocs.errors import DocumentError, UsageError
from opsdocs.incidents.policy import (
    DEFAULT_ROLES,
    DEFAULT_SEVERITIES,
    IncidentResponseFrontMatter,
    PostmortemRule,
    load_playbook,
    parse_due,
    parse_span,
    playbook_from_document,
)
from opsdocs.workspace import Workspace
from tests.conftest import Result

BASE = "kind: incident-response\ntitle: Playbook\nowner: team-sre\nlast_reviewed: 2026-01-01\n"


def test_kind_points_at_the_playbook_model() -> None:
    assert get_kind("incident-response").schema is IncidentResponseFrontMatter


def test_playbook_without_ladder_gets_the_defaults() -> None:
    model = IncidentResponseFrontMatter.model_validate(
        {
            "kind": "incident-response",
            "title": "P",
            "owner": "team-sre",
            "last_reviewed": "2026-01-01",
        }
    )
    assert [s.name for s in model.severities] == ["P1", "P2", "P3"]
    assert model.severities == list(DEFAULT_SEVERITIES)
    assert model.roles == list(DEFAULT_ROLES)


def test_bundled_template_carries_the_default_ladder(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    assert "severities:" in bundled_template("incident-response-template.md")
    assert cli("new", "incident-response", "--owner", "team-sre", cwd=workspace_dir).exit_code == 0
    doc = read_document(workspace_dir / "docs/internal/operations/incident-response.md")
    assert doc.front_matter is not None
    assert "severities" in doc.front_matter and "roles" in doc.front_matter
    model = IncidentResponseFrontMatter.model_validate(doc.front_matter)
    assert model.severities == list(DEFAULT_SEVERITIES)
    assert model.roles == list(DEFAULT_ROLES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5m", dt.timedelta(minutes=5)), ("1h", dt.timedelta(hours=1)), ("30s", dt.timedelta(seconds=30)),
     ("2d", dt.timedelta(days=2))],
)  # fmt: skip
def test_parse_span(text: str, expected: dt.timedelta) -> None:
    assert parse_span(text) == expected


@pytest.mark.parametrize("text", ["5", "0m", "5 minutes", "-1h", ""])
def test_parse_span_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="must be a number and a unit"):
        parse_span(text)


def test_parse_due() -> None:
    assert parse_due("3 calendar days") == (3, "calendar")
    assert parse_due("5 Business  Days") == (5, "business")
    assert parse_due("1 day") == (1, "calendar")
    assert parse_due("4d") == (4, "calendar")
    with pytest.raises(ValueError, match="'N calendar days' or 'N business days'"):
        parse_due("next week")


def test_due_dates_calendar_and_business() -> None:
    friday = dt.date(2025, 3, 7)
    assert PostmortemRule(required=True, due="3 calendar days").due_date(friday) == dt.date(
        2025, 3, 10
    )
    # Friday + 5 business days: Mon 10 .. Fri 14.
    assert PostmortemRule(required=True, due="5 business days").due_date(friday) == dt.date(
        2025, 3, 14
    )
    # Saturday + 1 business day: Monday.
    assert PostmortemRule(required=True, due="1 business day").due_date(
        dt.date(2025, 3, 8)
    ) == dt.date(2025, 3, 10)
    assert PostmortemRule(required=False).due_date(friday) is None


def test_required_postmortem_needs_a_due_rule() -> None:
    with pytest.raises(ValidationError, match="a required postmortem needs 'due'"):
        PostmortemRule(required=True)


def test_bad_ladder_error_points_at_the_key(tmp_path: Path) -> None:
    text = (
        "---\n" + BASE + "severities:\n  - name: P1\n    definition: bad\n"
        "    ack_within: soon\n    postmortem: {required: false}\n---\n# Playbook\n"
    )
    doc = parse_document(tmp_path / "incident-response.md", text)
    with pytest.raises(DocumentError) as info:
        playbook_from_document(doc)
    err = info.value
    assert err.line == 9 and err.col == 5  # the ack_within key
    assert err.message.startswith(
        "severities.0.ack_within: Value error, must be a number and a unit"
    )


def test_duplicate_severity_names_are_refused() -> None:
    one = DEFAULT_SEVERITIES[0].model_dump()
    with pytest.raises(ValidationError, match="severity 'p1' appears twice"):
        IncidentResponseFrontMatter.model_validate(
            {"kind": "incident-response", "title": "P", "owner": "team-sre",
             "last_reviewed": "2026-01-01", "severities": [one, {**one, "name": "p1"}]}
        )  # fmt: skip


def test_unknown_keys_in_a_severity_are_refused() -> None:
    one = DEFAULT_SEVERITIES[0].model_dump()
    with pytest.raises(ValidationError, match="ack_whithin"):
        IncidentResponseFrontMatter.model_validate(
            {"kind": "incident-response", "title": "P", "owner": "team-sre",
             "last_reviewed": "2026-01-01", "severities": [{**one, "ack_whithin": "5m"}]}
        )  # fmt: skip


def test_load_playbook_and_lookups(workspace_dir: Path) -> None:
    playbook = load_playbook(Workspace.discover(root=workspace_dir))
    assert playbook.path is None  # no playbook yet: the defaults
    assert playbook.severity("p2").name == "P2"
    assert playbook.rank("P1") < playbook.rank("P3") < playbook.rank("SEV9")
    with pytest.raises(UsageError, match="unknown severity 'P4'"):
        playbook.severity("P4")
    assert playbook.role("Scribe").title == "Scribe"
    with pytest.raises(UsageError, match="unknown role 'captain'"):
        playbook.role("captain")

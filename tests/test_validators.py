"""The shared validators, and the spec keys that use them: each keeps its own message and key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from opsdocs.capacity.spec import CapacityFrontMatter
from opsdocs.cost.spec import CostFrontMatter
from opsdocs.dr.spec import BackupJob
from opsdocs.oncall.spec import OnCallFrontMatter, OnCallSection
from opsdocs.reports.settings import ReportSettings
from opsdocs.slo.spec import SloFrontMatter, SloSection
from opsdocs.validators import unique_names, validate_spec

COMMON = {"title": "T", "owner": "team-api", "last_reviewed": "2026-11-01", "service": "api"}
RESOURCE = {"name": "disk", "usage": {"query": "x"}, "limit": 10, "lead_time": "14d"}
BUDGET = {"name": "api", "monthly": "100", "tags": {"team": "api"}}
SLO = {
    "name": "availability",
    "objective": 99.9,
    "indicator": {"type": "ratio", "errors": "sum(rate(e[{{window}}]))", "total": "t"},
}
ROTATION = {
    "name": "primary",
    "members": ["alice"],
    "zone": "UTC",
    "start": "2026-03-22",
    "handoff": "09:00",
    "length": "weekly",
}


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


class _Item:
    def __init__(self, name: str) -> None:
        self.name = name


def test_unique_names_names_the_first_repeat() -> None:
    check = unique_names("{!r} twice")
    items = [_Item("a"), _Item("b")]
    assert check(items) is items
    with pytest.raises(ValueError, match=r"^'b' twice$"):
        check([_Item("a"), _Item("b"), _Item("b"), _Item("a")])


@pytest.mark.parametrize(
    ("model", "data", "error"),
    [
        (
            CapacityFrontMatter,
            {**COMMON, "kind": "capacity", "resources": [RESOURCE, RESOURCE]},
            (("resources",), "Value error, resource 'disk' is listed twice"),
        ),
        (
            CostFrontMatter,
            {**COMMON, "kind": "cost", "budgets": [BUDGET, BUDGET]},
            (("budgets",), "Value error, budget 'api' is listed twice"),
        ),
        (
            SloFrontMatter,
            {**COMMON, "kind": "slo", "slos": [SLO, SLO]},
            (("slos",), "Value error, two SLOs are named 'availability'; names must be unique"),
        ),
        (
            SloSection,
            {"service": "api", "slos": [SLO, SLO]},
            (("slos",), "Value error, two SLOs are named 'availability'; names must be unique"),
        ),
        (
            OnCallSection,
            {"teams": [{"name": "a", "rotations": [ROTATION]}] * 2},
            (("teams",), "Value error, two teams are named 'a'; names must be unique"),
        ),
        (
            OnCallFrontMatter,
            {**COMMON, "kind": "on-call", "teams": [{"name": "a", "rotations": [ROTATION] * 2}]},
            (("teams",), "Value error, two rotations are named 'primary'; names must be unique"),
        ),
        (
            BackupJob,
            {"name": "nightly", "tool": "restic", "schedule": "1 day"},
            (
                ("schedule",),
                "Value error, must be a duration such as '5m', '1h' or '3d' (got '1 day')",
            ),
        ),
        (
            ReportSettings,
            {"token_env": "PROM-TOKEN"},
            (("token_env",), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'"),
        ),
        (
            BackupJob,
            {"name": "nightly", "tool": "restic", "schedule": "1d", "password_env": "1X"},
            (("password_env",), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'"),
        ),
    ],
)
def test_each_spec_keeps_its_message_at_its_key(
    model: type[BaseModel], data: dict[str, Any], error: tuple[tuple[Any, ...], str]
) -> None:
    assert _errors(model, data) == [error]


def _words(error: Any) -> tuple[str, str | None]:
    return f"{error['type']}!", "fix it"


def test_validate_spec_gives_the_model_or_a_problem_per_error_at_its_key() -> None:
    section, problems = validate_spec(SloSection, {"service": "api", "slos": [SLO]}, _words)
    assert section is not None and section.slos[0].name == "availability"
    assert problems == []
    bad = {"service": "api", "slos": [{**SLO, "objective": 120, "extra": 1}]}
    section, problems = validate_spec(SloSection, bad, _words)
    assert section is None
    assert [(p.key_path, p.message, p.hint, p.severity) for p in problems] == [
        (("slos", 0, "objective"), "value_error!", "fix it", "error"),
        (("slos", 0, "extra"), "extra_forbidden!", "fix it", "error"),
    ]


def test_validate_spec_puts_a_union_tag_error_at_the_type_key() -> None:
    untyped = {"service": "api", "slos": [{**SLO, "indicator": {"errors": "e"}}]}
    _, problems = validate_spec(SloSection, untyped, _words)
    assert [(p.key_path, p.message) for p in problems] == [
        (("slos", 0, "indicator", "type"), "union_tag_not_found!")
    ]

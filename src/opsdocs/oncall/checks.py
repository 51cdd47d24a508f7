"""OC: on-call schedules held against the ladder, the runbooks and the alert routing, as rules of
``opsdocs check``.

The analysis (:func:`opsdocs.oncall.audit.audit`) runs once per check and is shared by the
workspace rules; OC007 looks at one document and is cached with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext, WorkspaceContext

__all__ = ["RULES"]

_MEMO = "oncall"


def _audit(ctx: WorkspaceContext) -> list[Diagnostic]:
    from opsdocs.documents.parse import read_document
    from opsdocs.errors import InputError
    from opsdocs.oncall.audit import Inputs, Owner, audit
    from opsdocs.oncall.settings import load_settings

    workspace = ctx.workspace
    if workspace is None:
        return []
    oncall = []
    for facts in ctx.documents("on-call"):
        try:
            oncall.append((facts.path, read_document(Path(facts.path))))
        except InputError:
            continue
    playbook = None
    for facts in ctx.documents("incident-response")[:1]:
        with contextlib.suppress(InputError):
            playbook = (facts.path, read_document(Path(facts.path)))
    owners = [
        Owner(facts.path, facts.owner, *facts.position("owner"))
        for facts in ctx.documents("runbook")
        if facts.owner
    ]
    inputs = Inputs(oncall, playbook, owners, load_settings(workspace.config), workspace, ctx.today)
    return audit(inputs)


def _reporter(code: str) -> Callable[[WorkspaceContext], Iterator[Diagnostic]]:
    def check(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
        yield from (d for d in ctx.once(_MEMO, _audit) if d.code == code)

    return check


def _policy(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.oncall.roster import policy_problems

    if ctx.kind_name != "on-call":
        return
    for problem in policy_problems(ctx.doc):
        yield ctx.diagnostic(problem.key_path, message=problem.message, hint=problem.hint)


def _rule(code: str, name: str, summary: str, severity: str, **text: Any) -> Rule:
    fields: dict[str, Any] = {"scope": "workspace", "check": _reporter(code)}
    fields.update(text)
    return Rule(code=code, name=name, summary=summary, severity=severity, **fields)  # type: ignore[arg-type]


RULES = [
    _rule(
        "OC001",
        "oncall-role-unscheduled",
        "A severity pages a role that no on-call schedule provides.",
        "error",
        what=(
            "Reports a role in a severity's `page` list (the playbook's ladder) that no rotation "
            "or escalation level provides. A rotation provides `<name> on-call` unless it says "
            "`role:`; a level provides its `role:`. Applies once the workspace has an on-call "
            "schedule."
        ),
        why=(
            "The ladder promises that someone is paged; if no schedule says who holds the role, "
            "nobody is, and the gap shows during the incident."
        ),
        example="```yaml\nseverities:\n  - name: P1\n    page: [primary on-call, "
        "engineering manager]\n```\nwith no rotation or level that provides "
        "'engineering manager'.",
        instead="```yaml\nescalation:\n  - rotation: primary\n  - person: erin\n    after: 30m\n"
        "    role: engineering manager\n```",
    ),
    _rule(
        "OC002",
        "oncall-escalation-slower-than-ack",
        "A team's first escalation level is paged later than the ladder's ack_within.",
        "error",
        what=(
            "Reports a team whose first escalation level has an `after` longer than the shortest "
            "`ack_within` of the ladder's paging severities."
        ),
        why=(
            "If the first person is paged after the acknowledgement target has passed, the "
            "target cannot be met by anyone."
        ),
        example="```yaml\nescalation:\n  - rotation: primary\n"
        "    after: 10m   # P1 ack_within: 5m\n```",
        instead="```yaml\nescalation:\n  - rotation: primary\n    after: 0m\n```",
    ),
    _rule(
        "OC003",
        "oncall-owner-unscheduled",
        "A team owns a service (runbook owner) but has no on-call schedule.",
        "warning",
        what=(
            "Reports a runbook whose `owner` team has no on-call schedule in any on-call "
            "document. Applies once the workspace has an on-call schedule."
        ),
        why="An alert for the service pages its team; without a schedule nobody is on call for it.",
        example="```yaml\nkind: runbook\nowner: team-search   # no on-call-team-search.md\n```",
        instead="Add the team to an on-call document: `opsdocs new on-call team-search`.",
    ),
    _rule(
        "OC004",
        "oncall-schedule-gap",
        "An escalation level is uncovered in the coming days.",
        "error",
        what=(
            "Reports an escalation level that nobody covers for some time in the next "
            "`gap_days` days (`[oncall] gap_days`, default 14) from today (`--today`)."
        ),
        why="An alert in the hole pages nobody at that level.",
        example="A rotation whose RRULE ends (`UNTIL=...`) next week, or follow-the-sun halves "
        "that stop tiling the day when one zone changes to summer time.",
        instead="Extend the rotation, add an override for the hole, or widen a restriction; "
        "`opsdocs oncall gaps --from D --to D` lists every hole.",
    ),
    _rule(
        "OC005",
        "oncall-member-unknown",
        "A rotation member is not among the configured people of the team.",
        "warning",
        what=(
            "Reports a rotation member (or an override's `who`) that is not in the team's list "
            "under `[oncall.people]`, when the configuration has one for the team."
        ),
        why="A misspelt or departed person in a rotation is a shift nobody takes.",
        example='```toml\n[oncall.people]\nteam-api = ["alice", "bob"]\n```\nwith '
        "`members: [alice, bbo]`.",
        instead="```yaml\nmembers: [alice, bob]\n```",
    ),
    _rule(
        "OC006",
        "oncall-page-unrouted",
        "A paging severity reaches no pager in the Alertmanager configuration.",
        "error",
        what=(
            "Resolves, in the Alertmanager configuration named by `[oncall.alertmanager] "
            "config`, the receiver of an alert with each paging severity and each team, and "
            "reports the ones that reach no pager (a receiver with PagerDuty, Opsgenie or "
            "VictorOps configs, or named `*-pager`)."
        ),
        why="The ladder says the severity pages; a route that sends it to chat or email does "
        "not wake anybody.",
        example="```yaml\nroutes:\n  - matchers: ['severity=\"P1\"']\n    receiver: slack\n```",
        instead="Route paging severities to the team's pager receiver; "
        "`opsdocs oncall alertmanager` writes such a configuration.",
    ),
    Rule(
        code="OC007",
        name="oncall-escalation-invalid",
        summary="An escalation level pages nobody, names an unknown rotation, repeats the "
        "previous level or is paged out of order.",
        severity="error",
        check=_policy,
        what=(
            "Reports an escalation level with no `rotation` or `person`, a `rotation` that is "
            "not one of the team's, a level that escalates to itself (the same target as the "
            "level before), and a level whose `after` is not later than the previous one's."
        ),
        why="The escalation policy is what pages the next person; a broken level breaks the "
        "chain at the moment it is needed.",
        example="```yaml\nescalation:\n  - rotation: primary\n  - rotation: primary\n"
        "    after: 15m\n```",
        instead="```yaml\nescalation:\n  - rotation: primary\n  - rotation: secondary\n"
        "    after: 15m\n```",
    ),
]

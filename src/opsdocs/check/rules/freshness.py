"""FR: documents whose review is overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from opsdocs.check.context import WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import get_kind
from opsdocs.documents.schemas import review_due


def _overdue(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    for path, facts in ctx.reported_facts():
        if not facts.type_name or not facts.last_reviewed:
            continue
        if facts.kind is not None and not get_kind(facts.kind).reviewed:
            continue  # a record of an event (incident, postmortem) has no review cycle
        every = facts.review_every or ctx.settings.review_every
        try:
            due = review_due(dt.date.fromisoformat(facts.last_reviewed), every)
        except ValueError:
            continue  # FM005 reports a bad value
        if due is not None and ctx.today > due:
            line, col = facts.position("last_reviewed")
            yield Diagnostic(
                line=line,
                col=col,
                message=(
                    f"review overdue: last reviewed {facts.last_reviewed}, due {due.isoformat()} "
                    f"(every {every}), {(ctx.today - due).days} days ago"
                ),
                hint="review the document, then set last_reviewed to today's date",
                path=path,
            )


OVERDUE = Rule(
    code="FR001",
    name="review-overdue",
    summary="The document's last review is older than its review interval.",
    severity="error",
    scope="workspace",
    check=_overdue,
    what=(
        "Reports a document whose `last_reviewed` date plus `review_every` (default: the "
        "workspace's `review_every`, 90 days) is before today. `--today DATE` sets the date."
    ),
    why=(
        "Systems change under their runbooks. A review date is a promise that someone "
        "recently walked through the document; an overdue one means nobody knows if it is true."
    ),
    example="```yaml\nlast_reviewed: 2025-01-10\nreview_every: 90d\n```\n(checked on 2026-01-10)",
    instead="Review the document and set `last_reviewed` to the date of the review.",
)

RULES = [OVERDUE]

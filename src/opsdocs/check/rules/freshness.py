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
    for _, facts in ctx.reported_facts():
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
            yield facts.diagnostic(
                "last_reviewed",
                message=(
                    f"review overdue: last reviewed {facts.last_reviewed}, due {due.isoformat()} "
                    f"(every {every}), {(ctx.today - due).days} days ago"
                ),
                hint="review the document, then set last_reviewed to today's date",
            )


RULES = [Rule("FR001", "review-overdue", "error", scope="workspace", check=_overdue)]

"""CO: cost documents held against their billing exports, as rules of ``opsdocs check``.

CO001 looks at one document. CO002 reads the exports the documents name, for the month of
``--today``, once per check run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext, WorkspaceContext

__all__ = ["RULES"]


def _no_source(ctx: DocContext) -> Iterator[Diagnostic]:
    if ctx.doctype.kind is None or ctx.doctype.kind.name != "cost":
        return
    front = ctx.doc.front_matter
    if not isinstance(front, dict) or front.get("sources"):
        return
    line, col = ctx.doc.position(("kind",))
    yield Diagnostic(
        line=line,
        col=col,
        message="the cost document names no billing export",
        hint="list FOCUS exports under 'sources:', e.g. sources: [billing/focus-*.csv.gz]",
    )


def _over_budget(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.cost.report import CostDocument, build_report, read_cost_document
    from opsdocs.documents.parse import Document, read_document
    from opsdocs.errors import InputError

    workspace = ctx.workspace
    if workspace is None:
        return
    documents: list[CostDocument] = []
    parsed: dict[str, Document] = {}
    for facts in ctx.documents("cost"):
        try:
            doc = read_document(Path(facts.path))
            spec = read_cost_document(doc)
        except InputError:
            continue  # front matter problems are FM findings
        if spec.spec.sources and spec.spec.budgets:
            documents.append(spec)
            parsed[doc.path.name] = doc
    if not documents:
        return
    try:
        report = build_report(workspace, documents, ctx.today.replace(day=1))
    except InputError as exc:
        first = parsed[documents[0].path.name]
        line, col = first.position(("sources",))
        yield Diagnostic(
            path=str(first.path),
            line=line,
            col=col,
            message=f"cannot measure the budgets: {exc.message}",
            hint=exc.hint,
        )
        return
    for budget in report.budgets:
        if not budget.over_threshold:
            continue
        doc = parsed[budget.document]
        names = [b.get("name") for b in (doc.get("budgets") or []) if isinstance(b, dict)]
        index = names.index(budget.name) if budget.name in names else 0
        line, col = doc.position(("budgets", index, "monthly"))
        yield Diagnostic(
            path=str(doc.path),
            line=line,
            col=col,
            message=(
                f"budget {budget.name!r}: forecast {budget.forecast} {report.currency} is "
                f"{budget.forecast_percent}% of {budget.budget} (threshold {budget.threshold}%)"
            ),
            hint="cut spend or raise the budget; 'opsdocs cost report' shows the movers",
        )


RULES = [
    Rule(
        code="CO001",
        name="cost-source-missing",
        summary="A cost document names no billing export to measure its budgets against.",
        severity="warning",
        check=_no_source,
        what="Reports a `cost` document whose front matter has no `sources:` (globs of FOCUS "
        "1.x billing exports, CSV or Parquet).",
        why="Budgets that nothing measures are prose: nobody learns that the month runs over "
        "until the invoice arrives.",
        example="```yaml\nkind: cost\nbudgets:\n  - name: api\n    monthly: 1200\n"
        "    tags: {service: api}\n```",
        instead="```yaml\nkind: cost\nsources: [billing/focus-*.csv.gz]\nbudgets:\n"
        "  - name: api\n    monthly: 1200\n    tags: {service: api}\n```",
    ),
    Rule(
        code="CO002",
        name="cost-forecast-over-budget",
        summary="A budget's month-end forecast is over its threshold.",
        severity="warning",
        scope="workspace",
        check=_over_budget,
        what="Reads the billing exports the cost documents name, for the month of today "
        "(`--today`), and reports each budget whose forecast month-end spend (linear on the "
        "days with data) is over `threshold` percent of its monthly amount (default 100). "
        "Applies only to documents with `sources:`.",
        why="A forecast over budget in the middle of the month can still be acted on; the "
        "invoice cannot.",
        example="```yaml\nbudgets:\n  - name: api\n    monthly: 1000   # forecast: 1450\n"
        "    tags: {service: api}\n```",
        instead="Find the movers with `opsdocs cost report --month YYYY-MM`, cut the spend, "
        "or raise `monthly` with the approval recorded in the document.",
    ),
]

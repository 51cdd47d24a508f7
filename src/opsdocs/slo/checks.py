"""SL: check rules contributed by the SLO feature (listed in ``check.registry.RULE_MODULES``).

The front-matter schema (FM005) already reports keys and types of the SLO spec; these rules add
what a schema cannot say: placeholders, PromQL that does not parse, windows too short for the
scrape interval, objectives whose alerts can never fire, and the generated error-budget table.
"""

from __future__ import annotations

from collections.abc import Iterator

from opsdocs.check.context import DocContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.slo.budget import budget_table_is_stale
from opsdocs.slo.settings import SloSettings, load_settings
from opsdocs.slo.validate import SpecProblem, check_slo, load_front_matter


def _settings(ctx: DocContext) -> SloSettings:
    return load_settings(ctx.settings.features.get("slo"))


def _problems(ctx: DocContext) -> Iterator[SpecProblem]:
    kind = ctx.doctype.kind
    data = ctx.doc.front_matter
    if kind is None or kind.name != "slo" or data is None or ctx.doc.problems:
        return
    section, _ = load_front_matter(data)
    if section is None:
        return  # FM005 reports schema errors
    settings = _settings(ctx)
    for index, slo in enumerate(section.slos):
        yield from check_slo(slo, settings, key_path=("slos", index))


def _violations(ctx: DocContext, severity: str) -> Iterator[Diagnostic]:
    for problem in _problems(ctx):
        if problem.severity == severity:
            line, col = ctx.doc.position(problem.key_path)
            message = f"{problem.key}: {problem.message}" if problem.key_path else problem.message
            yield Diagnostic(line=line, col=col, message=message, hint=problem.hint)


def _invalid(ctx: DocContext) -> Iterator[Diagnostic]:
    return _violations(ctx, "error")


def _infeasible(ctx: DocContext) -> Iterator[Diagnostic]:
    return _violations(ctx, "warning")


def _stale_budget(ctx: DocContext) -> Iterator[Diagnostic]:
    kind = ctx.doctype.kind
    if kind is None or kind.name != "slo" or ctx.doc.problems:
        return
    section, _ = load_front_matter(ctx.doc.front_matter or {})
    if section is None or not section.slos:
        return
    if budget_table_is_stale(ctx.doc, _settings(ctx).window_pairs()):
        target = ctx.doc.section("SLO Target")
        line = target.line if target is not None else 1
        yield Diagnostic(
            line=line,
            col=1,
            message="the error-budget table is missing or does not match the SLOs",
            hint="run 'opsdocs check --fix', 'opsdocs index' or 'opsdocs slo budget'",
        )


def fix_budget_table(ctx: DocContext) -> str | None:
    """The document's text with a current budget table, or None when nothing changes."""
    from opsdocs.slo.budget import update_budget_table

    new = update_budget_table(ctx.doc, _settings(ctx).window_pairs())
    return None if new == ctx.doc.text else new


INVALID = Rule(
    code="SL001",
    name="invalid-slo-spec",
    summary="An SLO in the front matter cannot be compiled into rules.",
    severity="error",
    check=_invalid,
    what=(
        "Validates each SLO of an `slo` document beyond its schema: the `{{window}}` "
        "placeholder in ratio queries, PromQL that parses, the shortest alert window against "
        "the scrape interval (`[tool.opsdocs.slo] scrape_interval`, `min_window_scrapes`), and "
        "the period against the longest window. Reported at the offending key."
    ),
    why=(
        "`opsdocs slo rules` refuses such a document, so its alerts are not generated; a "
        "query without `{{window}}` would make every window measure the same range."
    ),
    example=(
        "```yaml\nslos:\n  - name: availability\n    objective: 99.9\n    indicator:\n"
        '      ratio:\n        errors: sum(rate(http_requests_total{code=~"5.."}[5m]))\n'
        "        total: sum(rate(http_requests_total[{{window}}]))\n```"
    ),
    instead="Use `[{{window}}]` as the range of every ratio query, and PromQL that parses.",
)

INFEASIBLE = Rule(
    code="SL002",
    name="infeasible-slo",
    summary="An SLO whose alerts can never fire, or whose budget is a few seconds a day.",
    severity="warning",
    check=_infeasible,
    what=(
        "Warns when the page alert's burn-rate threshold is above 100 % errors (90 % over 30 "
        "days at 14.4x needs an error ratio of 144 %), or when the error budget allows only "
        "seconds of full outage a day."
    ),
    why=(
        "An alert that can never fire protects nothing, and an objective nobody can meet "
        "teaches people to ignore the SLO."
    ),
    example="```yaml\nslos:\n  - name: availability\n    objective: 90\n```",
    instead="Pick an objective the service can meet and its alerts can detect.",
)

STALE_BUDGET = Rule(
    code="SL003",
    name="stale-budget-table",
    summary="The generated error-budget table of an SLO document is missing or out of date.",
    severity="error",
    check=_stale_budget,
    fixable=True,
    fix=fix_budget_table,
    what=(
        "Regenerates the table between `<!-- opsdocs:budget:start -->` and "
        "`<!-- opsdocs:budget:end -->` from the front matter's `slos` and reports when it "
        "differs from the document."
    ),
    why=(
        "The table tells readers how much outage the objective allows and how fast each alert "
        "burns the budget. After an objective changes, a stale table tells them the wrong story."
    ),
    example="`objective: 99.95` in the front matter, with a table still computed for 99.9.",
    instead="Run `opsdocs check --fix` or `opsdocs index` and commit the document.",
)

RULES = [INVALID, INFEASIBLE, STALE_BUDGET]

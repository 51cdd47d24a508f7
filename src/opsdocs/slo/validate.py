"""Checks of an SLO spec that the schema alone cannot express, with key paths for positions.

Errors: placeholders missing, PromQL that does not parse, a shortest window too short for the
scrape interval, windows longer than the period. Warnings: an objective whose alert can never
fire (the threshold is above a 100 % error ratio), an error budget of only seconds a day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from opsdocs.diagnostics import Diagnostic
from opsdocs.durations import duration_seconds, format_duration, period_seconds
from opsdocs.promql import (
    PromqlError,
    bound_problem,
    check_promql,
    label_mismatch,
    selector,
    sli_queries,
)
from opsdocs.slo.settings import SloSettings
from opsdocs.slo.spec import (
    LatencyIndicator,
    ProbeIndicator,
    RatioIndicator,
    RawIndicator,
    SloSection,
    SloSpec,
    budget_ratio,
    has_placeholder,
    render_window,
)
from opsdocs.slo.windows import (
    WindowPair,
    format_float,
)
from opsdocs.validators import validate_spec

__all__ = [
    "KeyPath",
    "check_slo",
    "format_key_path",
    "keyed",
    "load_front_matter",
]

KeyPath = tuple[str | int, ...]

#: Below this many seconds of full outage a day the budget is too small to act on.
TINY_BUDGET_SECONDS_PER_DAY = 10.0


def format_key_path(key_path: Sequence[str | int]) -> str:
    """``("slos", 0, "objective")`` as ``slos[0].objective``."""
    out = ""
    for part in key_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def keyed(problem: Diagnostic, *, hint: bool = True) -> str:
    """``slos[0].objective: message (hint)``: the problem as one line naming its key (without
    the hint when not ``hint``)."""
    key = format_key_path(problem.key_path)
    text = problem.detail() if hint else problem.message
    return f"{key}: {text}" if key else text


def _message(error: Any) -> tuple[str, str | None]:
    kind = error["type"]
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown key", "see docs/slo-spec.md for the keys an SLO takes"
    if kind == "missing":
        return "required key is missing", None
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "")
        return f"unknown indicator type {tag!r}", "use one of ratio, latency, raw, probe"
    if kind == "union_tag_not_found":
        return "indicator has no type", "use one of ratio, latency, raw, probe"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"{msg} (got {error.get('input')!r})", f"pattern {pattern}" if pattern else None
    return msg, None


def load_front_matter(data: dict[str, Any]) -> tuple[SloSection | None, list[Diagnostic]]:
    """Validate an ``slo`` document's front matter; the model, or ``None`` and the problems."""
    return validate_spec(SloSection, data, _message)


def _queries(slo: SloSpec) -> Iterator[tuple[str, str, bool]]:
    """(key, query, needs the window placeholder) for every query of the indicator."""
    ind = slo.indicator
    if isinstance(ind, RatioIndicator):
        for key in ("errors", "good", "total"):
            value = getattr(ind, key)
            if value is not None:
                yield key, value, True
    elif isinstance(ind, RawIndicator):
        yield "error_ratio", ind.error_ratio, True
    elif isinstance(ind, LatencyIndicator | ProbeIndicator):
        yield "selector", ind.selector, False


def check_slo(
    slo: SloSpec,
    settings: SloSettings,
    *,
    key_path: KeyPath = (),
) -> list[Diagnostic]:
    """Semantic checks of one SLO whose schema is valid."""
    problems: list[Diagnostic] = []
    at = key_path
    ind_path = (*at, "indicator")
    for key, query, needs_window in _queries(slo):
        found = _query_problem(slo, key, query, needs_window)
        if found is not None:
            message, hint = found
            problems.append(Diagnostic(message=message, hint=hint, key_path=(*ind_path, key)))
    if not problems:
        problems.extend(ratio_label_problems(slo, ind_path))

    alerting = slo.alerting
    enabled = tuple(s for s in ("page", "ticket") if getattr(alerting, s).enabled)
    schedule = _schedule_problems(
        settings.window_pairs(),
        settings.min_window_scrapes,
        settings.scrape_interval,
        slo.period,
        slo.objective,
        enabled,
    )
    problems.extend(replace(p, key_path=(*at, *p.key_path)) for p in schedule)
    return problems


def _query_problem(
    slo: SloSpec, key: str, query: str, needs_window: bool
) -> tuple[str, str | None] | None:
    """The first problem of one query of the indicator, as ``(message, hint)``."""
    if key == "selector":
        assert isinstance(slo.indicator, LatencyIndicator | ProbeIndicator)
        try:
            query = selector(slo.indicator.metric, query)
        except PromqlError as exc:
            hint = 'write label matchers only, separated by commas: job="api", code=~"5.."'
            return f"not a list of label matchers: {exc}", hint
    if needs_window and not has_placeholder(query):
        hint = "write the range as [{{window}}], e.g. rate(x_total[{{window}}])"
        return "query has no {{window}} placeholder", hint
    rendered = render_window(query, "5m")
    too_big = bound_problem(rendered)
    if too_big is not None:
        return too_big, "simplify it, or record a part as its own rule"
    complaint = check_promql(rendered)
    return None if complaint is None else (f"PromQL does not parse: {complaint}", None)


def ratio_label_problems(slo: SloSpec, ind_path: KeyPath) -> list[Diagnostic]:
    """A ratio whose two queries keep different labels: its division matches no series, so
    the SLI is empty and the alert can never fire (while a sum of each would show a burn)."""
    ind = slo.indicator
    if not isinstance(ind, RatioIndicator):
        return []
    q = sli_queries(slo)
    part = ("errors", q.errors) if q.errors is not None else ("good", q.good)
    assert part[1] is not None and q.total is not None
    mismatch = label_mismatch([(part[0], part[1]), ("total", q.total)])
    if mismatch is None:
        return []
    return [
        Diagnostic(
            message=f"{part[0]} and total keep different labels ({mismatch}): dividing them"
            " matches no series, so the SLI is empty and the alert never fires",
            hint="aggregate both by the same labels, e.g. sum(...) in both",
            key_path=(*ind_path, part[0]),
        )
    ]


@lru_cache(maxsize=1024)
def _schedule_problems(
    pairs: tuple[WindowPair, ...],
    min_window_scrapes: int,
    scrape_interval: str,
    period_text: str,
    objective: float,
    enabled: tuple[str, ...],
) -> tuple[Diagnostic, ...]:
    """The checks of an SLO that depend only on the window catalogue, the scrape interval, the
    period, the objective and the enabled alerts (not on its queries), at key paths under the
    SLO's; shared by every SLO that agrees on those."""
    problems: list[Diagnostic] = []
    period = period_seconds(period_text)
    shortest = min(p.short for p in pairs)
    need = min_window_scrapes * duration_seconds(scrape_interval)
    if shortest < need:
        problems.append(  # a matter of the configuration, reported at the SLO itself
            Diagnostic(
                message=f"shortest alert window {format_duration(shortest)} spans fewer than"
                f" {min_window_scrapes} scrapes of {scrape_interval}",
                hint="lower slo.scrape_interval or configure longer slo.windows",
            )
        )
    longest = max(p.long for p in pairs)
    if longest > period:
        problems.append(
            Diagnostic(
                message=f"period {period_text} is shorter than the longest alert window"
                f" {format_duration(longest)}",
                hint="use a period of at least that, or configure shorter slo.windows",
                key_path=("period",),
            )
        )

    budget = budget_ratio(objective)
    for pair in pairs:
        if pair.severity not in enabled:
            continue
        factor = pair.factor(period)
        if factor * budget >= 1:
            problems.append(
                Diagnostic(
                    message=f"the {pair.severity} alert's {pair.label} condition can never fire:"
                    f" it needs an error ratio above {format_float(factor)} ×"
                    f" {format_float(budget)} = {factor * budget:.3g}, more than 100 %",
                    hint="raise the objective, or disable that alert",
                    severity="warning",
                    key_path=("objective",),
                )
            )
    per_day = budget * 86400
    if per_day < TINY_BUDGET_SECONDS_PER_DAY:
        problems.append(
            Diagnostic(
                message=f"an objective of {format_float(objective)} % allows {per_day:.2g} s of"
                " full outage a day, too little to notice and act on",
                hint="lower the objective, or measure over a longer period",
                severity="warning",
                key_path=("objective",),
            )
        )
    return tuple(problems)

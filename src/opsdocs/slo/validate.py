"""Checks of an SLO spec that the schema alone cannot express, with key paths for positions.

Errors: placeholders missing, PromQL that does not parse, a shortest window too short for the
scrape interval, windows longer than the period. Warnings: an objective whose alert can never
fire (the threshold is above a 100 % error ratio), an error budget of only seconds a day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import ValidationError

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
    format_duration,
    format_float,
    parse_duration,
    parse_period,
)

__all__ = [
    "KeyPath",
    "SpecProblem",
    "check_promql",
    "check_slo",
    "format_key_path",
    "load_front_matter",
    "promql_shape",
]

KeyPath = tuple[str | int, ...]
Severity = Literal["error", "warning"]

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


@dataclass(frozen=True)
class SpecProblem:
    """One finding about a spec, located by its front-matter key path."""

    key_path: KeyPath
    message: str
    hint: str | None = None
    severity: Severity = "error"

    @property
    def key(self) -> str:
        return format_key_path(self.key_path)

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.key}: {self.message}{hint}" if self.key_path else f"{self.message}{hint}"


def _clean_loc(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """A pydantic error location as a path into the data (union tags dropped)."""
    out: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            out.append(part)
        elif index == len(loc) - 1 and isinstance(node, dict):
            out.append(part)  # a missing or unknown key: name it, position falls back to parent
        # otherwise a discriminated-union tag such as 'ratio': not a key in the file
    return tuple(out)


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


def load_front_matter(data: dict[str, Any]) -> tuple[SloSection | None, list[SpecProblem]]:
    """Validate an ``slo`` document's front matter; the model, or ``None`` and the problems."""
    try:
        return SloSection.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message, hint = _message(error)
            key_path = _clean_loc(data, error["loc"])
            if str(error["type"]).startswith("union_tag"):
                key_path = (*key_path, "type")
            problems.append(SpecProblem(key_path, message, hint))
        return None, problems


def check_promql(query: str) -> str | None:
    """The parser's complaint about a PromQL expression, or ``None`` when it parses.

    Queries that differ only in the values of ``=`` and ``!=`` label matchers (``job="a"`` and
    ``job="b"``: every service's SLOs) parse alike, so a query is checked by parsing its shape
    (see :func:`promql_shape`) once per distinct shape; the regular expressions of ``=~`` and
    ``!~`` matchers, whose compilation is most of the parser's time, are part of the shape and
    are compiled as written. When the shape does not parse, the query itself is parsed, so that
    the complaint is about what the user wrote.
    """
    shape = promql_shape(query)
    if shape is not None and shape != query and _parse(shape) is None:
        return None
    return _parse(query)


@lru_cache(maxsize=8192)
def _parse(query: str) -> str | None:
    import promql_parser  # imported here: a native extension, only needed when validating

    try:
        promql_parser.parse(query)
    except ValueError as exc:
        return str(exc) or "invalid PromQL"
    return None


# A plain value: no escapes, quotes or line breaks, so the lexer reads it the same whatever it is.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.:/ -]+")
# What precedes the value of an equality matcher: 'name=' or 'name!=' (not '==', '<=', '>=').
_EQUALITY = re.compile(r"(?<![A-Za-z0-9_:])([A-Za-z_][A-Za-z0-9_]*)\s*(?:!=|=)\s*\Z")
# Double-quoted strings (no escapes: those queries are not scanned) and comments, in the order
# the lexer meets them; a lone quote is a string that does not end on its line.
_STRINGS = re.compile(r'"([^"\n]*)"|#[^\n]*|"')


def promql_shape(query: str) -> str | None:
    """``query`` with the values of its ``=`` and ``!=`` label matchers replaced by ``x``.

    Whether a query parses does not depend on such a value, only on whether it is empty (a
    selector needs one matcher that does not match the empty string), and that is kept: empty
    values stay empty, others become ``x``. Only plain values are replaced (letters, digits and
    ``_.:/ -``), never those of ``__name__`` or of a regular expression matcher. ``None`` when
    the query has single-quoted or backtick strings, escapes or an unterminated string, which
    this scan does not follow; such a query is parsed as written.
    """
    if "'" in query or "`" in query or "\\" in query:
        return None
    out: list[str] = []
    segment = 0  # start of the code since the last string or comment
    done = 0  # query[:done] is in out
    for match in _STRINGS.finditer(query):
        value = match.group(1)
        start, end = match.span()
        if value is None:
            if match.group() == '"':
                return None
        elif value:
            before = _EQUALITY.search(query, segment, start)
            if before and before.group(1) != "__name__" and _PLAIN_VALUE.fullmatch(value):
                out.append(query[done : start + 1])
                out.append("x")
                done = end - 1
        segment = end
    out.append(query[done:])
    return "".join(out)


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
        selector = ind.selector.strip()
        if selector.startswith("{"):
            selector = selector[1:-1] if selector.endswith("}") else selector
        yield "selector", f"{ind.metric}{{{selector}}}", False


def check_slo(
    slo: SloSpec,
    settings: SloSettings,
    *,
    key_path: KeyPath = (),
    check: Callable[[str], str | None] = check_promql,
) -> list[SpecProblem]:
    """Semantic checks of one SLO whose schema is valid."""
    problems: list[SpecProblem] = []
    at = key_path
    ind_path = (*at, "indicator")
    for key, query, needs_window in _queries(slo):
        if needs_window and not has_placeholder(query):
            problems.append(
                SpecProblem(
                    (*ind_path, key),
                    "query has no {{window}} placeholder",
                    "write the range as [{{window}}], e.g. rate(x_total[{{window}}])",
                )
            )
            continue
        complaint = check(render_window(query, "5m"))
        if complaint is not None:
            problems.append(
                SpecProblem((*ind_path, key), f"PromQL does not parse: {complaint}", None)
            )

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
    problems.extend(
        SpecProblem((*at, key) if key else at, message, hint, severity)
        for key, message, hint, severity in schedule
    )
    return problems


@lru_cache(maxsize=1024)
def _schedule_problems(
    pairs: tuple[WindowPair, ...],
    min_window_scrapes: int,
    scrape_interval: str,
    period_text: str,
    objective: float,
    enabled: tuple[str, ...],
) -> tuple[tuple[str, str, str | None, Severity], ...]:
    """The checks of an SLO that depend only on the window catalogue, the scrape interval, the
    period, the objective and the enabled alerts (not on its queries), as ``(key, message,
    hint, severity)`` under the SLO's key path; shared by every SLO that agrees on those."""
    problems: list[tuple[str, str, str | None, Severity]] = []
    period = parse_period(period_text)
    shortest = min(p.short for p in pairs)
    need = min_window_scrapes * parse_duration(scrape_interval)
    if shortest < need:
        problems.append(
            (
                "",  # a matter of the configuration, reported at the SLO itself
                f"shortest alert window {format_duration(shortest)} spans fewer than"
                f" {min_window_scrapes} scrapes of {scrape_interval}",
                "lower slo.scrape_interval or configure longer slo.windows",
                "error",
            )
        )
    longest = max(p.long for p in pairs)
    if longest > period:
        problems.append(
            (
                "period",
                f"period {period_text} is shorter than the longest alert window"
                f" {format_duration(longest)}",
                "use a period of at least that, or configure shorter slo.windows",
                "error",
            )
        )

    budget = budget_ratio(objective)
    for pair in pairs:
        if pair.severity not in enabled:
            continue
        factor = pair.factor(period)
        if factor * budget >= 1:
            problems.append(
                (
                    "objective",
                    f"the {pair.severity} alert's {pair.label} condition can never fire: it needs"
                    f" an error ratio above {format_float(factor)} × {format_float(budget)} ="
                    f" {factor * budget:.3g}, more than 100 %",
                    "raise the objective, or disable that alert",
                    "warning",
                )
            )
    per_day = budget * 86400
    if per_day < TINY_BUDGET_SECONDS_PER_DAY:
        problems.append(
            (
                "objective",
                f"an objective of {format_float(objective)} % allows {per_day:.2g} s of full outage"
                " a day, too little to notice and act on",
                "lower the objective, or measure over a longer period",
                "warning",
            )
        )
    return tuple(problems)

"""PromQL: label matchers and selectors, SLI queries, validation with bounds, output labels.

The one place that builds and judges PromQL for every feature: the SLO rules and their promtool
tests, the SLO report's queries against Prometheus, and the checks. Everything that reaches the
parser is bounded first (length, nesting depth, operator count): the parser is a native
extension that recurses, and a deep enough expression would crash the process instead of
raising.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

__all__ = [
    "MAX_NESTING",
    "MAX_OPERATORS",
    "MAX_QUERY_LENGTH",
    "LabelMatcher",
    "OutputLabels",
    "PromqlError",
    "SliQueries",
    "bound_problem",
    "check_promql",
    "label_mismatch",
    "le_matcher",
    "metric_names",
    "output_labels",
    "parse_matchers",
    "promql_shape",
    "selector",
    "sli_queries",
    "vector_selectors",
]

#: Longest query text handed to the parser, in characters.
MAX_QUERY_LENGTH = 8192
#: Deepest nesting of brackets (parentheses, braces, ranges) in a query.
MAX_NESTING = 64
#: Most binary operators in a query (each one is a level of the parser's recursion).
MAX_OPERATORS = 500

WINDOW = "{{window}}"


class PromqlError(ValueError):
    """A query or label-matcher list that is not valid (its message names what is wrong)."""


# --- bounds ------------------------------------------------------------------------------------

_TOKENS = re.compile(
    r'"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?|`[^`]*`?|#[^\n]*'
    r"|[(\[{]|[)\]}]|==|!=|<=|>=|=~|!~|[-+*/%^<>]|\b(?:and|or|unless|atan2)\b",
)


def bound_problem(query: str) -> str | None:
    """Why ``query`` is too big to hand to the parser, or ``None``; checked before parsing."""
    if len(query) > MAX_QUERY_LENGTH:
        return f"query is {len(query)} characters long, more than {MAX_QUERY_LENGTH}"
    # Counting every bracket and operator character (strings included) gives an upper bound;
    # only a query near the limits is scanned token by token.
    if sum(map(query.count, "([{")) <= MAX_NESTING and (
        sum(map(query.count, "+-*/%^<>=!"))
        + sum(map(query.count, ("and", "or", "unless", "atan2")))
        <= MAX_OPERATORS
    ):
        return None
    depth = deepest = operators = 0
    for match in _TOKENS.finditer(query):
        token = match.group()
        if token in ("(", "[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (")", "]", "}"):
            depth = max(depth - 1, 0)
        elif token[0] not in "\"'`#=!~" or token in ("==", "!="):
            operators += 1
    if deepest > MAX_NESTING:
        return f"query nests {deepest} brackets deep, more than {MAX_NESTING}"
    if operators > MAX_OPERATORS:
        return f"query has {operators} operators, more than {MAX_OPERATORS}"
    return None


# --- validation --------------------------------------------------------------------------------


def check_promql(query: str) -> str | None:
    """The complaint about a PromQL expression (too big, or the parser's), ``None`` when fine.

    Queries that differ only in the values of ``=`` and ``!=`` label matchers (``job="a"`` and
    ``job="b"``: every service's SLOs) parse alike, so a query is checked by parsing its shape
    (see :func:`promql_shape`) once per distinct shape; the regular expressions of ``=~`` and
    ``!~`` matchers, whose compilation is most of the parser's time, are part of the shape and
    are compiled as written. When the shape does not parse, the query itself is parsed, so that
    the complaint is about what the user wrote.
    """
    too_big = bound_problem(query)
    if too_big is not None:
        return too_big
    shape = promql_shape(query)
    if shape is not None and shape != query and _parse(shape) is None:
        return None
    return _parse(query)


@lru_cache(maxsize=8192)
def _parse(query: str) -> str | None:
    try:
        parse(query)
    except PromqlError as exc:
        return str(exc)
    return None


def parse(query: str) -> Any:
    """The parsed tree of ``query`` (``promql_parser``), bounded first; :class:`PromqlError`."""
    too_big = bound_problem(query)
    if too_big is not None:
        raise PromqlError(too_big)
    import promql_parser  # imported here: a native extension, only needed when parsing

    try:
        return promql_parser.parse(query)
    except ValueError as exc:
        # one line: the parser quotes what it met, a line break included
        message = str(exc).replace("\r", "\\r").replace("\n", "\\n")
        raise PromqlError(message or "invalid PromQL") from None


def metric_names(query: str) -> set[str]:
    """Metric names ``query`` selects (by name or ``__name__="..."``); empty when it does not
    parse or is too large to parse safely."""
    names: set[str] = set()
    for node in _selector_nodes(query):
        if node.name:
            names.add(node.name)
        for matcher in node.matchers.matchers:
            if matcher.name == "__name__" and str(matcher.op).endswith("Equal"):
                names.add(matcher.value)
    return names


def _selector_nodes(query: str) -> list[Any]:
    """The vector selectors of ``query``'s parsed tree, in the order they are written; empty
    when it does not parse."""
    import promql_parser as pp

    try:
        tree = parse(query)
    except PromqlError:
        return []
    found: list[Any] = []
    pp.walk(tree, lambda node: found.append(node) if isinstance(node, pp.VectorSelector) else None)
    return found


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


# --- label matchers and selectors ---------------------------------------------------------------


@dataclass(frozen=True)
class LabelMatcher:
    """``name op "value"``: one label matcher of a selector."""

    name: str
    op: Literal["=", "!=", "=~", "!~"]
    value: str

    def text(self) -> str:
        return f"{self.name}{self.op}{_string_literal(self.value)}"


def _string_literal(text: str) -> str:
    """A PromQL double-quoted string (Go's escapes are a superset of JSON's)."""
    return json.dumps(text, ensure_ascii=False)


_MATCHER = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _read_string(text: str, pos: int) -> tuple[str, int]:
    """The string literal starting at ``text[pos]`` (a quote) and the position after it."""
    quote = text[pos]
    if quote not in "\"'`":
        raise PromqlError(f"expected a quoted value at character {pos + 1}")
    end = pos + 1
    if quote == "`":
        close = text.find("`", end)
        if close < 0:
            raise PromqlError("a value's backtick quote is not closed")
        return text[end:close], close + 1
    out: list[str] = []
    while end < len(text):
        char = text[end]
        if char == quote:
            return "".join(out), end + 1
        if char == "\n":
            break
        if char == "\\":
            nxt = text[end + 1 : end + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in ("\\", '"', "'"):
                out.append(nxt)
            elif nxt in ("u", "U", "x"):
                size = {"u": 4, "U": 8, "x": 2}[nxt]
                digits = text[end + 2 : end + 2 + size]
                if not re.fullmatch(f"[0-9a-fA-F]{{{size}}}", digits):
                    raise PromqlError(f"bad escape \\{nxt}{digits} in a value")
                out.append(chr(int(digits, 16)))
                end += size
            else:
                raise PromqlError(f"unknown escape \\{nxt} in a value")
            end += 2
            continue
        out.append(char)
        end += 1
    raise PromqlError("a value's quote is not closed")


@lru_cache(maxsize=4096)
def parse_matchers(text: str) -> tuple[LabelMatcher, ...]:
    """The label matchers of ``job="api", code=~"5.."`` (braces around them allowed).

    Only matchers: anything else (a closing brace and more PromQL after it, an operator, a
    function) is a :class:`PromqlError`, so a selector cannot carry a query of its own.
    """
    inner = text.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1]
    matchers: list[LabelMatcher] = []
    pos = 0
    while True:
        while pos < len(inner) and inner[pos].isspace():
            pos += 1
        if pos >= len(inner):
            return tuple(matchers)
        match = _MATCHER.match(inner, pos)
        if match is None:
            raise PromqlError(f"not a label matcher at {inner[pos : pos + 20]!r}")
        value, pos = _read_string(inner, match.end()) if match.end() < len(inner) else ("", -1)
        if pos < 0:
            raise PromqlError(f"label matcher {match.group(1)}{match.group(2)} has no value")
        op: Any = match.group(2)  # a regular expression is judged by the parser
        matchers.append(LabelMatcher(match.group(1), op, value))
        while pos < len(inner) and inner[pos].isspace():
            pos += 1
        if pos < len(inner):
            if inner[pos] != ",":
                raise PromqlError(f"not a label matcher at {inner[pos : pos + 20]!r}")
            pos += 1


def selector(metric: str, matchers: str, *extra: str) -> str:
    """``metric{matchers, extra...}``; ``matchers`` is parsed as label matchers and written
    again, so it cannot close the braces and add PromQL of its own (:class:`PromqlError`)."""
    parts = [m.text() for m in parse_matchers(matchers)]
    parts.extend(extra)
    return f"{metric}{{{', '.join(parts)}}}"


def _number(value: float) -> str:
    """Go's ``%v`` digits of a finite number, without a trailing ``.0``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@lru_cache(maxsize=1024)
def le_matcher(threshold: float) -> str:
    """``le="0.3"``, or ``le=~"1|1\\\\.0"`` when Prometheus 2 and 3 spell the bucket differently.

    Prometheus 2 keeps the client's spelling ("1"); Prometheus 3 normalises classic histogram
    buckets to OpenMetrics floats ("1.0"). Matching both keeps one rule working on either.
    """
    if not math.isfinite(threshold):
        raise PromqlError(f"not a finite threshold: {threshold!r}")
    text = _number(threshold)
    values = {text}
    if re.fullmatch(r"-?[0-9]+", text):
        values.add(text + ".0")
    go_g = f"{threshold:g}"
    if float(go_g) == threshold:
        values.add(go_g)
    ordered = sorted(values)
    if len(ordered) == 1:
        return f'le="{ordered[0]}"'
    return "le=~" + json.dumps("|".join(re.escape(v) for v in ordered))


# --- SLI queries -------------------------------------------------------------------------------


class _HasIndicator(Protocol):
    @property
    def indicator(self) -> Any: ...


@dataclass(frozen=True)
class SliQueries:
    """An indicator as PromQL with ``{{window}}``: rates of bad/good and all events, or the
    error ratio itself. ``good_count`` and ``total_count`` give event counts for a probe gauge
    (samples that succeeded, samples taken), which has no rates."""

    errors: str | None = None  # bad events (rate)
    good: str | None = None  # good events (rate), instead of errors
    total: str | None = None  # all events (rate)
    ratio: str | None = None  # the error ratio itself (raw, probe)
    kind: Literal["events", "raw", "probe"] = "events"
    good_count: str | None = None
    total_count: str | None = None


def sli_queries(slo: _HasIndicator) -> SliQueries:
    """An SLO's indicator as queries with the ``{{window}}`` placeholder; the rules, their
    tests and the report all evaluate these. :class:`PromqlError` for a selector that is not
    a list of label matchers."""
    ind = slo.indicator
    window = "[" + WINDOW + "]"
    if ind.type == "ratio":
        return SliQueries(errors=ind.errors, good=ind.good, total=ind.total)
    if ind.type == "latency":
        every = selector(ind.metric, ind.selector, 'le="+Inf"')
        total = f"sum(rate({every}{window}))"
        bucket = selector(ind.metric, ind.selector, le_matcher(ind.threshold))
        return SliQueries(good=f"sum(rate({bucket}{window}))", total=total)
    if ind.type == "probe":
        gauge = selector(ind.metric, ind.selector)
        return SliQueries(
            ratio=f"1 - avg(avg_over_time({gauge}{window}))",
            kind="probe",
            good_count=f"sum(sum_over_time({gauge}{window}))",
            total_count=f"sum(count_over_time({gauge}{window}))",
        )
    if ind.type == "raw":
        return SliQueries(ratio=ind.error_ratio, kind="raw")
    raise AssertionError(f"unknown indicator {ind!r}")  # pragma: no cover


# --- output labels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputLabels:
    """The labels a query's result keeps, from its outermost aggregation: exactly ``labels``
    (``sum by (...)``, ``sum(...)``: none), or every label but ``labels`` (``without``)."""

    labels: frozenset[str]
    without: bool = False

    def text(self) -> str:
        names = ", ".join(sorted(self.labels))
        if self.without:
            return f"without ({names})"
        return f"by ({names})" if names else "no labels"


def output_labels(query: str) -> OutputLabels | None:
    """The labels ``query`` keeps, when its outermost aggregation says (``None``: unknown, e.g.
    no aggregation, or a binary operation of vectors). The window placeholder may be in it."""
    query = query.replace(WINDOW, "5m")
    # the labels depend on the query's structure, not on the values of its matchers
    return _output_labels(promql_shape(query) or query)


@lru_cache(maxsize=4096)
def _output_labels(query: str) -> OutputLabels | None:
    try:
        expr: Any = parse(query)
    except PromqlError:
        return None
    import promql_parser as pp

    while True:
        if isinstance(expr, pp.ParenExpr):
            expr = expr.expr
        elif isinstance(expr, pp.BinaryExpr) and _is_scalar(expr.lhs) != _is_scalar(expr.rhs):
            expr = expr.rhs if _is_scalar(expr.lhs) else expr.lhs
        else:
            break
    if not isinstance(expr, pp.AggregateExpr):
        return None
    if str(expr.op).lower() in ("topk", "bottomk", "limitk", "limit_ratio", "count_values"):
        return None  # keep or add labels of their own
    modifier = expr.modifier
    if modifier is None:
        return OutputLabels(frozenset())
    without = "without" in str(modifier).split("(")[0].lower()
    return OutputLabels(frozenset(modifier.labels), without)


def vector_selectors(query: str) -> list[str]:
    """The series selectors ``query`` reads (``m{a="b"}``, without ranges), each once, in order;
    empty when it does not parse. The window placeholder may be in it."""
    return list(dict.fromkeys(str(node) for node in _selector_nodes(query.replace(WINDOW, "5m"))))


def _is_scalar(expr: Any) -> bool:
    import promql_parser as pp

    while isinstance(expr, pp.ParenExpr):
        expr = expr.expr
    return isinstance(expr, pp.NumberLiteral)


def label_mismatch(parts: Sequence[tuple[str, str]]) -> str | None:
    """Why the series of the named queries cannot be divided one by another (their output
    labels differ, so a division matches nothing), or ``None`` when they match or are unknown.

    ``parts`` are ``(key, query)``; the message names the labels one keeps and the other not.
    """
    known = [(key, labels) for key, q in parts if (labels := output_labels(q)) is not None]
    for (key_a, a), (key_b, b) in itertools.pairwise(known):
        if a == b:
            continue
        if a.without or b.without:
            return f"{key_a} keeps {a.text()} but {key_b} keeps {b.text()}"
        only_a, only_b = sorted(a.labels - b.labels), sorted(b.labels - a.labels)
        said = []
        if only_a:
            said.append(f"{key_a} keeps {', '.join(only_a)} that {key_b} does not")
        if only_b:
            said.append(f"{key_b} keeps {', '.join(only_b)} that {key_a} does not")
        return "; ".join(said)
    return None

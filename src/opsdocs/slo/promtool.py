"""Generated ``promtool test rules`` files that prove each alert's thresholds and timing.

For every window pair of every enabled alert the generator writes two tests. Good traffic runs
for longer than the longest alert window; then errors start at a steady ratio:

* just above the pair's threshold (1.1 ×): the alert must not be firing at 85 % of the expected
  detection time and must be firing shortly after it, while the alert's other pair is clearly
  not firing, so the pair under test is what fires it;
* just below it (0.9 ×): the alert must not fire through that pair once its long window is full.

The detection time comes from the multi-window maths: a long window ``l`` sees ``ratio × Δ / l``
``Δ`` after the errors start, so a pair with threshold ``θ`` fires at ``Δ = l × θ / ratio``. Every
check is placed where each alert of the same name is clearly on one side of its thresholds, and
the expected set of alerts at that moment is computed, so checks stay exact.

With steady traffic some pairs cannot be told apart: under the standard catalogue the ticket
pair 2h/1d at 3 × fires exactly when 6h/3d at 1 × does (both spend 10 % of the budget), so a
wrong factor on the first would go unseen. For such a pair the traffic drops ``DROP``-fold when
the errors start: the errors then weigh little in the longer windows, which are still full of the
earlier clean traffic, and the pair fires alone. A window ``w`` then sees
``ratio × Δ / (Δ + k × (w − Δ))`` (while ``Δ < w``), so the pair fires at
``Δ = l × θ × k / (ratio − θ + θ × k)``. Gauges (``probe``) have no traffic to drop.

Alerts have no ``for:``, so the evaluation interval only sets how exactly the firing moment is
seen. Most of promtool's time is spent evaluating every rule (the 3d and 30d windows included) at
every evaluation step, so each pair's tests are evaluated as rarely as its detection time allows
(at most 2.5 % of it, 5m at the finest), and every check time is on that grid. promtool's
evaluation interval is per file, hence one file per interval, finest first.

Input series are made up from the indicator's queries: the selectors inside ``rate``/``increase``
of a ``sum(...)`` get counters whose slopes give the wanted ratio. Indicators that cannot be driven
that way (``raw``, or queries grouped by labels) get no generated test, and a note says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsdocs.durations import format_duration
from opsdocs.promql import parse as parse_promql
from opsdocs.promql import sli_queries
from opsdocs.slo.prometheus import CompileOptions, Rule, RuleGroup, alert_pairs, compile_slo
from opsdocs.slo.spec import SloSpec, render_window
from opsdocs.slo.windows import WindowPair, format_float
from opsdocs.yamlio import dump_yaml

__all__ = ["GeneratedTests", "TestFile", "generate_tests", "promtool_problems"]

EVAL = 300  # the finest evaluation interval of the tests, in seconds
EVERY = (300, 600, 900, 1800, 3600)  # evaluation intervals a test file may use
PRECISION = 0.025  # an evaluation interval is at most this share of the detection time
RATE = 1000.0  # events per sample
ABOVE = 1.1
BELOW = 0.9
MARGIN = 0.06  # a check needs every threshold at least this far (relatively) from the ratio
DROP = 10  # how many times less traffic there is once errors start, when a pair must fire alone


@dataclass(frozen=True)
class TestFile:
    """One ``promtool test rules`` file: ``suffix`` goes before ``.test.yaml`` in its name
    (empty for the first file, ``.eval-30m`` for one evaluated every 30 minutes)."""

    suffix: str
    text: str
    evaluation_interval: int


@dataclass
class GeneratedTests:
    """The test files of one SLO (none when no test could be made), finest evaluation interval
    first, and notes on what was left out."""

    files: list[TestFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cases: int = 0

    @property
    def text(self) -> str | None:
        """The first file's text, ``None`` when there is no test."""
        return self.files[0].text if self.files else None


@dataclass(frozen=True)
class _Series:
    labels: tuple[tuple[str, str], ...]
    role: str  # bad | good | total | gauge

    def text(self) -> str:
        name = dict(self.labels).get("__name__", "")
        rest = ", ".join(f'{k}="{_escape(v)}"' for k, v in self.labels if k != "__name__")
        return f"{name}{{{rest}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class _Unsupported(Exception):
    pass


_CANDIDATES = ("500", "503", "5xx", "error", "failure", "true", "1", "a", "GET", "api", "x")
_OTHERS = ("200", "204", "2xx", "ok", "success", "false", "0", "zz", "other")


def _matcher_ok(op: str, value: str, actual: str) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    full = re.fullmatch(value, actual) is not None
    return full if op == "=~" else not full


def _match(matchers: Sequence[tuple[str, str, str]], labels: Mapping[str, str]) -> bool:
    return all(_matcher_ok(op, v, labels.get(name, "")) for name, op, v in matchers)


def _regex_candidates(pattern: str) -> list[str]:
    simple = re.sub(r"[\\^$()\[\]{}?*+]", "", pattern.split("|")[0]).replace(".", "0")
    return [simple, *_CANDIDATES]


def _satisfy(matchers: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for name, op, value in matchers:
        if op == "=":
            if labels.get(name, value) != value:
                raise _Unsupported(f"conflicting matchers on {name}")
            labels[name] = value
    for name, op, value in matchers:
        if op == "=~" and name not in labels:
            for cand in _regex_candidates(value):
                if re.fullmatch(value, cand):
                    labels[name] = cand
                    break
            else:
                raise _Unsupported(f"no value found for {name}=~{value!r}")
    if not _match(matchers, labels):
        raise _Unsupported("matchers cannot all be met")
    return labels


def _selector_of(query: str) -> list[tuple[str, str, str]]:
    """Matchers of the one counter selector of ``sum(rate(sel[w]))``-shaped queries."""
    import promql_parser as pp

    expr: Any = parse_promql(render_window(query, "5m"))
    while isinstance(expr, pp.ParenExpr):
        expr = expr.expr
    if not isinstance(expr, pp.AggregateExpr) or str(expr.op).lower() != "sum":
        raise _Unsupported("the query is not a plain sum(...)")
    if expr.modifier is not None and expr.modifier.labels:
        raise _Unsupported("the query keeps labels (sum by/without)")
    found: list[Any] = []
    stack: list[Any] = [expr.expr]
    while stack:
        node = stack.pop()
        if isinstance(node, pp.Call):
            if node.func.name not in ("rate", "increase"):
                raise _Unsupported(f"the query uses {node.func.name}(), not rate() or increase()")
            stack.extend(a for a in node.args if isinstance(a, pp.Expr))
        elif isinstance(node, pp.MatrixSelector):
            found.append(node.vector_selector)
        elif isinstance(node, pp.ParenExpr):
            stack.append(node.expr)
        else:
            raise _Unsupported("the query is more than sum(rate(selector[window]))")
    if len(found) != 1:
        raise _Unsupported("the query has more than one selector")
    if found[0].matchers.or_matchers:
        raise _Unsupported("the selector uses 'or' matchers")
    return _matchers(found[0])


def _matchers(sel: Any) -> list[tuple[str, str, str]]:
    """``(label, operator, value)`` of a vector selector's matchers, its metric name last."""
    matchers = [(m.name, _op_text(m.op), m.value) for m in sel.matchers.matchers]
    if sel.name:
        matchers.append(("__name__", "=", sel.name))
    return matchers


def _op_text(op: Any) -> str:
    text = str(op)
    for name, sign in (("NotRe", "!~"), ("NotEqual", "!="), ("Re", "=~"), ("Equal", "=")):
        if text.endswith(name) or text == sign:
            return sign
    return text


def _differ(
    labels: dict[str, str],
    keep: Sequence[tuple[str, str, str]],
    avoid: Sequence[tuple[str, str, str]],
) -> dict[str, str]:
    """Labels meeting ``keep`` but not ``avoid``, changed in one label if need be."""
    if _match(keep, labels) and not _match(avoid, labels):
        return labels
    for name, _op, _value in avoid:
        if name == "__name__":
            continue
        for cand in (*_OTHERS, ""):
            trial = {**labels, name: cand}
            if not cand:
                trial.pop(name)
            if _match(keep, trial) and not _match(avoid, trial):
                return trial
    raise _Unsupported("cannot make a series that one query counts and the other does not")


def _plan(slo: SloSpec) -> list[_Series]:
    q = sli_queries(slo)
    if q.kind == "raw":
        raise _Unsupported("a raw error-ratio query cannot be driven by made-up series")
    if q.kind == "probe":
        assert q.ratio is not None
        expr: Any = parse_promql(render_window(q.ratio, "5m"))
        sel = expr.rhs.expr.args[0].vector_selector  # 1 - avg(avg_over_time(sel[w]))
        return [_Series(tuple(sorted(_satisfy(_matchers(sel)).items())), "gauge")]
    assert q.total is not None
    total = _selector_of(q.total)
    part_query = q.errors if q.errors is not None else q.good
    assert part_query is not None
    part = _selector_of(part_query)
    part_role, rest_role = ("bad", "good") if q.errors is not None else ("good", "bad")
    try:
        both = _satisfy([*part, *total])
    except _Unsupported:
        both = None
    if both is not None:
        rest = _differ(_satisfy(total), total, part)
        series = [_Series(tuple(sorted(both.items())), part_role)]
        series.append(_Series(tuple(sorted(rest.items())), rest_role))
    else:
        series = [
            _Series(tuple(sorted(_satisfy(part).items())), part_role),
            _Series(tuple(sorted(_satisfy(total).items())), "total"),
        ]
    # Each query must count exactly the series meant for it.
    total_roles = {"bad", "good"} if both is not None else {"total"}
    for matchers, roles in ((part, {part_role}), (total, total_roles)):
        for s in series:
            if _match(matchers, dict(s.labels)) != (s.role in roles):
                raise _Unsupported("the made-up series do not separate the queries")
    return series


def _values(series: _Series, start: int, steps: int, ratio: float, drop: int = 1) -> str:
    """Sample values: good traffic until sample ``start``, then ``drop`` times less traffic of
    which ``ratio`` is bad."""
    after = steps - start
    if series.role == "gauge":
        return f"1x{start} {format_float(1 - ratio)}x{after - 1}"
    before_slope = {"bad": 0.0, "good": RATE, "total": RATE}[series.role]
    rate = RATE / drop
    slope = {"bad": rate * ratio, "good": rate * (1 - ratio), "total": rate}[series.role]
    first = before_slope * start + slope
    head = f"0+{format_float(before_slope)}x{start}" if before_slope else f"0x{start}"
    return f"{head} {_num(first)}+{_num(slope)}x{after - 1}"


def _num(value: float) -> str:
    return format_float(round(value, 9))


@dataclass(frozen=True)
class _Alert:
    severity: str
    pairs: tuple[WindowPair, WindowPair]
    rule: Rule


def _seen(window: int, delta: int, history: int, ratio: float, drop: int = 1) -> float:
    """Error ratio a window sees ``delta`` s after errors start, with ``history`` s of traffic
    before, which was ``drop`` times heavier: the errors' share of the window's events."""
    recent = min(delta, window)
    earlier = drop * min(max(window - delta, 0), history)
    return ratio * recent / (recent + earlier)


def _pair_state(
    pair: WindowPair, theta: float, delta: int, history: int, ratio: float, drop: int
) -> bool | None:
    """Whether a window pair fires ``delta`` s after errors start; ``None`` when too close."""
    conditions: list[bool | None] = []
    for window in (pair.short, pair.long):
        seen = _seen(window, delta, history, ratio, drop)
        conditions.append(None if abs(seen - theta) <= MARGIN * theta else seen > theta)
    if False in conditions:
        return False
    return None if None in conditions else True


def _state(
    alert: _Alert,
    thresholds: Mapping[WindowPair, float],
    delta: int,
    history: int,
    ratio: float,
    drop: int = 1,
) -> bool | None:
    """Whether the alert fires ``delta`` s after errors start; ``None`` when too close to call."""
    states = [
        _pair_state(pair, thresholds[pair], delta, history, ratio, drop) for pair in alert.pairs
    ]
    if True in states:
        return True
    return None if None in states else False


def _expand(template: str, labels: Mapping[str, str]) -> str | None:
    def sub(match: re.Match[str]) -> str:
        return labels.get(match.group(1), "")

    def literal(match: re.Match[str]) -> str:
        return match.group(1).replace("{", "\0o").replace("}", "\0c")

    # {{ `text` }} (escaped annotation text) expands to text; marked so it is not read again
    text = re.sub(r"\{\{\s*`([^`]*)`\s*\}\}", literal, template)
    text = re.sub(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", sub, text)
    if "{{" in text or "}}" in text:
        return None
    return text.replace("\0o", "{").replace("\0c", "}")


def generate_tests(
    service: str,
    slo: SloSpec,
    *,
    rule_file: str,
    options: CompileOptions | None = None,
    runbook_url: str | None = None,
) -> GeneratedTests:
    """``promtool test rules`` files for one SLO whose rules are in ``rule_file``."""
    options = options or CompileOptions()
    try:
        series = _plan(slo)
    except (_Unsupported, ValueError) as exc:
        return GeneratedTests([], [f"{slo.name}: no generated test: {exc}"])
    groups = compile_slo(service, slo, options, runbook_url=runbook_url)
    alert_rules = [r for g in groups for r in g.rules if r.alert]
    if not alert_rules:
        return GeneratedTests([], [f"{slo.name}: both alerts are disabled; nothing to test"])
    try:
        tests = _Tests(slo, options, groups, alert_rules, series)
    except _Unsupported as exc:
        return GeneratedTests([], [f"{slo.name}: no generated test: {exc}"])
    for alert in tests.alerts:
        for pair in alert.pairs:
            tests.add_above(alert, pair)
            tests.add_below(alert, pair)
    return tests.result(rule_file, groups)


def _thresholds(slo: SloSpec, options: CompileOptions) -> dict[WindowPair, float]:
    """The error ratio above which each window pair fires."""
    period = slo.period_seconds
    if options.compat == "sloth":
        budget = (100 - slo.objective) / 100
        return {p: p.sloth_factor(period) * budget for p in options.windows}
    return {p: p.factor(period) * slo.budget for p in options.windows}


def _alerts(rules: Sequence[Rule], options: CompileOptions) -> list[_Alert]:
    severity_label = "sloth_severity" if options.compat == "sloth" else "slo_severity"
    alerts = []
    for rule in rules:
        severity = rule.labels[severity_label]
        alerts.append(_Alert(severity, alert_pairs(options.windows, severity), rule))
    return alerts


def _expected(alert: _Alert, sli_labels: Mapping[str, str]) -> dict[str, Any]:
    """What promtool must see of a firing alert: its labels and expanded annotations."""
    labels = {**sli_labels, **alert.rule.labels}
    annotations = {}
    for key, template in alert.rule.annotations.items():
        text = _expand(template, labels)
        if text is None:
            raise _Unsupported(f"annotation {key!r} uses templates other than $labels")
        annotations[key] = text
    return {
        "exp_labels": dict(sorted(labels.items())),
        "exp_annotations": dict(sorted(annotations.items())),
    }


@dataclass(frozen=True)
class _Case:
    """One test to try: a ratio held from the moment errors start, checked at ``deltas``."""

    title: str
    pair: WindowPair
    every: int  # evaluation interval
    ratio: float
    deltas: tuple[int, ...]
    must: tuple[bool, ...]  # whether the alert's severity fires at each delta
    drop: int = 1
    quiet: WindowPair | None = None  # the alert's other pair, which must not fire where it must


class _Tests:
    """The tests of one SLO, collected per evaluation interval, with the notes on what could
    not be tested. Each method adds tests or notes; nothing else changes after construction."""

    def __init__(
        self,
        slo: SloSpec,
        options: CompileOptions,
        groups: Sequence[RuleGroup],
        alert_rules: Sequence[Rule],
        series: list[_Series],
    ) -> None:
        self.slo = slo
        self.windows = options.windows
        self.series = series
        self.thresholds = _thresholds(slo, options)
        self.alerts = _alerts(alert_rules, options)
        sli_labels = dict(groups[0].rules[0].labels)
        sli_labels.pop("sloth_window" if options.compat == "sloth" else "slo_window", None)
        self.expected = {a.severity: _expected(a, sli_labels) for a in self.alerts}
        self.name = self.alerts[0].rule.alert
        self.by_interval: dict[int, list[dict[str, Any]]] = {}
        self.notes: list[str] = []

    def firing_at(self, delta: int, history: int, ratio: float, drop: int) -> list[str] | None:
        """The severities firing ``delta`` s after errors start; ``None`` when too close."""
        out = []
        for alert in self.alerts:
            state = _state(alert, self.thresholds, delta, history, ratio, drop)
            if state is None:
                return None
            if state:
                out.append(alert.severity)
        return out

    def interval_for(self, ratio: float) -> int:
        # 5m samples keep long tests fast; a pair that may fire needs ~24 samples per short window.
        live = [p for p in self.windows if self.thresholds[p] < ratio * (1 + MARGIN)]
        return 300 if all(p.short >= 24 * 300 for p in live) else 60

    def checks(self, case: _Case, severity: str) -> tuple[int, list[dict[str, Any]]] | str:
        """The shortest history of good traffic for which every check of ``case`` can be
        called exactly, and the checks; or why there is none."""
        longs = sorted({p.long for p in self.windows if p.long >= case.pair.long})
        why = "too close to another threshold to check"
        for long in longs:
            history = -(-long // case.every) * case.every + 2 * case.every
            checks = []
            for delta, fires in zip(case.deltas, case.must, strict=True):
                firing = self.firing_at(delta, history, case.ratio, case.drop)
                if firing is None:
                    why = "too close to another threshold to check"
                    break
                if (severity in firing) != fires:
                    why = "another window pair decides the alert first"
                    break
                if fires and case.quiet is not None:
                    quiet = case.quiet
                    other = _pair_state(
                        quiet, self.thresholds[quiet], delta, history, case.ratio, case.drop
                    )
                    if other is not False:
                        why = f"{quiet.label} fires as well"
                        break
                checks.append(
                    {
                        "eval_time": format_duration(history + delta),
                        "alertname": self.name,
                        "exp_alerts": [self.expected[s] for s in firing],
                    }
                )
            else:
                return history, checks
        return why

    def add(self, case: _Case, severity: str) -> str | None:
        """Add the test of ``case`` (evaluated every ``case.every`` s), or say why not."""
        found = self.checks(case, severity)
        if isinstance(found, str):
            return found
        history, checks = found
        step = self.interval_for(case.ratio)
        end = history + max(case.deltas)
        self.by_interval.setdefault(case.every, []).append(
            {
                "name": case.title,
                "interval": format_duration(step),
                "input_series": [
                    {
                        "series": s.text(),
                        "values": _values(
                            s, history // step, end // step + 2, case.ratio, case.drop
                        ),
                    }
                    for s in self.series
                ],
                "alert_rule_test": checks,
            }
        )
        return None

    def label(self, alert: _Alert, pair: WindowPair) -> str:
        theta = self.thresholds[pair]
        return (
            f"{alert.severity} {pair.label} at {format_float(round(theta / self.slo.budget, 9))}×"
        )

    def add_above(self, alert: _Alert, pair: WindowPair) -> None:
        """1.1 × the pair's threshold fires within the expected time, not before: the pair
        alone at steady traffic, then on dropped traffic; a gauge has no traffic to drop, so
        there the last resort is the alert whichever pair fires it."""
        name, label, theta = self.slo.name, self.label(alert, pair), self.thresholds[pair]
        ratio = theta * ABOVE
        if ratio >= 1:
            self.notes.append(f"{name}: {label}: the alert can never fire; no test")
            return
        other = next(p for p in alert.pairs if p != pair)
        attempts: list[tuple[int, WindowPair | None]] = [(1, other)]
        if self.series[0].role != "gauge":
            attempts.append((DROP, other))
        attempts.append((1, None))
        why: str | None = None
        for drop, quiet in attempts:
            # the detection time: l × θ × k / (ratio − θ + θ × k), l × θ / ratio at k = 1
            t_fire = pair.long * theta * drop / (ratio - theta + theta * drop)
            # Alerts have no `for:`, so an evaluation interval only limits how exactly the
            # firing moment is seen: keep it within PRECISION of the detection time.
            every = max(e for e in EVERY if e == EVAL or e <= PRECISION * t_fire)
            before = int(t_fire * 0.85) // every * every
            after = -(-int(t_fire * 1.08 + 2 * EVAL) // every) * every
            traffic = "" if drop == 1 else f" on {drop} × less traffic"
            title = (
                f"{label}: a ratio 1.1 × above{traffic} fires within"
                f" {format_duration(after)}, not before {format_duration(before)}"
            )
            case = _Case(title, pair, every, ratio, (before, after), (False, True), drop, quiet)
            why = self.add(case, alert.severity)
            if why is None:
                if quiet is None:
                    self.notes.append(
                        f"{name}: {label} (1.1 ×): {other.label} fires as well, so the test"
                        " proves the alert, not this pair alone"
                    )
                return
        self.notes.append(f"{name}: {label} (1.1 ×): {why}; no test")

    def add_below(self, alert: _Alert, pair: WindowPair) -> None:
        """0.9 × the pair's threshold does not fire through it once its long window is full."""
        label = self.label(alert, pair)
        ratio = self.thresholds[pair] * BELOW
        every = max(e for e in EVERY if e == EVAL or e <= PRECISION * pair.long / ABOVE)
        done = -(-(pair.long + EVAL) // every) * every
        title = f"{label}: a ratio 0.9 × below does not fire once {pair.label} is full"
        why = self.add(_Case(title, pair, every, ratio, (done,), (False,)), alert.severity)
        if why:
            self.notes.append(f"{self.slo.name}: {label} (0.9 ×): {why}; no test")

    def result(self, rule_file: str, groups: Sequence[RuleGroup]) -> GeneratedTests:
        """One file per evaluation interval (promtool's is per file), finest first."""
        files: list[TestFile] = []
        for every in sorted(self.by_interval):
            doc = {
                "rule_files": [rule_file],
                "evaluation_interval": format_duration(every),
                # Recordings before the alerts that read them: promtool otherwise picks an
                # order at random, and with evaluations more than 5m apart an alert evaluated
                # first would see no recorded sample at all (the previous one is past the
                # lookback).
                "group_eval_order": [g.name for g in groups],
                "tests": self.by_interval[every],
            }
            suffix = "" if not files else f".eval-{format_duration(every)}"
            files.append(TestFile(suffix, dump_yaml(doc), every))
        cases = sum(len(t) for t in self.by_interval.values())
        return GeneratedTests(files, self.notes, cases)


def promtool_problems(
    outputs: Sequence[Any], *, label: Callable[[Path], str] = str
) -> list[str] | None:
    """What ``promtool check rules`` says against the planned rule files (``outputs`` with
    ``path`` and ``text``; test files are left out), one line per file it rejects; ``None``
    when promtool is not installed. The files are checked in a temporary folder, before
    anything is written."""
    import shutil
    import subprocess
    import tempfile

    tool = shutil.which("promtool")
    if tool is None:
        return None
    rules = [o for o in outputs if not o.path.name.endswith(".test.yaml")]
    if not rules:
        return []
    with tempfile.TemporaryDirectory(prefix="opsdocs-promtool-") as tmp:
        names: dict[str, Path] = {}
        for n, output in enumerate(rules):
            name = f"{n}-{output.path.name}"
            (Path(tmp) / name).write_text(output.text, encoding="utf-8")
            names[name] = output.path
        result = subprocess.run(
            [tool, "check", "rules", *names],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    if result.returncode == 0:
        return []
    return _rejections(result.stdout + "\n" + result.stderr, names, label)


def _rejections(output: str, names: Mapping[str, Path], label: Callable[[Path], str]) -> list[str]:
    """One line per rejected file from promtool's report (``Checking NAME`` then
    ``FAILED:`` and the errors)."""
    problems: dict[str, str] = {}
    current: str | None = None
    failed = False
    for line in output.splitlines():
        text = line.strip()
        if text.startswith("Checking "):
            current, failed = text.removeprefix("Checking ").strip(), False
        elif "FAILED" in text:
            failed = True
        elif failed and text and current is not None and current not in problems:
            problems[current] = text.removeprefix(current + ":").strip()
    if not problems:
        first = next((t for t in output.splitlines() if t.strip()), "no message")
        return [f"promtool check rules fails: {first.strip()}"]
    return [
        f"{label(names[name]) if name in names else name}: promtool check rules rejects it:"
        f" {message}"
        for name, message in problems.items()
    ]

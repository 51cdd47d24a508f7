"""SLO spec → Prometheus rule groups, native or Sloth-compatible, and their YAML.

Native mode (the default) records the SLI for every alert window and for the period, metadata
rules, and one page and one ticket alert, each the OR of two multi-window conditions. Sloth mode
(``compat="sloth"``) reproduces Sloth's groups, record names, labels, expressions and annotations so
that dashboards and alert routes built on Sloth keep working. ``docs/slo-spec.md`` lists every
place where the two differ and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from opsdocs import __version__
from opsdocs.slo.spec import (
    WINDOW_PLACEHOLDER,
    LatencyIndicator,
    ProbeIndicator,
    RatioIndicator,
    RawIndicator,
    SloSection,
    SloSpec,
    budget_fraction,
    budget_ratio,
    render_window,
)
from opsdocs.slo.windows import (
    DEFAULT_WINDOWS,
    Severity,
    WindowPair,
    format_duration,
    format_float,
)

__all__ = [
    "Compat",
    "CompileOptions",
    "Rule",
    "RuleGroup",
    "alert_name",
    "compile_section",
    "compile_slo",
    "le_matcher",
    "reads_back_as_string",
    "render_rule_file",
    "render_section",
    "sli_queries",
]

Compat = Literal["native", "sloth"]
RuleFormat = Literal["prometheus", "prometheus-operator"]

SLI_RECORD = "slo:sli_error:ratio_rate{window}"
SLOTH_VERSION_LABEL = f"opsdocs-v{__version__}"


@dataclass(frozen=True)
class Rule:
    """A recording rule (``record``) or an alerting rule (``alert``)."""

    expr: str
    record: str | None = None
    alert: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.record is not None:
            out["record"] = self.record
        if self.alert is not None:
            out["alert"] = self.alert
        out["expr"] = self.expr
        if self.labels:
            out["labels"] = dict(sorted(self.labels.items()))
        if self.annotations:
            out["annotations"] = dict(sorted(self.annotations.items()))
        return out


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[Rule, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True)
class CompileOptions:
    """How to compile: mode, window catalogue, and Sloth's ``sloth_spec`` label."""

    compat: Compat = "native"
    windows: tuple[WindowPair, ...] = DEFAULT_WINDOWS
    sloth_spec: str = "prometheus/v1"


@lru_cache(maxsize=4096)
def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def alert_name(service: str, slo: SloSpec) -> str:
    """The alert's name: the spec's, else ``<Service><Slo>BurnRate``."""
    if slo.alerting.name:
        return slo.alerting.name
    return f"{_camel(service)}{_camel(slo.name)}BurnRate"


def _le_values(threshold: float) -> list[str]:
    # Prometheus 2 keeps the client's spelling ("1"); Prometheus 3 normalises classic histogram
    # buckets to OpenMetrics floats ("1.0"). Matching both keeps one rule working on either.
    text = format_float(threshold)
    values = {text}
    if re.fullmatch(r"-?[0-9]+", text):
        values.add(text + ".0")
    go_g = f"{threshold:g}"
    if float(go_g) == threshold:
        values.add(go_g)
    return sorted(values)


@lru_cache(maxsize=1024)
def le_matcher(threshold: float) -> str:
    """``le="0.3"``, or ``le=~"1|1\\\\.0"`` when Prometheus 2 and 3 spell the bucket differently."""
    values = _le_values(threshold)
    if len(values) == 1:
        return f'le="{values[0]}"'
    pattern = "|".join(re.escape(v) for v in values)
    return "le=~" + json.dumps(pattern)


def _selector(metric: str, selector: str, *extra: str) -> str:
    inner = selector.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip()
    parts = [p for p in (inner.rstrip(", "), *extra) if p]
    return f"{metric}{{{', '.join(parts)}}}"


@dataclass(frozen=True)
class SliQueries:
    """An indicator as PromQL with ``{{window}}``: bad and all events, or the error ratio."""

    errors: str | None = None  # bad events (rate)
    good: str | None = None  # good events (rate), instead of errors
    total: str | None = None  # all events (rate)
    ratio: str | None = None  # error ratio itself (raw, probe)
    kind: Literal["events", "raw", "probe"] = "events"


def sli_queries(slo: SloSpec) -> SliQueries:
    """The indicator as queries with the ``{{window}}`` placeholder."""
    ind = slo.indicator
    if isinstance(ind, RatioIndicator):
        return SliQueries(errors=ind.errors, good=ind.good, total=ind.total)
    if isinstance(ind, LatencyIndicator):
        window = "[" + WINDOW_PLACEHOLDER + "]"
        inf = _selector(ind.metric, ind.selector, 'le="+Inf"')
        total = f"sum(rate({inf}{window}))"
        good = (
            f"sum(rate({_selector(ind.metric, ind.selector, le_matcher(ind.threshold))}{window}))"
        )
        return SliQueries(good=good, total=total)
    if isinstance(ind, ProbeIndicator):
        gauge = _selector(ind.metric, ind.selector)
        window = "[" + WINDOW_PLACEHOLDER + "]"
        return SliQueries(ratio=f"1 - avg(avg_over_time({gauge}{window}))", kind="probe")
    if isinstance(ind, RawIndicator):
        return SliQueries(ratio=ind.error_ratio, kind="raw")
    raise AssertionError(f"unknown indicator {ind!r}")  # pragma: no cover


def _indent(text: str, by: str = "  ") -> str:
    return _indent_lines(text.rstrip("\n"), by)


def _indent_lines(text: str, by: str) -> str:
    """Every line of ``text`` indented by ``by``, empty lines left empty."""
    if "\n\n" in text:
        return "\n".join(by + line if line else line for line in text.split("\n"))
    return by + text.replace("\n", "\n" + by)


def _native_sli(slo: SloSpec, window: str, q: SliQueries | None = None) -> str:
    """The error ratio over one window, with the no-data policy written out."""
    q = q or sli_queries(slo)
    policy = slo.no_data
    if q.kind in ("raw", "probe"):
        assert q.ratio is not None
        ratio = render_window(q.ratio, window)
        # NaN (0/0) compares false, so ">= 0" leaves a window without events out.
        base = f"({ratio}) >= 0" if q.kind == "raw" else ratio
        if policy == "skip":
            return base
        fill = "0" if policy == "good" else "1"
        return f"(\n{_indent(base)}\n)\nor on() vector({fill})"
    assert q.total is not None
    total = render_window(q.total, window)
    if q.errors is not None:
        bad = render_window(q.errors, window)
    else:
        assert q.good is not None
        good = render_window(q.good, window)
        bad = f"({total})\n-\n(({good}) or (0 * ({total})))"
    # A bad-event series that does not exist yet while there is traffic means no bad events.
    base = f"(\n{_indent(f'({bad})')}\n  or\n  (0 * ({total}))\n)\n/\n(({total}) > 0)"
    if policy == "skip":
        return base
    if policy == "good":
        return f"(\n{_indent(base)}\n)\nor\n(0 * ({total}))\nor on() vector(0)"
    return f"(\n{_indent(base)}\n)\nor\n(0 * ({total}) + 1)\nor on() vector(1)"


def _sloth_sli(slo: SloSpec, window: str, q: SliQueries | None = None) -> str:
    q = q or sli_queries(slo)
    if q.ratio is not None:
        return f"({render_window(q.ratio, window)})"
    assert q.total is not None
    total = render_window(q.total, window)
    if q.errors is not None:
        bad = render_window(q.errors, window)
    else:
        assert q.good is not None
        bad = f"({total}) - ({render_window(q.good, window)})"
    return f"({bad})\n/\n({total})"


def _filter(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}={_json(v)}" for k, v in sorted(labels.items())) + "}"


def _json(text: str) -> str:
    """``json.dumps(text)``: a PromQL string literal."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # what json.dumps gives for printable ASCII without " and \
    return json.dumps(text)


def _windows(pairs: Iterable[WindowPair]) -> list[int]:
    return sorted({w for p in pairs for w in (p.short, p.long)})


def _merge(*maps: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in maps:
        out.update(m)
    return out


def _alert_pairs(pairs: Sequence[WindowPair], severity: Severity) -> tuple[WindowPair, WindowPair]:
    chosen = [p for p in pairs if p.severity == severity]
    if len(chosen) != 2:
        raise ValueError(f"the window catalogue needs two {severity} pairs (has {len(chosen)})")
    fast, slow = sorted(chosen, key=lambda p: (p.long, p.short))
    return fast, slow


def _describe_pairs(slo: SloSpec, pairs: tuple[WindowPair, WindowPair]) -> str:
    return _describe(slo.period_seconds, pairs)


@lru_cache(maxsize=256)
def _describe(period: int, pairs: tuple[WindowPair, WindowPair]) -> str:
    parts = [
        f"{format_float(p.factor(period))}× over {format_duration(p.long)}"
        f" ({format_float(p.budget_percent)} % of the budget)"
        for p in pairs
    ]
    return " or ".join(parts)


def compile_slo(
    service: str,
    slo: SloSpec,
    options: CompileOptions | None = None,
    *,
    runbook_url: str | None = None,
) -> list[RuleGroup]:
    """Rule groups for one SLO: SLI recordings, metadata recordings, alerts (if any enabled)."""
    options = options or CompileOptions()
    if options.compat == "sloth":
        return _compile_sloth(service, slo, options, runbook_url)
    return _compile_native(service, slo, options, runbook_url)


def compile_section(
    section: SloSection,
    options: CompileOptions | None = None,
    *,
    runbook_url: Callable[[SloSpec], str | None] | None = None,
) -> list[RuleGroup]:
    """Rule groups for every SLO of one document, in document order."""
    groups: list[RuleGroup] = []
    for slo in section.slos:
        url = runbook_url(slo) if runbook_url else None
        groups.extend(compile_slo(section.service, slo, options, runbook_url=url))
    return groups


def _annotations(
    defaults: Mapping[str, str],
    slo: SloSpec,
    severity: Severity,
    runbook_url: str | None,
) -> dict[str, str]:
    extra: dict[str, str] = {}
    if runbook_url:
        extra["runbook_url"] = runbook_url
    alert = getattr(slo.alerting, severity)
    return _merge(defaults, extra, slo.alerting.annotations, alert.annotations)


@dataclass(frozen=True)
class _NativeParts:
    """What native mode compiles one SLO to, before it is packaged as rules or written as text.

    The SLI recordings are one expression template (``{{window}}`` for the range) and a list of
    windows; :func:`_compile_native` turns them into :class:`Rule` objects, :func:`render_section`
    writes them straight to text.
    """

    slo_id: str
    shape: _NativeShape
    flt: str  # the label filter that selects this SLO's series
    template: str  # the SLI expression with the window placeholder
    base_labels: dict[str, str]
    info_labels: dict[str, str]
    alerts: tuple[Rule, ...]

    @property
    def windows(self) -> tuple[str, ...]:
        """SLI windows as Prometheus durations, the period last."""
        return self.shape.windows

    def meta(self) -> tuple[Rule, ...]:
        return tuple(
            Rule(record=record, expr=expr, labels=self.info_labels if info else self.base_labels)
            for record, expr, info in _meta_content(self.shape, self.flt)
        )


def _meta_content(shape: _NativeShape, flt: str) -> tuple[tuple[str, str, bool], ...]:
    """The metadata recordings: record, expression, whether they carry the info labels."""

    def burn(window: str) -> str:
        record = SLI_RECORD.format(window=window)
        return f"max without (slo_window) ({record}{flt})\n/ {shape.budget}"

    return (
        ("slo:objective:ratio", f"vector({shape.objective_ratio})", False),
        ("slo:error_budget:ratio", f"vector({shape.budget})", False),
        ("slo:time_period:days", f"vector({shape.days})", False),
        ("slo:current_burn_rate:ratio", burn(shape.shortest), False),
        ("slo:period_burn_rate:ratio", burn(shape.period_text), False),
        ("slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{flt}", False),
        ("opsdocs_slo_info", "vector(1)", True),
    )


@dataclass(frozen=True)
class _NativeShape:
    """Everything of native mode that depends only on the catalogue, period, budget and which
    alerts are enabled, not on the service or the queries; shared by SLOs that agree on those."""

    windows: tuple[str, ...]
    plain_windows: bool  # every window is [0-9a-z]+
    period_text: str
    budget: str
    objective_ratio: str
    days: str
    shortest: str
    # per enabled severity: the alert expression split where the SLO's label filter goes,
    # and the burn rates described for the summary
    alerts: tuple[tuple[Severity, tuple[str, ...], str], ...]


@lru_cache(maxsize=256)
def _native_shape(
    pairs: tuple[WindowPair, ...], period: int, objective: float, severities: tuple[Severity, ...]
) -> _NativeShape:
    period_text = format_duration(period)
    budget = format_float(budget_ratio(objective))
    used = [p for p in pairs if p.severity in severities]
    shortest = min(p.short for p in pairs)
    windows = [format_duration(w) for w in sorted({*_windows(used), shortest}) if w != period]
    windows.append(period_text)
    alerts = []
    for severity in severities:
        fast, slow = _alert_pairs(pairs, severity)
        pieces = []
        text = ""
        for n, pair in enumerate((fast, slow)):
            threshold = f"({format_float(pair.factor(period))} * {budget})"
            text += "(\n  " if n == 0 else "\n)\nor\n(\n  "
            for m, w in enumerate((pair.short, pair.long)):
                if m:
                    text += "\n  and\n  "
                text += f"max without (slo_window) ({SLI_RECORD.format(window=format_duration(w))}"
                pieces.append(text)
                text = f" > {threshold})"
        pieces.append(text + "\n)")
        alerts.append((severity, tuple(pieces), _describe(period, (fast, slow))))
    return _NativeShape(
        windows=tuple(windows),
        plain_windows=all(_WINDOW_TEXT.fullmatch(w) for w in windows),
        period_text=period_text,
        budget=budget,
        objective_ratio=format_float(float(1 - budget_fraction(objective))),
        days=format_float(period / 86400),
        shortest=format_duration(shortest),
        alerts=tuple(alerts),
    )


def _native_parts(
    service: str, slo: SloSpec, options: CompileOptions, runbook_url: str | None
) -> _NativeParts:
    slo_id = f"{service}-{slo.name}"
    ids = {"slo_id": slo_id, "slo_service": service, "slo_name": slo.name}
    # _filter(ids), its keys written in sorted order
    flt = f"{{slo_id={_json(slo_id)}, slo_name={_json(slo.name)}, slo_service={_json(service)}}}"
    base_labels = _merge(slo.labels, ids)
    alerting = slo.alerting
    severities: tuple[Severity, ...] = tuple(
        severity for severity in ("page", "ticket") if getattr(alerting, severity).enabled
    )
    shape = _native_shape(options.windows, slo.period_seconds, slo.objective, severities)
    period_text = shape.period_text
    # The SLI expression is built once with the placeholder, then filled in per window.
    template = _native_sli(slo, WINDOW_PLACEHOLDER, sli_queries(slo))

    info_labels = _merge(
        base_labels,
        {
            "slo_objective": format_float(slo.objective),
            "slo_period": period_text,
            "slo_indicator": slo.indicator.type,
            "slo_no_data": slo.no_data,
        },
    )

    alerts = []
    name = alert_name(service, slo)
    for severity, pieces, described in shape.alerts:
        defaults = {
            "title": f"({severity}) {{{{$labels.slo_service}}}} {{{{$labels.slo_name}}}}"
            " SLO error budget burn rate is too fast.",
            "summary": f"{{{{$labels.slo_service}}}} {{{{$labels.slo_name}}}} is spending its"
            f" {slo.period} error budget at more than {described}.",
        }
        if slo.description:
            defaults["description"] = slo.description
        alert = getattr(alerting, severity)
        alerts.append(
            Rule(
                alert=name,
                expr=flt.join(pieces),
                labels=_merge({"slo_severity": severity}, alerting.labels, alert.labels),
                annotations=_annotations(defaults, slo, severity, runbook_url),
            )
        )
    return _NativeParts(slo_id, shape, flt, template, base_labels, info_labels, tuple(alerts))


def _compile_native(
    service: str, slo: SloSpec, options: CompileOptions, runbook_url: str | None
) -> list[RuleGroup]:
    parts = _native_parts(service, slo, options, runbook_url)
    sli_rules = tuple(
        Rule(
            record=SLI_RECORD.format(window=w),
            expr=render_window(parts.template, w),
            labels=_merge(parts.base_labels, {"slo_window": w}),
        )
        for w in parts.windows
    )
    groups = [
        RuleGroup(f"opsdocs-slo-sli-recordings-{parts.slo_id}", sli_rules),
        RuleGroup(f"opsdocs-slo-meta-recordings-{parts.slo_id}", parts.meta()),
    ]
    if parts.alerts:
        groups.append(RuleGroup(f"opsdocs-slo-alerts-{parts.slo_id}", parts.alerts))
    return groups


def _compile_sloth(
    service: str, slo: SloSpec, options: CompileOptions, runbook_url: str | None
) -> list[RuleGroup]:
    slo_id = f"{service}-{slo.name}"
    ids = {"sloth_id": slo_id, "sloth_service": service, "sloth_slo": slo.name}
    flt = _filter(ids)
    labels = _merge(ids, slo.labels)
    period = slo.period_seconds
    period_text = format_duration(period)
    pairs = options.windows
    template = _sloth_sli(slo, WINDOW_PLACEHOLDER, sli_queries(slo))
    # Sloth records every catalogue window whether or not an alert uses it.
    sli_rules = [
        Rule(
            record=SLI_RECORD.format(window=format_duration(w)),
            expr=render_window(template, format_duration(w)),
            labels=_merge(ids, {"sloth_window": format_duration(w)}, slo.labels),
        )
        for w in _windows(pairs)
    ]
    short_record = SLI_RECORD.format(window=format_duration(min(p.short for p in pairs)))
    sli_rules.append(
        Rule(
            record=SLI_RECORD.format(window=period_text),
            expr=f"sum_over_time({short_record}{flt}[{period_text}])\n"
            f"/ ignoring (sloth_window)\n"
            f"count_over_time({short_record}{flt}[{period_text}])",
            labels=_merge(ids, {"sloth_window": period_text}, slo.labels),
        )
    )

    objective_ratio = slo.objective / 100  # float64 arithmetic, as Sloth does it

    def burn(record: str) -> str:
        return (
            f"{record}{flt}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"slo:error_budget:ratio{flt}"
        )

    meta_rules = [
        Rule(
            record="slo:objective:ratio",
            expr=f"vector({format_float(objective_ratio)})",
            labels=labels,
        ),
        Rule(
            record="slo:error_budget:ratio",
            expr=f"vector(1-{format_float(objective_ratio)})",
            labels=labels,
        ),
        Rule(
            record="slo:time_period:days",
            expr=f"vector({format_float(period / 3600 / 24)})",
            labels=labels,
        ),
        Rule(record="slo:current_burn_rate:ratio", expr=burn(short_record), labels=labels),
        Rule(
            record="slo:period_burn_rate:ratio",
            expr=burn(SLI_RECORD.format(window=period_text)),
            labels=labels,
        ),
        Rule(
            record="slo:period_error_budget_remaining:ratio",
            expr=f"1 - slo:period_burn_rate:ratio{flt}",
            labels=labels,
        ),
        Rule(
            record="sloth_slo_info",
            expr="vector(1)",
            labels=_merge(
                labels,
                {
                    "sloth_version": SLOTH_VERSION_LABEL,
                    "sloth_mode": "cli-gen-prom",
                    "sloth_spec": options.sloth_spec,
                    "sloth_objective": format_float(slo.objective),
                },
            ),
        ),
    ]

    budget = format_float((100 - slo.objective) / 100)
    alerts = []
    for severity in ("page", "ticket"):
        alert = getattr(slo.alerting, severity)
        if not alert.enabled:
            continue
        fast, slow = _alert_pairs(pairs, severity)
        terms = []
        for pair in (fast, slow):
            factor = format_float(pair.sloth_factor(period))
            lines = [
                f"max({SLI_RECORD.format(window=format_duration(w))}{flt}"
                f" > ({factor} * {budget})) without (sloth_window)"
                for w in (pair.short, pair.long)
            ]
            terms.append("(\n    " + "\n    and\n    ".join(lines) + "\n)")
        defaults = {
            "title": f"({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}}"
            " SLO error budget burn rate is too fast.",
            "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}}"
            " SLO error budget burn rate is over expected.",
        }
        alerts.append(
            Rule(
                alert=alert_name(service, slo),
                expr="\nor\n".join(terms),
                labels=_merge({"sloth_severity": severity}, slo.alerting.labels, alert.labels),
                annotations=_annotations(defaults, slo, severity, runbook_url),
            )
        )

    groups = [
        RuleGroup(f"sloth-slo-sli-recordings-{slo_id}", tuple(sli_rules)),
        RuleGroup(f"sloth-slo-meta-recordings-{slo_id}", tuple(meta_rules)),
    ]
    if alerts:
        groups.append(RuleGroup(f"sloth-slo-alerts-{slo_id}", tuple(alerts)))
    return groups


# --- YAML -------------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_UNSAFE_BLOCK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]|[ \t]$", re.M)


_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/()#?=&%~+-]*$")


@lru_cache(maxsize=4096)
def _plain_is_string(text: str) -> bool:
    """Whether ``text`` written plain reads back as the same string (not 2, true, null, ...)."""

    if not _PLAIN_VALUE.fullmatch(text) or text.endswith(":"):
        return False
    return _resolves_to_string(text)


def reads_back_as_string(text: str) -> bool:
    """Whether ``text`` written as a plain YAML scalar reads back (YAML 1.1) as that string."""
    return _resolves_to_string(text)


# Numbers under YAML 1.2 too (Prometheus reads rules with a Go YAML library): 1e3, 0o17, .inf.
_NUMBERISH = re.compile(
    r"[-+]?(\.?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|0[oxb][0-9a-fA-F_]+"
    r"|\.(inf|Inf|INF|nan|NaN|NAN))"
)


@lru_cache(maxsize=1)
def _resolved_first_chars() -> frozenset[str] | None:
    """First characters for which YAML has an implicit resolver (None: it has a wildcard one)."""
    import yaml

    resolvers: dict[str | None, Any] = yaml.SafeLoader.yaml_implicit_resolvers
    if None in resolvers:  # pragma: no cover - PyYAML has none
        return None
    return frozenset(key for key in resolvers if key)


@lru_cache(maxsize=4096)
def _resolves_to_string(text: str) -> bool:
    import yaml

    if _NUMBERISH.fullmatch(text):
        return False
    first = _resolved_first_chars()
    if text and first is not None and text[0] not in first:
        return True  # resolve() would try no implicit resolver: a string

    resolve: Any = yaml.SafeLoader.resolve
    tag = resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False))
    return bool(tag == "tag:yaml.org,2002:str")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return _string(str(value))


@lru_cache(maxsize=1 << 16)
def _string(text: str) -> str:
    if _plain_is_string(text):
        return text
    if text.isprintable() and text == text.strip():
        return "'" + text.replace("'", "''") + "'"
    return _quote(text)


_NOT_YAML_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _quote(text: str) -> str:
    """A double-quoted YAML scalar: JSON escapes, plus escapes for what YAML cannot hold raw."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _block_safe(text: str) -> bool:
    """Whether a ``|-`` literal block reads back as exactly ``text``."""
    if text.endswith(("\n", " ", "\t")) or text[:1] in ("", " ", "\t", "\n"):
        return False
    if " \n" in text or "\t\n" in text:
        return False  # trailing blanks on a line
    if text.isascii():
        return _ASCII_CONTROL.search(text) is None
    return not _UNSAFE_BLOCK.search(text) and not _NOT_YAML_PRINTABLE.search(text.replace("\n", ""))


@lru_cache(maxsize=4096)
def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and _resolves_to_string(key) else _quote(key)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_key(str(key))}:"
            if isinstance(item, dict | list) and item:
                out.append(head)
                _emit(item, indent + 2, out)
            elif isinstance(item, str) and "\n" in item and _block_safe(item):
                out.append(f"{head} |-")
                out.extend(f"{pad}  {line}" if line else "" for line in item.split("\n"))
            elif isinstance(item, dict):
                out.append(f"{head} {{}}")
            elif isinstance(item, list):
                out.append(f"{head} []")
            else:
                out.append(f"{head} {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- " + sub[0][indent + 2 :]
                out.extend(sub)
            else:
                out.append(f"{pad}- {_scalar(item)}")
    else:  # pragma: no cover - callers pass containers
        out.append(pad + _scalar(value))


def _mapping_lines(mapping: Mapping[str, str], inner: str) -> list[str]:
    """The entries of a label or annotation mapping, sorted, indented under ``inner``."""
    lines = []
    for name in sorted(mapping):
        value = mapping[name]
        if "\n" in value and _block_safe(value):
            lines.append(f"{inner}  {_key(name)}: |-")
            lines.append(_indent_lines(value, inner + "    "))
        else:
            lines.append(f"{inner}  {_key(name)}: {_string(value)}")
    return lines


# Group names such as opsdocs-slo-alerts-api-latency: a letter first (so no number, date or
# merge key), and a '-' or '_' (so no true, on, null, ...): _string writes them plain.
_GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*[-_][A-Za-z0-9_-]*")


class _RuleEmitter:
    """Writes rules as the items of a ``rules:`` list; label blocks shared by several rules
    (the same mapping object) are rendered once."""

    def __init__(self, indent: int, out: list[str]) -> None:
        self.pad = " " * indent
        self.inner = self.pad + "      "
        self.out = out
        self.blocks: dict[int, tuple[Mapping[str, str], str]] = {}

    def mapping_block(self, title: str, mapping: Mapping[str, str]) -> str:
        key = id(mapping)
        cached = self.blocks.get(key)
        if cached is not None and cached[0] is mapping:
            return cached[1]
        text = "\n".join([f"{self.inner}{title}:", *_mapping_lines(mapping, self.inner)])
        self.blocks[key] = (mapping, text)  # keeps the mapping alive, so its id stays its own
        return text

    def group_head(self, name: str, empty: bool) -> None:
        if _GROUP_NAME.fullmatch(name):
            self.out.append(f"{self.pad}- name: {name}")  # what _string gives, without its work
        else:
            self.out.append(f"{self.pad}- name: {_string(name)}")
        self.out.append(f"{self.pad}  rules: []" if empty else f"{self.pad}  rules:")

    def rule(self, rule: Rule, expr_text: str | None = None) -> None:
        """Write ``rule``; ``expr_text``, when given, is its ``expr`` entry already written."""
        out, pad, inner = self.out, self.pad, self.inner
        if rule.record is not None:
            out.append(f"{pad}    - record: {_string(rule.record)}")
            if rule.alert is not None:
                out.append(f"{inner}alert: {_string(rule.alert)}")
        else:
            out.append(f"{pad}    - alert: {_string(str(rule.alert))}")
        out.append(expr_text if expr_text is not None else _expr_text(rule.expr, inner))
        if rule.labels:
            out.append(self.mapping_block("labels", rule.labels))
        if rule.annotations:
            out.append(self.mapping_block("annotations", rule.annotations))


def _expr_text(expr: str, inner: str) -> str:
    if "\n" in expr and _block_safe(expr):
        return f"{inner}expr: |-\n{_indent_lines(expr, inner + '  ')}"
    return f"{inner}expr: {_string(expr)}"


def _emit_rules(groups: Sequence[RuleGroup], indent: int, out: list[str]) -> None:
    """The ``groups:`` list, written directly: the same text as :func:`_emit` of
    ``[g.to_dict() for g in groups]``, several times faster for thousands of rules."""
    emitter = _RuleEmitter(indent, out)
    for group in groups:
        emitter.group_head(group.name, not group.rules)
        for rule in group.rules:
            emitter.rule(rule)


_WINDOW_TEXT = re.compile(r"[0-9a-z]+")


def _emit_native_sli(parts: _NativeParts, emitter: _RuleEmitter) -> None:
    """The SLI recordings of one SLO: the same text as :meth:`_RuleEmitter.rule` of each rule
    :func:`_compile_native` builds, with the expression indented once for every window."""
    inner = emitter.inner
    windows = parts.windows
    pieces = _sli_expr_pieces(parts.template, parts.shape.plain_windows, inner)
    if pieces is None:
        # A single-line expression is quoted per window; no shortcut for it.
        for w in windows:
            emitter.rule(
                Rule(
                    record=SLI_RECORD.format(window=w),
                    expr=render_window(parts.template, w),
                    labels=_merge(parts.base_labels, {"slo_window": w}),
                )
            )
        return
    base = parts.base_labels
    head, tail, block = _sli_label_parts(base, inner)
    if block is not None:  # the same block serves the metadata recordings
        emitter.blocks[id(base)] = (base, block)
    _emit_sli_windows(emitter, windows, pieces, head, tail)


def _sli_expr_pieces(template: str, plain_windows: bool, inner: str) -> list[str] | None:
    """The ``expr`` entry of an SLI recording split where the window goes, or ``None`` when
    the expression is not written as a literal block (then each window is quoted alone)."""
    if not ("\n" in template and plain_windows and _block_safe(template)):
        return None
    # Windows are [0-9a-z]+, so filling one in cannot change how the expression is quoted or
    # indented: fill in a mark (a control character, so not in a block-safe template), indent
    # once, and put each window where the mark is.
    filled = _indent_lines(render_window(template, "\x01"), inner + "  ")
    return f"{inner}expr: |-\n{filled}".split("\x01")


def _sli_label_parts(base: Mapping[str, str], inner: str) -> tuple[str, str, str | None]:
    """The ``labels`` entry of an SLI recording around its ``slo_window`` line (head, tail),
    and the block of ``base`` itself when it has no ``slo_window`` of its own."""
    labels = {k: v for k, v in base.items() if k != "slo_window"}
    lines = _mapping_lines(labels, inner)
    block = "\n".join([f"{inner}labels:", *lines]) if len(labels) == len(base) else None
    names = sorted(labels)
    cut = sum(1 for name in names if name < "slo_window")
    # A block value spans two list items; count items per name instead of assuming one.
    items_per_name = [2 if "\n" in labels[n] and _block_safe(labels[n]) else 1 for n in names]
    split = sum(items_per_name[:cut])
    head = "\n".join([f"{inner}labels:", *lines[:split]]) + "\n"
    tail = "\n" + "\n".join(lines[split:]) if split < len(lines) else ""
    return head, tail, block


def _emit_sli_windows(
    emitter: _RuleEmitter, windows: Sequence[str], pieces: list[str], head: str, tail: str
) -> None:
    out = emitter.out
    for w in windows:
        record, window_line = _sli_lines(w, emitter.pad)
        out.append(record)
        out.append(w.join(pieces))
        out.append(head + window_line + tail)


@lru_cache(maxsize=1024)
def _sli_lines(window: str, pad: str) -> tuple[str, str]:
    """The record line and the ``slo_window`` label line of an SLI recording."""
    inner = pad + "      "
    return (
        f"{pad}    - record: {_string(SLI_RECORD.format(window=window))}",
        f"{inner}  {_key('slo_window')}: {_string(window)}",
    )


_FILTER_MARK = "{__opsdocs_filter__}"
_BASE_LABELS = "\0base"
_INFO_LABELS = "\0info"


@lru_cache(maxsize=256)
def _meta_chunks(shape: _NativeShape, indent: int) -> tuple[str, ...]:
    """The metadata recordings of a shape as text, split where the SLO's label filter and its
    label blocks go (the marks ``_FILTER_MARK``, ``_BASE_LABELS``, ``_INFO_LABELS``)."""
    pad = " " * indent
    inner = pad + "      "
    lines = []
    for record, expr, info in _meta_content(shape, _FILTER_MARK):
        lines.append(f"{pad}    - record: {_string(record)}")
        lines.append(_expr_text(expr, inner))
        lines.append(_INFO_LABELS if info else _BASE_LABELS)
    text = "\n".join(lines)
    marks = "|".join(re.escape(m) for m in (_FILTER_MARK, _BASE_LABELS, _INFO_LABELS))
    return tuple(re.split(f"({marks})", text))


# A label filter whose text cannot change how an expression holding it is written: printable
# ASCII without the single quote (doubled in a quoted scalar).
_PLAIN_FILTER = re.compile(r"[ -&(-~]*")


def _emit_native_meta(parts: _NativeParts, emitter: _RuleEmitter) -> None:
    """The metadata recordings: the same text as :meth:`_RuleEmitter.rule` of each of
    :meth:`_NativeParts.meta`, from text shared by every SLO of the same shape."""
    flt = parts.flt
    if not _PLAIN_FILTER.fullmatch(flt) or _FILTER_MARK in flt:
        for rule in parts.meta():
            emitter.rule(rule)
        return
    fill = {
        _FILTER_MARK: flt,
        _BASE_LABELS: emitter.mapping_block("labels", parts.base_labels),
        _INFO_LABELS: emitter.mapping_block("labels", parts.info_labels),
    }
    chunks = _meta_chunks(parts.shape, len(emitter.pad))
    emitter.out.append("".join([fill.get(chunk, chunk) for chunk in chunks]))


@lru_cache(maxsize=256)
def _alert_expr(pieces: tuple[str, ...], inner: str) -> list[str]:
    """An alert's ``expr`` entry written with the filter mark, split where the filter goes."""
    return _expr_text(_FILTER_MARK.join(pieces), inner).split(_FILTER_MARK)


def _emit_native(
    service: str, slo: SloSpec, options: CompileOptions, url: str | None, emitter: _RuleEmitter
) -> None:
    """The three groups of one SLO, written from its :class:`_NativeParts`."""
    parts = _native_parts(service, slo, options, url)
    emitter.group_head(f"opsdocs-slo-sli-recordings-{parts.slo_id}", False)
    _emit_native_sli(parts, emitter)
    _emit_native_rest(parts, emitter)


def _emit_native_rest(parts: _NativeParts, emitter: _RuleEmitter) -> None:
    """The metadata and alert groups of one SLO."""
    emitter.group_head(f"opsdocs-slo-meta-recordings-{parts.slo_id}", False)
    _emit_native_meta(parts, emitter)
    if parts.alerts:
        emitter.group_head(f"opsdocs-slo-alerts-{parts.slo_id}", False)
        plain = _PLAIN_FILTER.fullmatch(parts.flt) and _FILTER_MARK not in parts.flt
        out, inner = emitter.out, emitter.inner
        for rule, (_, pieces, _) in zip(parts.alerts, parts.shape.alerts, strict=True):
            # what emitter.rule writes, with label and annotation blocks remembered by content:
            # most SLOs' alerts carry the same labels and annotations
            out.append(f"{emitter.pad}    - alert: {_string(str(rule.alert))}")
            out.append(
                parts.flt.join(_alert_expr(pieces, inner))
                if plain
                else _expr_text(rule.expr, inner)
            )
            if rule.labels:
                out.append(_block_by_content("labels", tuple(rule.labels.items()), inner))
            if rule.annotations:
                items = tuple(rule.annotations.items())
                out.append(_block_by_content("annotations", items, inner))


@lru_cache(maxsize=1024)
def _block_by_content(title: str, items: tuple[tuple[str, str], ...], inner: str) -> str:
    """A label or annotation block as :meth:`_RuleEmitter.mapping_block` writes it."""
    return "\n".join([f"{inner}{title}:", *_mapping_lines(dict(items), inner)])


# --- Forms: the text of an SLO with its service and runbook link left out -------------------
#
# SLOs of different services written from one template (same name, objective, period, labels,
# alerting, ...) differ in their text only where the service and the runbook link appear, and
# in their SLI queries. A form is everything else, written once by the code above with marks in
# place of the service (and of its camel-cased spelling in the alert name) and of the link; an
# SLO of the same form is then its SLI expressions plus the form with the marks filled in.
# Filling in is only done with values that are written as they are wherever the marks stand
# (plain YAML scalars, plain label filters), so the text is byte for byte what the code above
# writes; other values (a service named 'true', a link with a space) take the long way.


class _FormKey:
    """Everything of an SLO that its form depends on; hashes and compares by that alone (the
    SLO rides along, to write the form from)."""

    __slots__ = ("hash", "key", "options", "slo")

    def __init__(self, key: tuple[Any, ...], slo: SloSpec, options: CompileOptions) -> None:
        self.key = key
        self.hash = hash(key)
        self.slo = slo
        self.options = options

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FormKey) and self.key == other.key


def _form_key(slo: SloSpec, options: CompileOptions, indent: int, url: str | None) -> _FormKey:
    a = slo.alerting
    page, ticket = a.page, a.ticket
    key = (
        id(options.windows),  # the key keeps options, so the id is of a live tuple
        indent,
        bool(url),
        slo.name,
        slo.objective,
        slo.period,
        slo.no_data,
        slo.indicator.type,
        slo.description,
        tuple(slo.labels.items()),
        a.name,
        tuple(a.labels.items()),
        tuple(a.annotations.items()),
        page.enabled,
        tuple(page.labels.items()),
        tuple(page.annotations.items()),
        ticket.enabled,
        tuple(ticket.labels.items()),
        tuple(ticket.annotations.items()),
    )
    return _FormKey(key, slo, options)


@dataclass(frozen=True)
class _NativeForm:
    """The text of one SLO but its SLI expressions, split where the marks stand."""

    sli_head: tuple[str, ...]  # the SLI group's head
    label_head: tuple[str, ...]  # an SLI recording's labels, before its slo_window line
    label_tail: tuple[str, ...]  # and after it
    rest: tuple[str, ...]  # the metadata and alert groups
    windows: tuple[str, ...]
    plain_windows: bool


_MARKS = (("opsdocsmarksvcq", "opsdocsmarkurlq"), ("opsdocsmarksvcz", "opsdocsmarkurlz"))
_SERVICE_FORMABLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _form_texts(key: _FormKey, service: str, url: str) -> tuple[str, str, str, str]:
    slo, options = key.slo, key.options
    indent = key.key[1]
    parts = _native_parts(service, slo, options, url if key.key[2] else None)
    out: list[str] = []
    emitter = _RuleEmitter(indent, out)
    emitter.group_head(f"opsdocs-slo-sli-recordings-{parts.slo_id}", False)
    sli_head = "\n".join(out)
    out.clear()
    head, tail, _ = _sli_label_parts(parts.base_labels, emitter.inner)
    _emit_native_rest(parts, emitter)
    return sli_head, head, tail, "\n".join(out)


@lru_cache(maxsize=1024)
def _form_seen(key: _FormKey) -> list[bool]:
    """Whether an SLO of this form has been written (empty: not yet)."""
    return []


@lru_cache(maxsize=256)
def _native_form(key: _FormKey) -> _NativeForm | None:
    """The form of an SLO, or ``None`` when its text cannot be split at the marks safely."""
    splits = []
    for service, url in _MARKS:
        camel = _camel(service)
        # the marks must be written as they are wherever they stand, as the values filled in
        # for them are (see _emit_native_form)
        slo_id, name = f"{service}-{key.slo.name}", alert_name(service, key.slo)
        if any(_string(text) != text for text in (service, slo_id, name, url)):
            return None
        pattern = re.compile("(" + "|".join((service, camel, url)) + ")")
        names = {service: "\0service", camel: "\0camel", url: "\0url"}
        texts = _form_texts(key, service, url)
        splits.append(
            tuple(
                tuple(names.get(chunk, chunk) if i % 2 else chunk for i, chunk in enumerate(t))
                for t in (pattern.split(text) for text in texts)
            )
        )
    # Written with two sets of marks, the form must come out the same: a mark that the SLO's
    # own text happens to contain (or that its pieces happen to spell) would make them differ.
    if splits[0] != splits[1]:
        return None
    shape = _native_parts(_MARKS[0][0], key.slo, key.options, None).shape
    sli_head, head, tail, rest = splits[0]
    return _NativeForm(sli_head, head, tail, rest, shape.windows, shape.plain_windows)


def _fill(chunks: tuple[str, ...], values: dict[str, str]) -> str:
    # The marks' names start with NUL, which no written chunk holds (YAML text escapes it).
    return "".join(map(values.get, chunks, chunks))


def _emit_native_form(
    service: str, slo: SloSpec, options: CompileOptions, url: str | None, emitter: _RuleEmitter
) -> bool:
    """Write one SLO from its form; ``False`` (nothing written) when it has none or its
    service, link or SLI expression cannot be filled in as they are."""
    if not _SERVICE_FORMABLE.fullmatch(service):
        return False
    key = _form_key(slo, options, len(emitter.pad), url)
    seen = _form_seen(key)
    if not seen:  # the first SLO of a form is written the long way: many forms are unique
        seen.append(True)
        return False
    form = _native_form(key)
    if form is None:
        return False
    slo_id = f"{service}-{slo.name}"
    if _string(service) != service or _string(slo_id) != slo_id:
        return False
    if url is not None and _string(url) != url:
        return False
    name = slo.alerting.name
    camel = _camel(service)
    if name is None:
        name = f"{camel}{_camel(slo.name)}BurnRate"
        if _string(name) != name:
            return False
    template = _native_sli(slo, WINDOW_PLACEHOLDER, sli_queries(slo))
    pieces = _sli_expr_pieces(template, form.plain_windows, emitter.inner)
    if pieces is None:
        return False
    values = {"\0service": service, "\0camel": camel, "\0url": url or ""}
    emitter.out.append(_fill(form.sli_head, values))
    head, tail = _fill(form.label_head, values), _fill(form.label_tail, values)
    _emit_sli_windows(emitter, form.windows, pieces, head, tail)
    emitter.out.append(_fill(form.rest, values))
    return True


def render_section(
    section: SloSection,
    options: CompileOptions | None = None,
    *,
    fmt: RuleFormat = "prometheus",
    name: str = "slo-rules",
    source: str | None = None,
    runbook_url: Callable[[SloSpec], str | None] | None = None,
) -> str:
    """The rule file of one document: the same text as :func:`render_rule_file` of
    :func:`compile_section`, written without building every rule first in native mode."""
    options = options or CompileOptions()
    if options.compat != "native" or not section.slos:
        groups = compile_section(section, options, runbook_url=runbook_url)
        return render_rule_file(groups, fmt=fmt, name=name, source=source)
    out: list[str] = []
    indent = _rule_file_head(out, fmt=fmt, name=name, empty=False)
    emitter = _RuleEmitter(indent, out)
    service = section.service
    for slo in section.slos:
        url = runbook_url(slo) if runbook_url else None
        if not _emit_native_form(service, slo, options, url, emitter):
            _emit_native(service, slo, options, url, emitter)
    # one join for the whole file (the header ends in a newline, which the join puts back)
    return "\n".join([_header(source)[:-1], *out, ""])


def dump_rules_yaml(data: Mapping[str, Any]) -> str:
    """Deterministic block YAML for rule data (dicts keep their order; exprs as ``|-``)."""
    out: list[str] = []
    _emit(dict(data), 0, out)
    return "\n".join(out) + "\n"


def _k8s_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:253] or "slo-rules"


def _header(source: str | None) -> str:
    header = "# Code generated by opsdocs"
    header += f" from {source}" if source else ""
    return header + ". DO NOT EDIT: change the document and run 'opsdocs slo rules'.\n"


def _rule_file_head(out: list[str], *, fmt: RuleFormat, name: str, empty: bool) -> int:
    """Everything above the first group; returns the indent of the groups' items."""
    if fmt == "prometheus-operator":
        head: dict[str, Any] = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {
                "name": _k8s_name(name),
                "labels": {"app.kubernetes.io/managed-by": "opsdocs"},
            },
        }
        _emit(head, 0, out)
        out.append("spec:")
        out.append("  groups: []" if empty else "  groups:")
        return 4
    out.append("groups: []" if empty else "groups:")
    return 2


def render_rule_file(
    groups: Sequence[RuleGroup],
    *,
    fmt: RuleFormat = "prometheus",
    name: str = "slo-rules",
    source: str | None = None,
) -> str:
    """A rule file: Prometheus ``groups:``, or a prometheus-operator ``PrometheusRule``."""
    out: list[str] = []
    indent = _rule_file_head(out, fmt=fmt, name=name, empty=not groups)
    _emit_rules(groups, indent, out)
    return _header(source) + "\n".join(out) + "\n"

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
from opsdocs.durations import format_duration
from opsdocs.promql import SliQueries, sli_queries
from opsdocs.slo.spec import (
    WINDOW_PLACEHOLDER,
    SloSection,
    SloSpec,
    render_window,
)
from opsdocs.slo.windows import (
    DEFAULT_WINDOWS,
    Severity,
    WindowPair,
    format_float,
)
from opsdocs.yamlio import dump_yaml

__all__ = [
    "Compat",
    "CompileOptions",
    "Rule",
    "RuleGroup",
    "alert_name",
    "alert_pairs",
    "compile_section",
    "compile_slo",
    "escape_template",
    "render_rule_file",
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


# Window and period spellings, a handful per run, written tens of thousands of times.
_duration = lru_cache(maxsize=256)(format_duration)


@lru_cache(maxsize=4096)
def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def alert_name(service: str, slo: SloSpec) -> str:
    """The alert's name: the spec's, else ``<Service><Slo>BurnRate``."""
    if slo.alerting.name:
        return slo.alerting.name
    return f"{_camel(service)}{_camel(slo.name)}BurnRate"


def _indent(text: str, by: str = "  ") -> str:
    """Every line of ``text`` indented by ``by``, empty lines left empty."""
    return "\n".join(by + line if line else line for line in text.rstrip("\n").split("\n"))


def _events(q: SliQueries, window: str, bad_of: Callable[[str, str], str]) -> tuple[str, str]:
    """All events and bad events over one window; ``bad_of(total, good)`` writes the bad
    events of an indicator that counts the good ones."""
    assert q.total is not None
    total = render_window(q.total, window)
    if q.errors is not None:
        return total, render_window(q.errors, window)
    assert q.good is not None
    return total, bad_of(total, render_window(q.good, window))


def _native_sli(slo: SloSpec, window: str, q: SliQueries) -> str:
    """The error ratio over one window, with the no-data policy written out."""
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
    total, bad = _events(q, window, lambda t, good: f"({t})\n-\n(({good}) or (0 * ({t})))")
    # A bad-event series that does not exist yet while there is traffic means no bad events.
    base = f"(\n{_indent(f'({bad})')}\n  or\n  (0 * ({total}))\n)\n/\n(({total}) > 0)"
    if policy == "skip":
        return base
    if policy == "good":
        return f"(\n{_indent(base)}\n)\nor\n(0 * ({total}))\nor on() vector(0)"
    return f"(\n{_indent(base)}\n)\nor\n(0 * ({total}) + 1)\nor on() vector(1)"


def _sloth_sli(window: str, q: SliQueries) -> str:
    if q.ratio is not None:
        return f"({render_window(q.ratio, window)})"
    total, bad = _events(q, window, lambda t, good: f"({t}) - ({good})")
    return f"({bad})\n/\n({total})"


def _filter(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items())) + "}"


def _identity(service: str, slo: SloSpec, names: Sequence[str]) -> tuple[str, dict[str, str], str]:
    """The SLO's id, its identifying labels (``names``: id, service, SLO) and their filter."""
    slo_id = f"{service}-{slo.name}"
    ids = dict(zip(names, (slo_id, service, slo.name), strict=True))
    return slo_id, ids, _filter(ids)


def _windows(pairs: Iterable[WindowPair]) -> list[int]:
    return sorted({w for p in pairs for w in (p.short, p.long)})


def alert_pairs(pairs: Sequence[WindowPair], severity: str) -> tuple[WindowPair, WindowPair]:
    """The two window pairs of an alert of ``severity``, the faster first."""
    chosen = [p for p in pairs if p.severity == severity]
    if len(chosen) != 2:
        raise ValueError(f"the window catalogue needs two {severity} pairs (has {len(chosen)})")
    fast, slow = sorted(chosen, key=lambda p: (p.long, p.short))
    return fast, slow


def _describe(period: int, pairs: tuple[WindowPair, WindowPair]) -> str:
    return " or ".join(
        f"{format_float(p.factor(period))}× over {_duration(p.long)}"
        f" ({format_float(p.budget_percent)} % of the budget)"
        for p in pairs
    )


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


def escape_template(text: str) -> str:
    """``text`` as a Prometheus template that expands to ``text`` itself: ``{{ 7*7 }}`` in a
    description stays literal instead of running in the alert's annotations."""
    if "{{" not in text and "}}" not in text:
        return text
    out = []
    for piece in re.split(r"(\{\{|\}\})", text):
        if piece in ("{{", "}}"):
            out.append("{{ `" + piece + "` }}")
        else:
            out.append(piece)
    return "".join(out)


def _alert(
    service: str, slo: SloSpec, severity: Severity, prefix: str, expr: str, defaults: dict[str, str]
) -> Rule:
    """One alert of ``slo``: labelled ``<prefix>_severity`` and the spec's labels, annotated with
    ``defaults`` (a runbook link among them) and the spec's annotations."""
    alert = getattr(slo.alerting, severity)
    return Rule(
        alert=alert_name(service, slo),
        expr=expr,
        labels={f"{prefix}_severity": severity, **slo.alerting.labels, **alert.labels},
        annotations={**defaults, **slo.alerting.annotations, **alert.annotations},
    )


def _alert_expr(
    pairs: tuple[WindowPair, WindowPair], condition: Callable[[WindowPair, str], str], pad: str
) -> str:
    """Either window pair over its threshold: ``condition(pair, record)`` for the SLI records
    of both of its windows, indented by ``pad``."""
    terms = []
    for pair in pairs:
        conditions = [
            condition(pair, SLI_RECORD.format(window=_duration(w))) for w in (pair.short, pair.long)
        ]
        terms.append(f"(\n{pad}" + f"\n{pad}and\n{pad}".join(conditions) + "\n)")
    return "\nor\n".join(terms)


def _runbook(runbook_url: str | None) -> dict[str, str]:
    return {"runbook_url": escape_template(runbook_url)} if runbook_url else {}


def _meta_rules(
    labels: dict[str, str],
    flt: str,
    ratios: tuple[str, str],
    days: str,
    burns: tuple[str, str],
    info_record: str,
    info: dict[str, str],
) -> tuple[Rule, ...]:
    """The metadata recordings of both modes, in each mode's words: the objective and the
    error budget (``ratios``), the period in days, the current and the period's burn rate
    (``burns``), the budget left, and the info series."""
    exprs = {
        "slo:objective:ratio": f"vector({ratios[0]})",
        "slo:error_budget:ratio": f"vector({ratios[1]})",
        "slo:time_period:days": f"vector({days})",
        "slo:current_burn_rate:ratio": burns[0],
        "slo:period_burn_rate:ratio": burns[1],
        "slo:period_error_budget_remaining:ratio": f"1 - slo:period_burn_rate:ratio{flt}",
    }
    return (
        *(Rule(record=record, expr=expr, labels=labels) for record, expr in exprs.items()),
        Rule(record=info_record, expr="vector(1)", labels={**labels, **info}),
    )


def _groups(mode: str, slo_id: str, *rules: Sequence[Rule]) -> list[RuleGroup]:
    """The SLI recordings, the metadata recordings and the alerts (when any) as rule groups."""
    names = ("sli-recordings", "meta-recordings", "alerts")
    return [
        RuleGroup(f"{mode}-slo-{name}-{slo_id}", tuple(part))
        for name, part in zip(names, rules, strict=True)
        if part
    ]


def _compile_native(
    service: str, slo: SloSpec, options: CompileOptions, runbook_url: str | None
) -> list[RuleGroup]:
    slo_id, ids, flt = _identity(service, slo, ("slo_id", "slo_service", "slo_name"))
    labels = {**slo.labels, **ids}
    alerting = slo.alerting
    severities: list[Severity] = [s for s in ("page", "ticket") if getattr(alerting, s).enabled]
    pairs = options.windows
    period = slo.period_seconds
    period_text = _duration(period)
    budget = format_float(slo.budget)
    shortest = min(p.short for p in pairs)
    used = [p for p in pairs if p.severity in severities]
    windows = [_duration(w) for w in sorted({*_windows(used), shortest}) if w != period]
    windows.append(period_text)

    # The SLI expression is built once with the placeholder, then filled in per window.
    template = _native_sli(slo, WINDOW_PLACEHOLDER, sli_queries(slo))
    sli_rules = tuple(
        Rule(
            record=SLI_RECORD.format(window=w),
            expr=render_window(template, w),
            labels={**labels, "slo_window": w},
        )
        for w in windows
    )

    def burn(window: str) -> str:
        return f"max without (slo_window) ({SLI_RECORD.format(window=window)}{flt})\n/ {budget}"

    meta = _meta_rules(
        labels,
        flt,
        (format_float(slo.objective_ratio), budget),
        format_float(period / 86400),
        (burn(_duration(shortest)), burn(period_text)),
        "opsdocs_slo_info",
        {
            "slo_objective": format_float(slo.objective),
            "slo_period": period_text,
            "slo_indicator": slo.indicator.type,
            "slo_no_data": slo.no_data,
        },
    )

    def over(pair: WindowPair, record: str) -> str:
        threshold = f"({format_float(pair.factor(period))} * {budget})"
        return f"max without (slo_window) ({record}{flt} > {threshold})"

    alerts = []
    for severity in severities:
        chosen = alert_pairs(pairs, severity)
        defaults = {
            "title": f"({severity}) {{{{$labels.slo_service}}}} {{{{$labels.slo_name}}}}"
            " SLO error budget burn rate is too fast.",
            "summary": f"{{{{$labels.slo_service}}}} {{{{$labels.slo_name}}}} is spending its"
            f" {slo.period} error budget at more than {_describe(period, chosen)}.",
        }
        if slo.description:
            defaults["description"] = escape_template(slo.description)
        expr = _alert_expr(chosen, over, "  ")
        alerts.append(_alert(service, slo, severity, "slo", expr, defaults | _runbook(runbook_url)))
    return _groups("opsdocs", slo_id, sli_rules, meta, alerts)


def _compile_sloth(
    service: str, slo: SloSpec, options: CompileOptions, runbook_url: str | None
) -> list[RuleGroup]:
    slo_id, ids, flt = _identity(service, slo, ("sloth_id", "sloth_service", "sloth_slo"))
    labels = {**ids, **slo.labels}
    period = slo.period_seconds
    period_text = _duration(period)
    pairs = options.windows
    template = _sloth_sli(WINDOW_PLACEHOLDER, sli_queries(slo))
    # Sloth records every catalogue window whether or not an alert uses it.
    sli_rules = [
        Rule(
            record=SLI_RECORD.format(window=_duration(w)),
            expr=render_window(template, _duration(w)),
            labels={**ids, "sloth_window": _duration(w), **slo.labels},
        )
        for w in _windows(pairs)
    ]
    short_record = SLI_RECORD.format(window=_duration(min(p.short for p in pairs)))
    sli_rules.append(
        Rule(
            record=SLI_RECORD.format(window=period_text),
            expr=f"sum_over_time({short_record}{flt}[{period_text}])\n"
            f"/ ignoring (sloth_window)\n"
            f"count_over_time({short_record}{flt}[{period_text}])",
            labels={**ids, "sloth_window": period_text, **slo.labels},
        )
    )

    objective_ratio = format_float(slo.objective / 100)  # float64 arithmetic, as Sloth does it

    def burn(record: str) -> str:
        return (
            f"{record}{flt}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"slo:error_budget:ratio{flt}"
        )

    meta_rules = _meta_rules(
        labels,
        flt,
        (objective_ratio, f"1-{objective_ratio}"),
        format_float(period / 3600 / 24),
        (burn(short_record), burn(SLI_RECORD.format(window=period_text))),
        "sloth_slo_info",
        {
            "sloth_version": SLOTH_VERSION_LABEL,
            "sloth_mode": "cli-gen-prom",
            "sloth_spec": options.sloth_spec,
            "sloth_objective": format_float(slo.objective),
        },
    )

    budget = format_float((100 - slo.objective) / 100)

    def over(pair: WindowPair, record: str) -> str:
        factor = format_float(pair.sloth_factor(period))
        return f"max({record}{flt} > ({factor} * {budget})) without (sloth_window)"

    alerts = []
    for severity in ("page", "ticket"):
        if not getattr(slo.alerting, severity).enabled:
            continue
        defaults = {
            "title": f"({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}}"
            " SLO error budget burn rate is too fast.",
            "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}}"
            " SLO error budget burn rate is over expected.",
            **_runbook(runbook_url),
        }
        expr = _alert_expr(alert_pairs(pairs, severity), over, "    ")
        alerts.append(_alert(service, slo, severity, "sloth", expr, defaults))
    return _groups("sloth", slo_id, sli_rules, meta_rules, alerts)


# --- the rule file -------------------------------------------------------------------------


def _k8s_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:253] or "slo-rules"


def _header(source: str | None) -> str:
    header = "# Code generated by opsdocs"
    header += f" from {source}" if source else ""
    return header + ". DO NOT EDIT: change the document and run 'opsdocs slo rules'.\n"


def render_rule_file(
    groups: Sequence[RuleGroup],
    *,
    fmt: RuleFormat = "prometheus",
    name: str = "slo-rules",
    source: str | None = None,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A rule file: Prometheus ``groups:``, or a prometheus-operator ``PrometheusRule`` named
    ``name`` (in ``namespace``, with ``labels`` beside opsdocs' managed-by label)."""
    data: dict[str, Any] = {"groups": [g.to_dict() for g in groups]}
    if fmt == "prometheus-operator":
        metadata: dict[str, Any] = {"name": _k8s_name(name)}
        if namespace:
            metadata["namespace"] = namespace
        metadata["labels"] = {**(labels or {}), "app.kubernetes.io/managed-by": "opsdocs"}
        data = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": metadata,
            "spec": data,
        }
    return _header(source) + dump_yaml(data)

"""OpenSLO v1 (``apiVersion: openslo/v1``): import SLO, SLI, AlertPolicy, AlertCondition, Service
and DataSource objects with references resolved across files, and export specs back.

What OpenSLO cannot say (the no-data policy, a latency or probe indicator's shape, labels and
alert labels and annotations) travels in ``metadata.annotations`` under ``opsdocs.dev/``; another
tool ignores those and still reads a correct SLO, and opsdocs reads its own meaning back intact.
Queries without a ``{{window}}`` placeholder are counters (``counter: true``) and are wrapped in
``sum(rate(query[{{window}}]))`` on import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from opsdocs.errors import InputError
from opsdocs.slo.interchange import ImportedService
from opsdocs.slo.prometheus import alert_name, sli_queries
from opsdocs.slo.spec import (
    LatencyIndicator,
    ProbeIndicator,
    SloSpec,
    has_placeholder,
)
from opsdocs.slo.windows import (
    DEFAULT_WINDOWS,
    WindowPair,
    format_duration,
    format_float,
    parse_duration,
)
from opsdocs.yamlio import YamlData, load_yaml_all

__all__ = ["export_openslo", "read_openslo", "render_openslo"]

API = "openslo/v1"
KINDS = ("SLO", "SLI", "AlertPolicy", "AlertCondition", "Service", "DataSource")
NS = "opsdocs.dev/"
_SEVERITIES = {"page": "page", "critical": "page", "ticket": "ticket", "warning": "ticket"}


@dataclass(frozen=True)
class _Object:
    kind: str
    name: str
    data: dict[str, Any]
    label: str
    line: int
    col: int
    yaml: YamlData | None = None

    def error(
        self, message: str, hint: str | None = None, at: tuple[str | int, ...] = ()
    ) -> InputError:
        """An error at key path ``at`` of this object (or its nearest known parent)."""
        line, col = self.line, self.col
        if at and self.yaml is not None:
            line, col = self.yaml.position(at) or (line, col)
        return InputError(message, path=self.label, line=line, col=col, hint=hint)

    def locate(self, at: tuple[str | int, ...] = ()) -> str:
        """``path:line:col`` of key path ``at`` of this object (or its nearest known parent)."""
        line, col = self.line, self.col
        if at and self.yaml is not None:
            line, col = self.yaml.position(at) or (line, col)
        return f"{self.label}:{line}:{col}"


@dataclass(frozen=True)
class _Where:
    """Where a piece of an SLO stands: in which object, at which key path."""

    obj: _Object
    path: tuple[str | int, ...] = ()

    def __truediv__(self, key: str | int) -> _Where:
        return _Where(self.obj, (*self.path, key))

    def error(self, message: str, hint: str | None = None) -> InputError:
        return self.obj.error(message, hint, self.path)

    def locate(self) -> str:
        return self.obj.locate(self.path)


def _objects(files: Iterable[tuple[str, str]]) -> dict[tuple[str, str], _Object]:
    found: dict[tuple[str, str], _Object] = {}
    for label, text in files:
        for doc in load_yaml_all(text, path=label):
            data = doc.value
            if not isinstance(data, dict) or data.get("apiVersion") != API:
                continue
            kind = data.get("kind")
            line, col = doc.position(()) or (1, 1)
            name = (data.get("metadata") or {}).get("name")
            if kind not in KINDS or not isinstance(name, str):
                raise InputError(
                    f"OpenSLO object without a known kind and metadata.name (kind {kind!r})",
                    path=label,
                    line=line,
                    col=col,
                    hint=f"kind is one of {', '.join(KINDS)}",
                )
            key = (kind, name)
            if key in found:
                raise InputError(
                    f"{kind} {name!r} is defined twice",
                    path=label,
                    line=line,
                    col=col,
                    hint=f"first in {found[key].label}",
                )
            found[key] = _Object(kind, name, data, label, line, col, doc)
    return found


def _ref(objects: dict[tuple[str, str], _Object], kind: str, name: Any, at: _Where) -> _Object:
    """The object ``name`` of ``kind``; an error at the referring key when it is not there."""
    target = objects.get((kind, str(name)))
    if target is None:
        raise at.error(f"{kind} {name!r} is referenced but not defined", "pass its file too")
    return target


def _query(source: Any, counter: bool, at: _Where, objects: dict[tuple[str, str], _Object]) -> str:
    if isinstance(source, dict) and "metricSource" in source:
        spec, at = source.get("metricSource") or {}, at / "metricSource"
    else:
        spec = source or {}
    kind = spec.get("type")
    if "metricSourceRef" in spec:
        target = _ref(objects, "DataSource", spec["metricSourceRef"], at / "metricSourceRef")
        kind = (target.data.get("spec") or {}).get("type", kind)
    if kind is not None and str(kind).lower() != "prometheus":
        raise at.error(f"metric source type {kind} is not Prometheus")
    body = spec.get("spec") or {}
    query = body.get("query") or body.get("promql")
    if not isinstance(query, str) or not query.strip():
        raise at.error("metric source has no Prometheus query (spec.query)")
    query = query.strip()
    if has_placeholder(query):
        return query
    if not counter:
        raise (at / "spec").error(
            "a gauge query without {{window}} cannot be windowed",
            "use counter: true, or write the range as [{{window}}]",
        )
    return f"sum(rate({query}[{{{{window}}}}]))"


def _indicator(
    sli: dict[str, Any],
    annotations: dict[str, Any],
    at: _Where,
    objects: dict[tuple[str, str], _Object],
) -> dict[str, Any]:
    """The indicator of the SLI ``sli``, which stands at ``at`` (its own object, or inline)."""
    if NS + "indicator" in annotations:
        data: dict[str, Any] = json.loads(annotations[NS + "indicator"])
        return data
    spec = sli.get("spec") or {}
    ratio = spec.get("ratioMetric")
    if not isinstance(ratio, dict):
        raise (at / "spec").error(
            "only ratioMetric indicators can be imported (thresholdMetric cannot)"
        )
    at = at / "spec" / "ratioMetric"
    counter = bool(ratio.get("counter", False))
    total = ratio.get("total")
    if "raw" in ratio:
        query = _query(ratio["raw"], counter, at / "raw", objects)
        if ratio.get("rawType") == "success":
            query = f"1 - ({query})"
        return {"type": "raw", "error_ratio": query}
    if total is None:
        raise at.error("ratioMetric needs 'total' beside 'good' or 'bad'")
    out: dict[str, Any] = {"type": "ratio", "total": _query(total, counter, at / "total", objects)}
    if "bad" in ratio:
        out["errors"] = _query(ratio["bad"], counter, at / "bad", objects)
    elif "good" in ratio:
        out["good"] = _query(ratio["good"], counter, at / "good", objects)
    else:
        raise at.error("ratioMetric needs 'good' or 'bad'")
    return out


def _condition_note(cond: Any, at: _Where, period: Any) -> str | None:
    """A note when an AlertCondition's burn rate is not one opsdocs generates for the period.

    opsdocs alerts with its multi-window catalogue, so a condition it would write itself (an
    export read back) passes silently and any other is said, not dropped without a word.
    """
    condition = ((cond or {}).get("spec") or {}).get("condition")
    if not isinstance(condition, dict):
        return None
    name = ((cond or {}).get("metadata") or {}).get("name") or "(inline)"
    threshold, lookback = condition.get("threshold"), condition.get("lookbackWindow")
    try:
        period_seconds = parse_duration(str(period))
        long = parse_duration(str(lookback))
        value = float(str(threshold))
    except (TypeError, ValueError):
        return f"{at.locate()}: AlertCondition {name!r} is not imported as written"
    for pair in DEFAULT_WINDOWS:
        factor = pair.factor(period_seconds)
        if pair.long == long and abs(value - factor) <= 1e-6 * max(1.0, factor):
            return None
    catalogue = ", ".join(
        f"{p.factor(period_seconds):.4g} over {format_duration(p.long)}" for p in DEFAULT_WINDOWS
    )
    return (
        f"{at.locate()}: AlertCondition {name!r} (burn rate {condition.get('op', 'gt')} "
        f"{threshold} over {lookback}) is not imported as written; opsdocs alerts on "
        f"{catalogue} for a {period} period (docs/slo-spec.md)"
    )


def _service_note(objects: dict[tuple[str, str], _Object], service: str) -> str | None:
    obj = objects.get(("Service", service))
    if obj is None:
        return None
    description = (obj.data.get("spec") or {}).get("description")
    if not description:
        return None
    return (
        f"{obj.locate(('spec', 'description'))}: the description of Service {service!r} is not "
        "imported; write it in the slo document's Service section"
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _convert(
    obj: _Object, objects: dict[tuple[str, str], _Object], notes: list[str]
) -> tuple[str, dict[str, Any]]:
    spec = obj.data.get("spec") or {}
    meta = obj.data.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    service = spec.get("service")
    if not isinstance(service, str):
        raise obj.error("SLO has no spec.service")
    here = _Where(obj, ("spec",))
    if "indicatorRef" in spec:
        sli_obj = _ref(objects, "SLI", spec["indicatorRef"], here / "indicatorRef")
        sli, sli_at = sli_obj.data, _Where(sli_obj)
    elif isinstance(spec.get("indicator"), dict):
        sli, sli_at = spec["indicator"], here / "indicator"
    else:
        raise obj.error("SLO has neither indicator nor indicatorRef")
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        raise obj.error(f"budgetingMethod {method} is not supported", "use Occurrences")
    windows = spec.get("timeWindow") or [{"duration": "30d", "isRolling": True}]
    window = windows[0]
    if not window.get("isRolling", False):
        raise obj.error("calendar-aligned time windows are not supported", "use isRolling: true")
    objectives = spec.get("objectives") or []
    if len(objectives) != 1:
        raise obj.error(f"SLO has {len(objectives)} objectives; opsdocs takes exactly one")
    objective = objectives[0]
    if "targetPercent" in objective:
        percent = Decimal(str(objective["targetPercent"]))
    elif "target" in objective:
        percent = Decimal(str(objective["target"])) * 100
    else:
        raise obj.error("objective has neither target nor targetPercent")
    alerting: dict[str, Any] = {"page": {"enabled": False}, "ticket": {"enabled": False}}
    for n, policy_ref in enumerate(spec.get("alertPolicies") or []):
        policy_at = here / "alertPolicies" / n
        if isinstance(policy_ref, str):
            policy_obj = _ref(objects, "AlertPolicy", policy_ref, policy_at)
            policy, policy_at = policy_obj.data, _Where(policy_obj)
        elif isinstance(policy_ref, dict) and "alertPolicyRef" in policy_ref:
            ref_at = policy_at / "alertPolicyRef"
            policy_obj = _ref(objects, "AlertPolicy", policy_ref["alertPolicyRef"], ref_at)
            policy, policy_at = policy_obj.data, _Where(policy_obj)
        else:
            policy = policy_ref
        for m, cond in enumerate((policy.get("spec") or {}).get("conditions") or []):
            cond_at = policy_at / "spec" / "conditions" / m
            if isinstance(cond, dict) and "conditionRef" in cond:
                cond_obj = _ref(
                    objects, "AlertCondition", cond["conditionRef"], cond_at / "conditionRef"
                )
                cond, cond_at = cond_obj.data, _Where(cond_obj)
            note = _condition_note(
                cond, cond_at / "spec" / "condition", window.get("duration", "30d")
            )
            if note is not None and NS + "alerting" not in annotations:
                notes.append(note)
            severity = str(((cond or {}).get("spec") or {}).get("severity", "")).lower()
            if severity in _SEVERITIES:
                alerting[_SEVERITIES[severity]] = {}
        policy_name = (policy.get("metadata") or {}).get("name")
        if policy_name and "name" not in alerting:
            alerting["name"] = re.sub(r"[^A-Za-z0-9_]", "", policy_name.title())
    if NS + "alerting" in annotations:
        alerting = json.loads(annotations[NS + "alerting"])
    out: dict[str, Any] = {
        "name": _slug(obj.name.removeprefix(f"{service}-") or obj.name),
        "objective": float(percent),
        "period": str(window.get("duration", "30d")),
        "indicator": _indicator(sli, annotations, sli_at, objects),
        "no_data": annotations.get(NS + "no-data", "skip"),
        "alerting": alerting,
    }
    if spec.get("description"):
        out["description"] = spec["description"]
    if NS + "labels" in annotations:
        out["labels"] = json.loads(annotations[NS + "labels"])
    return service, out


def read_openslo(files: Sequence[tuple[str, str]]) -> list[ImportedService]:
    """The SLOs in OpenSLO v1 files ``[(label, text), ...]``, references resolved across them.

    Raises :class:`InputError` naming the file and position of what cannot be imported.
    """
    objects = _objects(files)
    services: dict[str, ImportedService] = {}
    for (kind, _name), obj in objects.items():
        if kind != "SLO":
            continue
        notes: list[str] = []
        service, data = _convert(obj, objects, notes)
        try:
            slo = SloSpec.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            raise obj.error(f"cannot import SLO {obj.name!r}: {key}: {message}") from None
        imported = services.setdefault(service, ImportedService(service=service))
        if not imported.slos:
            about = _service_note(objects, service)
            if about is not None:
                notes.insert(0, about)
        imported.slos.append(slo)
        imported.notes.extend(n for n in notes if n not in imported.notes)
        if obj.label not in imported.sources:
            imported.sources.append(obj.label)
    return [services[s] for s in sorted(services)]


# --- export -----------------------------------------------------------------------------------


def _source(query: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def _conditions(service: str, slo: SloSpec, pairs: Sequence[WindowPair]) -> list[dict[str, Any]]:
    out = []
    for pair in pairs:
        if not getattr(slo.alerting, pair.severity).enabled:
            continue
        name = f"{service}-{slo.name}-{pair.severity}-{format_duration(pair.long)}"
        out.append(
            {
                "apiVersion": API,
                "kind": "AlertCondition",
                "metadata": {"name": name},
                "spec": {
                    "severity": pair.severity,
                    "condition": {
                        "kind": "burnrate",
                        "op": "gt",
                        "threshold": float(format_float(pair.factor(slo.period_seconds))),
                        "lookbackWindow": format_duration(pair.long),
                        "alertAfter": format_duration(pair.short),
                    },
                },
            }
        )
    return out


def export_openslo(
    service: str, slos: Sequence[SloSpec], *, windows: Sequence[WindowPair] = DEFAULT_WINDOWS
) -> list[dict[str, Any]]:
    """OpenSLO v1 objects for one service: Service, then per SLO its SLI, AlertConditions,
    AlertPolicy and SLO (referring to the others by name)."""
    objects: list[dict[str, Any]] = [
        {"apiVersion": API, "kind": "Service", "metadata": {"name": service}, "spec": {}}
    ]
    for slo in slos:
        full = f"{service}-{slo.name}"
        q = sli_queries(slo)
        ratio: dict[str, Any] = {"counter": True}
        if q.ratio is not None:
            ratio.update(rawType="failure", raw=_source(q.ratio))
        else:
            assert q.total is not None
            if q.errors is not None:
                ratio["bad"] = _source(q.errors)
            elif q.good is not None:
                ratio["good"] = _source(q.good)
            ratio["total"] = _source(q.total)
        objects.append(
            {
                "apiVersion": API,
                "kind": "SLI",
                "metadata": {"name": full},
                "spec": {"ratioMetric": ratio},
            }
        )
        conditions = _conditions(service, slo, windows)
        objects.extend(conditions)
        annotations = {
            NS + "no-data": slo.no_data,
            NS + "alerting": json.dumps(
                slo.alerting.model_dump(mode="json", exclude_defaults=True), sort_keys=True
            ),
        }
        if isinstance(slo.indicator, LatencyIndicator | ProbeIndicator):
            annotations[NS + "indicator"] = json.dumps(
                slo.indicator.model_dump(mode="json", exclude_none=True), sort_keys=True
            )
        if slo.labels:
            annotations[NS + "labels"] = json.dumps(slo.labels, sort_keys=True)
        spec: dict[str, Any] = {
            "service": service,
            "indicatorRef": full,
            "timeWindow": [{"duration": slo.period, "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": slo.name, "target": slo.objective_ratio}],
        }
        if slo.description:
            spec["description"] = slo.description
        if conditions:
            policy = f"{full}-burn-rate"
            objects.append(
                {
                    "apiVersion": API,
                    "kind": "AlertPolicy",
                    "metadata": {"name": policy},
                    "spec": {
                        "description": f"{alert_name(service, slo)}: multi-window burn rate",
                        "alertWhenBreaching": True,
                        "alertWhenResolved": False,
                        "alertWhenNoData": False,
                        "conditions": [{"conditionRef": c["metadata"]["name"]} for c in conditions],
                    },
                }
            )
            spec["alertPolicies"] = [policy]
        objects.append(
            {
                "apiVersion": API,
                "kind": "SLO",
                "metadata": {"name": full, "annotations": annotations},
                "spec": spec,
            }
        )
    return objects


def render_openslo(objects: Sequence[dict[str, Any]]) -> str:
    """Objects as one multi-document YAML text."""
    from opsdocs.slo.prometheus import dump_rules_yaml

    header = "# Generated by opsdocs (opsdocs slo export --format openslo).\n"
    return header + "---\n".join(dump_rules_yaml(o) for o in objects)

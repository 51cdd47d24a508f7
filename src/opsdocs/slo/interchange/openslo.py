"""OpenSLO: import ``openslo/v1`` (SLO, SLI, AlertPolicy, AlertCondition, AlertNotificationTarget,
Service, DataSource; references resolved across files) and ``openslo/v1alpha`` (SLO, Service: the
version Sloth reads), and export opsdocs SLOs as standard ``openslo/v1``.

Every object is checked against the rules of the v1 specification (required keys, the types of
values, one condition per AlertPolicy, notification targets, descriptions of at most 1050
characters, names, durations), and a problem is reported at the key that has it.

Queries: a ``counter: true`` query is the raw counter (``http_requests_total{job="api"}``); it is
imported as ``sum(rate(query[{{window}}]))`` and exported back the same way. A query opsdocs
cannot write as a raw counter keeps its ``{{window}}`` placeholder and says ``counter: false``.

Alerts: an AlertCondition's ``lookbackWindow`` is the alert's long window and ``alertAfter`` how
long the condition holds before the alert fires (a ``for:``; opsdocs alerts at once: ``0m``).
What OpenSLO cannot say (the short window of a multi-window alert, the no-data policy, a latency
or probe indicator's shape, labels and alert labels and annotations) travels in
``metadata.annotations`` under ``opsdocs.dev/``: another tool ignores those and still reads a
correct SLO, and opsdocs reads its own meaning back intact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from opsdocs.durations import duration_seconds, format_duration, period_seconds
from opsdocs.errors import InputError
from opsdocs.promql import sli_queries
from opsdocs.slo.interchange import (
    ImportedService,
    ImportedSlo,
    KeyPath,
    Position,
    Source,
    defined,
    validate_entry,
)
from opsdocs.slo.prometheus import alert_name
from opsdocs.slo.spec import LatencyIndicator, ProbeIndicator, SloSpec, has_placeholder
from opsdocs.slo.windows import (
    DEFAULT_WINDOWS,
    WindowPair,
    format_float,
)
from opsdocs.yamlio import load_yaml_all

if TYPE_CHECKING:
    from opsdocs.diagnostics import Diagnostic
    from opsdocs.slo.settings import SloSettings
    from opsdocs.workspace import Workspace

__all__ = [
    "API",
    "API_ALPHA",
    "WorkspaceExport",
    "export_openslo",
    "export_workspace",
    "is_openslo",
    "read_openslo",
    "render_openslo",
]

API = "openslo/v1"
API_ALPHA = "openslo/v1alpha"
ALPHA_KINDS = ("SLO", "Service")
NS = "opsdocs.dev/"
#: The specification's limit on every ``description``.
MAX_DESCRIPTION = 1050
_SEVERITIES = {"page": "page", "critical": "page", "ticket": "ticket", "warning": "ticket"}
# Implementations must take RFC 1123 labels and are encouraged to take up to 255 characters;
# the specification's own examples use capitals (OnCallDevopsMailNotification). A name is one
# word: no spaces or control characters.
_NAME = re.compile(r"[^\s\x00-\x1f\x7f]{1,255}")
_DURATION = re.compile(r"([0-9]+)([mhdwMQY])")
_OPS = ("lte", "gte", "lt", "gt")
_OPS_NAMES = f"one of {', '.join(_OPS)}"
_COUNTER = re.compile(r"sum\(rate\((?P<selector>.+)\[\{\{window\}\}\]\)\)", re.S)


def is_openslo(data: Any) -> bool:
    """Whether one YAML document is an OpenSLO object opsdocs reads."""
    return isinstance(data, dict) and data.get("apiVersion") in (API, API_ALPHA)


# --- reading objects --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Object:
    """One object (top-level, or inline in another) and where it stands."""

    kind: str
    name: str
    data: dict[str, Any]
    src: Source
    at: KeyPath = ()

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def annotations(self) -> dict[str, Any]:
        meta = self.data.get("metadata")
        value = meta.get("annotations") if isinstance(meta, dict) else None
        return value if isinstance(value, dict) else {}

    def path(self, *keys: str | int) -> KeyPath:
        return (*self.at, *keys)

    def error(self, keys: KeyPath, message: str, hint: str | None = None) -> InputError:
        return self.src.error(self.path(*keys), f"{self.kind} {self.name!r}: {message}", hint)

    def position(self, *keys: str | int) -> Position:
        return self.src.position(self.path(*keys))

    def locate(self, *keys: str | int) -> str:
        label, line, col = self.position(*keys)
        return f"{label}:{line}:{col}"

    def get(self, keys: KeyPath, key: str, kind: type, *, required: bool = False) -> Any:
        """``key`` of the mapping at ``keys`` (checked by :meth:`Source.get`)."""
        node: Any = self.data
        for part in keys:
            node = node[part]
        what = f"{self.kind} {self.name!r}: "
        return self.src.get(node, self.path(*keys), key, kind, required=required, what=what)


def _duration(obj: _Object, keys: KeyPath, key: str, *, required: bool) -> str | None:
    value = obj.get(keys, key, str, required=required)
    if value is not None and not _DURATION.fullmatch(value):
        raise obj.error(
            (*keys, key),
            f"'{key}' must be a duration such as 5m, 1h, 28d, 4w, 1M, 1Q or 1Y, not {value!r}",
        )
    return str(value) if value is not None else None


def _choice(
    obj: _Object, keys: KeyPath, key: str, allowed: Sequence[str], names: str, **kw: bool
) -> None:
    """Check that ``key`` at ``keys`` is one of ``allowed`` (said as ``names`` when not)."""
    value = obj.get(keys, key, str, **kw)
    if value is not None and value not in allowed:
        raise obj.error((*keys, key), f"{key} must be {names}, not {value!r}")


def _description(obj: _Object, keys: KeyPath = ("spec",)) -> str | None:
    text = obj.get(keys, "description", str)
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise obj.error(
            (*keys, "description"),
            f"description has {len(text)} characters; OpenSLO allows at most {MAX_DESCRIPTION}",
            "shorten it",
        )
    return str(text) if text is not None else None


def _header(src: Source, data: dict[str, Any], at: KeyPath, kinds: Sequence[str]) -> _Object:
    """Check kind and metadata (name, labels, annotations); the object."""
    kind = data.get("kind")
    if kind not in kinds:
        raise src.error(
            (*at, "kind"),
            f"unknown OpenSLO kind {kind!r}" if kind is not None else "'kind' is required",
            f"use one of {', '.join(kinds)}",
        )
    meta = src.get(data, at, "metadata", dict, required=True)
    name = src.get(meta, (*at, "metadata"), "name", str, required=True)
    if not _NAME.fullmatch(name):
        raise src.error(
            (*at, "metadata", "name"),
            f"{kind} name {name!r} is not a valid OpenSLO name",
            "one word of at most 255 characters, e.g. lowercase letters, digits and '-'",
        )
    obj = _Object(str(kind), name, data, src, at)
    labels = obj.get(("metadata",), "labels", dict)
    for key, value in (labels or {}).items():
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise obj.error(
                ("metadata", "labels", key), f"label {key!r} must be a string or a list of strings"
            )
    src.texts(meta, (*at, "metadata"), "annotations", "annotation", what=f"{kind} {name!r}: ")
    if "spec" in data and not isinstance(data["spec"], dict):
        raise obj.error(("spec",), f"'spec' must be a mapping, not {data['spec']!r}")
    if "spec" not in data and kind != "Service":
        raise obj.error((), "'spec' is required")
    return obj


def _written_in(obj: _Object, keys: KeyPath, ref_key: str, kind: str) -> _Object | None:
    """The object of ``kind`` written inline at ``keys`` of ``obj``; ``None`` when it refers to
    one by name instead (``ref_key``, checked to be a string)."""
    node: Any = obj.data
    for part in keys:
        node = node[part]
    if isinstance(node, dict) and ref_key in node:
        obj.get(keys, ref_key, str, required=True)
        return None
    return _inline(obj.src, node, obj.path(*keys), kind)


def _inline(src: Source, data: Any, at: KeyPath, kind: str) -> _Object:
    """An object written inline where a reference could stand (kind optional)."""
    if not isinstance(data, dict):
        raise src.error(at, f"an inline {kind} must be a mapping, not {data!r}")
    if "kind" in data and data["kind"] != kind:
        raise src.error((*at, "kind"), f"expected kind {kind}, not {data['kind']!r}")
    return _header(src, {**data, "kind": kind}, at, (kind,))


class _Objects:
    """Every object of the files, by (kind, name), each checked as it is met."""

    def __init__(self, files: Iterable[tuple[str, str]]) -> None:
        self.found: dict[tuple[str, str], _Object] = {}
        self.alpha: list[_Object] = []
        #: The files of the objects references led to (an SLO's SLI, policies, sources...).
        self.used: set[str] = set()
        for label, text in files:
            for doc in load_yaml_all(text, path=label):
                if not is_openslo(doc.value):
                    continue
                src = Source(doc, label)
                if doc.value["apiVersion"] == API_ALPHA:
                    obj = _header(src, doc.value, (), ALPHA_KINDS)
                    _check_alpha(obj)
                    self.alpha.append(obj)
                    continue
                obj = _header(src, doc.value, (), tuple(_CHECKS))
                key = (obj.kind, obj.name)
                if key in self.found:
                    raise src.error(
                        (),
                        f"{obj.kind} {obj.name!r} is defined twice",
                        f"first in {self.found[key].locate()}",
                    )
                self.found[key] = obj
        for obj in list(self.found.values()):
            _CHECKS[obj.kind](obj)

    def ref(self, kind: str, obj: _Object, keys: KeyPath, key: str) -> _Object:
        """The object of ``kind`` named at ``keys/key`` of ``obj``."""
        name = obj.get(keys, key, str, required=True)
        return self.named(kind, name, obj.src, obj.path(*keys, key))

    def part(self, kind: str, obj: _Object, keys: KeyPath, ref_key: str) -> _Object:
        """The object of ``kind`` at ``keys`` of ``obj``: written there, or named by ``ref_key``."""
        return _written_in(obj, keys, ref_key, kind) or self.ref(kind, obj, keys, ref_key)

    def named(self, kind: str, name: str, src: Source, at: KeyPath) -> _Object:
        """The object of ``kind`` called ``name``, whose name stands at ``at`` of ``src``."""
        target = self.found.get((kind, name))
        if target is None:
            raise src.error(
                at, f"{kind} {name!r} is referenced but not defined", "pass its file too"
            )
        self.used.add(target.src.label)
        return target


# --- the v1 rules, one function per kind ------------------------------------------------------


def _check_data_source(obj: _Object) -> None:
    _description(obj)
    obj.get(("spec",), "type", str, required=True)


def _check_metric(obj: _Object, keys: KeyPath) -> None:
    source = obj.get(keys, "metricSource", dict, required=True)
    here = (*keys, "metricSource")
    obj.get(here, "metricSourceRef", str)
    obj.get(here, "type", str)
    if "metricSourceRef" not in source and "type" not in source:
        raise obj.error(here, "metricSource needs 'type' or 'metricSourceRef'")
    obj.get(here, "spec", dict, required=True)


def _check_sli(obj: _Object, keys: KeyPath = ("spec",)) -> None:
    _description(obj, keys)
    ratio = obj.get(keys, "ratioMetric", dict)
    threshold = obj.get(keys, "thresholdMetric", dict)
    if (ratio is None) == (threshold is None):
        raise obj.error(keys, "give exactly one of 'ratioMetric' and 'thresholdMetric'")
    if threshold is not None:
        _check_metric(obj, (*keys, "thresholdMetric"))
        return
    here = (*keys, "ratioMetric")
    obj.get(here, "counter", bool)
    parts = {k for k in ("good", "bad", "total", "raw") if k in ratio}
    if "raw" in parts:
        if parts != {"raw"}:
            raise obj.error(here, "'raw' cannot be used together with good, bad or total")
        _choice(obj, here, "rawType", ("success", "failure"), "success or failure", required=True)
    elif parts == {"good", "bad", "total"}:
        raise obj.error(here, "give 'good' or 'bad' beside 'total', not both")
    elif "total" not in parts or len(parts) != 2:
        raise obj.error(here, "ratioMetric needs 'good' or 'bad' beside 'total', or 'raw'")
    elif "rawType" in ratio:
        raise obj.error((*here, "rawType"), "rawType goes with 'raw' only")
    for part in sorted(parts):
        obj.get(here, part, dict, required=True)
        _check_metric(obj, (*here, part))


def _check_condition(obj: _Object) -> None:
    _description(obj)
    obj.get(("spec",), "severity", str, required=True)
    obj.get(("spec",), "condition", dict, required=True)
    keys = ("spec", "condition")
    kind = obj.get(keys, "kind", str) or "burnrate"
    if kind != "burnrate":
        raise obj.error((*keys, "kind"), f"condition kind must be burnrate, not {kind!r}")
    _choice(obj, keys, "op", _OPS, _OPS_NAMES)
    obj.get(keys, "threshold", float, required=True)
    _duration(obj, keys, "lookbackWindow", required=True)
    _duration(obj, keys, "alertAfter", required=False)


def _check_target(obj: _Object) -> None:
    _description(obj)
    obj.get(("spec",), "target", str, required=True)


def _check_policy(obj: _Object) -> None:
    _description(obj)
    for key in ("alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"):
        obj.get(("spec",), key, bool)
    conditions = obj.get(("spec",), "conditions", list, required=True)
    if len(conditions) != 1:
        raise obj.error(
            ("spec", "conditions"),
            f"an AlertPolicy has exactly one condition, not {len(conditions)}",
            "write one AlertPolicy per condition",
        )
    targets = obj.get(("spec",), "notificationTargets", list, required=True)
    if not targets:
        raise obj.error(
            ("spec", "notificationTargets"), "an AlertPolicy needs notification targets"
        )
    for n in range(len(targets)):
        keys = ("spec", "notificationTargets", n)
        target = _written_in(obj, keys, "targetRef", "AlertNotificationTarget")
        if target is not None:
            _check_target(target)
    condition = _written_in(obj, ("spec", "conditions", 0), "conditionRef", "AlertCondition")
    if condition is not None:
        _check_condition(condition)


def _check_slo(obj: _Object) -> None:
    _description(obj)
    obj.get(("spec",), "service", str, required=True)
    indicator = obj.get(("spec",), "indicator", dict)
    ref = obj.get(("spec",), "indicatorRef", str)
    if (indicator is None) == (ref is None):
        raise obj.error(("spec",), "give exactly one of 'indicator' and 'indicatorRef'")
    if indicator is not None:
        _check_sli(_inline(obj.src, indicator, obj.path("spec", "indicator"), "SLI"))
    at = _time_window(obj, "timeWindow", required=False)
    if at is not None:
        _duration(obj, at, "duration", required=True)
        rolling = obj.get(at, "isRolling", bool)
        calendar = obj.get(at, "calendar", dict)
        if not rolling and calendar is None:
            raise obj.error(at, "a time window is rolling (isRolling: true) or has a calendar")
    _budgeting_method(obj, ("Occurrences", "Timeslices", "RatioTimeslices"))
    for at in _objectives(obj):
        target = _objective_target(obj, at, required=False)
        percent = obj.get(at, "targetPercent", float)
        if (target is None) == (percent is None):
            raise obj.error(at, "give exactly one of 'target' and 'targetPercent'")
        if percent is not None and not 0 <= percent < 100:
            raise obj.error(
                (*at, "targetPercent"),
                f"targetPercent must be at least 0 and below 100, not {percent}",
            )
        _choice(obj, at, "op", _OPS, _OPS_NAMES)
    for n, policy in enumerate(obj.get(("spec",), "alertPolicies", list) or []):
        if isinstance(policy, str):
            continue  # v1's short form: the policy's name
        found = _written_in(obj, ("spec", "alertPolicies", n), "alertPolicyRef", "AlertPolicy")
        if found is not None:
            _check_policy(found)


def _time_window(obj: _Object, key: str, *, required: bool) -> KeyPath | None:
    """The key path of the SLO's one time window (a mapping) under ``key``, if it has one."""
    windows = obj.get(("spec",), key, list, required=required)
    if windows is None:
        return None
    if len(windows) != 1:
        raise obj.error(("spec", key), f"{key} has exactly one item, not {len(windows)}")
    at: KeyPath = ("spec", key, 0)
    if not isinstance(windows[0], dict):
        raise obj.error(at, f"a time window must be a mapping, not {windows[0]!r}")
    return at


def _objective_target(obj: _Object, at: KeyPath, *, required: bool) -> float | None:
    target: float | None = obj.get(at, "target", float, required=required)
    if target is not None and not 0 <= target < 1:
        raise obj.error((*at, "target"), f"target must be at least 0 and below 1, not {target}")
    return target


def _budgeting_method(obj: _Object, allowed: tuple[str, ...]) -> None:
    names = f"{', '.join(allowed[:-1])} or {allowed[-1]}"
    _choice(obj, ("spec",), "budgetingMethod", allowed, names, required=True)


def _objectives(obj: _Object) -> Iterator[KeyPath]:
    """The key path of each of the SLO's objectives (at least one, each a mapping)."""
    objectives = obj.get(("spec",), "objectives", list, required=True)
    if not objectives:
        raise obj.error(("spec", "objectives"), "an SLO needs at least one objective")
    for n, objective in enumerate(objectives):
        at: KeyPath = ("spec", "objectives", n)
        if not isinstance(objective, dict):
            raise obj.error(at, f"an objective must be a mapping, not {objective!r}")
        yield at


#: The v1 kinds opsdocs reads, each with the rules of the specification it is checked against.
_CHECKS: dict[str, Callable[[_Object], object]] = {
    "SLO": _check_slo,
    "SLI": _check_sli,
    "AlertPolicy": _check_policy,
    "AlertCondition": _check_condition,
    "AlertNotificationTarget": _check_target,
    "Service": _description,
    "DataSource": _check_data_source,
}


def _check_alpha(obj: _Object) -> None:
    _description(obj)
    if obj.kind != "SLO":
        return
    obj.get(("spec",), "service", str, required=True)
    at = _time_window(obj, "timeWindows", required=True)
    assert at is not None
    units = ("Second", "Day", "Week", "Month", "Quarter", "Year")
    _choice(obj, at, "unit", units, "Second, Day, Week, Month or Quarter", required=True)
    count = obj.get(at, "count", float, required=True)
    if not isinstance(count, int) or count <= 0:
        raise obj.error((*at, "count"), f"count must be a whole number above 0, not {count!r}")
    obj.get(at, "isRolling", bool)
    _budgeting_method(obj, ("Occurrences", "Timeslices"))
    for at in _objectives(obj):
        _objective_target(obj, at, required=True)
        ratio = obj.get(at, "ratioMetrics", dict)
        if ratio is not None:
            here = (*at, "ratioMetrics")
            obj.get(here, "counter", bool)
            obj.get(here, "incremental", bool)  # what some v1alpha writers call it
            for part in ("good", "total"):
                obj.get(here, part, dict, required=True)
                for key in ("source", "queryType", "query"):
                    obj.get((*here, part), key, str, required=True)


# --- converting an SLO ------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _json(obj: _Object, key: str) -> dict[str, Any] | None:
    """The opsdocs annotation ``key`` of ``obj`` as a JSON object, or ``None``."""
    text = obj.annotations.get(NS + key)
    if text is None:
        return None
    at = ("metadata", "annotations", NS + key)
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise obj.error(at, f"annotation {NS + key} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise obj.error(at, f"annotation {NS + key} must hold a JSON object")
    return value


def _query(obj: _Object, keys: KeyPath, counter: bool, objects: _Objects) -> tuple[str, Position]:
    """The Prometheus query of the metric at ``keys`` of ``obj``, windowed for opsdocs, and
    where it is written."""
    here = (*keys, "metricSource")
    source = obj.get(keys, "metricSource", dict, required=True)
    kind = source.get("type")
    if "metricSourceRef" in source:
        kind = objects.ref("DataSource", obj, here, "metricSourceRef").spec.get("type", kind)
    if kind is not None and str(kind).lower() != "prometheus":
        raise obj.error(here, f"metric source type {kind} is not Prometheus")
    spec = obj.get(here, "spec", dict, required=True)
    key = "query" if "query" in spec or "promql" not in spec else "promql"
    at = (*here, "spec", key)
    query = obj.get((*here, "spec"), key, str, required=True).strip()
    if not query:
        raise obj.error(at, "the query is empty")
    return _windowed(obj, at, str(query), counter), obj.position(*at)


def _windowed(obj: _Object, at: KeyPath, query: str, counter: bool) -> str:
    """``query`` with the ``{{window}}`` placeholder: as written, or a counter's rate."""
    if has_placeholder(query):
        return query
    if not counter:
        raise obj.error(
            at,
            "a gauge query without {{window}} cannot be windowed",
            "use counter: true for a counter, or write the range as [{{window}}]",
        )
    return f"sum(rate({query}[{{{{window}}}}]))"


def _indicator(
    sli: _Object, keys: KeyPath, objects: _Objects, where: dict[KeyPath, Position]
) -> dict[str, Any]:
    """The indicator of the SLI whose spec is at ``keys`` of ``sli``."""
    ratio = sli.get(keys, "ratioMetric", dict)
    if ratio is None:
        raise sli.error(
            (*keys, "thresholdMetric"),
            "only ratioMetric indicators can be imported (thresholdMetric cannot)",
        )
    here = (*keys, "ratioMetric")
    counter = bool(ratio.get("counter", False))

    def query(part: str, mine: str) -> str:
        text, where[("indicator", mine)] = _query(sli, (*here, part), counter, objects)
        return text

    if "raw" in ratio:
        error_ratio = query("raw", "error_ratio")
        if ratio.get("rawType") == "success":
            error_ratio = f"1 - ({error_ratio})"
        return {"type": "raw", "error_ratio": error_ratio}
    out: dict[str, Any] = {"type": "ratio"}
    if "bad" in ratio:
        out["errors"] = query("bad", "errors")
    else:
        out["good"] = query("good", "good")
    out["total"] = query("total", "total")
    return out


def _period(obj: _Object, at: KeyPath, text: str) -> str:
    try:
        period_seconds(text)
    except ValueError:
        raise obj.error(
            at, f"a period of {text} cannot be imported", "opsdocs periods are days or weeks"
        ) from None
    return text


class _Alerting:
    """Which alerts an SLO's policies ask for, and notes on what is not taken over."""

    def __init__(self, windows: Sequence[WindowPair], period: str) -> None:
        self.windows = windows
        self.period = period
        self.data: dict[str, Any] = {"page": {"enabled": False}, "ticket": {"enabled": False}}
        self.notes: list[str] = []

    def condition(self, cond: _Object, policy: _Object) -> None:
        severity = str(cond.spec.get("severity", "")).lower()
        mine = _SEVERITIES.get(severity)
        if mine is None:
            self.notes.append(
                f"{cond.locate('spec', 'severity')}: AlertCondition {cond.name!r} has severity "
                f"{severity!r}, which is neither page (page, critical) nor ticket (ticket, "
                "warning); it is not imported"
            )
            return
        self.data[mine] = {"enabled": None}
        if "name" not in self.data:
            self.data["name"] = re.sub(r"[^A-Za-z0-9_]", "", policy.name.title()) or None
        if NS + "short-window" in cond.annotations:
            return  # written by opsdocs from its own catalogue
        note = self._note(cond)
        if note is not None:
            self.notes.append(note)

    def _note(self, cond: _Object) -> str | None:
        """A note when a condition is not one opsdocs writes for the period (opsdocs alerts
        with its multi-window catalogue, so any other condition is said, not dropped)."""
        condition = cond.spec["condition"]
        threshold, lookback = condition["threshold"], condition["lookbackWindow"]
        at = cond.locate("spec", "condition")
        try:
            period = duration_seconds(self.period)
            long = duration_seconds(lookback)
        except ValueError:
            return f"{at}: AlertCondition {cond.name!r} is not imported as written"
        for pair in self.windows:
            factor = pair.factor(period)
            if pair.long == long and abs(float(threshold) - factor) <= 1e-6 * max(1.0, factor):
                return None
        catalogue = ", ".join(
            f"{p.factor(period):.4g} over {format_duration(p.long)}" for p in self.windows
        )
        return (
            f"{at}: AlertCondition {cond.name!r} (burn rate {condition.get('op', 'gt')} "
            f"{threshold} over {lookback}) is not imported as written; opsdocs alerts on "
            f"{catalogue} for a {self.period} period (docs/slo-spec.md)"
        )


def _policies(obj: _Object, objects: _Objects, alerting: _Alerting) -> None:
    for n, item in enumerate(obj.spec.get("alertPolicies") or []):
        at = obj.path("spec", "alertPolicies", n)
        if isinstance(item, str):
            policy = objects.named("AlertPolicy", item, obj.src, at)
        else:
            keys: KeyPath = ("spec", "alertPolicies", n)
            policy = objects.part("AlertPolicy", obj, keys, "alertPolicyRef")
        cond = objects.part("AlertCondition", policy, ("spec", "conditions", 0), "conditionRef")
        alerting.condition(cond, policy)
        for m, target in enumerate(policy.spec["notificationTargets"]):
            if "targetRef" in target:
                objects.ref(
                    "AlertNotificationTarget",
                    policy,
                    ("spec", "notificationTargets", m),
                    "targetRef",
                )


def _rolling(obj: _Object, key: str) -> dict[str, Any]:
    """The SLO's time window under ``key``: a rolling one (opsdocs has no calendar periods)."""
    window: dict[str, Any] = obj.spec[key][0]
    if not window.get("isRolling", False):
        raise obj.error(
            ("spec", key, 0),
            "calendar-aligned time windows are not supported",
            "use isRolling: true",
        )
    return window


def _occurrences(obj: _Object) -> None:
    method = obj.spec["budgetingMethod"]
    if method != "Occurrences":
        raise obj.error(
            ("spec", "budgetingMethod"),
            f"budgetingMethod {method} is not supported",
            "use Occurrences",
        )


def _convert(
    obj: _Object, objects: _Objects, windows: Sequence[WindowPair]
) -> tuple[str, ImportedSlo, list[str]]:
    spec = obj.spec
    service = spec["service"]
    where: dict[KeyPath, Position] = {(): obj.position()}
    if spec.get("indicatorRef") is not None:
        sli = objects.ref("SLI", obj, ("spec",), "indicatorRef")
        where[("indicator",)] = obj.position("spec", "indicatorRef")
    else:
        sli = _inline(obj.src, spec["indicator"], obj.path("spec", "indicator"), "SLI")
        where[("indicator",)] = obj.position("spec", "indicator")
    _occurrences(obj)
    name = obj.annotations.get(NS + "name")
    if not isinstance(name, str):
        name = _slug(obj.name.removeprefix(f"{service}-") or obj.name)
    data: dict[str, Any] = {"name": name}
    period = "30d"
    if spec.get("timeWindow"):
        window = _rolling(obj, "timeWindow")
        at: KeyPath = ("spec", "timeWindow", 0)
        period = data["period"] = _period(obj, (*at, "duration"), window["duration"])
        where[("period",)] = obj.position(*at, "duration")
    objectives = spec["objectives"]
    if len(objectives) != 1:
        raise obj.error(
            ("spec", "objectives"),
            f"SLO has {len(objectives)} objectives; opsdocs takes exactly one",
        )
    objective = objectives[0]
    key = "targetPercent" if "targetPercent" in objective else "target"
    percent = Decimal(str(objective[key])) * (1 if key == "targetPercent" else 100)
    data["objective"] = float(percent)
    where[("objective",)] = obj.position("spec", "objectives", 0, key)

    def annotated(mine: str, key: str, value: Any) -> bool:
        """Take ``data[mine]`` from opsdocs' annotation ``key`` (read as ``value``), if any."""
        if value is not None:
            data[mine] = value
            where[(mine,)] = obj.position("metadata", "annotations", NS + key)
        return value is not None

    indicator = _json(obj, "indicator")
    data["indicator"] = _indicator(sli, ("spec",), objects, where)
    annotated("indicator", "indicator", indicator)
    description = obj.annotations.get(NS + "description")
    if not annotated("description", "description", description) and spec.get("description"):
        data["description"] = spec["description"]
        where[("description",)] = obj.position("spec", "description")
    alerting = _Alerting(windows, period)
    _policies(obj, objects, alerting)
    where[("alerting",)] = obj.position("spec", "alertPolicies")
    data["alerting"] = alerting.data
    own = _json(obj, "alerting")
    if own is not None:
        for severity in ("page", "ticket"):
            if isinstance(own.get(severity, {}), dict):
                own.setdefault(severity, {}).setdefault("enabled", None)
    annotated("alerting", "alerting", own)
    annotated("no_data", "no-data", obj.annotations.get(NS + "no-data"))
    annotated("labels", "labels", _json(obj, "labels"))
    notes = [] if own is not None else alerting.notes
    return service, ImportedSlo(name=data["name"], data=data, positions=where), notes


def _convert_alpha(obj: _Object) -> tuple[str, list[ImportedSlo]]:
    """The SLOs of a v1alpha SLO: one per objective with ratioMetrics (as Sloth reads it)."""
    spec = obj.spec
    service = spec["service"]
    window = _rolling(obj, "timeWindows")
    at: KeyPath = ("spec", "timeWindows", 0)
    unit, count = window["unit"], window["count"]
    days = {"Day": count, "Week": 7 * count, "Second": count / 86400}.get(unit)
    if days is None or days != int(days):
        raise obj.error(
            (*at, "unit"),
            f"a period of {count} {unit} cannot be imported",
            "opsdocs periods are days or weeks",
        )
    period = f"{count}w" if unit == "Week" else f"{int(days)}d"
    _occurrences(obj)
    base = _slug(obj.name.removeprefix(f"{service}-") or obj.name)
    objectives = spec["objectives"]
    out = []
    for n, objective in enumerate(objectives):
        here = ("spec", "objectives", n)
        ratio = objective.get("ratioMetrics")
        if ratio is None:
            raise obj.error(here, "only ratioMetrics objectives can be imported")
        name = base
        if len(objectives) > 1:
            name = f"{base}-{_slug(str(objective.get('displayName') or '')) or n}"
        where: dict[KeyPath, Position] = {
            (): obj.position(*here),
            ("objective",): obj.position(*here, "target"),
            ("period",): obj.position(*at),
            ("indicator",): obj.position(*here, "ratioMetrics"),
        }
        indicator: dict[str, Any] = {"type": "ratio"}
        for part in ("good", "total"):
            metric = ratio[part]
            source = str(metric["source"]).lower()
            if source not in ("prometheus", "sloth"):
                raise obj.error(
                    (*here, "ratioMetrics", part, "source"),
                    f"metric source {metric['source']} is not Prometheus",
                )
            if metric["queryType"].lower() != "promql":
                raise obj.error(
                    (*here, "ratioMetrics", part, "queryType"),
                    f"query type {metric['queryType']} is not promql",
                )
            query = re.sub(r"\{\{\s*\.window\s*\}\}", "{{window}}", metric["query"].strip())
            counter = bool(ratio.get("counter", ratio.get("incremental", False)))
            written = (*here, "ratioMetrics", part, "query")
            indicator[part] = _windowed(obj, written, query, counter)
            where[("indicator", part)] = obj.position(*written)
        data: dict[str, Any] = {
            "name": name,
            "objective": float(Decimal(str(objective["target"])) * 100),
            "period": period,
            "indicator": indicator,
            # v1alpha has no alerting: none, as Sloth reads it
            "alerting": {"page": {"enabled": False}, "ticket": {"enabled": False}},
        }
        if spec.get("description"):
            data["description"] = spec["description"]
            where[("description",)] = obj.position("spec", "description")
        out.append(ImportedSlo(name=name, data=data, positions=where))
    return service, out


def _service_note(objects: _Objects, service: str) -> str | None:
    obj = objects.found.get(("Service", service))
    if obj is None or not obj.spec.get("description"):
        return None
    return (
        f"{obj.locate('spec', 'description')}: the description of Service {service!r} is not "
        "imported; write it in the slo document's Service section"
    )


def read_openslo(
    files: Sequence[tuple[str, str]], *, settings: SloSettings | None = None
) -> list[ImportedService]:
    """The SLOs in OpenSLO files ``[(label, text), ...]`` (v1, references resolved across them,
    and v1alpha), each object checked against the specification and each SLO as ``check``
    checks a document (with ``settings``).

    Raises :class:`InputError` naming the file and position of what cannot be imported.
    """
    windows = settings.window_pairs() if settings is not None else DEFAULT_WINDOWS
    objects = _Objects(files)
    found: list[tuple[str, ImportedSlo, list[str], list[str]]] = []
    for (kind, _name), obj in objects.found.items():
        if kind == "SLO":
            objects.used = {obj.src.label}
            service, imported, notes = _convert(obj, objects, windows)
            found.append((service, imported, notes, sorted(objects.used)))
    for obj in objects.alpha:
        if obj.kind == "SLO":
            service, slos = _convert_alpha(obj)
            found.extend((service, imported, [], [obj.src.label]) for imported in slos)
    services: dict[str, ImportedService] = {}
    for service, imported, notes, labels in found:
        spec, _ = validate_entry(defined(imported.data), imported.error, settings)
        result = services.setdefault(service, ImportedService(service=service))
        if not result.slos:
            about = _service_note(objects, service)
            if about is not None:
                result.notes.append(about)
        result.slos.append(spec)
        result.imported.append(imported)
        result.notes.extend(n for n in notes if n not in result.notes)
        result.sources.extend(label for label in labels if label not in result.sources)
    return [services[s] for s in sorted(services)]


# --- export -----------------------------------------------------------------------------------


def _object(kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """An OpenSLO v1 object."""
    return {"apiVersion": API, "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec}


def _source(query: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def _counters(queries: dict[str, str]) -> dict[str, str] | None:
    """The raw counters of queries that are all ``sum(rate(counter[{{window}}]))``, else None."""
    from opsdocs.promql import parse as parse_promql

    out = {}
    for key, query in queries.items():
        match = _COUNTER.fullmatch(query)
        if match is None:
            return None
        selector = match.group("selector")
        try:
            parsed = parse_promql(selector)
        except ValueError:
            return None
        if type(parsed).__name__ != "VectorSelector":
            return None
        out[key] = selector
    return out


def _ratio(slo: SloSpec) -> dict[str, Any]:
    q = sli_queries(slo)
    if q.ratio is not None:
        return {"counter": False, "rawType": "failure", "raw": _source(q.ratio)}
    assert q.total is not None
    queries = {"bad": q.errors, "good": q.good, "total": q.total}
    present = {k: v for k, v in queries.items() if v is not None}
    counters = _counters(present)
    ratio: dict[str, Any] = {"counter": counters is not None}
    for key, query in (counters or present).items():
        ratio[key] = _source(query)
    return ratio


def _conditions(
    service: str, slo: SloSpec, pairs: Sequence[WindowPair]
) -> list[tuple[str, dict[str, Any]]]:
    """(severity, AlertCondition) per enabled window pair."""
    out: list[tuple[str, dict[str, Any]]] = []
    for pair in pairs:
        if not getattr(slo.alerting, pair.severity).enabled:
            continue
        factor = format_float(pair.factor(slo.period_seconds))
        long, short = format_duration(pair.long), format_duration(pair.short)
        name = f"{service}-{slo.name.replace('_', '-')}-{pair.severity}-{long}"
        spec = {
            "description": f"burn rate over {long} and over {short} above {factor}",
            "severity": pair.severity,
            "condition": {
                "kind": "burnrate",
                "op": "gt",
                "threshold": float(factor),
                "lookbackWindow": long,
                "alertAfter": "0m",
            },
        }
        annotations = {NS + "short-window": short}
        out.append((pair.severity, _object("AlertCondition", name, spec, annotations=annotations)))
    return out


def _target(service: str, severity: str) -> dict[str, Any]:
    spec = {
        "description": f"Prometheus alerts labelled slo_severity={severity}, routed by"
        " Alertmanager",
        "target": "alertmanager",
    }
    return _object("AlertNotificationTarget", f"{service}-{severity}", spec)


def export_openslo(
    service: str, slos: Sequence[SloSpec], *, windows: Sequence[WindowPair] = DEFAULT_WINDOWS
) -> list[dict[str, Any]]:
    """OpenSLO v1 objects for one service: the Service, its AlertNotificationTargets, then per
    SLO its SLI, AlertConditions, one AlertPolicy per condition, and the SLO (referring to the
    others by name)."""
    objects: list[dict[str, Any]] = [_object("Service", service, {})]
    severities = sorted(
        {p.severity for s in slos for p in windows if getattr(s.alerting, p.severity).enabled}
    )
    objects.extend(_target(service, severity) for severity in severities)
    for slo in slos:
        full = f"{service}-{slo.name.replace('_', '-')}"
        objects.append(_object("SLI", full, {"ratioMetric": _ratio(slo)}))
        policies = []
        for severity, condition in _conditions(service, slo, windows):
            objects.append(condition)
            name = condition["metadata"]["name"]
            policies.append(name)
            policy = {
                "description": f"{alert_name(service, slo)}: multi-window burn rate",
                "alertWhenBreaching": True,
                "alertWhenResolved": False,
                "alertWhenNoData": False,
                "conditions": [{"conditionRef": name}],
                "notificationTargets": [{"targetRef": f"{service}-{severity}"}],
            }
            objects.append(_object("AlertPolicy", name, policy))
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
        if "_" in slo.name:
            annotations[NS + "name"] = slo.name  # OpenSLO names have no '_'
        if len(slo.description) > MAX_DESCRIPTION:
            annotations[NS + "description"] = slo.description
        spec: dict[str, Any] = {
            "service": service,
            "indicatorRef": full,
            "timeWindow": [{"duration": slo.period, "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": slo.name, "target": slo.objective_ratio}],
        }
        if slo.description:
            spec["description"] = (
                slo.description[: MAX_DESCRIPTION - 3] + "..."
                if len(slo.description) > MAX_DESCRIPTION
                else slo.description
            )
        if policies:
            spec["alertPolicies"] = [{"alertPolicyRef": name} for name in policies]
        objects.append(_object("SLO", full, spec, annotations=annotations))
    return objects


@dataclass
class WorkspaceExport:
    """What ``slo export`` writes: the OpenSLO objects of every ``slo`` document, or (when a
    document has errors) the errors, and no objects."""

    objects: list[dict[str, Any]]
    errors: list[Diagnostic]


def export_workspace(workspace: Workspace) -> WorkspaceExport:
    """The OpenSLO v1 objects of the SLOs of every ``slo`` document, documents in path order,
    alert windows from the ``slo`` settings; nothing when any document has an error."""
    from opsdocs.documents.folder import read_documents
    from opsdocs.slo.rules import load_slo_document
    from opsdocs.slo.settings import load_settings

    settings = load_settings(workspace.config.section("slo"), source=workspace.config.source_label)
    loaded = [
        load_slo_document(doc, settings, label=workspace.relative(doc.path))
        for doc in read_documents(workspace, "slo")
    ]
    errors = [f for d in loaded for f in d.errors]
    if errors:
        return WorkspaceExport([], errors)
    objects = []
    for sd in sorted(loaded, key=lambda d: str(d.document.path)):
        if sd.section is not None and sd.section.slos:
            objects.extend(
                export_openslo(sd.section.service, sd.section.slos, windows=settings.window_pairs())
            )
    return WorkspaceExport(objects, [])


def render_openslo(objects: Sequence[dict[str, Any]]) -> str:
    """Objects as one multi-document YAML text."""
    from opsdocs.yamlio import dump_yaml

    header = "# Generated by opsdocs (opsdocs slo export --format openslo).\n"
    return header + "---\n".join(dump_yaml(o) for o in objects)

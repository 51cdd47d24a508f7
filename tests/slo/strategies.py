"""Hypothesis strategies for SLO specs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from opsdocs.slo.spec import SloSpec

names = st.from_regex(r"\A[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}\Z")
label_names = st.from_regex(r"\A[a-z_][a-z0-9_]{0,8}\Z")
label_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12).map(
    str.strip
)
labels = st.dictionaries(label_names, label_values, max_size=3)
objectives = st.decimals(min_value="50", max_value="99.999", places=3).map(float)
periods = st.sampled_from(["30d", "28d", "7d", "4w", "90d"])
selectors = st.sampled_from(['job="api"', 'job="api", route!="/health"', ""])

ratio = st.builds(
    lambda kind, metric: {
        "type": "ratio",
        kind: f'sum(rate({metric}{{code=~"5.."}}[{{{{window}}}}]))',
        "total": f"sum(rate({metric}[{{{{window}}}}]))",
    },
    st.sampled_from(["errors", "good"]),
    st.sampled_from(["http_requests_total", "grpc_server_handled_total"]),
)
latency = st.builds(
    lambda sel, threshold: {
        "type": "latency",
        "metric": "http_request_duration_seconds_bucket",
        "selector": sel,
        "threshold": threshold,
    },
    selectors,
    st.sampled_from([0.1, 0.25, 0.3, 1, 2.5]),
)
raw = st.just({"type": "raw", "error_ratio": "1 - avg_over_time(up[{{window}}])"})
probe = st.builds(lambda sel: {"type": "probe", "selector": sel}, selectors)
alert = st.fixed_dictionaries(
    {}, optional={"enabled": st.booleans(), "labels": labels, "annotations": labels}
)
alerting = st.fixed_dictionaries(
    {},
    optional={
        "name": st.from_regex(r"\A[A-Z][A-Za-z0-9]{0,10}\Z"),
        "labels": labels,
        "annotations": labels,
        "page": alert,
        "ticket": alert,
    },
)


@st.composite
def slo_specs(draw: Any) -> SloSpec:
    data = {
        "name": draw(names),
        "objective": draw(objectives),
        "period": draw(periods),
        "indicator": draw(st.one_of(ratio, latency, raw, probe)),
        "no_data": draw(st.sampled_from(["good", "bad", "skip"])),
        "alerting": draw(alerting),
        "labels": draw(labels),
        "description": draw(st.sampled_from(["", "Requests served without error."])),
    }
    return SloSpec.model_validate(data)


def unique_slos(min_size: int = 1, max_size: int = 3) -> Any:
    return st.lists(slo_specs(), min_size=min_size, max_size=max_size, unique_by=lambda s: s.name)

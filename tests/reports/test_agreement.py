"""The report agrees with the alerts: for the same data, its burn rates are what the generated
recording rules give when Prometheus evaluates them, and it calls "burning" exactly when a
generated alert fires.

How the rules are evaluated, and why this is sound: a recording rule evaluated at time T is an
instant query of its ``expr`` at T, stored under the rule's name and labels; an alerting rule is
firing-or-pending at T exactly when its ``expr`` returns a series at T. Prometheus evaluates rules
only going forward from wall-clock "now", and the test data ends at a fixed T in the past, so
instead of waiting for an evaluation we ask the same Prometheus, over the same TSDB, for each
rule's ``expr`` at T through ``/api/v1/query`` (what ``promtool tsdb create-blocks-from rules``
does to backfill recording rules). Rules that read other recorded series (the burn-rate and
budget metadata, the alerts) get those references replaced by the referenced rule's expression
in parentheses, i.e. the value that series holds at T once its own rule has run. The rule file
itself is loaded by the test Prometheus (``rule_files``) and must report healthy rules, so the
expressions queried are the ones Prometheus accepts as rules. Floating point: both sides divide
the same two float64 rates in the same order, so the comparison is exact, not approximate.
"""

from __future__ import annotations

import re

import httpx
import pytest

from opsdocs.durations import duration_seconds
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.reports.sources.prometheus import measure_prometheus
from opsdocs.slo.prometheus import Rule, compile_slo
from opsdocs.sources.prometheus import PrometheusClient
from tests.reports.conftest import SLOS, PrometheusServer, slo_spec
from tests.reports.promdata import T

pytestmark = pytest.mark.tools

_REFERENCE = re.compile(r"(slo:[a-z_:]+(?:ratio_rate[0-9a-z]+|:ratio|:days)?)(\{[^{}]*\})")


def _inline(expr: str, records: dict[str, str]) -> str:
    """``expr`` with every reference to a recorded series replaced by its rule's expression."""
    for _ in range(5):  # metadata rules reference SLI rules: at most two levels deep
        replaced = _REFERENCE.sub(
            lambda m: f"({records[m.group(1)]})" if m.group(1) in records else m.group(0), expr
        )
        if replaced == expr:
            return expr
        expr = replaced
    return expr


def _rules(name: str) -> list[Rule]:
    return [rule for group in compile_slo("api", slo_spec(name)) for rule in group.rules]


def test_rule_file_is_loaded_and_healthy(prometheus: PrometheusServer) -> None:
    body = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=10).json()
    rules = [r for g in body["data"]["groups"] for r in g["rules"]]
    assert rules, "the generated rules were not loaded"
    assert {r["health"] for r in rules} <= {"ok", "unknown"}
    expected = sum(len(_rules(name)) for name in SLOS)
    assert len(rules) == expected


@pytest.mark.parametrize("name", list(SLOS))
def test_burn_rates_equal_the_recording_rules(prometheus: PrometheusServer, name: str) -> None:
    slo = slo_spec(name)
    rules = _rules(name)
    records = {r.record: r.expr for r in rules if r.record is not None}
    with PrometheusClient(prometheus.url, retries=0) as client:
        measurement = measure_prometheus(slo, client, at=T, windows=needed_windows(slo))
        report = build_report("api", slo, measurement)

        def value(expr: str) -> float | None:
            result = client.query(_inline(expr, records), T)
            assert len(result) <= 1, expr
            return result[0].value if result else None

        sli_rules = [r for r in rules if r.record and r.record.startswith("slo:sli_error:")]
        assert sli_rules
        for rule in sli_rules:
            window = duration_seconds(rule.labels["slo_window"])
            mine = report.window(window)
            assert mine is not None, f"the report does not evaluate {rule.labels['slo_window']}"
            assert mine.error_ratio == value(rule.expr), rule.record
            assert mine.burn_rate == value(f"({rule.expr}) / {slo.budget!r}"), rule.record

        shortest = min(duration_seconds(r.labels["slo_window"]) for r in sli_rules)
        assert report.burn_rate(shortest) == value(records["slo:current_burn_rate:ratio"])
        assert report.burn_rate(slo.period_seconds) == value(records["slo:period_burn_rate:ratio"])
        assert report.budget_remaining == value(records["slo:period_error_budget_remaining:ratio"])

        for alert in (r for r in rules if r.alert is not None):
            severity = alert.labels["slo_severity"]
            fires = bool(client.query(_inline(alert.expr, records), T))
            mine = any(a.firing for a in report.alerts if a.severity == severity)
            assert mine == fires, f"{name}: {severity}"


def test_the_data_makes_an_alert_fire(prometheus: PrometheusServer) -> None:
    """Agreement on "not firing" alone would prove little: one SLO burns fast enough to page."""
    slo = slo_spec("availability-good")
    with PrometheusClient(prometheus.url, retries=0) as client:
        m = measure_prometheus(slo, client, at=T, windows=needed_windows(slo))
    report = build_report("api", slo, m)
    assert report.status == "exhausted"  # 0.15 % background errors against 0.1 % allowed
    assert any(a.firing and a.severity == "page" for a in report.alerts)

"""Report arithmetic over hand-made measurements; every expected value worked out by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.reports.measurement import Counts, Measurement
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.slo.spec import SloSpec

AT = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
H = 3600
D = 86400


def spec(objective: float = 99.9, period: str = "30d", **extra: Any) -> SloSpec:
    return SloSpec.model_validate(
        {
            "name": "avail",
            "objective": objective,
            "period": period,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
            **extra,
        }
    )


def measurement(slo: SloSpec, ratios: dict[int, float | None], total: int = 100_000) -> Measurement:
    """Counts with the given error ratio per window (None: no events); default ratio 0."""
    windows = {}
    for w in needed_windows(slo):
        r = ratios.get(w, 0.0)
        if r is None:
            windows[w] = Counts(0, 0)
        else:
            windows[w] = Counts(total - round(r * total), total)
    return Measurement(source="test", at=AT, windows=windows)


def test_windows_evaluated() -> None:
    # shown: 1h 6h 1d 3d; alert pairs: 5m/1h 30m/6h 2h/1d 6h/3d; and the period
    assert needed_windows(spec()) == [300, 1800, H, 2 * H, 6 * H, D, 3 * D, 30 * D]


def test_budget_and_burn_rates() -> None:
    slo = spec()
    m = measurement(slo, {30 * D: 0.0005, H: 0.002, 6 * H: 0.001, D: 0.0008, 3 * D: 0.0006})
    r = build_report("api", slo, m)
    assert r.budget == pytest.approx(0.001)
    assert r.sli == pytest.approx(0.9995)
    assert r.budget_minutes == pytest.approx(43.2)  # 0.1 % of 30 days
    assert r.budget_consumed == pytest.approx(0.5)
    assert r.budget_remaining == pytest.approx(0.5)
    assert r.consumed_minutes == pytest.approx(21.6)
    assert r.remaining_minutes == pytest.approx(21.6)
    assert r.burn_rate(H) == pytest.approx(2.0)
    assert r.burn_rate(6 * H) == pytest.approx(1.0)
    assert r.burn_rate(D) == pytest.approx(0.8)
    assert r.burn_rate(3 * D) == pytest.approx(0.6)
    assert r.burn_rate(30 * D) == pytest.approx(0.5)
    assert r.status == "healthy"
    # half the budget left, burning at 2x: half of 30 days / 2 = 7.5 days
    assert r.exhaustion == AT + dt.timedelta(days=7.5)
    assert r.window(H) is not None and r.window(H).total == 100_000  # type: ignore[union-attr]


def test_page_fires_only_when_both_windows_burn() -> None:
    slo = spec()
    # 14.4x on 5m and 1h -> error ratio above 0.0144 on both
    fast = {300: 0.015, H: 0.015, 30 * D: 0.0001}
    r = build_report("api", slo, measurement(slo, fast))
    assert r.status == "burning"
    firing = [(a.severity, a.short, a.long) for a in r.alerts if a.firing]
    assert firing == [("page", 300, H)]
    only_short = {300: 0.015, H: 0.014, 30 * D: 0.0001}
    assert build_report("api", slo, measurement(slo, only_short)).status == "healthy"


def test_ticket_slow_pair_fires_above_one() -> None:
    slo = spec()
    r = build_report("api", slo, measurement(slo, {6 * H: 0.0011, 3 * D: 0.0011, 30 * D: 0.0005}))
    assert [(a.severity, a.long) for a in r.alerts if a.firing] == [("ticket", 3 * D)]
    assert r.status == "burning"


def test_disabled_alert_is_not_checked() -> None:
    slo = spec(alerting={"page": {"enabled": False}})
    r = build_report("api", slo, measurement(slo, {300: 0.5, H: 0.5, 30 * D: 0.0001}))
    assert {a.severity for a in r.alerts} == {"ticket"}
    assert r.status == "healthy"


def test_28_day_factors() -> None:
    slo = spec(period="4w")
    r = build_report("api", slo, measurement(slo, {}))
    # budget share x period / long window: 2 % x 672 h / 1 h, 5 % x 672 / 6, 10 % x 28 / 1, / 3
    assert [a.factor for a in r.alerts] == pytest.approx([13.44, 5.6, 2.8, 28 * 0.1 / 3])


def test_exhausted() -> None:
    slo = spec()
    r = build_report("api", slo, measurement(slo, {30 * D: 0.002, H: 0.01}))
    assert r.status == "exhausted"
    assert r.budget_remaining == pytest.approx(-1.0)
    assert r.remaining_minutes == pytest.approx(-43.2)
    assert r.exhaustion is None


def test_no_traffic_in_the_period_is_no_data() -> None:
    slo = spec()
    r = build_report("api", slo, measurement(slo, dict.fromkeys(needed_windows(slo))))
    assert r.status == "no-data"
    assert (r.sli, r.budget_consumed, r.budget_remaining, r.exhaustion) == (None, None, None, None)


@pytest.mark.parametrize(("policy", "ratio"), [("good", 0.0), ("bad", 1.0), ("skip", None)])
def test_no_data_policy_for_a_quiet_window(policy: str, ratio: float | None) -> None:
    slo = spec(no_data=policy)
    r = build_report("api", slo, measurement(slo, {300: None, 30 * D: 0.0001}))
    window = r.window(300)
    assert window is not None
    assert window.error_ratio == ratio
    assert window.burn_rate == (None if ratio is None else ratio / 0.001)


def test_no_burn_means_no_exhaustion() -> None:
    slo = spec()
    r = build_report("api", slo, measurement(slo, {30 * D: 0.0005}))
    assert r.burn_rate(H) == 0.0
    assert r.exhaustion is None


def test_json_shape() -> None:
    slo = spec()
    d = build_report("api", slo, measurement(slo, {30 * D: 0.0005})).to_dict()
    assert d["at"] == "2026-11-20T12:00:00Z"
    assert list(d["burn_rates"]) == ["1h", "6h", "1d", "3d", "30d"]
    assert d["error_budget"]["total_minutes"] == pytest.approx(43.2)
    assert [w["window"] for w in d["windows"]] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]


@settings(max_examples=200, deadline=None)
@given(
    objective=st.sampled_from([90.0, 99.0, 99.5, 99.9, 99.95]),
    counts=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), min_size=8, max_size=8
    ),
)
def test_report_invariants(objective: float, counts: list[tuple[int, int]]) -> None:
    slo = spec(objective)
    windows = needed_windows(slo)
    # nested windows: each holds the events of the shorter ones plus its own
    total = good = 0
    measured = {}
    for w, (extra_good, extra_bad) in zip(windows, counts, strict=True):
        good += extra_good
        total += extra_good + extra_bad
        measured[w] = Counts(good, total)
    r = build_report("api", slo, Measurement(source="test", at=AT, windows=measured))
    if total == 0:
        assert r.status == "no-data"
        return
    assert r.budget_consumed is not None and r.budget_remaining is not None
    assert r.budget_consumed + r.budget_remaining == pytest.approx(1.0)
    assert r.consumed_minutes == pytest.approx(r.budget_consumed * r.budget_minutes)
    assert r.burn_rate(30 * D) == pytest.approx(r.budget_consumed)
    firing = any(a.firing for a in r.alerts)
    if r.budget_remaining <= 0:
        assert r.status == "exhausted" and r.exhaustion is None
    else:
        assert r.status == ("burning" if firing else "healthy")
    for a in r.alerts:
        rates = [a.short_burn_rate, a.long_burn_rate]
        if None in rates:  # a window without events ("skip"): the pair cannot fire
            assert not a.firing
            continue
        lowest = min(x for x in rates if x is not None)
        if abs(lowest - a.factor) > 1e-9 * a.factor:  # away from the threshold's last bits
            assert a.firing == (lowest > a.factor)


def test_old_data_is_stale_not_a_verdict() -> None:
    slo = spec()
    burning = measurement(slo, {300: 0.05, H: 0.05, 6 * H: 0.02})
    old = dataclasses.replace(burning, newest=AT - dt.timedelta(minutes=47), searched=H)
    report = build_report("api", slo, old, stale_after=15 * 60)
    assert report.status == "stale"
    assert report.exhaustion is None
    assert report.alerts == ()  # old data fires nothing and clears nothing
    assert build_report("api", slo, burning).alerts  # the same data, fresh: alerts judged
    assert report.data_age == 47 * 60
    assert report.notes[-2:] == (
        "newest data 2026-11-20T11:13:00Z (47m before --at)",
        "stale: the newest data is 47m old, more than 15m (report.stale_after): no verdict",
    )
    data = report.to_dict()
    assert (data["newest_data"], data["data_age_seconds"]) == ("2026-11-20T11:13:00Z", 2820.0)
    # the same data, fresh enough, or with no limit: a verdict
    fresh = dataclasses.replace(old, newest=AT - dt.timedelta(minutes=14))
    assert build_report("api", slo, fresh, stale_after=15 * 60).status == "burning"
    assert build_report("api", slo, old).status == "burning"


def test_no_data_within_the_search_is_stale_with_a_lower_bound() -> None:
    slo = spec()
    m = dataclasses.replace(measurement(slo, {}), newest=None, searched=H)
    report = build_report("api", slo, m, stale_after=15 * 60)
    assert report.status == "stale"
    assert report.notes[-2:] == (
        "no data in the 1h before --at",
        "stale: the newest data is more than 1h old, more than 15m (report.stale_after):"
        " no verdict",
    )


def test_stale_after_settings() -> None:
    from opsdocs.errors import ConfigError
    from opsdocs.reports.settings import load_report_settings

    default = load_report_settings({})
    assert (default.stale_after.seconds("prometheus"), default.stale_after.seconds("logs")) == (
        900,
        None,
    )
    custom = load_report_settings({"stale_after": {"prometheus": "off", "logs": "1d"}})
    assert (custom.stale_after.seconds("prometheus"), custom.stale_after.seconds("logs")) == (
        None,
        86400,
    )
    with pytest.raises(ConfigError, match=r"report\.stale_after\.prometheus: "):
        load_report_settings({"stale_after": {"prometheus": "soon"}}, source="opsdocs.toml")

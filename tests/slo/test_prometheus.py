from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsdocs.slo.prometheus import (
    CompileOptions,
    compile_section,
    compile_slo,
    render_rule_file,
)
from opsdocs.slo.spec import SloSection
from opsdocs.slo.windows import DEFAULT_WINDOWS, format_float
from tests.conftest import require_tool
from tests.slo.helpers import RATIO, promtool, section, slo

GOLDEN = Path(__file__).parent / "golden"

SECTION = section(
    {
        "name": "availability",
        "objective": 99.9,
        "description": "Requests served without a server error.",
        "indicator": RATIO,
        "labels": {"team": "api"},
        "alerting": {"name": "ApiAvailability", "page": {"labels": {"severity": "critical"}}},
    },
    {
        "name": "latency",
        "objective": 99,
        "period": "28d",
        "no_data": "good",
        "indicator": {
            "type": "latency",
            "metric": "http_request_duration_seconds_bucket",
            "selector": 'job="api"',
            "threshold": 0.3,
        },
        "alerting": {"ticket": {"enabled": False}},
    },
    {
        "name": "probe",
        "objective": 99.5,
        "no_data": "bad",
        "indicator": {"type": "probe", "selector": 'job="blackbox"'},
    },
)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("OPSDOCS_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "regenerate with OPSDOCS_REGEN_GOLDEN=1"


CASES = {
    "native.yaml": dict(fmt="prometheus", compat="native"),
    "sloth.yaml": dict(fmt="prometheus", compat="sloth"),
    "operator.yaml": dict(fmt="prometheus-operator", compat="native"),
}


def render(fmt: str, compat: str, sec: SloSection = SECTION) -> str:
    groups = compile_section(sec, CompileOptions(compat=compat))  # type: ignore[arg-type]
    return render_rule_file(groups, fmt=fmt, name="slo-api", source="docs/slo-api.md")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    golden(name, render(**CASES[name]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_deterministic(name: str) -> None:
    assert render(**CASES[name]) == render(**CASES[name])


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(CASES))
def test_promtool_accepts_every_generated_file(name: str, tmp_path: Path) -> None:
    tool = require_tool("promtool")
    data = yaml.safe_load(render(**CASES[name]))
    if data.get("kind") == "PrometheusRule":
        assert data["apiVersion"] == "monitoring.coreos.com/v1"
        data = data["spec"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data))
    result = promtool(tool, "check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
    rules = sum(len(g["rules"]) for g in data["groups"])
    assert f"SUCCESS: {rules} rules found" in result.stdout


def groups_of(compat: str, **overrides: Any) -> dict[str, list[dict[str, Any]]]:
    spec = slo(**overrides)
    out = compile_slo("api", spec, CompileOptions(compat=compat))  # type: ignore[arg-type]
    return {g.name: [r.to_dict() for r in g.rules] for g in out}


def test_native_records_every_alert_window_and_the_period() -> None:
    groups = groups_of("native")
    sli = groups["opsdocs-slo-sli-recordings-api-availability"]
    windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    assert [r["record"] for r in sli] == [f"slo:sli_error:ratio_rate{w}" for w in windows]
    assert [r["labels"]["slo_window"] for r in sli] == windows
    # Event-weighted period SLI: the indicator itself over 30d, not an average of 5m ratios.
    assert "[30d]" in sli[-1]["expr"] and "sum_over_time" not in sli[-1]["expr"]
    meta = {r["record"]: r for r in groups["opsdocs-slo-meta-recordings-api-availability"]}
    assert meta["slo:objective:ratio"]["expr"] == "vector(0.999)"
    assert meta["slo:error_budget:ratio"]["expr"] == "vector(0.001)"
    assert meta["slo:time_period:days"]["expr"] == "vector(30)"
    assert set(meta) >= {
        "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
    }


@pytest.mark.parametrize("compat", ["native", "sloth"])
@pytest.mark.parametrize("days", [30, 28, 7])
def test_alerts_are_two_window_pairs_with_workbook_factors(compat: str, days: int) -> None:
    groups = groups_of(compat, period=f"{days}d")
    alerts = next(v for k, v in groups.items() if "alerts" in k)
    assert [a["labels"][f"{'sloth' if compat == 'sloth' else 'slo'}_severity"] for a in alerts] == [
        "page",
        "ticket",
    ]
    budget = 0.001 if compat == "native" else (100 - 99.9) / 100
    for alert, pairs in zip(alerts, (DEFAULT_WINDOWS[:2], DEFAULT_WINDOWS[2:]), strict=True):
        terms = alert["expr"].split("\nor\n")
        assert len(terms) == 2
        for term, pair in zip(terms, pairs, strict=True):
            factor = (
                pair.factor(days * 86400) if compat == "native" else pair.sloth_factor(days * 86400)
            )
            threshold = f"({format_float(factor)} * {format_float(budget)})"
            assert term.count(threshold) == 2, (term, threshold)
            assert " and" in term


def test_sloth_mode_matches_sloths_names_labels_and_expressions() -> None:
    groups = groups_of("sloth", labels={"owner": "team-api"}, alerting={"name": "ApiHighErrorRate"})
    assert list(groups) == [
        "sloth-slo-sli-recordings-api-availability",
        "sloth-slo-meta-recordings-api-availability",
        "sloth-slo-alerts-api-availability",
    ]
    ids = 'sloth_id="api-availability", sloth_service="api", sloth_slo="availability"'
    sli = groups["sloth-slo-sli-recordings-api-availability"]
    assert sli[0]["labels"] == {
        "owner": "team-api",
        "sloth_id": "api-availability",
        "sloth_service": "api",
        "sloth_slo": "availability",
        "sloth_window": "5m",
    }
    assert sli[0]["expr"] == (
        '(sum(rate(http_requests_total{job="api",code=~"5.."}[5m])))\n/\n'
        '(sum(rate(http_requests_total{job="api"}[5m])))'
    )
    assert sli[-1]["expr"] == (
        f"sum_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])\n"
        "/ ignoring (sloth_window)\n"
        f"count_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])"
    )
    meta = groups["sloth-slo-meta-recordings-api-availability"]
    assert [r["record"] for r in meta] == [
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
        "sloth_slo_info",
    ]
    assert meta[0]["expr"] == f"vector({99.9 / 100!r})"
    assert meta[1]["expr"] == f"vector(1-{99.9 / 100!r})"
    assert meta[-1]["labels"]["sloth_objective"] == "99.9"
    assert meta[-1]["labels"]["sloth_spec"] == "prometheus/v1"
    page = groups["sloth-slo-alerts-api-availability"][0]
    first = page["expr"].splitlines()[1].strip()
    assert first == (
        f"max(slo:sli_error:ratio_rate5m{{{ids}}} > (14.4 * {(100 - 99.9) / 100!r}))"
        " without (sloth_window)"
    )
    assert page["labels"] == {"sloth_severity": "page"}
    assert page["annotations"] == {
        "title": "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn"
        " rate is too fast.",
        "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate"
        " is over expected.",
    }


def test_sloth_28d_windows_are_named_as_sloth_names_them() -> None:
    groups = groups_of("sloth", period="28d")
    sli = groups["sloth-slo-sli-recordings-api-availability"]
    assert sli[-1]["record"] == "slo:sli_error:ratio_rate4w"
    meta = groups["sloth-slo-meta-recordings-api-availability"]
    assert meta[2]["expr"] == "vector(28)"


def test_disabled_alerts_are_left_out() -> None:
    groups = groups_of("native", alerting={"page": {"enabled": False}})
    alerts = groups["opsdocs-slo-alerts-api-availability"]
    assert [a["labels"]["slo_severity"] for a in alerts] == ["ticket"]
    sli = groups["opsdocs-slo-sli-recordings-api-availability"]
    # the page-only windows (1h, 30m) are not recorded; 5m stays for the current burn rate
    assert [r["labels"]["slo_window"] for r in sli] == ["5m", "2h", "6h", "1d", "3d", "30d"]
    both_off = groups_of(
        "native", alerting={"page": {"enabled": False}, "ticket": {"enabled": False}}
    )
    assert not any("alerts" in name for name in both_off)


def test_alert_labels_and_annotations_merge_in_order() -> None:
    groups = groups_of(
        "native",
        alerting={
            "labels": {"team": "api", "tier": "1"},
            "annotations": {"dashboard": "d"},
            "page": {"labels": {"tier": "0"}, "annotations": {"dashboard": "p"}},
        },
    )
    page = groups["opsdocs-slo-alerts-api-availability"][0]
    assert page["labels"] == {"slo_severity": "page", "team": "api", "tier": "0"}
    assert page["annotations"]["dashboard"] == "p"


def test_runbook_url_unless_the_spec_sets_it() -> None:
    spec = slo()
    out = compile_slo("api", spec, runbook_url="https://docs/x/runbook-api.md#availability")
    alert = out[-1].rules[0]
    assert alert.annotations["runbook_url"] == "https://docs/x/runbook-api.md#availability"
    own = slo(alerting={"annotations": {"runbook_url": "https://wiki/mine"}})
    alert = compile_slo("api", own, runbook_url="https://docs/x")[-1].rules[0]
    assert alert.annotations["runbook_url"] == "https://wiki/mine"


def test_no_data_policies_are_written_out() -> None:
    skip = compile_slo("api", slo(no_data="skip"))[0].rules[0].expr
    good = compile_slo("api", slo(no_data="good"))[0].rules[0].expr
    bad = compile_slo("api", slo(no_data="bad"))[0].rules[0].expr
    assert "vector(" not in skip and ") > 0)" in skip
    assert good.startswith("(\n") and good.endswith("or on() vector(0)")
    assert bad.endswith("or on() vector(1)") and "+ 1)" in bad


def test_header_names_the_source() -> None:
    text = render("prometheus", "native")
    assert text.splitlines()[0] == (
        "# Code generated by opsdocs from docs/slo-api.md. DO NOT EDIT: change the document and"
        " run 'opsdocs slo rules'."
    )
    assert re.search(r"^groups:$", text, re.M)


def test_custom_window_catalogue() -> None:
    from opsdocs.slo.settings import SloSettings

    settings = SloSettings.model_validate(
        {
            "windows": [
                {"severity": "page", "short": "2m", "long": "30m", "budget_percent": 1},
                {"severity": "page", "short": "15m", "long": "3h", "budget_percent": 4},
                {"severity": "ticket", "short": "1h", "long": "12h", "budget_percent": 8},
                {"severity": "ticket", "short": "4h", "long": "2d", "budget_percent": 15},
            ]
        }
    )
    pairs = settings.window_pairs()
    out = compile_slo("api", slo(), CompileOptions(windows=pairs))
    windows = [r.labels["slo_window"] for r in out[0].rules]
    assert windows == ["2m", "15m", "30m", "1h", "3h", "4h", "12h", "2d", "30d"]
    page = out[2].rules[0].expr
    factor = Fraction(1, 100) * 30 * 24 * 2  # 1 % of a 30-day budget in 30 minutes
    assert f"({format_float(float(factor))} * 0.001)" in page
    assert "(14.4 * 0.001)" in page


def test_window_catalogue_needs_two_pairs_per_severity() -> None:
    from opsdocs.errors import ConfigError
    from opsdocs.slo.settings import load_settings

    raw = {"windows": [{"severity": "page", "short": "5m", "long": "1h", "budget_percent": 2}]}
    with pytest.raises(ConfigError) as info:
        load_settings(raw, source="pyproject.toml")
    assert str(info.value) == (
        "pyproject.toml: slo.windows: needs exactly two 'page' windows (got 1)"
        " (see docs/slo-spec.md#configuration)"
    )
    with pytest.raises(ConfigError, match=r"slo\.outdir: Extra inputs are not permitted"):
        load_settings({"outdir": "x"}, source="pyproject.toml")

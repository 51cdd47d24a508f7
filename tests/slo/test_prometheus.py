from __future__ import annotations

import os
import re
import string
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.slo.prometheus import (
    CompileOptions,
    compile_section,
    compile_slo,
    dump_rules_yaml,
    le_matcher,
    render_rule_file,
    render_section,
)
from opsdocs.slo.spec import SloSection
from opsdocs.slo.windows import DEFAULT_WINDOWS, WindowPair, format_float
from tests.conftest import require_tool
from tests.slo.helpers import RATIO, promtool, section, slo
from tests.slo.strategies import unique_slos

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


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.3, 'le="0.3"'),
        (1, 'le=~"1|1\\\\.0"'),
        (2.5, 'le="2.5"'),
        (1e6, 'le=~"1000000|1000000\\\\.0|1e\\\\+06"'),
    ],
)
def test_le_matcher_covers_prometheus_2_and_3(threshold: float, expected: str) -> None:
    assert le_matcher(threshold) == expected


def test_no_data_policies_are_written_out() -> None:
    skip = compile_slo("api", slo(no_data="skip"))[0].rules[0].expr
    good = compile_slo("api", slo(no_data="good"))[0].rules[0].expr
    bad = compile_slo("api", slo(no_data="bad"))[0].rules[0].expr
    assert "vector(" not in skip and ") > 0)" in skip
    assert good.startswith("(\n") and good.endswith("or on() vector(0)")
    assert bad.endswith("or on() vector(1)") and "+ 1)" in bad


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    max_size=40,
)
_KEYS = st.text(alphabet=string.ascii_letters + "_:./- ", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        _KEYS,
        st.one_of(_TEXT, st.lists(_TEXT, max_size=3), st.dictionaries(_KEYS, _TEXT, max_size=3)),
        max_size=5,
    )
)
def test_rule_yaml_reads_back_as_written(data: dict[str, Any]) -> None:
    assert yaml.safe_load(dump_rules_yaml(data) if data else "{}") == data


def test_header_names_the_source() -> None:
    text = render("prometheus", "native")
    assert text.splitlines()[0] == (
        "# Code generated by opsdocs from docs/slo-api.md. DO NOT EDIT: change the document and"
        " run 'opsdocs slo rules'."
    )
    assert re.search(r"^groups:$", text, re.M)


@pytest.mark.parametrize("compat", ["native", "sloth"])
def test_fast_emitter_writes_what_the_generic_one_writes(compat: str) -> None:
    sec = section(
        {
            "name": "odd",
            "objective": 99,
            "indicator": RATIO,
            "labels": {"note": "two\nlines", "yes": "no", "n": "1e3"},
            "alerting": {"annotations": {"runbook": "first\n\nthird", "x": " padded "}},
        }
    )
    groups = compile_section(sec, CompileOptions(compat=compat))  # type: ignore[arg-type]
    text = render_rule_file(groups)
    body = text.split("\n", 1)[1]
    assert body == dump_rules_yaml({"groups": [g.to_dict() for g in groups]})
    assert yaml.safe_load(body) == {"groups": [g.to_dict() for g in groups]}


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


# render_section writes native rule files without building every rule first; it must write
# exactly what render_rule_file writes for the rules compile_section builds.


def generic(sec: SloSection, fmt: str, options: CompileOptions, url: Any = None) -> str:
    groups = compile_section(sec, options, runbook_url=url)
    return render_rule_file(groups, fmt=fmt, name="slo-api", source="docs/slo-api.md")  # type: ignore[arg-type]


def direct(sec: SloSection, fmt: str, options: CompileOptions, url: Any = None) -> str:
    return render_section(
        sec,
        options,
        fmt=fmt,  # type: ignore[arg-type]
        name="slo-api",
        source="docs/slo-api.md",
        runbook_url=url,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_render_section_writes_the_golden_files(name: str) -> None:
    case = CASES[name]
    options = CompileOptions(compat=case["compat"])  # type: ignore[arg-type]
    assert direct(SECTION, case["fmt"], options) == (GOLDEN / name).read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None)
@given(
    unique_slos(max_size=3),
    st.sampled_from(["prometheus", "prometheus-operator"]),
    st.sampled_from(["native", "sloth"]),
    st.booleans(),
)
def test_render_section_writes_what_compile_and_render_write(
    slos: list[Any], fmt: str, compat: str, with_url: bool
) -> None:
    sec = SloSection(service="api", slos=slos)
    options = CompileOptions(compat=compat)  # type: ignore[arg-type]

    def url(spec: Any) -> str:
        return f"https://docs.example/runbook-api.md#{spec.name}"

    link = url if with_url else None
    assert direct(sec, fmt, options, link) == generic(sec, fmt, options, link)


@pytest.mark.parametrize("fmt", ["prometheus", "prometheus-operator"])
@pytest.mark.parametrize(
    "labels",
    [
        {"a": "two\nlines", "z": "x\n\ny", "slo_window": "overridden"},
        {"slo_windox": "1", "slo_windov": "multi\nline", "team": "it's"},
        {"b": " padded ", "y": "1e3", "n": "null"},
    ],
)
@pytest.mark.parametrize(
    "indicator",
    [
        RATIO,
        {"type": "raw", "error_ratio": "1 - avg_over_time(up[{{ window }}])"},
        {"type": "probe", "selector": 'job="blackbox"'},
    ],
)
@pytest.mark.parametrize("no_data", ["skip", "good"])
def test_render_section_agrees_on_odd_labels_and_single_line_exprs(
    fmt: str, labels: dict[str, str], indicator: dict[str, Any], no_data: str
) -> None:
    sec = section(
        {
            "name": "odd",
            "objective": 99.5,
            "indicator": indicator,
            "no_data": no_data,
            "labels": labels,
            "description": "Two\nlines.",
        }
    )
    windows = (
        *DEFAULT_WINDOWS[:2],
        WindowPair("ticket", 5400, 86400, 10),  # 1h30m: a window of two units
        DEFAULT_WINDOWS[3],
    )
    for options in (CompileOptions(), CompileOptions(windows=windows)):
        text = direct(sec, fmt, options)
        assert text == generic(sec, fmt, options)
    assert "1h30m" in direct(sec, fmt, CompileOptions(windows=windows))


# SLOs of one form (the same spec under different services) share the text of everything but
# their service, runbook link and SLI queries; the second and later are filled in from it.

SERVICES = ["api", "web-1", "true", "123", "null", "0x1f", "on", "a-b-c"]
URLS = [
    None,
    "",
    "https://docs.example/runbook.md",
    "https://docs.example/my runbook.md",
    "https://docs.example/r.md#it's",
    "yes",
]


@settings(max_examples=60, deadline=None)
@given(
    unique_slos(max_size=2),
    st.lists(st.sampled_from(SERVICES), min_size=2, max_size=5),
    st.lists(st.sampled_from(URLS), min_size=2, max_size=5),
    st.sampled_from(["prometheus", "prometheus-operator"]),
)
def test_slos_of_one_form_under_other_services_and_links(
    slos: list[Any], services: list[str], urls: list[str | None], fmt: str
) -> None:
    options = CompileOptions()
    for n, service in enumerate(services):
        sec = SloSection(service=service, slos=slos)
        link = urls[n % len(urls)]

        def url(spec: Any, link: str | None = link) -> str | None:
            return link

        assert direct(sec, fmt, options, url) == generic(sec, fmt, options, url)


@pytest.mark.parametrize(
    "text", ["opsdocsmarksvcq", "OpsdocsmarksvcqAvailabilityBurnRate", "x opsdocsmarkurlz y"]
)
def test_a_spec_that_spells_a_form_mark_is_written_as_it_is(text: str) -> None:
    spec = {
        "name": "availability",
        "objective": 99.9,
        "description": text,
        "labels": {"note": text},
        "indicator": RATIO,
        "alerting": {"annotations": {"extra": text}},
    }
    for service in ("api", "web", "db"):
        sec = section(spec, service=service)
        for fmt in ("prometheus", "prometheus-operator"):
            text_out = direct(sec, fmt, CompileOptions())
            assert text_out == generic(sec, fmt, CompileOptions())
            assert f"slo_service: {service}" in text_out

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsdocs.slo.prometheus import CompileOptions, compile_section, compile_slo, render_rule_file
from opsdocs.slo.promtool import ABOVE, BELOW, generate_tests
from opsdocs.slo.spec import SloSection
from opsdocs.slo.windows import DEFAULT_WINDOWS
from tests.conftest import require_tool
from tests.slo.helpers import RATIO, promtool, slo

HAND_WRITTEN = Path(__file__).parent / "promtool"

LATENCY = {
    "type": "latency",
    "metric": "http_request_duration_seconds_bucket",
    "selector": 'job="api"',
    "threshold": 0.25,
}
PROBE = {"type": "probe", "metric": "probe_success", "selector": 'job="blackbox"'}


def write_pair(tmp_path: Path, compat: str = "native", **overrides: Any) -> tuple[Path, Any]:
    spec = slo(**overrides)
    options = CompileOptions(compat=compat)  # type: ignore[arg-type]
    rules = tmp_path / "rules.yaml"
    rules.write_text(render_rule_file(compile_slo("api", spec, options)))
    generated = generate_tests("api", spec, rule_file="rules.yaml", options=options)
    assert generated.text is not None, generated.notes
    test = tmp_path / "test.yaml"
    test.write_text(generated.text)
    return test, generated


def test_two_tests_per_window_pair_with_thresholds_from_the_maths(tmp_path: Path) -> None:
    _, generated = write_pair(tmp_path)
    assert generated.notes == []
    data = yaml.safe_load(generated.text)
    assert data["rule_files"] == ["rules.yaml"]
    names = [t["name"] for t in data["tests"]]
    assert len(names) == 2 * len(DEFAULT_WINDOWS)
    # the error ratios fed in are 1.1 and 0.9 times each pair's threshold
    for test, pair in zip(data["tests"][::2], DEFAULT_WINDOWS, strict=True):
        bad = next(s for s in test["input_series"] if 'code="500"' in s["series"])
        slope = float(bad["values"].split()[1].split("+")[1].split("x")[0])
        assert slope == pytest.approx(1000 * ABOVE * pair.factor(30 * 86400) * 0.001)
    for test, pair in zip(data["tests"][1::2], DEFAULT_WINDOWS, strict=True):
        bad = next(s for s in test["input_series"] if 'code="500"' in s["series"])
        slope = float(bad["values"].split()[1].split("+")[1].split("x")[0])
        assert slope == pytest.approx(1000 * BELOW * pair.factor(30 * 86400) * 0.001)


def test_raw_indicators_get_a_note_not_a_test() -> None:
    raw = slo(indicator={"type": "raw", "error_ratio": "avg_over_time(x[{{window}}])"})
    generated = generate_tests("api", raw, rule_file="r.yaml")
    assert generated.text is None
    assert generated.notes == [
        "availability: no generated test: a raw error-ratio query cannot be driven by made-up"
        " series"
    ]


def test_grouped_queries_get_a_note() -> None:
    grouped = slo(indicator={**RATIO, "errors": "sum by (code) (rate(x_total[{{window}}]))"})
    generated = generate_tests("api", grouped, rule_file="r.yaml")
    assert generated.text is None
    assert "keeps labels" in generated.notes[0]


def test_disabled_alerts_have_nothing_to_test() -> None:
    off = slo(alerting={"page": {"enabled": False}, "ticket": {"enabled": False}})
    assert generate_tests("api", off, rule_file="r.yaml").notes == [
        "availability: both alerts are disabled; nothing to test"
    ]


def test_an_alert_that_cannot_fire_is_noted() -> None:
    generated = generate_tests("api", slo(objective=90), rule_file="r.yaml")
    assert "availability: page 5m/1h at 14.4×: the alert can never fire; no test" in (
        generated.notes
    )


@pytest.mark.tools
@pytest.mark.parametrize(
    ("compat", "overrides"),
    [
        ("native", {}),
        ("sloth", {}),
        ("native", {"indicator": LATENCY, "period": "28d", "no_data": "good"}),
        (
            "native",
            {
                "indicator": PROBE,
                "objective": 99,
                "period": "7d",
                "alerting": {"page": {"enabled": False}},
            },
        ),
        (
            "native",
            {
                "indicator": {
                    **RATIO,
                    "errors": None,
                    "good": 'sum(rate(http_requests_total{job="api",code="200"}[{{window}}]))',
                }
            },
        ),
    ],
    ids=["ratio", "sloth", "latency-28d", "probe-7d-ticket-only", "good-total"],
)
def test_generated_tests_pass_under_promtool(
    tmp_path: Path, compat: str, overrides: dict[str, Any]
) -> None:
    tool = require_tool("promtool")
    test, generated = write_pair(tmp_path, compat, **overrides)
    assert generated.cases >= 4
    result = promtool(tool, "test", "rules", test)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.tools
def test_generated_tests_catch_a_wrong_threshold(tmp_path: Path) -> None:
    """The proof is honest: rules whose fast page factor is 16 instead of 14.4 fail it."""
    tool = require_tool("promtool")
    test, _ = write_pair(tmp_path)
    data = yaml.safe_load(test.read_text())
    data["tests"] = data["tests"][:1]  # page 5m/1h, 1.1 × above: the quickest case
    test.write_text(yaml.safe_dump(data))
    assert promtool(tool, "test", "rules", test).returncode == 0
    rules = tmp_path / "rules.yaml"
    text = rules.read_text()
    assert text.count("(14.4 * 0.001)") == 2
    rules.write_text(text.replace("(14.4 * 0.001)", "(16 * 0.001)"))
    result = promtool(tool, "test", "rules", test)
    assert result.returncode == 1
    assert "FAILED" in result.stdout + result.stderr


CASES = sorted(p.name.removesuffix(".spec.yaml") for p in HAND_WRITTEN.glob("*.spec.yaml"))


def test_every_edge_case_is_there() -> None:
    assert CASES == ["disabled-alerts", "latency", "no-data", "period-28d", "period-7d"]


@pytest.mark.tools
@pytest.mark.parametrize("case", CASES)
def test_hand_written_edge_cases(tmp_path: Path, case: str) -> None:
    tool = require_tool("promtool")
    section = SloSection.model_validate(
        yaml.safe_load((HAND_WRITTEN / f"{case}.spec.yaml").read_text())
    )
    rules = render_rule_file(compile_section(section))
    (tmp_path / "rules.yaml").write_text(rules)
    shutil.copy(HAND_WRITTEN / f"{case}.test.yaml", tmp_path / "test.yaml")
    checked = promtool(tool, "check", "rules", tmp_path / "rules.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = promtool(tool, "test", "rules", tmp_path / "test.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsdocs.slo.prometheus import CompileOptions, compile_section, compile_slo, render_rule_file
from opsdocs.slo.promtool import ABOVE, BELOW, DROP, generate_tests
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


def write_files(tmp_path: Path, compat: str = "native", **overrides: Any) -> tuple[list[Path], Any]:
    """The rules and every generated test file (finest evaluation interval first)."""
    spec = slo(**overrides)
    options = CompileOptions(compat=compat)  # type: ignore[arg-type]
    rules = tmp_path / "rules.yaml"
    rules.write_text(render_rule_file(compile_slo("api", spec, options)))
    generated = generate_tests("api", spec, rule_file="rules.yaml", options=options)
    assert generated.files, generated.notes
    paths = []
    for file in generated.files:
        path = tmp_path / f"test{file.suffix}.yaml"
        path.write_text(file.text)
        paths.append(path)
    return paths, generated


def write_pair(tmp_path: Path, compat: str = "native", **overrides: Any) -> tuple[Path, Any]:
    paths, generated = write_files(tmp_path, compat, **overrides)
    return paths[0], generated


def seconds(text: str) -> int:
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([dhms])", text))


def test_two_tests_per_window_pair_with_thresholds_from_the_maths(tmp_path: Path) -> None:
    _, generated = write_pair(tmp_path)
    assert generated.notes == []
    docs = [yaml.safe_load(f.text) for f in generated.files]
    assert all(d["rule_files"] == ["rules.yaml"] for d in docs)
    tests = [t for d in docs for t in d["tests"]]
    assert len(tests) == generated.cases == 2 * len(DEFAULT_WINDOWS)
    # the error ratios fed in are 1.1 and 0.9 times each pair's threshold
    for pair in DEFAULT_WINDOWS:
        mine = [t for t in tests if t["name"].startswith(f"{pair.severity} {pair.label} at ")]
        assert [t["name"].split(": a ratio ")[1][:3] for t in mine] == ["1.1", "0.9"]
        for test, factor in zip(mine, (ABOVE, BELOW), strict=True):
            bad, good = slopes(test, bad=True), slopes(test, bad=False)
            ratio = bad[1] / (bad[1] + good[1])
            assert ratio == pytest.approx(factor * pair.factor(30 * 86400) * 0.001)
            assert bad[0] == 0  # no errors before
            # traffic drops tenfold only where the pair would not otherwise fire alone
            dropped = pair.label == "2h/1d" and factor == ABOVE
            assert (bad[1] + good[1]) * (DROP if dropped else 1) == pytest.approx(good[0])
            assert ("on 10 × less traffic" in test["name"]) == dropped


def slopes(test: dict[str, Any], *, bad: bool) -> tuple[float, float]:
    """The per-sample increase of the bad (``code="500"``) or the other generated input series,
    before and after errors start."""
    series = next(s for s in test["input_series"] if ('code="500"' in s["series"]) == bad)
    head, tail = series["values"].split()
    before = 0.0 if "+" not in head else float(head.split("+")[1].split("x")[0])
    return before, float(tail.split("+")[1].split("x")[0])


def detection(test: dict[str, Any], long: int) -> float:
    """When the pair under test fires after errors start: l × θ × k / (ratio − θ + θ × k)."""
    bad, good = slopes(test, bad=True), slopes(test, bad=False)
    drop = good[0] / (bad[1] + good[1])
    return long * drop / (ABOVE - 1 + drop)


def test_each_file_is_evaluated_finely_enough_for_its_detection_times(tmp_path: Path) -> None:
    _, generated = write_pair(tmp_path)
    groups = [g.name for g in compile_slo("api", slo(), CompileOptions())]
    intervals = []
    for file in generated.files:
        data = yaml.safe_load(file.text)
        every = seconds(data["evaluation_interval"])
        intervals.append(every)
        assert file.evaluation_interval == every
        # recordings are evaluated before the alert that reads them
        assert data["group_eval_order"] == groups
        for test in data["tests"]:
            if ": a ratio 1.1" not in test["name"]:
                continue
            long = seconds(test["name"].split("/")[1].split(" ")[0])
            detected = detection(test, long)
            # an interval of at most 2.5 % of the detected time, or the finest 5m
            assert every == 300 or every <= 0.025 * detected
            before, after = (seconds(c["eval_time"]) for c in test["alert_rule_test"])
            history = before - int(detected * 0.85) // every * every
            assert history % every == 0 and (after - history) % every == 0
            # not firing at >= 82.5 % of the detected time, firing by 1.08 × it + 10m + one step
            assert 0.825 * detected <= before - history <= 0.85 * detected
            assert after - history <= 1.08 * detected + 600 + every
    # the 5m/1h and 30m/6h pairs need 5m; 1d and 3d windows are evaluated far less often
    assert intervals == [300, 1800, 3600]
    assert [f.suffix for f in generated.files] == ["", ".eval-30m", ".eval-1h"]


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
    tests, generated = write_files(tmp_path, compat, **overrides)
    assert generated.cases >= 4
    result = promtool(tool, "test", "rules", *tests)
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


@pytest.mark.tools
@pytest.mark.parametrize(
    ("case", "factor", "wrong"),
    [
        # too high: the 1.1 × case no longer fires. 2h/1d at 3× fires exactly when 6h/3d at 1×
        # does on steady traffic, so only its dropped-traffic case tells 3.5 from 3.
        ("ticket 2h/1d at 3×: a ratio 1.1", "3", "3.5"),
        ("ticket 6h/3d at 1×: a ratio 1.1", "1", "1.2"),
        # too low: the 0.9 × case fires
        ("ticket 2h/1d at 3×: a ratio 0.9", "3", "2.5"),
        ("ticket 6h/3d at 1×: a ratio 0.9", "1", "0.8"),
    ],
)
def test_coarsely_evaluated_tests_catch_a_wrong_ticket_factor(
    tmp_path: Path, case: str, factor: str, wrong: str
) -> None:
    """Files evaluated every 30m or 1h tell each wrong ticket factor from the right one."""
    tool = require_tool("promtool")
    tests, _ = write_files(tmp_path)
    test = next(p for p in tests if case in p.read_text())
    data = yaml.safe_load(test.read_text())
    assert seconds(data["evaluation_interval"]) >= 1800
    data["tests"] = [t for t in data["tests"] if t["name"].startswith(case)]
    assert len(data["tests"]) == 1
    test.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert promtool(tool, "test", "rules", test).returncode == 0
    rules = tmp_path / "rules.yaml"
    text = rules.read_text()
    assert text.count(f"({factor} * 0.001)") == 2
    rules.write_text(text.replace(f"({factor} * 0.001)", f"({wrong} * 0.001)"))
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

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from opsdocs.documents.kinds import get_kind
from opsdocs.documents.parse import parse_document
from opsdocs.slo.rules import load_slo_document
from opsdocs.slo.settings import SloSettings
from opsdocs.slo.spec import SloFrontMatter, SloSpec, budget_fraction, budget_ratio
from tests.slo.helpers import RATIO, slo, slo_document


def findings(slos_yaml: str, settings: SloSettings | None = None) -> list[str]:
    doc = parse_document(Path("docs/slo-api.md"), slo_document(slos_yaml))
    loaded = load_slo_document(doc, settings, label="docs/slo-api.md")
    return [f"{f.severity}: {f.format()}" for f in loaded.findings]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def pos(text: str, key: str) -> str:
    """``line:col`` of the first ``key:`` in the file (positions point at keys)."""
    line = line_of(text, f"{key}:")
    return f"{line}:{text.splitlines()[line - 1].index(key) + 1}"


GOOD = """slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(x_total{code="500"}[{{window}}]))
      total: sum(rate(x_total[{{window}}]))
"""


def test_a_valid_spec_has_no_findings() -> None:
    assert findings(GOOD) == []


def test_objective_out_of_range_points_at_the_key() -> None:
    text = GOOD.replace("objective: 99.9", "objective: 100.5")
    assert findings(text) == [
        f"error: docs/slo-api.md:{pos(slo_document(text), 'objective')}: slos[0].objective:"
        " must be a percentage above 0 and below 100 (got 100.5)"
    ]


def test_unknown_key_is_an_error_with_its_position() -> None:
    text = GOOD + "    objectve: 99\n"
    assert findings(text) == [
        f"error: docs/slo-api.md:{pos(slo_document(text), 'objectve')}: slos[0].objectve:"
        " unknown key (see docs/slo-spec.md for the keys an SLO takes)"
    ]


def test_missing_placeholder_and_bad_promql() -> None:
    text = GOOD.replace("[{{window}}]))\n      total", "[5m]))\n      total").replace(
        "sum(rate(x_total[{{window}}]))", "sum(rate(x_total[{{window}}])"
    )
    doc = slo_document(text)
    assert findings(text) == [
        f"error: docs/slo-api.md:{pos(doc, 'errors')}: slos[0].indicator.errors: query"
        " has no {{window}} placeholder (write the range as [{{window}}], e.g."
        " rate(x_total[{{window}}]))",
        f"error: docs/slo-api.md:{pos(doc, 'total')}: slos[0].indicator.total: PromQL"
        " does not parse: unclosed left parenthesis",
    ]


def test_unknown_indicator_type() -> None:
    text = GOOD.replace("type: ratio", "type: ratios")
    assert findings(text) == [
        f"error: docs/slo-api.md:{pos(slo_document(text), 'type')}: slos[0].indicator.type:"
        " unknown indicator type 'ratios' (use one of ratio, latency, raw, probe)"
    ]


def test_errors_and_good_are_exclusive() -> None:
    with pytest.raises(ValueError, match="exactly one of 'errors' and 'good'"):
        slo(indicator={**RATIO, "good": RATIO["total"]})


def test_duplicate_names() -> None:
    text = GOOD + GOOD.removeprefix("slos:\n")
    assert any("two SLOs are named 'availability'" in f for f in findings(text))


def test_latency_threshold_must_be_a_bucket() -> None:
    with pytest.raises(ValueError, match="not one of the buckets"):
        slo(
            indicator={
                "type": "latency",
                "metric": "h_bucket",
                "threshold": 0.3,
                "buckets": [0.1, 0.25, 0.5],
            }
        )
    with pytest.raises(ValueError, match="_bucket"):
        slo(indicator={"type": "latency", "metric": "h_seconds", "threshold": 0.3})


def test_period_and_no_data_values() -> None:
    assert slo(period="4w").period_seconds == 28 * 86400
    with pytest.raises(ValueError, match="rolling period"):
        slo(period="720h")
    with pytest.raises(ValueError, match="no_data"):
        slo(no_data="zero")


def test_page_that_can_never_fire_is_a_warning() -> None:
    text = GOOD.replace("99.9", "90")
    # 14.4 × 10 % = 144 % and 6 × 10 % = 60 %: only the fast page pair is impossible.
    out = findings(text)
    assert len(out) == 1
    assert out[0].startswith("warning: docs/slo-api.md:")
    assert "page alert's 5m/1h condition can never fire" in out[0]
    assert "14.4 × 0.1 = 1.44" in out[0]


def test_tiny_budget_is_a_warning() -> None:
    out = findings(GOOD.replace("99.9", "99.995"))
    seconds = (100 - 99.995) / 100 * 86400
    assert out == [
        f"warning: docs/slo-api.md:{pos(slo_document(GOOD), 'objective')}:"
        f" slos[0].objective: an objective of 99.995 % allows {seconds:.2g} s of full outage"
        " a day, too little to notice and act on (lower the objective, or measure over a"
        " longer period)"
    ]


def test_tiny_budget_names_the_objective_as_written() -> None:
    (out,) = findings(GOOD.replace("99.9", "99.99999"))
    assert "an objective of 99.99999 % allows" in out


def test_latency_threshold_problem_points_at_the_threshold() -> None:
    text = GOOD.replace(
        """      type: ratio
      errors: sum(rate(x_total{code="500"}[{{window}}]))
      total: sum(rate(x_total[{{window}}]))""",
        """      type: latency
      metric: h_bucket
      threshold: 0.3
      buckets: [0.1, 0.25, 0.5]""",
    )
    (out,) = findings(text)
    assert out.startswith(
        f"error: docs/slo-api.md:{pos(slo_document(text), 'threshold')}:"
        " slos[0].indicator.threshold: threshold 0.3 is not one of the buckets"
    )


def test_short_window_must_span_enough_scrapes() -> None:
    settings = SloSettings(scrape_interval="2m", min_window_scrapes=4)
    out = findings(GOOD, settings)
    assert any("shortest alert window 5m spans fewer than 4 scrapes of 2m" in f for f in out)
    # a matter of configuration, reported at the SLO (it has no 'period' key to point at)
    (scrapes,) = [f for f in out if "scrapes" in f]
    assert f"docs/slo-api.md:{pos(slo_document(GOOD), 'name')}: slos[0]: shortest" in scrapes
    assert findings(GOOD, SloSettings(scrape_interval="1m")) == []


def test_period_shorter_than_longest_window() -> None:
    out = findings(GOOD.replace("    indicator:", "    period: 2d\n    indicator:"))
    assert any("period 2d is shorter than the longest alert window 3d" in f for f in out)


def test_slo_kind_uses_the_spec_and_old_documents_stay_valid() -> None:
    assert get_kind("slo").schema_ref == "opsdocs.slo.spec:SloFrontMatter"
    common = {
        "kind": "slo",
        "title": "API",
        "owner": "team-api",
        "service": "api",
        "last_reviewed": "2026-11-01",
    }
    assert SloFrontMatter.model_validate(common).slos == []
    with_slos = SloFrontMatter.model_validate(
        {**common, "slos": [{"name": "a", "objective": 99, "indicator": RATIO}]}
    )
    assert isinstance(with_slos.slos[0], SloSpec)


def test_budget_is_exact() -> None:
    assert slo(objective=99.9).budget == 0.001
    assert slo(objective=99.95).budget == 0.0005
    assert slo(objective=99.9).objective_ratio == 0.999


@pytest.mark.parametrize(
    ("objective", "budget"), [(99.9, "1/1000"), (99.95, "1/2000"), (90, "1/10")]
)
def test_public_budget_helpers_use_the_written_decimal(objective: float, budget: str) -> None:
    # 99.9 as a binary float is not 999/1000; the helpers must use the decimal as written.
    assert budget_fraction(objective) == Fraction(budget)
    assert budget_ratio(objective) == float(Fraction(budget))
    assert slo(objective=objective).budget_fraction == Fraction(budget)


def test_checks_shared_by_alike_slos_are_reported_at_each_slo() -> None:
    # The catalogue/period/objective checks are computed once per combination; each SLO must
    # still get its own findings at its own key path, and only those its settings call for.
    def one(name: str, objective: str, alerting: str = "") -> str:
        body = GOOD.removeprefix("slos:\n").replace("availability", name)
        return body.replace("99.9", objective) + alerting

    text = "slos:\n" + "".join(
        [
            one("a", "90"),
            one("b", "99.9"),
            one("c", "90"),
            one("d", "90", "    alerting:\n      page: {enabled: false}\n"),
        ]
    )
    out = findings(text)
    never = [f for f in out if "can never fire" in f]
    assert [f.split(": ")[2] for f in never] == ["slos[0].objective", "slos[2].objective"]
    assert findings(GOOD) == []

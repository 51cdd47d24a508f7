"""``slo report --source prometheus`` against a local server that answers badly on purpose."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.sources.fakeserver import FakeServer, Reply, fake_server, success
from tests.sources.test_prometheus import MALFORMED

AT = "2026-11-20T12:00:00Z"
DOC = """\
---
kind: slo
title: "API SLOs"
owner: team-sre
service: api
last_reviewed: "2026-11-01"
review_every: 90d
slos:
  - name: availability
    objective: 99.5
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total[{{window}}]))
---

# API SLOs

## Measurement

Prometheus.
"""


@pytest.fixture
def server() -> Iterator[FakeServer]:
    yield from fake_server()


@pytest.fixture
def run(
    cli: Callable[..., Result], workspace_dir: Path, server: FakeServer
) -> Callable[..., Result]:
    (workspace_dir / "docs/internal/operations/slo-api.md").write_text(DOC)

    def invoke(*args: str) -> Result:
        return cli(
            "slo", "report", "--source", "prometheus", "--prometheus-url", server.url,
            "--at", AT, *args, cwd=workspace_dir,
        )  # fmt: skip

    return invoke


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_answer_is_one_line_exit_2(
    run: Callable[..., Result], server: FakeServer, name: str
) -> None:
    data, what = MALFORMED[name]
    server.answer = lambda path, params: success(data)
    result = run()
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Prometheus at {server.url} answered"
        " 'sum(rate(http_requests_total[30d]))' with a malformed result:"
        f" {what} (check that the URL is a Prometheus-compatible query API)\n"
    )


@pytest.mark.parametrize("value", ["NaN", "+Inf", "-Inf"])
def test_a_value_that_is_not_finite_is_no_data(
    run: Callable[..., Result], server: FakeServer, value: str
) -> None:
    def answer(path: str, params: dict[str, str]) -> Reply:
        number = value if "5.." in params["query"] else "10"
        return success({"resultType": "vector", "result": [{"metric": {}, "value": [1, number]}]})

    server.answer = answer
    result = run("--format", "json")
    assert result.exit_code == 1, result.stderr  # no data is a finding
    report = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    [one] = report["reports"]
    assert (one["status"], one["sli"], one["error_ratio"]) == ("no-data", None, None)
    assert all(w["error_ratio"] is None for w in one["windows"])
    assert one["notes"][1] == (
        "no data where a query was not finite:"
        f' sum(rate(http_requests_total{{code=~"5.."}}[30d])) returned {value} (+7)'
    )
    table = run()
    assert "nan %" not in table.stdout.lower()
    assert "NO-DATA" in table.stdout

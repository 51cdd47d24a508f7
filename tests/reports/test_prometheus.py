"""The Prometheus source against a real Prometheus; expected values computed from the series."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from opsdocs.errors import InputError
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.reports.sources.prometheus import measure_prometheus
from opsdocs.slo.spec import SloSpec
from opsdocs.sources.prometheus import PrometheusClient
from tests.conftest import Result
from tests.reports.conftest import PrometheusServer, slo_spec
from tests.reports.promdata import BUCKETS, T, delta, extrapolated, probe

pytestmark = pytest.mark.tools

OK = 'http_requests_total{code="200"}'
ERR = 'http_requests_total{code="500"}'


def bucket(le: str) -> str:
    return f'http_request_duration_seconds_bucket{{le="{le}"}}'


@pytest.fixture
def client(prometheus: PrometheusServer) -> Iterator[PrometheusClient]:
    with PrometheusClient(prometheus.url, retries=0) as c:
        yield c


@pytest.mark.parametrize("name", ["availability", "availability-good", "availability-week"])
def test_ratio_windows(prometheus: PrometheusServer, client: PrometheusClient, name: str) -> None:
    slo = slo_spec(name)
    windows = needed_windows(slo)
    m = measure_prometheus(slo, client, at=T, windows=windows)
    d = prometheus.data
    for w in windows:
        bad, ok = delta(d, ERR, w), delta(d, OK, w)
        counts = m.windows[w]
        assert counts.error_ratio == pytest.approx(bad / (bad + ok), rel=1e-12), w
        assert counts.total == pytest.approx((bad + ok) * extrapolated(d, w), rel=1e-9), w
        assert counts.good == pytest.approx(ok * extrapolated(d, w), rel=1e-9), w


def test_latency_windows(prometheus: PrometheusServer, client: PrometheusClient) -> None:
    slo = slo_spec("latency")
    m = measure_prometheus(slo, client, at=T, windows=[300, 3600, 86400])
    d = prometheus.data
    assert "0.2" in BUCKETS
    for w in (300, 3600, 86400, 30 * 86400):
        total, good = delta(d, bucket("+Inf"), w), delta(d, bucket("0.2"), w)
        assert m.windows[w].error_ratio == pytest.approx((total - good) / total, rel=1e-12)


def test_probe_windows(prometheus: PrometheusServer, client: PrometheusClient) -> None:
    slo = slo_spec("probe")
    m = measure_prometheus(slo, client, at=T, windows=[300, 3600, 86400])
    for w in (300, 3600, 86400, 30 * 86400):
        good, total = probe(prometheus.data, w)
        assert (m.windows[w].good, m.windows[w].total) == (good, total)
        assert m.windows[w].error_ratio == pytest.approx(1 - good / total, rel=1e-12)


def test_report_status_from_prometheus(
    prometheus: PrometheusServer, client: PrometheusClient
) -> None:
    slo = slo_spec("availability")
    m = measure_prometheus(slo, client, at=T, windows=needed_windows(slo))
    report = build_report("api", slo, m)
    d = prometheus.data
    bad, ok = delta(d, ERR, 3600), delta(d, OK, 3600)
    one_hour = bad / (bad + ok) / 0.005
    five_min = delta(d, ERR, 300) / (delta(d, ERR, 300) + delta(d, OK, 300)) / 0.005
    assert report.burn_rate(3600) == pytest.approx(one_hour, rel=1e-12)
    # the incident: 5 % errors against a 0.5 % budget is a 10x burn; page needs 14.4x
    page_fast = next(a for a in report.alerts if (a.short, a.long) == (300, 3600))
    assert page_fast.firing == (five_min > 14.4 and one_hour > 14.4)
    assert report.status in {"healthy", "burning", "exhausted"}


def test_steps_for_charts(prometheus: PrometheusServer, client: PrometheusClient) -> None:
    slo = slo_spec("availability")
    m = measure_prometheus(slo, client, at=T, windows=[3600], with_steps=True)
    assert m.step_seconds == 3600
    assert len(m.steps) == 720
    assert m.steps[-1].end == T
    assert m.steps[-1].total == pytest.approx(m.windows[3600].total, rel=1e-9)
    assert m.steps[-1].bad == pytest.approx(m.windows[3600].bad, rel=1e-9)


def test_nothing_for_the_period_is_an_error(client: PrometheusClient) -> None:
    slo = SloSpec.model_validate(
        {
            "name": "typo",
            "objective": 99,
            "indicator": {
                "type": "ratio",
                "errors": "sum(rate(http_request_total{code='500'}[{{window}}]))",
                "total": "sum(rate(http_request_total[{{window}}]))",
            },
        }
    )
    with pytest.raises(
        InputError, match=r"query 'sum\(rate\(http_request_total\[30d\]\)\)' returned nothing"
    ):
        measure_prometheus(slo, client, at=T, windows=[3600])


def test_rejected_query(client: PrometheusClient) -> None:
    slo = SloSpec.model_validate(
        {
            "name": "bad",
            "objective": 99,
            "indicator": {"type": "raw", "error_ratio": "rate(x[{{window}}]"},
        }
    )
    with pytest.raises(InputError, match="Prometheus rejected the query 'rate\\(x\\[30d\\]': "):
        measure_prometheus(slo, client, at=T, windows=[3600])


def test_many_series_is_an_error(client: PrometheusClient) -> None:
    slo = SloSpec.model_validate(
        {
            "name": "many",
            "objective": 99,
            "indicator": {"type": "ratio", "errors": ERRORS_BY_CODE, "total": TOTAL_BY_CODE},
        }
    )
    with pytest.raises(InputError, match="returned 2 series, not one"):
        measure_prometheus(slo, client, at=T, windows=[3600])


ERRORS_BY_CODE = 'rate(http_requests_total{code="500"}[{{window}}])'
TOTAL_BY_CODE = "rate(http_requests_total[{{window}}])"


def test_cli_against_prometheus(
    prometheus: PrometheusServer,
    cli: Callable[..., Result],
    workspace_dir: Path,
) -> None:
    doc = workspace_dir / "docs/internal/operations/slo-api.md"
    doc.write_text(
        "---\nkind: slo\ntitle: API\nowner: team-api\nservice: api\nslos:\n"
        "  - name: availability\n    objective: 99.5\n    indicator:\n      type: ratio\n"
        f"      errors: '{ERRORS_BY_CODE.replace('rate(', 'sum(rate(').replace(']', '])')}'\n"
        "      total: 'sum(rate(http_requests_total[{{window}}]))'\n"
        "---\n\n# API\n"
    )
    (workspace_dir / "opsdocs.toml").write_text(
        f'owners = ["team-sre"]\n[report]\nsource = "prometheus"\nprometheus_url = "{prometheus.url}"\n'
    )
    result = cli(
        "slo", "report", "--at", T.isoformat(), "--format", "json", "--chart", "charts",
        cwd=workspace_dir,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["reports"][0]
    d = prometheus.data
    bad, ok = delta(d, ERR, 86400), delta(d, OK, 86400)
    assert data["source"] == "prometheus"
    assert data["burn_rates"]["1d"] == pytest.approx(bad / (bad + ok) / 0.005, rel=1e-12)
    svg = (workspace_dir / "charts/api-availability.svg").read_text()
    assert svg.count('class="threshold"') == 4 and 'class="remaining"' in svg


@pytest.mark.parametrize("name", ["availability", "latency", "probe"])
def test_newest_sample_and_stale_data(client: PrometheusClient, name: str) -> None:
    import datetime as dt

    slo = slo_spec(name)
    last_sample = T - dt.timedelta(seconds=30)
    now = measure_prometheus(slo, client, at=T, windows=needed_windows(slo))
    assert now.newest == last_sample
    assert build_report("api", slo, now, stale_after=900).status != "stale"
    later = T + dt.timedelta(minutes=47)
    m = measure_prometheus(slo, client, at=later, windows=needed_windows(slo))
    assert m.newest == last_sample
    report = build_report("api", slo, m, stale_after=900)
    assert report.status == "stale"
    assert report.exhaustion is None
    assert report.data_age == 47 * 60 + 30


def test_cli_says_stale(
    prometheus: PrometheusServer, cli: Callable[..., Result], workspace_dir: Path
) -> None:
    doc = workspace_dir / "docs/internal/operations/slo-api.md"
    doc.write_text(
        "---\nkind: slo\ntitle: API\nowner: team-api\nservice: api\nslos:\n"
        "  - name: availability\n    objective: 99.5\n    indicator:\n      type: ratio\n"
        "      errors: 'sum(rate(http_requests_total{code=\"500\"}[{{window}}]))'\n"
        "      total: 'sum(rate(http_requests_total[{{window}}]))'\n"
        "---\n\n# API\n"
    )
    (workspace_dir / "opsdocs.toml").write_text(
        f'owners = ["team-sre"]\n[report]\nsource = "prometheus"\nprometheus_url = "{prometheus.url}"\n'
    )
    result = cli("slo", "report", "--at", "2026-11-20T12:47:30Z", cwd=workspace_dir)
    assert result.exit_code == 1, result.stderr  # stale data is a finding
    lines = result.stdout.splitlines()
    assert lines[0] == "api/availability: STALE  (prometheus, at 2026-11-20T12:47:30Z)"
    assert "  note: newest data 2026-11-20T12:00:00Z (47m 30s before --at)" in lines
    assert (
        "  note: stale: the newest data is 47m 30s old, more than 15m (report.stale_after):"
        " no verdict"
    ) in lines
    assert "projected exhaustion: —" in result.stdout

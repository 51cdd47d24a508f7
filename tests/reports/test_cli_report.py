"""``opsdocs slo report`` end to end over a workspace with JSON Lines logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.blocks import REPORT_END, REPORT_START
from opsdocs.documents.parse import read_document
from tests.conftest import Result, snapshot
from tests.reports.logdata import expected, generate, write_jsonl

REQUESTS = generate(2000, bad_share=0.004)
AT_TEXT = "2026-11-20T12:00:00Z"
#: The exit code of a report over REQUESTS at AT_TEXT: the logs spend both SLOs' budgets.
FINDINGS = 1

SLO_DOC = """\
---
kind: slo
title: "API SLOs"
owner: team-api
service: api
last_reviewed: "2026-11-01"
review_every: 90d
slos:
  - name: availability
    objective: 99.5
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{{code=~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
    logs:
      files: logs/*.jsonl
      timestamp: time
      status: http.status
      exclude:
        http.path: ["/healthz"]
  - name: latency
    objective: 90
    indicator:
      type: latency
      metric: http_request_duration_seconds_bucket
      threshold: 0.2
    logs:
      files: logs/*.jsonl
      timestamp: time
      latency: duration_ms
      latency_unit: ms
{extra}---

# API SLOs

## Service

The API.

## Measurement

How we measure it: request logs.

## Alerting

Burn-rate alerts.
"""


@pytest.fixture
def report(cli: Callable[..., Result]) -> Callable[..., Result]:
    """Run ``opsdocs slo report ARGS``."""

    def invoke(*args: str, cwd: Path) -> Result:
        return cli("slo", "report", *args, cwd=cwd)

    return invoke


@pytest.fixture
def workspace(workspace_dir: Path) -> Path:
    doc = workspace_dir / "docs/internal/operations/slo-api.md"
    doc.write_text(SLO_DOC.format(extra=""))
    (workspace_dir / "logs").mkdir()
    write_jsonl(workspace_dir / "logs/a.jsonl", REQUESTS, malformed=["{oops"])
    return workspace_dir


def test_json_report(report: Callable[..., Result], workspace: Path) -> None:
    result = report("--at", AT_TEXT, "--format", "json", cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    assert result.stderr == ""  # no progress bar when standard error is not a terminal
    data = json.loads(result.stdout)
    by_name = {r["slo"]: r for r in data["reports"]}
    avail = by_name["availability"]
    good, total = expected(REQUESTS, 30 * 86400)
    assert avail["at"] == AT_TEXT
    assert avail["source"] == "logs"
    assert avail["sli"] == pytest.approx(good / total)
    assert avail["error_budget"]["consumed"] == pytest.approx((total - good) / total / 0.005)
    assert avail["malformed"] == 1
    g1, t1 = expected(REQUESTS, 3600)
    assert avail["burn_rates"]["1h"] == pytest.approx((t1 - g1) / t1 / 0.005)
    windows = {w["window"]: w for w in avail["windows"]}
    assert (windows["1d"]["good"], windows["1d"]["total"]) == expected(REQUESTS, 86400)
    lat = by_name["latency"]
    lg, lt = expected(
        REQUESTS, 30 * 86400, counted=lambda r: True, good=lambda r: r.latency_ms <= 200
    )
    assert lat["sli"] == pytest.approx(lg / lt)


def test_select_one_slo_and_table(report: Callable[..., Result], workspace: Path) -> None:
    result = report("api/latency", "--at", AT_TEXT, cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    assert result.stdout.startswith("api/latency: ")
    assert "availability" not in result.stdout
    assert "projected exhaustion:" in result.stdout
    assert "page 5m&1h > 14.4×" in result.stdout


def test_a_healthy_report_exits_0(report: Callable[..., Result], workspace: Path) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    doc.write_text(SLO_DOC.format(extra="").replace("objective: 99.5", "objective: 90"))
    result = report("api/availability", "--at", AT_TEXT, "--format", "json", cwd=workspace)
    assert result.exit_code == 0, result.stderr
    assert [r["status"] for r in json.loads(result.stdout)["reports"]] == ["healthy"]


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (AT_TEXT, "exhausted"),  # the generated logs spend both budgets
        ("2020-01-01T00:00:00Z", "no-data"),  # long before the first request
    ],
)
def test_findings_exit_1_with_the_report_shown(
    report: Callable[..., Result], workspace: Path, at: str, status: str
) -> None:
    result = report("--at", at, "--format", "json", cwd=workspace)
    assert result.exit_code == 1, result.stderr
    assert [r["status"] for r in json.loads(result.stdout)["reports"]] == [status, status]


def test_unknown_slo(report: Callable[..., Result], workspace: Path) -> None:
    result = report("nope", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no SLO matches 'nope' (name one of: api/availability, api/latency)\n"
    )


def test_bad_at(report: Callable[..., Result], workspace: Path) -> None:
    result = report("--at", "yesterday", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --at 'yesterday' is not a time "
        "(write it like 2026-11-26T14:02:00Z (no zone: UTC), 14:02, now-2h or Unix seconds)\n"
    )


def test_write_puts_block_in_measurement_section(
    report: Callable[..., Result], workspace: Path
) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    before = doc.read_text()
    result = report("--at", AT_TEXT, "--write", "--format", "markdown", cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    text = doc.read_text()
    assert text.count(REPORT_START) == 1 and text.count(REPORT_END) == 1
    parsed = read_document(doc)
    section = parsed.section("Measurement")
    assert section is not None
    body = parsed.section_text(section)
    assert "How we measure it: request logs." in body
    assert REPORT_START in body and REPORT_END in body
    assert "| availability (30d) |" in body
    # everything outside the markers is as it was
    head, _, rest = text.partition(REPORT_START)
    _, _, tail = rest.partition(REPORT_END)
    assert head + tail == before.replace(
        "How we measure it: request logs.\n", "How we measure it: request logs.\n\n\n"
    )
    # the block is the markdown output
    assert result.stdout in text
    # a second run at another time replaces the block, never adds one
    again = report("--at", "2026-11-20T13:00:00Z", "--write", cwd=workspace)
    assert again.exit_code == FINDINGS
    text2 = doc.read_text()
    assert text2.count(REPORT_START) == 1
    assert "2026-11-20T13:00:00Z" in text2 and AT_TEXT not in text2


def test_failed_report_leaves_files(report: Callable[..., Result], workspace: Path) -> None:
    (workspace / "logs/a.jsonl").unlink()
    before = snapshot(workspace)
    result = report("--at", AT_TEXT, "--write", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: docs/internal/operations/slo-api.md: slos[0].logs.files: no file matches"
        " 'logs/*.jsonl' (check the path; it is relative to the workspace root)\n"
    )
    assert snapshot(workspace) == before


def test_chart_svg(report: Callable[..., Result], workspace: Path) -> None:
    result = report("availability", "--at", AT_TEXT, "--chart", "charts", cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    svg = (workspace / "charts/api-availability.svg").read_text()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg.count('class="threshold"') == 4
    assert "page 5m/1h: 14.4×" in svg


def test_invalid_slo_document(report: Callable[..., Result], workspace: Path) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    doc.write_text(SLO_DOC.format(extra="").replace("objective: 99.5", "objective: 100.5"))
    result = report(cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: docs/internal/operations/slo-api.md:10:5: slos[0].objective: must be a"
        " percentage above 0 and below 100 (got 100.5)\n"
    )


def test_prometheus_needs_url(report: Callable[..., Result], workspace: Path) -> None:
    result = report("--source", "prometheus", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --source prometheus needs the address of the Prometheus API (pass"
        " --prometheus-url or set report.prometheus_url in the configuration)\n"
    )


def test_prometheus_unreachable(report: Callable[..., Result], workspace: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (workspace / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[report]\nretries = 0\ntimeout = 2\n'
    )
    url = f"http://127.0.0.1:{port}"
    result = report("--source", "prometheus", "--prometheus-url", url, cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot reach Prometheus at {url}: ")


def test_token_env_must_be_set(
    report: Callable[..., Result], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSDOCS_TEST_TOKEN", raising=False)
    (workspace / "opsdocs.toml").write_text(
        'owners = ["team-sre"]\n[report]\nprometheus_url = "http://127.0.0.1:9"\n'
        'token_env = "OPSDOCS_TEST_TOKEN"\n'
    )
    result = report("--source", "prometheus", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: report.token_env names OPSDOCS_TEST_TOKEN, which is not set"
        " (export OPSDOCS_TEST_TOKEN=<token>, or remove report.token_env)\n"
    )


def test_bad_report_config(report: Callable[..., Result], workspace: Path) -> None:
    (workspace / "opsdocs.toml").write_text('owners = ["team-sre"]\n[report]\nsorce = "logs"\n')
    result = report(cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "opsdocs.toml:3:1: report.sorce: Extra inputs are not permitted" in result.stderr


def test_markdown_format(report: Callable[..., Result], workspace: Path) -> None:
    result = report("availability", "--at", AT_TEXT, "--format", "markdown", cwd=workspace)
    assert result.exit_code == FINDINGS
    lines = result.stdout.splitlines()
    assert f"_Measured by `opsdocs slo report` from logs at {AT_TEXT}._" in lines
    header = next(line for line in lines if line.startswith("| SLO |"))
    assert header.count("|") == 12  # 11 columns: 5 fixed, 5 burn rates, exhaustion
    good, total = expected(REQUESTS, 86400)
    assert f"1d {good:,}/{total:,}" in result.stdout


def test_slos_without_logs_are_left_out_with_a_warning(
    report: Callable[..., Result], workspace: Path
) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    extra = "  - name: probe\n    objective: 99\n    indicator:\n      type: probe\n"
    doc.write_text(SLO_DOC.format(extra=extra))
    result = report("--at", AT_TEXT, "--format", "json", cwd=workspace)
    assert result.exit_code == FINDINGS
    assert [r["slo"] for r in json.loads(result.stdout)["reports"]] == ["availability", "latency"]
    assert result.stderr == (
        "warning: api/probe: no logs mapping, left out (add slos[].logs to its document, or use"
        " --source prometheus)\n"
    )
    named = report("api/probe", cwd=workspace)
    assert named.exit_code == 2
    assert "SLO 'probe' has no 'logs' mapping" in named.stderr


def test_write_with_one_slo_keeps_the_others_in_the_block(
    report: Callable[..., Result], workspace: Path
) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    result = report("api/latency", "--at", AT_TEXT, "--write", cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    text = doc.read_text()
    assert "| availability (30d) |" in text and "| latency (30d) |" in text


@pytest.mark.parametrize(
    ("at", "what"),
    [
        ("inf", "is not a time"),
        ("1e20", "is out of range"),
        ("-1e20", "is out of range"),
        ("0001-01-01T00:00:00+01:00", "is out of range"),
        ("now-99999999w", "is out of range"),
    ],
)
def test_instants_out_of_range_are_one_line(
    report: Callable[..., Result], workspace: Path, at: str, what: str
) -> None:
    result = report("--at", at, cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --at {at!r} {what} (")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("period", ["9999999d", "106752d", "9999999999999999999999w"])
def test_periods_longer_than_prometheus_accepts_are_refused(
    report: Callable[..., Result], workspace: Path, period: str
) -> None:
    doc = workspace / "docs/internal/operations/slo-api.md"
    doc.write_text(
        SLO_DOC.format(extra="").replace(
            "    objective: 99.5\n", f"    objective: 99.5\n    period: {period}\n"
        )
    )
    result = report("--at", AT_TEXT, cwd=workspace)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "slos[0].period: must be" in result.stderr
    if len(period) < 10:
        assert "at most 106751d, the longest duration Prometheus accepts" in result.stderr


def test_chart_png_and_write_together(report: Callable[..., Result], workspace: Path) -> None:
    pytest.importorskip("resvg_py")
    result = report("--at", AT_TEXT, "--chart", "charts", "--png", "--write", cwd=workspace)
    assert result.exit_code == FINDINGS, result.stderr
    assert result.stderr.splitlines() == [
        "wrote charts/api-availability.svg",
        "wrote charts/api-availability.png",
        "wrote charts/api-latency.svg",
        "wrote charts/api-latency.png",
        "updated docs/internal/operations/slo-api.md",
    ]
    assert (workspace / "charts/api-latency.png").read_bytes()[:4] == b"\x89PNG"


def test_a_failed_png_writes_nothing(
    report: Callable[..., Result], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "resvg_py", None)
    before = snapshot(workspace)
    result = report("--at", AT_TEXT, "--chart", "charts", "--png", "--write", cwd=workspace)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: PNG charts need resvg-py, which is not installed"
        " (pip install 'opsdocs[charts]', or leave out --png to get SVG)\n"
    )
    assert snapshot(workspace) == before  # neither the SVG charts nor the document


def test_a_full_disk_while_writing_shows_the_report_and_exits_2(
    report: Callable[..., Result], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    before = snapshot(workspace)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = report("--at", AT_TEXT, "--write", "--format", "markdown", cwd=workspace)
    monkeypatch.undo()
    # exit 2 as every writing command on a full disk (1 would say an SLO is unhealthy)
    assert result.exit_code == 2, result.stderr
    assert "| availability (30d) |" in result.stdout  # the measured numbers are shown
    assert result.stderr.endswith(
        "error: docs/internal/operations/slo-api.md: no space left on device "
        "(free some space and run the command again)\n"
    ), result.stderr
    assert snapshot(workspace) == before  # nothing half written

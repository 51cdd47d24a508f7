"""A real Prometheus over a TSDB built with promtool from generated OpenMetrics data.

The TSDB is built once per test session (shared by the xdist workers under a file lock, since
promtool takes about twenty seconds for a month of two-hour blocks); each worker starts its own
Prometheus on a free loopback port over a copy of it, loads the recording and alerting rules the
slo package generates for :data:`SLOS`, and stops it at the end of the session.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from opsdocs.slo.spec import SloSpec
from tests.conftest import require_tool
from tests.reports.promdata import Series, generate, openmetrics

ERRORS = 'sum(rate(http_requests_total{code="500"}[{{window}}]))'
TOTAL = "sum(rate(http_requests_total[{{window}}]))"
GOOD = 'sum(rate(http_requests_total{code="200"}[{{window}}]))'

#: The SLOs the Prometheus tests measure (service "api").
SLOS: dict[str, dict[str, Any]] = {
    "availability": {
        "objective": 99.5,
        "indicator": {"type": "ratio", "errors": ERRORS, "total": TOTAL},
    },
    "availability-good": {
        "objective": 99.9,
        "indicator": {"type": "ratio", "good": GOOD, "total": TOTAL},
    },
    "availability-week": {
        "objective": 99,
        "period": "7d",
        "indicator": {"type": "ratio", "errors": ERRORS, "total": TOTAL},
    },
    "latency": {
        "objective": 90,
        "indicator": {
            "type": "latency",
            "metric": "http_request_duration_seconds_bucket",
            "threshold": 0.2,
        },
    },
    "probe": {
        "objective": 99,
        "indicator": {"type": "probe", "selector": 'instance="api"'},
    },
}


def slo_spec(name: str) -> SloSpec:
    return SloSpec.model_validate({"name": name, **SLOS[name]})


@dataclass
class PrometheusServer:
    url: str
    data: Series
    rules: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _build_tsdb(shared: Path, promtool: str) -> Path:
    """The TSDB blocks, built once for all workers."""
    shared.mkdir(parents=True, exist_ok=True)
    target = shared / "tsdb"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if not (shared / "done").exists():
            shutil.rmtree(target, ignore_errors=True)
            source = shared / "data.om"
            with source.open("w") as fh:
                fh.writelines(openmetrics(generate()))
            subprocess.run(
                [
                    promtool,
                    "tsdb",
                    "create-blocks-from",
                    "openmetrics",
                    "-q",
                    str(source),
                    str(target),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            (shared / "done").write_text("ok\n")
    return target


def _rules(path: Path) -> Path:
    from opsdocs.slo.prometheus import compile_slo, render_rule_file

    groups = []
    for name in SLOS:
        groups.extend(compile_slo("api", slo_spec(name)))
    path.write_text(render_rule_file(groups))
    return path


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """A running Prometheus over the generated month of data (see :mod:`promdata`)."""
    server = require_tool("prometheus")
    promtool = require_tool("promtool")
    base = tmp_path_factory.getbasetemp()
    # xdist workers get popen-gw<N> folders under the session's: share the TSDB there
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reports-tsdb"
    blocks = _build_tsdb(shared, promtool)
    home = tmp_path_factory.mktemp("prometheus")
    storage = home / "data"
    shutil.copytree(blocks, storage)
    rules = _rules(home / "slo-rules.yml")
    subprocess.run([promtool, "check", "rules", str(rules)], check=True, capture_output=True)
    config = home / "prometheus.yml"
    config.write_text(f"global:\n  evaluation_interval: 1m\nrule_files:\n  - {rules}\n")
    port = _free_port()
    log = (home / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            server,
            f"--config.file={config}",
            f"--storage.tsdb.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.flush()
                raise RuntimeError(
                    "prometheus exited: " + (home / "prometheus.log").read_text()[-2000:]
                )
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus did not become ready in 120 s")
            time.sleep(0.2)
        yield PrometheusServer(url=url, data=generate(), rules=rules)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

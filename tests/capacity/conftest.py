"""A real Prometheus serving generated usage series through backfilled blocks.

promtool turns the OpenMetrics text of :data:`SERIES` into TSDB blocks, and Prometheus is started
on a free loopback port over them (one per test session and worker), as the SLO report tests do.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.capacity.series import END, Shape, days_before, openmetrics
from tests.conftest import require_tool

#: A disk growing 2 GiB a day with daily and weekly swings, a flat one, and a disk that only
#: started reporting 20 hours before the end.
GROWING = Shape(start=days_before(60), base=400, slope=2.0, daily=10, weekly=15, noise=2)
FLAT = Shape(start=days_before(60), base=300, slope=0.0, daily=5, weekly=5, noise=2)
SHORT = Shape(start=days_before(20 / 24), base=100, slope=5.0)
STEP = 900


def _series() -> dict[str, list[tuple[float, float]]]:
    return {
        'disk_used_gib{instance="db-1"}': GROWING.samples(step=STEP, seed=7),
        'disk_used_gib{instance="db-2"}': FLAT.samples(step=STEP, seed=8),
        'disk_used_gib{instance="db-3"}': SHORT.samples(step=STEP, seed=9),
        'disk_size_gib{instance="db-1"}': [(t, 1000.0) for t, _ in GROWING.samples(step=STEP)],
        'disk_size_gib{instance="db-2"}': [(t, 0.0) for t, _ in FLAT.samples(step=STEP)],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def capacity_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a running Prometheus over :func:`_series` (data up to :data:`END`)."""
    server = require_tool("prometheus")
    promtool = require_tool("promtool")
    home = tmp_path_factory.mktemp("capacity-prometheus")
    source = home / "data.om"
    source.write_text(openmetrics(_series()))
    storage = home / "data"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(source), str(storage)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    config = home / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
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
                raise RuntimeError("prometheus exited: " + Path(log.name).read_text()[-2000:])
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus did not become ready in 120 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


__all__ = ["END", "FLAT", "GROWING", "SHORT", "capacity_prometheus"]

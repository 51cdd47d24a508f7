"""The Prometheus HTTP client against small local servers: retries, backoff, token, timeouts."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from opsdocs.errors import InputError
from opsdocs.reports.sources.prometheus import PrometheusClient
from tests.reports.promdata import T


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 a given number of times, then a one-sample vector; records the headers."""

    failures = 0
    seen: list[dict[str, str]] = []  # noqa: RUF012 - shared on purpose, reset by the test

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers))
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"overloaded")
            return
        body = {
            "status": "success",
            "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, "0.25"]}]},
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Flaky.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_retries_with_backoff_and_token(flaky: str) -> None:
    _Flaky.failures = 2
    sleeps: list[float] = []
    with PrometheusClient(flaky, token="s3cret", retries=3, backoff=0.5, sleep=sleeps.append) as c:
        assert c.query("up", T) == [({}, 0.25)]
    assert sleeps == [0.5, 1.0]
    assert len(_Flaky.seen) == 3
    assert all(h.get("Authorization") == "Bearer s3cret" for h in _Flaky.seen)


def test_gives_up_after_retries(flaky: str) -> None:
    _Flaky.failures = 10
    sleeps: list[float] = []
    with (
        PrometheusClient(flaky, retries=2, sleep=sleeps.append) as c,
        pytest.raises(InputError, match="answered HTTP 503 without a JSON body"),
    ):
        c.query("up", T)
    assert sleeps == [0.5, 1.0]


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        threading.Event().wait(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_timeout_is_a_clear_error() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with (
            PrometheusClient(url, timeout=0.3, retries=1, sleep=lambda s: None) as c,
            pytest.raises(InputError, match=f"cannot reach Prometheus at {url}: "),
        ):
            c.query("up", T)
    finally:
        server.shutdown()
        server.server_close()

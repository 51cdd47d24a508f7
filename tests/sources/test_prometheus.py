"""The Prometheus HTTP client against a small local server that misbehaves on purpose."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator

import pytest

from opsdocs.errors import InputError
from opsdocs.sources.prometheus import PrometheusClient, Sample, Series, check_instant
from tests.sources.fakeserver import FakeServer, Reply, fake_server, success

T = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
VECTOR = {"resultType": "vector", "result": [{"metric": {}, "value": [0, "0.25"]}]}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    yield from fake_server()


def test_retries_with_backoff_and_token(server: FakeServer) -> None:
    failures = [2]

    def answer(path: str, params: dict[str, str]) -> Reply:
        if failures[0]:
            failures[0] -= 1
            return Reply(503, b"overloaded")
        return success(VECTOR)

    server.answer = answer
    sleeps: list[float] = []
    with PrometheusClient(server.url, token="s3cret", retries=3, sleep=sleeps.append) as c:
        assert c.query("up", T) == [Sample({}, 0.25)]
    assert sleeps == [0.5, 1.0]
    assert len(server.seen) == 3
    path, params = server.seen[0]
    assert (path, params["query"], params["time"]) == ("/api/v1/query", "up", "1795176000.000")
    assert all(h.get("Authorization") == "Bearer s3cret" for h in server.headers)


def test_gives_up_after_retries(server: FakeServer) -> None:
    server.answer = lambda path, params: Reply(503, b"overloaded")
    sleeps: list[float] = []
    with (
        PrometheusClient(server.url, retries=2, sleep=sleeps.append) as c,
        pytest.raises(InputError, match="answered HTTP 503 without a JSON body"),
    ):
        c.query("up", T)
    assert sleeps == [0.5, 1.0]


def test_unreachable_is_a_clear_error() -> None:
    with FakeServer() as server:
        url = server.url
    with (
        PrometheusClient(url, retries=1, sleep=lambda s: None) as c,
        pytest.raises(InputError, match=f"cannot reach Prometheus at {url}: "),
    ):
        c.query("up", T)


def test_a_silent_server_meets_the_deadline(server: FakeServer) -> None:
    release = threading.Event()

    def answer(path: str, params: dict[str, str]) -> Reply:
        release.wait(10)
        return success(VECTOR)

    server.answer = answer
    try:
        with (
            PrometheusClient(server.url, timeout=0.5, retries=1, sleep=lambda s: None) as c,
            pytest.raises(InputError) as caught,
        ):
            c.query("up", T)
    finally:
        release.set()
    assert str(caught.value) == (
        f"Prometheus at {server.url} did not answer 'up' within 0.5 s"
        " (raise report.timeout, or check the server)"
    )


def test_a_trickling_body_meets_the_total_deadline(server: FakeServer) -> None:
    # One byte every 0.1 s renews a per-read time-out forever; the deadline is for the whole.
    body = json.dumps({"status": "success", "data": VECTOR}).encode()
    server.answer = lambda path, params: Reply(body=[bytes([b]) for b in body], pause=0.1)
    with (
        PrometheusClient(server.url, timeout=1.0, retries=0) as c,
        pytest.raises(InputError, match=r"did not answer 'up' within 1 s"),
    ):
        c.query("up", T)


def test_trickling_headers_meet_the_total_deadline(server: FakeServer) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 60
    server.answer = lambda path, params: Reply(raw_head=head, pause=0.1)
    with (
        PrometheusClient(server.url, timeout=1.0, retries=0) as c,
        pytest.raises(InputError, match=r"did not answer 'up' within 1 s"),
    ):
        c.query("up", T)


def _endless_vector() -> Iterator[bytes]:
    yield b'{"status":"success","data":{"resultType":"vector","result":['
    item = b'{"metric":{"a":"b"},"value":[1,"1"]},' * 1000
    for _ in range(300):  # up to about 40 MB, unless the client hangs up first
        yield item


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_huge_answer_is_refused(server: FakeServer, declared: bool) -> None:
    if declared:
        body = b" " * (3 * 2**20)
        server.answer = lambda path, params: Reply(body=body)
    else:
        server.answer = lambda path, params: Reply(body=_endless_vector())
    with (
        PrometheusClient(server.url, max_bytes=2**20, retries=0) as c,
        pytest.raises(InputError) as caught,
    ):
        c.query("up", T)
    assert str(caught.value) == (
        f"Prometheus at {server.url} answered more than 1 MiB for 'up'"
        " (narrow the query (aggregate it, or a longer range step))"
    )


MALFORMED = {
    "data-null": (None, "data is not an object"),
    "data-list": ([], "data is not an object"),
    "no-result-type": ({"result": []}, "unknown resultType None"),
    "string": (
        {"resultType": "string", "result": [1, "x"]},
        "a string where vector or scalar was expected",
    ),
    "matrix": (
        {"resultType": "matrix", "result": []},
        "a matrix where vector or scalar was expected",
    ),
    "result-string": ({"resultType": "vector", "result": "x"}, "data.result is not a list"),
    "result-null": ({"resultType": "vector", "result": None}, "data.result is not a list"),
    "item-number": ({"resultType": "vector", "result": [1]}, "data.result[0] is not an object"),
    "metric-string": (
        {"resultType": "vector", "result": [{"metric": "x", "value": [1, "1"]}]},
        "data.result[0].metric is not a set of labels",
    ),
    "value-short": (
        {"resultType": "vector", "result": [{"metric": {}, "value": [1]}]},
        "data.result[0].value is not [time, value]",
    ),
    "value-missing": (
        {"resultType": "vector", "result": [{"metric": {}}]},
        "data.result[0].value is not [time, value]",
    ),
    "value-word": (
        {"resultType": "vector", "result": [{"metric": {}, "value": [1, "abc"]}]},
        "data.result[0].value[1] is not a number",
    ),
    "value-bool": (
        {"resultType": "vector", "result": [{"metric": {}, "value": [1, True]}]},
        "data.result[0].value[1] is not a number",
    ),
    "time-nan": (
        {"resultType": "vector", "result": [{"metric": {}, "value": ["NaN", "1"]}]},
        "data.result[0].value[0] is not a time",
    ),
    "scalar-short": ({"resultType": "scalar", "result": [1]}, "data.result is not [time, value]"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_instant_answers_are_one_clear_error(server: FakeServer, name: str) -> None:
    data, what = MALFORMED[name]
    server.answer = lambda path, params: success(data)
    with PrometheusClient(server.url, retries=0) as c, pytest.raises(InputError) as caught:
        c.query("up", T)
    assert str(caught.value) == (
        f"Prometheus at {server.url} answered 'up' with a malformed result: {what}"
        " (check that the URL is a Prometheus-compatible query API)"
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        ({"resultType": "matrix", "result": [{"metric": {}, "values": "x"}]}, "values is not"),
        ({"resultType": "matrix", "result": [{"metric": {}, "values": [[1]]}]}, "values[0] is"),
        ({"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "x"]]}]}, "[0][1]"),
        ({"resultType": "vector", "result": []}, "a vector where matrix"),
    ],
)
def test_malformed_range_answers_are_one_clear_error(
    server: FakeServer, data: object, what: str
) -> None:
    server.answer = lambda path, params: success(data)
    with (
        PrometheusClient(server.url, retries=0) as c,
        pytest.raises(InputError, match="with a malformed result: .*" + what.replace("[", r"\[")),
    ):
        c.query_range("up", T - dt.timedelta(hours=1), T, 60)


def test_answers_not_json_or_refused(server: FakeServer) -> None:
    server.answer = lambda path, params: Reply(200, b"[" * 100_000)
    with PrometheusClient(server.url, retries=0) as c, pytest.raises(InputError) as caught:
        c.query("up", T)
    assert "answered HTTP 200 without a JSON body" in str(caught.value)
    body = json.dumps({"status": "error", "error": "parse error:\n bad"}).encode()
    server.answer = lambda path, params: Reply(400, body)
    with PrometheusClient(server.url, retries=0) as c, pytest.raises(InputError) as caught:
        c.query("up(", T)
    assert (
        str(caught.value) == "Prometheus rejected the query 'up(': parse error: bad (fix the query)"
    )


def test_non_finite_values_are_kept_and_marked(server: FakeServer) -> None:
    result = [
        {"metric": {"i": str(n)}, "value": [1, v]} for n, v in enumerate(["NaN", "+Inf", "2"])
    ]
    server.answer = lambda path, params: success({"resultType": "vector", "result": result})
    with PrometheusClient(server.url) as c:
        samples = c.query("up", T)
    assert [s.finite for s in samples] == [False, False, True]
    assert samples[1].value == float("inf")


def test_a_long_range_is_read_in_one_pass(server: FakeServer) -> None:
    points = [[1_700_000_000 + i, str(i % 7)] for i in range(400_000)]
    data = {"resultType": "matrix", "result": [{"metric": {"a": "b"}, "values": points}]}
    server.answer = lambda path, params: success(data)
    with PrometheusClient(server.url) as c:
        series = c.query_range("up", T - dt.timedelta(hours=1), T, 60)
    assert series[0].labels == {"a": "b"}
    assert len(series[0].times) == 400_000
    assert series[0].values[-1] == 399_999 % 7
    assert isinstance(series[0], Series)


def test_range_points_are_bounded_before_asking(server: FakeServer) -> None:
    with PrometheusClient(server.url) as c, pytest.raises(InputError) as caught:
        c.query_range("up", T - dt.timedelta(days=100), T, 60)
    assert "would have 144001 points per series" in str(caught.value)
    assert "Prometheus accepts at most 11000" in str(caught.value)
    assert server.seen == []


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1),
    ],
)
def test_instants_out_of_range_are_refused(at: dt.datetime) -> None:
    with pytest.raises(InputError, match=r"(out of range|no time zone)"):
        check_instant(at)

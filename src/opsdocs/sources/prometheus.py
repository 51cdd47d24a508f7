"""A client of the Prometheus HTTP query API (also Thanos Query, Grafana Mimir, VictoriaMetrics).

It knows PromQL only as text: a query goes in, typed samples (instant queries) or series (range
queries) come out. Every query names its evaluation time (``time=``, or ``start``/``end``), never
"now", so that all numbers of one report describe the same moment.

What a misbehaving server cannot do to the caller:

- hang it: each query has a *total* deadline (connect, headers, every byte of the body, retries
  and their backoff together), not a time-out per read that a server trickling one byte a second
  renews forever; Ctrl-C interrupts the wait at once;
- exhaust its memory: a body larger than ``max_bytes`` (after gzip) is refused while it arrives;
- crash it: every shape the API documents is checked as it is read, and anything else is one
  :class:`InputError` naming what was wrong, never a ``KeyError`` or ``TypeError``.

Non-finite values (``NaN``, ``+Inf``, ``-Inf``) are returned as they are, marked by
:attr:`Sample.finite`; what they mean is the caller's business (for an SLO: no data).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from opsdocs.errors import InputError

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_RANGE_POINTS",
    "MAX_RESPONSE_BYTES",
    "PrometheusClient",
    "Sample",
    "Series",
    "check_instant",
    "one_line",
]

#: Bodies larger than this (after decompression) are refused.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Prometheus refuses range queries of more points per series than this.
MAX_RANGE_POINTS = 11_000
#: Instants the client sends: Unix time 0 up to the last second of year 9999 (what Python's
#: datetime can hold; Prometheus itself accepts a wider range).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
T = TypeVar("T")


@dataclass(frozen=True)
class Sample:
    """One series of an instant query (a scalar has no labels)."""

    labels: Mapping[str, str]
    value: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.value)


@dataclass(frozen=True)
class Series:
    """One series of a range query: Unix times (seconds) and their values, in time order."""

    labels: Mapping[str, str]
    times: tuple[float, ...]
    values: tuple[float, ...]


class _Malformed(Exception):
    """The body does not have the shape the API documents (``args[0]`` says where)."""


class _TooLarge(Exception):
    pass


class _Cancelled(Exception):
    pass


def check_instant(at: dt.datetime, what: str = "time") -> dt.datetime:
    """``at`` in UTC; raises :class:`InputError` when it has no zone or is out of range."""
    if at.tzinfo is None:
        raise InputError(f"{what} {at.isoformat()} has no time zone", hint="give it in UTC")
    try:
        utc = at.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise InputError(
            f"{what} {at.isoformat()} is out of range",
            hint="give a time between 1970-01-01 and 9999-12-31 UTC",
        )
    return utc


def _timestamp(at: dt.datetime) -> str:
    return f"{check_instant(at).timestamp():.3f}"


def one_line(query: str) -> str:
    """The query with its whitespace folded, for messages."""
    text = " ".join(query.split())
    return text if len(text) <= 200 else text[:199] + "…"


class PrometheusClient:
    """A client of the HTTP query API with a bearer token, retries and a total deadline.

    ``timeout`` is the whole time one query may take, retries included; it is also sent to
    Prometheus as the query's own time-out. Network errors and HTTP 5xx are retried ``retries``
    times with exponential backoff (``backoff``, twice that, ...) while the deadline allows.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx

        headers = {"Accept": "application/json", "User-Agent": "opsdocs"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------

    def query(self, query: str, at: dt.datetime) -> list[Sample]:
        """An instant query evaluated at ``at``: one :class:`Sample` per series.

        Raises :class:`InputError` when the server cannot be reached within the deadline,
        rejects the query, answers something that is not an instant vector or scalar, or
        answers more than ``max_bytes``.
        """
        params = {"query": query, "time": _timestamp(at)}
        return self._read_result("/api/v1/query", params, query, _instant)

    def query_range(
        self, query: str, start: dt.datetime, end: dt.datetime, step: int
    ) -> list[Series]:
        """A range query from ``start`` to ``end`` every ``step`` seconds: one series each.

        Raises :class:`InputError` as :meth:`query` does, and before sending when the range
        would have more than :data:`MAX_RANGE_POINTS` points (Prometheus refuses those).
        """
        if step <= 0 or end < start:
            raise InputError(
                f"range query {one_line(query)!r}: empty range or step {step} s",
                hint="give a start before the end and a positive step",
            )
        points = int((end - start).total_seconds() // step) + 1
        if points > MAX_RANGE_POINTS:
            raise InputError(
                f"range query {one_line(query)!r} would have {points} points per series",
                hint=f"Prometheus accepts at most {MAX_RANGE_POINTS}: use a longer step",
            )
        params = {
            "query": query,
            "start": _timestamp(start),
            "end": _timestamp(end),
            "step": f"{step}s",
        }
        return self._read_result("/api/v1/query_range", params, query, _matrix)

    def api(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The ``data`` of another GET endpoint of the API (``/api/v1/rules``,
        ``/api/v1/label/__name__/values``), with the same deadline, size cap and errors."""
        return self._get(path, dict(params or {}), path)

    def _read_result(
        self, path: str, params: dict[str, str], query: str, read: Callable[[object], T]
    ) -> T:
        """The ``data`` of a query endpoint as ``read`` reads it, checked as it is read."""
        data = self._get(path, params, query)
        try:
            return read(data)
        except _Malformed as exc:
            raise InputError(
                f"Prometheus at {self.url} answered {one_line(query)!r} with a malformed result:"
                f" {exc}",
                hint="check that the URL is a Prometheus-compatible query API",
            ) from None

    # -- transport -------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str], query: str) -> Any:
        import httpx

        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._late(query)
            params = {**params, "timeout": f"{max(int(remaining * 1000), 1)}ms"}
            try:
                status, body = self._fetch(path, params, deadline)
            except httpx.TransportError as exc:
                if attempt < self.retries and self._pause(attempt, deadline):
                    attempt += 1
                    continue
                if time.monotonic() >= deadline:
                    raise self._late(query) from None
                raise InputError(
                    f"cannot reach Prometheus at {self.url}: {exc or type(exc).__name__}",
                    hint="check --prometheus-url (or report.prometheus_url) and that it is up",
                ) from None
            if status >= 500 and attempt < self.retries and self._pause(attempt, deadline):
                attempt += 1
                continue
            return self._decode(status, body, query)

    def _pause(self, attempt: int, deadline: float) -> bool:
        """Sleep before a retry; False when the backoff would pass the deadline."""
        wait = self.backoff * 2**attempt
        if time.monotonic() + wait >= deadline:
            return False
        self._sleep(wait)
        return True

    def _fetch(self, path: str, params: dict[str, str], deadline: float) -> tuple[int, bytes]:
        """One GET, read whole, within the deadline.

        httpx's time-outs apply to each read, so a server that sends a byte now and then never
        trips them; the request runs in a helper thread and this one waits for it until the
        deadline (an interruptible wait, so Ctrl-C is honoured at once).
        """
        outcome: dict[str, Any] = {}
        done = threading.Event()
        cancel = threading.Event()

        def work() -> None:
            try:
                outcome["value"] = self._read(path, params, deadline, cancel)
            except BaseException as exc:  # handed to the waiting thread
                outcome["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, name="opsdocs-prometheus", daemon=True)
        worker.start()
        try:
            finished = done.wait(max(deadline - time.monotonic(), 0.0))
        finally:
            # a worker still reading stops at its next chunk (so a finished one never saw it)
            cancel.set()
        if not finished:
            raise self._late(str(params.get("query", "")))
        error = outcome.get("error")
        if isinstance(error, _TooLarge):
            raise InputError(
                f"Prometheus at {self.url} answered more than {self.max_bytes // 2**20} MiB"
                f" for {one_line(params.get('query', ''))!r}",
                hint="narrow the query (aggregate it, or a longer range step)",
            )
        if error is not None:
            raise error
        value: tuple[int, bytes] = outcome["value"]
        return value

    def _read(
        self, path: str, params: dict[str, str], deadline: float, cancel: threading.Event
    ) -> tuple[int, bytes]:
        import httpx

        timeout = httpx.Timeout(max(deadline - time.monotonic(), 0.001))
        with self._http.stream("GET", path, params=params, timeout=timeout) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge
            body = bytearray()
            for chunk in response.iter_bytes():
                if cancel.is_set():
                    raise _Cancelled
                body += chunk
                if len(body) > self.max_bytes:
                    raise _TooLarge
            return response.status_code, bytes(body)

    def _decode(self, status: int, body: bytes, query: str) -> Any:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        if status in (401, 403):
            raise InputError(
                f"Prometheus at {self.url} refused the request (HTTP {status})",
                hint="set report.token_env to a variable holding a valid bearer token",
            )
        if not isinstance(data, dict):
            raise InputError(
                f"Prometheus at {self.url} answered HTTP {status} without a JSON body",
                hint="check that the URL is the Prometheus API root (no /api/v1 suffix)",
            )
        if data.get("status") != "success":
            detail = data.get("error")
            detail = one_line(detail) if isinstance(detail, str) and detail else f"HTTP {status}"
            raise InputError(
                f"Prometheus rejected the query {one_line(query)!r}: {detail}",
                hint="fix the query",
            )
        return data.get("data")

    def _late(self, query: str) -> InputError:
        return InputError(
            f"Prometheus at {self.url} did not answer {one_line(query)!r} within"
            f" {self.timeout:g} s",
            hint="raise report.timeout, or check the server",
        )


def _number(value: object, where: str) -> float:
    """A sample value as the API writes it: a string such as ``"0.25"``, ``"NaN"``, ``"+Inf"``."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _Malformed(f"{where} is not a number") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise _Malformed(f"{where} is not a number")


def _labels(item: Mapping[str, Any], where: str) -> dict[str, str]:
    metric = item.get("metric", {})
    if not isinstance(metric, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metric.items()
    ):
        raise _Malformed(f"{where}.metric is not a set of labels")
    return metric


def _pair(value: object, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Malformed(f"{where} is not [time, value]")
    stamp = _number(value[0], f"{where}[0]")
    if not math.isfinite(stamp):
        raise _Malformed(f"{where}[0] is not a time")
    return stamp, _number(value[1], f"{where}[1]")


def _envelope(data: object, kinds: tuple[str, ...]) -> tuple[str, object]:
    if not isinstance(data, dict):
        raise _Malformed("data is not an object")
    kind = data.get("resultType")
    if kind not in ("vector", "scalar", "matrix", "string"):
        raise _Malformed(f"unknown resultType {kind!r}")
    if kind not in kinds:
        raise _Malformed(f"a {kind} where {' or '.join(kinds)} was expected")
    return str(kind), data.get("result")


def _results(result: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each object of ``data.result`` with where it stands (``data.result[3]``), checked as it
    is reached."""
    if not isinstance(result, list):
        raise _Malformed("data.result is not a list")
    for index, item in enumerate(result):
        where = f"data.result[{index}]"
        if not isinstance(item, dict):
            raise _Malformed(f"{where} is not an object")
        yield where, item


def _instant(data: object) -> list[Sample]:
    kind, result = _envelope(data, ("vector", "scalar"))
    if kind == "scalar":
        return [Sample({}, _pair(result, "data.result")[1])]
    return [
        Sample(_labels(item, where), _pair(item.get("value"), f"{where}.value")[1])
        for where, item in _results(result)
    ]


def _matrix(data: object) -> list[Series]:
    _, result = _envelope(data, ("matrix",))
    out = []
    for where, item in _results(result):
        rows = item.get("values")
        if not isinstance(rows, list):
            raise _Malformed(f"{where}.values is not a list")
        times: list[float] = []
        values: list[float] = []
        for number, row in enumerate(rows):
            stamp, value = _pair(row, f"{where}.values[{number}]")
            times.append(stamp)
            values.append(value)
        out.append(Series(_labels(item, where), tuple(times), tuple(values)))
    return out

"""Generated request logs in every format, and the expected counts computed in plain Python."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

AT = dt.datetime(2026, 11, 20, 12, 0, 0, tzinfo=dt.UTC)
DAY = 86400


@dataclass(frozen=True)
class Request:
    ts: dt.datetime
    status: int
    latency_ms: int
    path: str
    method: str = "GET"


def generate(
    n: int, *, at: dt.datetime = AT, span: int = 32 * DAY, seed: int = 7, bad_share: float = 0.02
) -> list[Request]:
    """``n`` requests at whole seconds over ``span`` before ``at`` (and a little after), with a
    few on the exact window boundaries."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        offset = rng.randint(-3600, span)
        ts = at - dt.timedelta(seconds=offset)
        status = (
            rng.choice([500, 502, 503]) if rng.random() < bad_share else rng.choice([200, 204, 404])
        )
        latency = rng.choice([5, 50, 120, 200, 201, 450, 1500])
        path = "/healthz" if rng.random() < 0.1 else rng.choice(["/api/a", "/api/b", "/static/x"])
        out.append(Request(ts, status, latency, path, rng.choice(["GET", "POST"])))
    for seconds in (300, 3600, 6 * 3600, DAY, 3 * DAY, 30 * DAY, 0):
        # exactly on a boundary: in (at - window, at] only for the window that ends there
        out.append(Request(at - dt.timedelta(seconds=seconds), 500, 900, "/api/a"))
    return out


def expected(
    requests: Iterable[Request],
    window: int,
    *,
    at: dt.datetime = AT,
    counted: Callable[[Request], bool] = lambda r: r.path != "/healthz",
    good: Callable[[Request], bool] = lambda r: r.status < 500,
) -> tuple[int, int]:
    """(good, total) among counted requests with at - window < ts <= at."""
    start = at - dt.timedelta(seconds=window)
    total = good_n = 0
    for r in requests:
        if start < r.ts <= at and counted(r):
            total += 1
            good_n += good(r)
    return good_n, total


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _open(path: Path) -> object:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def write_csv(path: Path, requests: list[Request], *, malformed: Iterable[str] = ()) -> None:
    lines = ["time,status,duration_ms,path,method"]
    lines += [f"{_iso(r.ts)},{r.status},{r.latency_ms},{r.path},{r.method}" for r in requests]
    lines[2:2] = list(malformed)
    with _open(path) as fh:  # type: ignore[attr-defined]
        fh.write("\n".join(lines) + "\n")


def write_jsonl(path: Path, requests: list[Request], *, malformed: Iterable[str] = ()) -> None:
    lines = [
        json.dumps(
            {
                "time": _iso(r.ts),
                "http": {"status": r.status, "path": r.path},
                "duration_ms": r.latency_ms,
                "method": r.method,
            }
        )
        for r in requests
    ]
    lines[1:1] = list(malformed)
    with _open(path) as fh:  # type: ignore[attr-defined]
        fh.write("\n".join(lines) + "\n")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _clf_time(ts: dt.datetime) -> str:
    local = ts.astimezone(dt.timezone(dt.timedelta(hours=2)))  # any offset: it is in the line
    return (
        f"{local.day:02d}/{_MONTHS[local.month - 1]}/{local.year}:"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} +0200"
    )


def write_combined(path: Path, requests: list[Request], *, malformed: Iterable[str] = ()) -> None:
    lines = [
        f'10.0.0.{i % 250} - - [{_clf_time(r.ts)}] "{r.method} {r.path} HTTP/1.1" {r.status}'
        f' {100 + i % 900} "-" "Mozilla/5.0 (X11)" {r.latency_ms / 1000:.3f}'
        for i, r in enumerate(requests)
    ]
    lines[3:3] = list(malformed)
    with _open(path) as fh:  # type: ignore[attr-defined]
        fh.write("\n".join(lines) + "\n")


def write_parquet(path: Path, requests: list[Request]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "time": pa.array([r.ts for r in requests], type=pa.timestamp("us", tz="UTC")),
            "status": pa.array([r.status for r in requests], type=pa.int16()),
            "duration_ms": pa.array([float(r.latency_ms) for r in requests]),
            "path": [r.path for r in requests],
            "method": [r.method for r in requests],
        }
    )
    pq.write_table(table, path)

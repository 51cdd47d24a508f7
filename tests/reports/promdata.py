"""Generated Prometheus series (OpenMetrics) and expected values computed from them in Python.

Samples are taken every minute on the minute; the evaluation time is 30 s after the last sample,
so no sample lies on a window boundary and the result does not depend on whether a range is
closed on the left (Prometheus 2) or open (Prometheus 3). ``rate()`` then extrapolates both ends
by 30 s: an increase Δ seen between the first and last sample of a window W becomes
Δ × W / (W − 60 s), the same factor for every series, so error ratios are exactly Δbad / Δtotal.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

STEP = 60
#: The evaluation time: 30 s after the last sample.
T = dt.datetime(2026, 11, 20, 12, 0, 30, tzinfo=dt.UTC)
BUCKETS = ("0.1", "0.2", "0.5", "+Inf")


@dataclass
class Series:
    """Sample times (Unix seconds) and values of every generated series."""

    times: list[int] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)


def sample_times() -> list[int]:
    """Every minute over the last three days (and an hour); every 30 minutes before that, on a
    grid with a sample 30 s after the start of the 30-day window, so that window too has its
    first sample 30 s in."""
    last = int(T.timestamp()) - 30
    fine_start = last - 3 * 86400 - 3600
    anchor = int(T.timestamp()) - 30 * 86400 + 30
    coarse = list(range(anchor - 2 * COARSE, fine_start, COARSE))
    return coarse + list(range(fine_start, last + 1, STEP))


COARSE = 1800


def generate(seed: int = 11) -> Series:
    """An API with a steady trickle of errors, an incident in the last 40 minutes, and a probe."""
    rng = random.Random(seed)
    times = sample_times()
    last = times[-1]
    data = Series()
    ok, err = 1_000_000, 1_000
    hist = {b: 1_000_000 for b in BUCKETS}
    names = [
        'http_requests_total{code="200"}',
        'http_requests_total{code="500"}',
        *(f'http_request_duration_seconds_bucket{{le="{b}"}}' for b in BUCKETS),
        'probe_success{instance="api"}',
    ]
    data.values = {n: [] for n in names}
    previous = times[0] - STEP
    for t in times:
        minutes = (t - previous) // STEP
        previous = t
        minutes_left = (last - t) // STEP
        requests = (600 + rng.randint(0, 60)) * minutes
        share = 0.05 if minutes_left < 40 else (0.0015 if minutes_left % 97 else 0.02)
        bad = round(requests * share * rng.uniform(0.5, 1.5))
        ok += requests - bad
        err += bad
        # latency: a fixed mix, slower during the incident
        slow = 0.3 if minutes_left < 40 else 0.04
        fast = round(requests * rng.uniform(0.6, 0.7))
        medium = round((requests - fast) * (1 - slow * 2))
        upper = (requests - fast - medium) // 2
        hist["0.1"] += fast
        hist["0.2"] += fast + medium
        hist["0.5"] += fast + medium + upper
        hist["+Inf"] += requests
        data.times.append(t)
        data.values[names[0]].append(ok)
        data.values[names[1]].append(err)
        for b in BUCKETS:
            data.values[f'http_request_duration_seconds_bucket{{le="{b}"}}'].append(hist[b])
        probe = 0 if (minutes_left < 20 or rng.random() < 0.002) else 1
        data.values[names[-1]].append(probe)
    return data


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def openmetrics(data: Series) -> Iterator[str]:
    """The series as OpenMetrics text, one family after another, each series in time order."""
    families = {
        "http_requests": "counter",
        "http_request_duration_seconds": "histogram",
        "probe_success": "gauge",
    }
    for family, kind in families.items():
        yield f"# TYPE {family} {kind}\n"
        for name, values in data.values.items():
            if name.split("{")[0] not in (family, f"{family}_total", f"{family}_bucket"):
                continue
            for t, v in zip(data.times, values, strict=True):
                yield f"{name} {_num(v)} {t}\n"
        if kind == "histogram":
            inf = data.values['http_request_duration_seconds_bucket{le="+Inf"}']
            for t, v in zip(data.times, inf, strict=True):
                yield f"http_request_duration_seconds_count {_num(v)} {t}\n"
            for t, v in zip(data.times, inf, strict=True):
                yield f"http_request_duration_seconds_sum {_num(v * 0.1)} {t}\n"
    yield "# EOF\n"


def _inside(data: Series, window: int) -> list[int]:
    """Indexes of the samples in the window (T - window, T]."""
    start = T.timestamp() - window
    return [i for i, t in enumerate(data.times) if start < t <= T.timestamp()]


def delta(data: Series, name: str, window: int) -> float:
    """Increase between the first and last sample in the window."""
    idx = _inside(data, window)
    values = data.values[name]
    return values[idx[-1]] - values[idx[0]]


def extrapolated(data: Series, window: int) -> float:
    """The factor rate() applies to Δ in a window: W / (last sample − first sample)."""
    idx = _inside(data, window)
    return window / (data.times[idx[-1]] - data.times[idx[0]])


def probe(data: Series, window: int) -> tuple[int, int]:
    """(successful samples, samples) of the probe in the window."""
    values = data.values['probe_success{instance="api"}']
    idx = _inside(data, window)
    return int(sum(values[i] for i in idx)), len(idx)

"""Days with anomalous spend: a day far from the median of the days before it.

Each day of the month is compared with the ``BASELINE_DAYS`` days before it (the previous month's
days count, when the exports have them; days before the first line of the exports do not). Its
robust score is ``(spend - median) / (1.4826 × MAD)``, the median absolute deviation scaled to
be comparable with a standard deviation, and a day scores as anomalous past ``THRESHOLD`` (3.5,
the cut Iglewicz and Hoaglin propose). Median and MAD, unlike mean and standard deviation, are not
dragged by the spike being looked for, nor by an earlier one. Spend that is nearly the same every
day has a MAD near zero, which would make a cent's change anomalous: the scale is therefore at
least ``FLOOR`` (5 %) of the median, and at least a cent. A day needs ``MIN_BASELINE`` days
before it to be judged.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from opsdocs.records import json_method

__all__ = ["BASELINE_DAYS", "MIN_BASELINE", "THRESHOLD", "Anomaly", "find_anomalies", "score"]

BASELINE_DAYS = 14
MIN_BASELINE = 7
THRESHOLD = Decimal("3.5")
FLOOR = Decimal("0.05")
_MAD_TO_SIGMA = Decimal("1.4826")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Anomaly:
    """One owner's day whose spend is far from the days before it."""

    owner: str  # a budget's name, or "(untagged)"
    day: dt.date
    spend: Decimal
    median: Decimal
    score: Decimal  # robust z-score; positive: more than usual

    as_dict = json_method(
        "owner", ("day", dt.date.isoformat), ("spend", str), ("median", str), ("score", str)
    )


def score(value: Decimal, baseline: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The median of ``baseline`` and the robust score of ``value`` against it."""
    median = statistics.median(baseline)
    mad = statistics.median([abs(x - median) for x in baseline])
    scale = max(_MAD_TO_SIGMA * mad, FLOOR * abs(median), _CENT)
    return median, (value - median) / scale


def find_anomalies(
    series: Mapping[str, Mapping[dt.date, Decimal]],
    *,
    first: dt.date,
    start: dt.date,
    elapsed: int,
) -> list[Anomaly]:
    """The anomalous days among the ``elapsed`` days from ``start``, of every owner's daily
    spend (a day missing from a series spent nothing); ``first`` is the first day with data."""
    found: list[Anomaly] = []
    for owner, values in series.items():
        for offset in range(elapsed):
            day = start + dt.timedelta(days=offset)
            since = max(first, day - dt.timedelta(days=BASELINE_DAYS))
            baseline = [
                values.get(since + dt.timedelta(days=i), Decimal(0))
                for i in range((day - since).days)
            ]
            if len(baseline) < MIN_BASELINE:
                continue
            spend = values.get(day, Decimal(0))
            median, z = score(spend, baseline)
            if abs(z) > THRESHOLD:
                found.append(
                    Anomaly(
                        owner,
                        day,
                        spend.quantize(_CENT),
                        median.quantize(_CENT),
                        z.quantize(Decimal("0.1")),
                    )
                )
    found.sort(key=lambda a: (a.day, a.owner))
    return found

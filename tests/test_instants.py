"""Times typed by people: one reading for every command (no zone means UTC)."""

from __future__ import annotations

import datetime as dt

import pytest

from opsdocs.errors import UsageError
from opsdocs.instants import parse_instant, utc_now

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 20, 12, 0, 30, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T14:02Z", dt.datetime(2025, 3, 4, 14, 2, tzinfo=UTC)),
        ("2025-03-04T16:02:09.5+02:00", dt.datetime(2025, 3, 4, 14, 2, 9, tzinfo=UTC)),
        # no zone: UTC, the same for incidents and reports
        ("2025-03-04T14:02", dt.datetime(2025, 3, 4, 14, 2, tzinfo=UTC)),
        ("2025-03-04 14:02", dt.datetime(2025, 3, 4, 14, 2, tzinfo=UTC)),
        ("now", dt.datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)),
        ("now-2h", dt.datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC)),
        ("1795176000", dt.datetime(2026, 11, 20, 12, tzinfo=UTC)),
        # a time of day: today's, or yesterday's when today's is ahead
        ("11:45", dt.datetime(2026, 11, 20, 11, 45, tzinfo=UTC)),
        ("23:10:05", dt.datetime(2026, 11, 19, 23, 10, 5, tzinfo=UTC)),
    ],
)
def test_forms(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "--at 'yesterday' is not a time"),
        ("inf", "--at 'inf' is not a time"),
        ("nan", "--at 'nan' is not a time"),
        ("1e20", "--at '1e20' is out of range"),
        ("0001-01-01T00:00:00+01:00", "--at '0001-01-01T00:00:00+01:00' is out of range"),
        ("now-999999999w", "--at 'now-999999999w' is out of range"),
    ],
)
def test_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_instant(text, now=NOW)
    assert info.value.message == message


def test_now_is_utc_to_the_second() -> None:
    assert utc_now(NOW) == dt.datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)
    zoned = NOW.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert utc_now(zoned) == dt.datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)
    assert utc_now(zoned).tzinfo is UTC
    real = utc_now()
    assert real.microsecond == 0 and real.tzinfo is UTC

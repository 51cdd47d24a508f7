"""The one duration parser and formatter."""

from __future__ import annotations

import datetime as dt

import pytest

from opsdocs.durations import (
    duration_seconds,
    duration_timedelta,
    format_duration,
    format_span,
    period_seconds,
    review_interval,
)

DAY = 86400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (300, "5m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (DAY, "1d"),
        (3 * DAY, "3d"),
        (30 * DAY, "30d"),
        (28 * DAY, "4w"),
        (7 * DAY, "1w"),
        (365 * DAY, "1y"),
        (0, "0s"),
    ],
)
def test_format_duration_spells_like_prometheus(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    if seconds:
        assert duration_seconds(text) == seconds
        assert duration_timedelta(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["", "5", "m5", "5x", "0m", "-5m", "5 m"])
def test_duration_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="must be a duration"):
        duration_seconds(bad)


def test_duration_rejects_a_non_string() -> None:
    with pytest.raises(ValueError, match="must be a duration such as"):
        duration_seconds(5)  # type: ignore[arg-type]


def test_period() -> None:
    assert period_seconds("30d") == 30 * DAY
    assert period_seconds(" 4w ") == 28 * DAY
    for bad in ("30h", "0d", "d", "1.5d", "1w2d"):
        with pytest.raises(ValueError, match="rolling period"):
            period_seconds(bad)


def test_review_interval() -> None:
    assert review_interval("12w") == dt.timedelta(weeks=12)
    with pytest.raises(
        ValueError, match="must be a number of days or weeks such as '90d' or '12w'"
    ):
        review_interval("3m")
    assert review_interval("36500d").days == 36_500
    with pytest.raises(ValueError, match="at most 36500d, a hundred years"):
        review_interval("99999999999w")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2592, "43m 12s"), (86.4, "1m 26s"), (8.64, "8.6s"), (180000, "2d 2h"), (90061, "1d 1h 1m"),
     (5.0, "5s"), (0, "0s")],
)  # fmt: skip
def test_format_span(seconds: float, text: str) -> None:
    assert format_span(seconds) == text


def test_period_is_bounded_by_what_prometheus_accepts() -> None:
    assert period_seconds("106751d") == 106_751 * DAY
    with pytest.raises(ValueError, match="at most 106751d"):
        period_seconds("106752d")
    with pytest.raises(ValueError, match="at most 106751d"):
        period_seconds("9999999999999999999999w")


def test_checked_keeps_the_text_and_raises_the_parsers_message() -> None:
    from opsdocs.durations import checked, duration_seconds

    check = checked(duration_seconds)
    assert check("1h30m") == "1h30m"  # as written, not as seconds
    with pytest.raises(ValueError, match="must be a duration such as '5m', '1h' or '3d'"):
        check("90 minutes")

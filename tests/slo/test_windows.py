from __future__ import annotations

from fractions import Fraction

import pytest

from opsdocs.slo.windows import (
    DEFAULT_WINDOWS,
    format_duration,
    format_float,
    parse_duration,
    parse_period,
)

DAY = 86400


def workbook_factor(share_percent: int, period_days: int, long_hours: int) -> Fraction:
    return Fraction(share_percent, 100) * period_days * 24 / long_hours


@pytest.mark.parametrize("days", [30, 28, 7, 90])
def test_factors_are_budget_share_times_period_over_long_window(days: int) -> None:
    shares = {(3600, 2), (6 * 3600, 5), (DAY, 10), (3 * DAY, 10)}
    assert {(p.long, p.budget_percent) for p in DEFAULT_WINDOWS} == shares
    for pair in DEFAULT_WINDOWS:
        expected = workbook_factor(int(pair.budget_percent), days, pair.long // 3600)
        assert pair.factor(days * DAY) == float(expected)


def test_the_familiar_numbers() -> None:
    assert [p.factor(30 * DAY) for p in DEFAULT_WINDOWS] == [14.4, 6, 3, 1]
    assert [p.factor(28 * DAY) for p in DEFAULT_WINDOWS] == [13.44, 5.6, 2.8, 28 / 30]


def test_sloth_factor_is_float64_arithmetic() -> None:
    slow_page = DEFAULT_WINDOWS[1]
    assert slow_page.sloth_factor(28 * DAY) == 5 * (28 * 24) / 100 / 6
    assert slow_page.sloth_factor(28 * DAY) != 5.6  # why native mode uses exact fractions


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
        assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "5", "m5", "5x", "0m", "-5m", "5 m"])
def test_parse_duration_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_parse_period() -> None:
    assert parse_period("30d") == 30 * DAY
    assert parse_period("4w") == 28 * DAY
    for bad in ("30h", "0d", "d", "1.5d"):
        with pytest.raises(ValueError, match="rolling period"):
            parse_period(bad)


def test_format_float() -> None:
    assert format_float(14.4) == "14.4"
    assert format_float(6.0) == "6"
    assert format_float((100 - 99.9) / 100) == "0.0009999999999999432"
    assert format_float(1e-05) == "1e-05"
    assert float(format_float(28 / 30)) == 28 / 30
    with pytest.raises(ValueError):
        format_float(float("nan"))

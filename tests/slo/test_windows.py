from __future__ import annotations

from fractions import Fraction

import pytest

from opsdocs.slo.windows import DEFAULT_WINDOWS, format_float

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


def test_format_float() -> None:
    assert format_float(14.4) == "14.4"
    assert format_float(6.0) == "6"
    assert format_float((100 - 99.9) / 100) == "0.0009999999999999432"
    assert format_float(1e-05) == "1e-05"
    assert float(format_float(28 / 30)) == 28 / 30
    with pytest.raises(ValueError):
        format_float(float("nan"))

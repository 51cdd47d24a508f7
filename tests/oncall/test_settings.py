from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opsdocs.errors import InputError
from opsdocs.oncall.settings import read_holidays


def test_a_holiday_file_reads_one_date_a_line_with_comments_and_dashes(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("# public holidays\n2026-04-06\n\n- 2026-12-25  # Christmas\n")
    assert read_holidays(path) == [dt.date(2026, 4, 6), dt.date(2026, 12, 25)]


def test_a_line_that_is_not_a_date_is_an_error_at_that_line(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("2026-04-06\nEaster\n")
    with pytest.raises(InputError) as caught:
        read_holidays(path)
    assert caught.value.format() == f"{path}:2:1: not a date: 'Easter' (one YYYY-MM-DD a line)"

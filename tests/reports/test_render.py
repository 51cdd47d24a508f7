"""Reports as text: number formatting."""

from __future__ import annotations

from opsdocs.reports.render import format_percent


def test_percent() -> None:
    assert format_percent(0.99953) == "99.953 %"
    assert format_percent(0.5) == "50 %"
    assert format_percent(-0.3131, 1) == "-31.3 %"
    assert format_percent(None) == "—"

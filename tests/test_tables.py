"""Text tables: aligned columns and Markdown pipe tables, with every cell escaped."""

from __future__ import annotations

from opsdocs.tables import aligned, markdown_table


def test_aligned_pads_each_column_to_its_widest_cell() -> None:
    rows = [["name", "count", "note"], ["api", "7", ""], ["search", "1234", "slow"]]
    assert aligned(rows) == ["name    count  note", "api     7", "search  1234   slow"]
    assert aligned(rows, right_from=1) == [
        "name    count  note",
        "api         7",
        "search   1234  slow",
    ]
    assert aligned([]) == []


def test_aligned_right_aligns_the_columns_named() -> None:
    rows = [["name", "count", "note"], ["api", "7", "ok"], ["search", "1234", "slow"]]
    assert aligned(rows, right=range(1, 2)) == [
        "name    count  note",
        "api         7  ok",
        "search   1234  slow",
    ]


def test_cells_are_escaped() -> None:
    assert aligned([["a\x1b[2Jb", "c\nd"]]) == ["a\\x1b[2Jb  c\\nd"]
    assert markdown_table([["h1", "h2"], ["a|b", "x\ny"]]) == [
        "| h1 | h2 |",
        "|---|---|",
        "| a\\|b | x\\ny |",
    ]
    assert markdown_table([]) == []

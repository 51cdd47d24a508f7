"""The files a report run plans: charts, status blocks kept between markers, relative links."""

from __future__ import annotations

from pathlib import Path

from opsdocs.documents.parse import read_document
from opsdocs.outputs import BlockPlace, ReportFiles, relative_links
from tests.conftest import build_tree

WHERE = BlockPlace("Status", "<!-- s -->", "<!-- e -->")


def test_a_chart_is_planned_not_written(tmp_path: Path) -> None:
    files = ReportFiles()
    files.add_chart(tmp_path / "charts" / "a.svg", "<svg/>", png=False)
    assert files.charts == [tmp_path / "charts" / "a.svg"]
    assert files.changes.paths == files.charts
    assert not (tmp_path / "charts").exists()


def test_a_block_is_kept_between_its_markers_and_only_a_change_is_planned(tmp_path: Path) -> None:
    build_tree(tmp_path, {"doc.md": "# Doc\r\n\r\n## Status\r\n\r\nText.\r\n"})
    path = tmp_path / "doc.md"
    files = ReportFiles()
    files.add_block(read_document(path), "\nnew\n", WHERE)
    assert files.documents == [path]
    assert files.changes.writes[path][0] == (
        "# Doc\r\n\r\n## Status\r\n\r\nText.\r\n\r\n<!-- s -->\r\nnew\r\n<!-- e -->\r\n"
    )
    files.changes.commit()
    again = ReportFiles()
    again.add_block(read_document(path), "\nnew\n", WHERE)
    assert again.documents == []
    assert not again.changes


def test_links_are_relative_to_the_document_with_slashes(tmp_path: Path) -> None:
    links = {"api": tmp_path / "charts" / "api.svg"}
    assert relative_links(links, tmp_path / "docs" / "slo" / "api.md") == {
        "api": "../../charts/api.svg"
    }

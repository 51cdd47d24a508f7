"""Generated blocks in documents: where --write puts them and what stays untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsdocs.documents.blocks import REPORT_END, REPORT_START, as_written, write_block
from opsdocs.documents.parse import parse_document
from opsdocs.errors import DocumentError

BLOCK = "\nBLOCK\n"


def doc(text: str):  # type: ignore[no-untyped-def]
    return parse_document(Path("slo-x.md"), text)


def test_markers_added_at_the_end_of_measurement() -> None:
    text = "# X\n\n## Measurement\n\nLogs.\n\n\n## Alerting\n\nPage.\n"
    out = write_block(doc(text), BLOCK)
    assert out == (
        "# X\n\n## Measurement\n\nLogs.\n\n"
        f"{REPORT_START}{BLOCK}{REPORT_END}\n\n## Alerting\n\nPage.\n"
    )


def test_measurement_is_the_last_section() -> None:
    out = write_block(doc("# X\n\n## Measurement\n\nLogs."), BLOCK)
    assert out == f"# X\n\n## Measurement\n\nLogs.\n\n{REPORT_START}{BLOCK}{REPORT_END}\n"


@pytest.mark.parametrize("ending", ["\n", "\n\n\n", "\r\n"])
def test_measurement_last_with_trailing_newlines(ending: str) -> None:
    """The parser counts one more line than splitlines() after a final newline."""
    nl = "\r\n" if "\r" in ending else "\n"
    text = f"---{nl}kind: slo{nl}---{nl}# X{nl}{nl}## Measurement{nl}{nl}Logs.{ending}"
    out = write_block(doc(text), BLOCK, raw=text)
    block = BLOCK.replace("\n", nl)
    assert out == (
        f"---{nl}kind: slo{nl}---{nl}# X{nl}{nl}## Measurement{nl}{nl}Logs.{nl}{nl}"
        f"{REPORT_START}{block}{REPORT_END}{nl}"
    )


@given(
    lines=st.lists(st.sampled_from(["", "Logs.", "- item", "   ", "```", "text"]), max_size=8),
    final=st.sampled_from(["", "\n", "\n\n"]),
)
def test_markers_go_into_a_last_measurement_section(lines: list[str], final: str) -> None:
    head = "# X\n\n## Service\n\nAPI.\n\n## Measurement\n"
    text = head + "\n".join(lines) + final
    out = write_block(doc(text), BLOCK, raw=text)
    assert out.startswith(head)
    assert out.count(REPORT_START) == out.count(REPORT_END) == 1


@pytest.mark.parametrize("odd", ["\x0c", "\x1c", "\u2028", "\x85"])
def test_a_character_the_parser_does_not_break_at_does_not_move_the_block(odd: str) -> None:
    """The section's lines are counted as the parser counts them (LF, CRLF, CR), not as
    str.splitlines() does."""
    text = f"# X\n\n## Measurement\n\nLogs{odd * 3}more.\n\n## Alerting\n\nPage.\n"
    out = write_block(doc(text), BLOCK, raw=text)
    assert out == (
        f"# X\n\n## Measurement\n\nLogs{odd * 3}more.\n\n"
        f"{REPORT_START}{BLOCK}{REPORT_END}\n\n## Alerting\n\nPage.\n"
    )


def test_section_added_when_missing() -> None:
    out = write_block(doc("# X\n\n## Service\n\nAPI.\n"), BLOCK)
    assert (
        out == f"# X\n\n## Service\n\nAPI.\n\n## Measurement\n\n{REPORT_START}{BLOCK}{REPORT_END}\n"
    )


def test_a_quoted_measurement_heading_is_not_the_section() -> None:
    # GitHub shows '> ## Measurement' inside the quote: the block goes into a section of its own
    text = "# X\n\n## Alerting\n\n> ## Measurement\n>\n> quoted\n\nPage.\n"
    out = write_block(doc(text), BLOCK)
    assert out == f"{text}\n## Measurement\n\n{REPORT_START}{BLOCK}{REPORT_END}\n"


def test_repeated_marker_is_an_error() -> None:
    text = f"# X\n\n## Measurement\n\n{REPORT_START}\n{REPORT_END}\n{REPORT_END}\n"
    with pytest.raises(DocumentError, match="appears 2 times"):
        write_block(doc(text), BLOCK)


_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=200).filter(
    lambda t: "<!--" not in t and "\r\n" not in t  # CRLF documents: see the test below
)


@given(before=_text, inside=_text, after=_text)
def test_text_outside_the_markers_is_kept(before: str, inside: str, after: str) -> None:
    text = f"{before}{REPORT_START}{inside}{REPORT_END}{after}"
    out = write_block(doc(text), BLOCK, raw=text)
    assert out == f"{before}{REPORT_START}{BLOCK}{REPORT_END}{after}"


def test_crlf_document_keeps_its_line_endings() -> None:
    text = "# X\r\n\r\n## Measurement\r\n\r\nLogs.\r\n\r\n## Alerting\r\n"
    out = write_block(doc(text), BLOCK, raw=text)
    assert out == (
        "# X\r\n\r\n## Measurement\r\n\r\nLogs.\r\n\r\n"
        f"{REPORT_START}\r\nBLOCK\r\n{REPORT_END}\r\n\r\n## Alerting\r\n"
    )


def test_a_feature_keeps_its_own_markers_beside_the_report() -> None:
    start, end = "<!-- opsdocs:dr:start -->", "<!-- opsdocs:dr:end -->"
    text = f"# X\n\n## Measurement\n\n{REPORT_START}\nold\n{REPORT_END}\n"
    out = write_block(doc(text), BLOCK, raw=text, section="Evidence", start=start, end=end)
    assert out == f"{text}\n## Evidence\n\n{start}{BLOCK}{end}\n"
    assert write_block(doc(out), "\nNEW\n", raw=out, section="Evidence", start=start, end=end) == (
        f"{text}\n## Evidence\n\n{start}\nNEW\n{end}\n"
    )


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("a\nb\n", "x\ny\n"),
        ("a\r\nb\r\n", "x\r\ny\r\n"),
        ("\ufeffa\nb", "\ufeffx\ny\n"),
        ("\ufeffa\r\nb", "\ufeffx\r\ny\r\n"),
    ],
)
def test_text_is_written_back_in_the_files_line_endings_and_byte_order_mark(
    raw: str, written: str
) -> None:
    assert as_written(raw, "x\ny\n") == written

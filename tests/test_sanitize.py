"""Escaping of control characters for text outputs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsdocs.sanitize import (
    contains_control,
    escape_line,
    escape_path,
    escape_text,
    strip_control,
)


def test_escape_line_escapes_breaks_escapes_and_overrides() -> None:
    text = "API\n::error file=evil.md::X\r\x1b[31m\x1b]8;;http://x\x07\x9b\u202e\u2066\u2028\x00"
    assert escape_line(text) == (
        "API\\n::error file=evil.md::X\\r\\x1b[31m\\x1b]8;;http://x\\x07\\x9b\\u202e\\u2066"
        "\\u2028\\x00"
    )


def test_escape_line_keeps_ordinary_text() -> None:
    text = "Runbook: API — café 東京 100%\t[x](y) \\ done"
    assert escape_line(text) is text


def test_escape_text_keeps_line_feeds_only() -> None:
    assert escape_text("a\nb\r\n\x1bc") == "a\nb\\r\n\\x1bc"


def test_escape_path_never_starts_a_workflow_command() -> None:
    assert escape_path("::error file=a::b.md") == "./::error file=a::b.md"
    assert escape_path("  ::x") == "./  ::x"
    assert escape_path("docs/a::b.md") == "docs/a::b.md"


def test_contains_and_strip() -> None:
    assert contains_control("a\nb") and not contains_control("a\nb", newlines=True)
    assert contains_control("a\u202eb", newlines=True)
    assert not contains_control("a\tb")
    assert strip_control("a\x1b[1mb\n") == "a[1mb"


@given(st.text())
def test_escaped_line_is_one_printable_line(text: str) -> None:
    line = escape_line(text)
    assert "\n" not in line and "\r" not in line
    assert not contains_control(line)
    assert len(line.splitlines()) <= 1

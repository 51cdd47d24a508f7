"""The one diagnostic type: formatting, ordering and the linter's JSON form."""

from __future__ import annotations

from opsdocs.diagnostics import Diagnostic


def test_format_with_code_name_and_hint() -> None:
    d = Diagnostic(
        path="ops/runbook-api.md",
        line=3,
        col=5,
        code="ST001",
        name="missing-section",
        message="missing section 'Overview'",
        hint="add it",
    )
    assert (
        d.format()
        == "ops/runbook-api.md:3:5: ST001 missing-section: missing section 'Overview' (add it)"
    )
    assert str(d) == d.format()


def test_format_leaves_out_what_is_not_set() -> None:
    assert Diagnostic(path="a.md", line=2, col=1, message="bad").format() == "a.md:2:1: bad"
    assert Diagnostic(message="bad", hint="fix it").format() == "bad (fix it)"
    assert Diagnostic(path="a.md", code="front-matter-yaml", message="x").format() == (
        "a.md:1:1: front-matter-yaml: x"
    )


def test_sorted_by_position_then_code_only() -> None:
    a = Diagnostic(path="a.md", line=2, col=1, code="ST002", message="z")
    b = Diagnostic(path="a.md", line=2, col=1, code="ST001", message="y", severity="warning")
    c = Diagnostic(path="a.md", line=1, col=9, code="ST009")
    d = Diagnostic(path="B.md", line=1, col=1, code="FM001")
    assert sorted([a, b, c, d]) == [d, c, b, a]
    # Message, hint and severity do not take part in equality.
    assert a == Diagnostic(path="a.md", line=2, col=1, code="ST002", message="other")


def test_as_dict_key_order_is_the_json_format() -> None:
    d = Diagnostic(path="a.md", line=1, col=2, code="LK001", name="broken-link", abspath="/x/a.md")
    assert list(d.as_dict()) == [
        "path",
        "line",
        "col",
        "code",
        "name",
        "severity",
        "message",
        "hint",
        "fixable",
        "uri",
    ]
    assert "abspath" not in d.as_dict()


def test_severity_helpers() -> None:
    assert Diagnostic(message="x").is_error
    assert not Diagnostic(message="x", severity="info").is_error


def test_no_second_diagnostic_type() -> None:
    """Parsing, validation and the linter all report through Diagnostic: no module defines its
    own problem, finding or violation type again."""
    import ast
    from pathlib import Path

    import opsdocs

    src = Path(opsdocs.__file__).parent
    others = [
        f"{path.relative_to(src)}:{node.name}"
        for path in sorted(src.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and node.name.endswith(("Problem", "Finding", "Violation"))
    ]
    assert others == []

"""Output formats: SARIF validates against the SARIF 2.1.0 schema; text, json, github."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from opsdocs.check.findings import CheckResult
from opsdocs.check.formats import render
from opsdocs.check.registry import all_rules, get_rule
from opsdocs.diagnostics import Diagnostic

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def finding(
    code: str, path: str = "docs/runbook-api.md", line: int = 3, col: int = 7
) -> Diagnostic:
    rule = get_rule(code)
    return Diagnostic(
        path=path,
        line=line,
        col=col,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message="something, 100% wrong:\nsecond line",
        hint="fix it",
        fixable=rule.fixable,
        uri=path,
    )


def result() -> CheckResult:
    return CheckResult(
        findings=[finding("CT001"), finding("ST003", line=9, col=1), finding("IN001", "a b.md")],
        files=2,
    )


def validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_schema() -> None:
    log = json.loads(render(result(), "sarif"))
    errors = sorted(validator().iter_errors(log), key=str)
    assert not errors, errors[0].message
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.code for r in all_rules()]
    first = run["results"][0]
    assert first["ruleId"] == "CT001"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "CT001"
    assert first["level"] == "error"
    assert run["results"][1]["level"] == "warning"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 7)


def test_sarif_without_findings_validates() -> None:
    log = json.loads(render(CheckResult(findings=[], files=0), "sarif"))
    assert not list(validator().iter_errors(log))
    assert log["runs"][0]["results"] == []


def test_schema_rejects_a_broken_log() -> None:
    """The schema really constrains: a result without a message is refused."""
    log = json.loads(render(result(), "sarif"))
    del log["runs"][0]["results"][0]["message"]
    assert list(validator().iter_errors(log))


def test_text_summary_counts() -> None:
    lines = render(result(), "text").splitlines()
    assert lines[-1] == "Found 2 errors, 1 warning in 2 files."
    assert lines[0] == (
        "docs/runbook-api.md:3:7: CT001 placeholder-text: something, 100% wrong:\\nsecond line "
        "(fix it)"
    )


FORGED = "API\n::error file=evil.md::X\x1b]0;owned\x07\u202e"


def forged() -> CheckResult:
    f = finding("CT001", path="::warning file=a::b.md")
    return CheckResult(findings=[replace(f, message=FORGED, hint=FORGED)], files=1)


def test_text_output_escapes_control_characters() -> None:
    """A title with a line break cannot start a GitHub workflow command, nor reach the
    terminal as an escape sequence or a right-to-left override."""
    out = render(forged(), "text")
    lines = out.splitlines()
    assert len(lines) == 2
    assert not any(line.lstrip().startswith("::") for line in lines)
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert lines[0] == (
        "./::warning file=a::b.md:3:7: CT001 placeholder-text: "
        "API\\n::error file=evil.md::X\\x1b]0;owned\\x07\\u202e "
        "(API\\n::error file=evil.md::X\\x1b]0;owned\\x07\\u202e)"
    )


def test_github_output_escapes_control_characters() -> None:
    out = render(forged(), "github")
    assert out.count("\n") == 1 and out.startswith("::error ")
    assert "\x1b" not in out and "\u202e" not in out
    assert "API%0A::error file=evil.md::X\\x1b]0;owned\\x07\\u202e (API%0A" in out


def test_github_escapes_data() -> None:
    lines = render(result(), "github").splitlines()
    assert lines[0] == (
        "::error file=docs/runbook-api.md,line=3,col=7,title=CT001 placeholder-text::"
        "something, 100%25 wrong:%0Asecond line (fix it)"
    )
    assert lines[1].startswith("::warning ")


def test_json_is_a_list_of_findings() -> None:
    data = json.loads(render(result(), "json"))
    assert [f["code"] for f in data["findings"]] == ["CT001", "ST003", "IN001"]
    assert data["summary"] == {
        "files": 2,
        "errors": 2,
        "warnings": 1,
        "fixable": 0,
        "suppressed": 0,
    }

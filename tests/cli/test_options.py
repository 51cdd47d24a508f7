"""The shared options and output helpers, on a small command of their own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from opsdocs.cli.options import echo_json, format_option, output_option, today_option, write_output


@click.command()
@format_option("table", "json", help="How to print.")
@today_option("Date to judge by.")
@output_option("--out", "-o", help="Where to write.")
def probe(fmt: str, today: dt.date | None, out: Path | None) -> None:
    """Print what the options passed, as JSON (or write it to --out)."""
    seen = {"fmt": fmt, "today": repr(today), "out": None if out is None else out.name}
    write_output(json.dumps(seen) + "\n", out)


def _run(*args: str) -> Result:
    return CliRunner().invoke(probe, list(args))


def test_defaults() -> None:
    result = _run()
    assert result.exit_code == 0
    assert json.loads(result.output) == {"fmt": "table", "today": "None", "out": None}


def test_format_takes_only_its_choices_and_shows_the_default() -> None:
    assert json.loads(_run("--format", "json").output)["fmt"] == "json"
    bad = _run("--format", "yaml")
    assert bad.exit_code == 2
    assert "'yaml' is not one of 'table', 'json'" in bad.output
    help_text = _run("--help").output
    assert "--format [table|json]" in help_text
    assert "How to print.  [default: table]" in help_text


def test_today_is_a_date_not_a_datetime() -> None:
    seen = json.loads(_run("--today", "2026-02-28").output)
    assert seen["today"] == repr(dt.date(2026, 2, 28))
    bad = _run("--today", "2026-02-30")
    assert bad.exit_code == 2
    assert "'2026-02-30' does not match the format '%Y-%m-%d'" in bad.output


def test_output_goes_to_the_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = _run("--today", "2026-01-02", "-o", str(target))
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(target.read_text()) == {
        "fmt": "table",
        "today": repr(dt.date(2026, 1, 2)),
        "out": "report.json",
    }


def test_output_must_not_be_a_folder(tmp_path: Path) -> None:
    bad = _run("--out", str(tmp_path))
    assert bad.exit_code == 2
    assert "is a directory" in bad.output


def test_write_output_without_a_path_prints_the_text_as_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_output("no newline added", None)
    assert capsys.readouterr().out == "no newline added"


def test_echo_json_indents_and_sorts_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    echo_json({"b": dt.date(2026, 1, 2), "a": [1]}, sort_keys=True, default=str)
    assert capsys.readouterr().out == '{\n  "a": [\n    1\n  ],\n  "b": "2026-01-02"\n}\n'
    echo_json({"b": 1, "a": 2})
    assert capsys.readouterr().out == '{\n  "b": 1,\n  "a": 2\n}\n'

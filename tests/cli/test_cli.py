"""The command line as a whole: help, docs, exit codes, the error boundary, start-up time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.cli import COMMANDS
from opsdocs.cli.reference import iter_commands, render_reference
from tests.conftest import Result

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_has_help_and_is_documented() -> None:
    commands = iter_commands()
    assert {name.split()[1] for name, _ in commands} >= set(COMMANDS)
    reference = (ROOT / "docs" / "commands.md").read_text()
    for name, command in commands:
        assert command.help and command.help.strip(), f"{name} has no help text"
        assert f"`{name}`" in reference, f"{name} missing from docs/commands.md"


def test_command_reference_is_current() -> None:
    # bytes: a CRLF copy reads back as the same text
    assert (ROOT / "docs" / "commands.md").read_bytes() == render_reference().encode("utf-8"), (
        "docs/commands.md is stale: run 'make docs'"
    )


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "opsdocs", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0
    assert out.stdout.strip() == "opsdocs, version 0.1.0"


def test_help_is_instant_and_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys, time; t=time.perf_counter(); from opsdocs.cli import run;"
        "rc = run(['--help']); t=time.perf_counter()-t;"
        "heavy=[m for m in ('duckdb','httpx','rich','pydantic','markdown_it','jinja2','yaml',"
        "'icalendar','dateutil','zoneinfo') if m in sys.modules]; print(heavy);"
        " print(t, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "opsdocs", "--help"], capture_output=True, check=True, cwd=tmp_path
    )
    assert time.perf_counter() - start < 2.0


def test_unknown_command_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("frobnicate", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "error: No such command 'frobnicate' (see 'opsdocs --help')\n"


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["check", "--format", "xml"],
            "error: Invalid value for '--format': 'xml' is not one of 'text', 'json', 'sarif', "
            "'github' (see 'opsdocs check --help')",
        ),
        (["incident", "ack"], "error: Missing argument 'ID' (see 'opsdocs incident ack --help')"),
        (
            ["new", "runbook", "api", "--today", "2026-13-01"],
            "error: Invalid value for '--today': '2026-13-01' does not match the format "
            "'%Y-%m-%d' (see 'opsdocs new --help')",
        ),
    ],
)
def test_click_usage_errors_are_one_error_line(
    args: list[str], stderr: str, cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli(*args, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == stderr + "\n"
    assert result.stdout == ""


def test_unknown_option_is_one_error_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("check", "--no-such-option", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No such option '--no-such-option'")
    assert result.stderr.endswith(" (see 'opsdocs check --help')\n")
    assert result.stderr.count("\n") == 1


def test_a_bare_group_shows_its_help(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("incident", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: opsdocs incident [OPTIONS] COMMAND")
    assert "  open " in result.stderr


def test_bug_exits_3_with_one_line(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import opsdocs.documents.listing as listing

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(listing, "list_documents", boom)
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 3
    assert result.stderr == (
        "error: internal error: RuntimeError: kaboom (this is a bug in opsdocs; "
        "rerun with --debug for the traceback)\n"
    )
    debug = cli("--debug", "list", cwd=tmp_path)
    assert debug.exit_code == 3
    assert "Traceback (most recent call last)" in debug.stderr


def test_interrupt_exits_130(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import opsdocs.documents.listing as listing

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(listing, "list_documents", interrupted)
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 130
    assert result.stderr.strip() == "error: interrupted"


def test_schema_prints_json_schema(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("schema", "runbook", cwd=tmp_path)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert set(schema["required"]) >= {"kind", "title", "owner", "last_reviewed", "service"}
    assert schema["properties"]["review_every"]["default"] == "90d"
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = {
        "kind": "runbook",
        "title": "T",
        "owner": "team-a",
        "last_reviewed": "2026-01-01",
        "service": "api",
    }
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({**good, "owner": "Team A"}))
    bad = cli("schema", "nope", cwd=tmp_path)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: unknown kind 'nope'")


def test_list_table_and_json(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    cli("new", "runbook", "api", "--owner", "team-api", "--today", "2026-01-10", cwd=workspace_dir)
    cli("new", "slo", "api-latency", "--service", "api", "--today", "2026-02-01", cwd=workspace_dir)
    rows = json.loads(cli("list", "--format", "json", cwd=workspace_dir).stdout)
    assert [
        (r["kind"], r["path"], r["owner"], r["last_reviewed"], r["review_due"]) for r in rows
    ] == [
        (
            "runbook",
            "docs/internal/operations/runbook-api.md",
            "team-api",
            "2026-01-10",
            "2026-04-10",
        ),
        (
            "slo",
            "docs/internal/operations/slo-api-latency.md",
            "team-sre",
            "2026-02-01",
            "2026-05-02",
        ),
    ]
    only = json.loads(cli("list", "--kind", "slo", "--format", "json", cwd=workspace_dir).stdout)
    assert [r["kind"] for r in only] == ["slo"]
    table = cli("list", cwd=workspace_dir).stdout
    assert "docs/internal/operations/runbook-api.md" in table
    assert "API Runbook" in table


def test_root_option_and_discovery(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    nested = workspace_dir / "deep" / "er"
    nested.mkdir(parents=True)
    cli("new", "runbook", "api", cwd=nested)
    assert (workspace_dir / "docs/internal/operations/runbook-api.md").is_file()
    other = workspace_dir.parent / "elsewhere"
    other.mkdir()
    result = cli("--root", str(workspace_dir), "list", "--format", "json", cwd=other)
    assert json.loads(result.stdout)[0]["path"] == "docs/internal/operations/runbook-api.md"
    missing = cli("--root", str(other / "nope"), "list", cwd=other)
    assert missing.exit_code == 2


def test_debug_env_does_not_change_success(cli: Callable[..., Result], tmp_path: Path) -> None:
    os.environ.pop("OPSDOCS_DEBUG", None)
    assert cli("list", cwd=tmp_path).exit_code == 0


def test_an_os_error_is_one_line_with_the_path_and_exit_2(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / "docs/internal/operations/README.md"
    readme.unlink()
    readme.mkdir()
    result = cli("index", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        "error: docs/internal/operations/README.md: is a folder, not a file "
        "(move the folder away or pass a file)\n"
    )

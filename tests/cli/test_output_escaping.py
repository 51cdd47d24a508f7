"""Text from documents cannot forge CI commands or terminal codes in any text output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

TITLE = "API\\n::error file=evil.md::X\\u001b]0;owned\\u0007\\u202e"
RAW = "API\n::error file=evil.md::X\x1b]0;owned\x07\u202e"


def _hostile_runbook(root: Path, cli: Callable[..., Result]) -> Path:
    assert cli("new", "runbook", "api", cwd=root).exit_code == 0
    path = root / "docs/internal/operations/runbook-api.md"
    text = path.read_text().replace('title: "API Runbook"', f'title: "{TITLE}"', 1)
    assert text != path.read_text()
    path.write_text(text)
    return path


def _assert_clean(out: str) -> None:
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")], out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_check_text_escapes_a_hostile_title(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _hostile_runbook(workspace_dir, cli)
    result = cli("check", "--select", "ST005", cwd=workspace_dir)
    assert result.exit_code == 1
    _assert_clean(result.stdout)
    assert "'API\\n::error file=evil.md::X\\x1b]0;owned\\x07\\u202e'" in result.stdout


def test_check_github_escapes_a_hostile_title(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    _hostile_runbook(workspace_dir, cli)
    result = cli("check", "--format", "github", "--select", "ST005", cwd=workspace_dir)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=docs/internal/")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "'API%0A::error file=evil.md::X\\x1b]0;owned\\x07\\u202e'" in result.stdout


def test_list_escapes_a_hostile_title(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    _hostile_runbook(workspace_dir, cli)
    result = cli("list", cwd=workspace_dir)
    assert result.exit_code == 0
    _assert_clean(result.stdout)
    assert "API\\n::error file=evil.md::X\\x1b]0;owned\\x07\\u202e" in result.stdout
    json_out = cli("list", "--format", "json", cwd=workspace_dir)
    assert RAW.replace("\n", "\\n") not in json_out.stdout  # JSON escapes on its own


def test_list_does_not_read_a_title_as_markup(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    assert cli("new", "runbook", "api", cwd=workspace_dir).exit_code == 0
    path = workspace_dir / "docs/internal/operations/runbook-api.md"
    path.write_text(path.read_text().replace('title: "API Runbook"', "title: '[bold]x[/bold]'"))
    result = cli("list", cwd=workspace_dir)
    assert "[bold]x[/bold]" in result.stdout


def test_index_row_escapes_a_hostile_title(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    _hostile_runbook(workspace_dir, cli)
    assert cli("index", cwd=workspace_dir).exit_code == 0
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    _assert_clean(readme)
    # a line break in a title is a space in the index (one line per entry), other controls escaped
    assert "- [API ::error file=evil.md::X\\x1b\\]0;owned\\x07\\u202e](runbook-api.md)" in readme
    assert cli("check", "--select", "IX001", cwd=workspace_dir).exit_code == 0

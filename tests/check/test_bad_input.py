"""Bad input: each case gives a finding (or one error line), the run goes on, nothing changes."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import Result, build_tree, snapshot

Cli = Callable[..., Result]

#: A good document with one known finding proves the run went on past the bad file.
CANARY = RUNBOOK.replace("Page the owning team.", "Page TODO.").replace(
    "service: api", "service: canary"
)
CANARY_LINE = CANARY.split("\n").index("Page TODO.") + 1


def run(tmp_path: Path, cli: Cli, files: dict[str, str | bytes]) -> tuple[Result, list[str]]:
    (tmp_path / "opsdocs.toml").write_text("")
    folder = build_tree(tmp_path / "docs", {"runbook-canary.md": CANARY, **files})
    before = snapshot(folder)
    result = cli("check", "docs", "--today", "2026-06-01", "--no-cache", cwd=tmp_path)
    assert snapshot(folder) == before, "check changed a file"
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert (
        f"docs/runbook-canary.md:{CANARY_LINE}:6: CT001 placeholder-text: placeholder "
        "'TODO' left in (replace it with the real content)" in lines
    )
    return result, [line for line in lines if "runbook-canary" not in line]


def test_empty_file(tmp_path: Path, cli: Cli) -> None:
    _, lines = run(tmp_path, cli, {"runbook-empty.md": ""})
    assert lines[0].startswith("docs/runbook-empty.md:1:1: FM001 missing-front-matter: ")


def test_binary_file_named_md(tmp_path: Path, cli: Cli) -> None:
    _, lines = run(tmp_path, cli, {"image.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00"})
    assert lines[0] == (
        "docs/image.md:1:1: IN001 unreadable-file: binary file, not Markdown "
        "(remove it or rename it)"
    )


def test_invalid_utf8(tmp_path: Path, cli: Cli) -> None:
    _, lines = run(tmp_path, cli, {"notes.md": b"# Notes\n\nabc \xff\xfe def\n"})
    assert lines[0] == (
        "docs/notes.md:3:5: IN001 unreadable-file: invalid UTF-8 (save the file as UTF-8)"
    )


def test_utf8_bom_is_read(tmp_path: Path, cli: Cli) -> None:
    text = "\ufeff" + RUNBOOK.replace("None yet.", "TBD").replace("service: api", "service: bom")
    line = RUNBOOK.split("\n").index("None yet.") + 1
    _, lines = run(tmp_path, cli, {"runbook-bom.md": text.encode("utf-8")})
    assert lines[:-1] == [
        f"docs/runbook-bom.md:{line}:1: CT001 placeholder-text: placeholder 'TBD' left in "
        "(replace it with the real content)"
    ]


def test_crlf_line_endings(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace("None yet.", "TBD").replace("service: api", "service: crlf")
    text = text.replace("\n", "\r\n")
    line = RUNBOOK.split("\n").index("None yet.") + 1
    _, lines = run(tmp_path, cli, {"runbook-crlf.md": text.encode("utf-8")})
    assert lines[:-1] == [
        f"docs/runbook-crlf.md:{line}:1: CT001 placeholder-text: placeholder 'TBD' left in "
        "(replace it with the real content)"
    ]


def test_twenty_megabyte_file(tmp_path: Path, cli: Cli) -> None:
    big = b"# Log\n" + b"x" * (20 * 1024 * 1024)
    _, lines = run(tmp_path, cli, {"huge.md": big})
    assert lines[0] == (
        "docs/huge.md:1:1: IN001 unreadable-file: file is too large to be a document (20 MB) "
        "(operations documents must be under 10 MB; max_file_size in the configuration sets the"
        " limit)"
    )


def test_unterminated_front_matter(tmp_path: Path, cli: Cli) -> None:
    _, lines = run(tmp_path, cli, {"runbook-open.md": "---\nkind: runbook\n\n# Open\n"})
    assert lines[0].startswith(
        "docs/runbook-open.md:1:1: FM003 unterminated-front-matter: front matter is never closed"
    )


@pytest.mark.parametrize(
    ("yaml", "kind"), [("- a\n- b\n", "list"), ("just text\n", "str"), ("42\n", "int")]
)
def test_front_matter_list_or_scalar(tmp_path: Path, cli: Cli, yaml: str, kind: str) -> None:
    _, lines = run(tmp_path, cli, {"runbook-x.md": f"---\n{yaml}---\n\n# X\n"})
    assert lines[0].startswith(
        f"docs/runbook-x.md:2:1: FM004 front-matter-not-mapping: front matter is a {kind}, "
    )


def test_alias_bomb(tmp_path: Path, cli: Cli) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    yaml = "\n".join(levels) + "\n"
    _, lines = run(tmp_path, cli, {"runbook-bomb.md": f"---\n{yaml}---\n\n# Bomb\n"})
    assert "FM002 invalid-front-matter-yaml: YAML aliases expand to too many nodes" in lines[0]
    assert lines[0].startswith("docs/runbook-bomb.md:")


def test_python_tag(tmp_path: Path, cli: Cli) -> None:
    doc = "---\nkind: runbook\nowner: !!python/object/apply:os.system ['true']\n---\n\n# X\n"
    _, lines = run(tmp_path, cli, {"runbook-tag.md": doc})
    assert lines[0].startswith("docs/runbook-tag.md:3:8: FM002 invalid-front-matter-yaml: ")
    assert "remove the '!' tag" in lines[0]


def test_symlink_loop(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "docs").mkdir()
    os.symlink("loop.md", tmp_path / "docs" / "loop.md")
    os.symlink(".", tmp_path / "docs" / "again")  # a folder loop is not followed
    _, lines = run(tmp_path, cli, {})
    assert lines[0] == (
        f"docs/loop.md:1:1: IN001 unreadable-file: cannot read file: "
        f"{os.strerror(errno.ELOOP)} (check permissions)"
    )


def test_directory_named_md(tmp_path: Path, cli: Cli) -> None:
    _, lines = run(tmp_path, cli, {"x.md/inner.txt": "not a document"})
    assert lines[0] == (
        "docs/x.md:1:1: IN001 unreadable-file: is a folder, not a document (rename or skip it)"
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "opsdocs.toml").write_text("")
    folder = build_tree(tmp_path / "docs", {"runbook-canary.md": CANARY, "secret.md": "# S\n"})
    secret = folder / "secret.md"
    if os.geteuid() != 0:  # a real permission error where we can have one
        secret.chmod(0)
    else:  # root reads everything: make the read fail as it would for another user
        from opsdocs.documents import parse

        real = parse.read_regular

        def read_regular(path: Path, limit: int) -> bytes:
            if path == secret:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real(path, limit)

        monkeypatch.setattr(parse, "read_regular", read_regular)
    result = run_check(
        Workspace.discover(root=tmp_path),
        [folder],
        CheckOptions(cache=False, today=__import__("datetime").date(2026, 6, 1)),
    )
    by_file = {(Path(f.abspath).name, f.code, f.message) for f in result.findings}
    assert ("secret.md", "IN001", f"cannot read file: {os.strerror(errno.EACCES)}") in by_file
    assert ("runbook-canary.md", "CT001", "placeholder 'TODO' left in") in by_file
    secret.chmod(0o644)


def test_fifo_named_like_a_runbook_does_not_hang(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "docs").mkdir()
    os.mkfifo(tmp_path / "docs" / "runbook-x.md")
    _, lines = run(tmp_path, cli, {})
    assert lines[0] == (
        "docs/runbook-x.md:1:1: IN001 unreadable-file: not a regular file: a named pipe (FIFO) "
        "(opsdocs reads only regular files: remove it or move it out of the folder)"
    )


def test_symlink_to_a_device_is_not_read(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "docs").mkdir()
    os.symlink("/dev/zero", tmp_path / "docs" / "runbook-zero.md")
    _, lines = run(tmp_path, cli, {})
    assert lines[0] == (
        "docs/runbook-zero.md:1:1: IN001 unreadable-file: not a regular file: a device "
        "(opsdocs reads only regular files: remove it or move it out of the folder)"
    )


def test_special_files_do_not_stop_list_and_index(workspace_dir: Path, cli: Cli) -> None:
    ops = workspace_dir / "docs/internal/operations"
    os.mkfifo(ops / "runbook-fifo.md")
    os.symlink("/dev/zero", ops / "runbook-zero.md")
    assert cli("new", "runbook", "api", cwd=workspace_dir).exit_code == 0
    listing = cli("list", cwd=workspace_dir)
    assert listing.exit_code == 0 and "runbook-api.md" in listing.stdout
    assert cli("index", cwd=workspace_dir).exit_code == 0

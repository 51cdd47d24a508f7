"""Every ``opsdocs ...`` command line quoted in the docs, the README and the hints the code prints
parses with the real command line: no page or hint points at a command or option that does not
exist.

A concrete line (``opsdocs check --fix``) is parsed in full by Click without running it. A
synopsis (``opsdocs incident list [--open] [--since DATE]``) has placeholders: its command path
must exist and every option it names must belong to that command.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from opsdocs.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
SOURCES = sorted((ROOT / "src" / "opsdocs").rglob("*.py"))

_INLINE = re.compile(r"`(opsdocs(?: [^`]*)?)`")
_SHELL = re.compile(r"^\s*(?:\$ )?(opsdocs(?: .*)?)$")
_HINT = re.compile(r"'(opsdocs [^']*)'")
# A placeholder: an upper-case word (KIND, PATH..., ID), <angle> or {template} parts, an ellipsis.
_PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_0-9]*\b|<[^>]*>|\{[^}]*\}|\.\.\.|\|")


def _from_pages() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for page in PAGES:
        if page.name == "commands.md":  # generated from the app itself
            continue
        fenced = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            where = f"{page.relative_to(ROOT)}:{number}"
            if fenced:
                match = _SHELL.match(line)
                if match:
                    found.append((where, match.group(1).split(" #")[0].strip()))
                found += [(where, m.group(1)) for m in _HINT.finditer(line)]  # code examples
            else:
                found += [(where, m.group(1)) for m in _INLINE.finditer(line)]
    return found


def _from_hints() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for source in SOURCES:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{source.relative_to(ROOT)}:{number}"
            found += [(where, m.group(1)) for m in _HINT.finditer(line)]
    return found


QUOTED = _from_pages() + _from_hints()

#: Quoted commands that do not exist yet, each with the reason; the test of each is expected to
#: fail until the command lands (then remove it here).
NOT_YET: dict[str, str] = {}


def _cases() -> list[object]:
    cases: list[object] = []
    for where, line in QUOTED:
        pending = next((why for cmd, why in NOT_YET.items() if line.startswith(cmd)), None)
        marks = [pytest.mark.xfail(reason=pending, strict=False)] if pending else []
        cases.append(pytest.param(where, line, id=where, marks=marks))
    return cases


def _words(line: str) -> list[str]:
    line = line.replace("[", " ").replace("]", " ")
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _resolve(words: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The command a line runs, the names leading to it, and the words after them."""
    command: click.Command = cli
    path = ["opsdocs"]
    rest = words[1:]
    ctx = click.Context(cli, info_name="opsdocs")
    while isinstance(command, click.Group):
        # group options come before the subcommand (opsdocs --root DIR check)
        index = 0
        while index < len(rest) and rest[index].startswith("-"):
            option = _option(command, rest[index])
            index += (
                2 if option is not None and not option.is_flag and "=" not in rest[index] else 1
            )
        if index >= len(rest) or _PLACEHOLDER.fullmatch(rest[index]):
            break
        sub = command.get_command(ctx, rest[index])
        assert sub is not None, f"'{' '.join(path)}' has no command {rest[index]!r}"
        path.append(rest[index])
        rest = rest[:index] + rest[index + 1 :]
        command = sub
    return command, path, rest


def _option(command: click.Command, word: str) -> click.Option | None:
    name = word.split("=", 1)[0]
    for param in command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    if name in ("-h", "--help", "--version") and command is cli:
        return None
    return None


def _known_options(command: click.Command) -> set[str]:
    names = {"-h", "--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


@pytest.mark.parametrize(("where", "line"), _cases())
def test_quoted_command_line_exists(where: str, line: str) -> None:
    words = _words(line)
    command, path, rest = _resolve(words)
    options = _known_options(command) | (_known_options(cli) if command is not cli else set())
    for word in rest:
        if word.startswith("-") and len(word) > 1 and not _PLACEHOLDER.fullmatch(word):
            name = word.split("=", 1)[0]
            if re.fullmatch(r"-\d.*", name):
                continue  # a negative number is a value
            assert name in options, f"{where}: '{' '.join(path)}' has no option {name}"
    if _PLACEHOLDER.search(line) or line.rstrip().endswith(" ..."):
        return  # a synopsis: the command and its options exist, the values are placeholders
    try:
        _parse_down(words[1:])
    except click.exceptions.Exit:
        pass  # --help, --version
    except click.MissingParameter:
        pass  # the command named without its arguments ('opsdocs new'): a reference to it
    except click.BadOptionUsage as exc:
        if not (words[-1].startswith("-") and "requires an argument" in exc.format_message()):
            raise AssertionError(f"{where}: {line!r}: {exc.format_message()}") from None
    except click.BadParameter as exc:
        if "does not exist" not in exc.format_message():  # an example path: fine
            raise AssertionError(f"{where}: {line!r}: {exc.format_message()}") from None
    except click.UsageError as exc:
        raise AssertionError(f"{where}: {line!r}: {exc.format_message()}") from None


def _parse_down(args: list[str]) -> None:
    """Parse ``args`` through every group level, without running anything."""
    command: click.Command = cli
    ctx = command.make_context("opsdocs", list(args))
    while isinstance(command, click.Group):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            return
        name, sub, sub_args = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        ctx = sub.make_context(name, sub_args, parent=ctx)
        command = sub


def test_the_scan_finds_the_quoted_lines() -> None:
    lines = {line for _, line in QUOTED}
    assert len(QUOTED) > 100
    assert "opsdocs check --fix" in lines
    assert any(where.startswith("src/") for where, _ in QUOTED)


def test_a_bad_quote_is_caught() -> None:
    """The checks really refuse a command or an option that does not exist."""
    with pytest.raises(AssertionError):
        test_quoted_command_line_exists("x", "opsdocs slo budget --write")
    with pytest.raises(AssertionError):
        test_quoted_command_line_exists("x", "opsdocs slo nosuch")
    with pytest.raises(AssertionError):
        test_quoted_command_line_exists("x", "opsdocs check --format nosuch")

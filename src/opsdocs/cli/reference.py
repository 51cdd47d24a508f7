"""The command-line reference (docs/commands.md), generated from the Click app itself."""

from __future__ import annotations

import click

from opsdocs.cli import cli

HEADER = """# Command reference

Generated from the command line itself by `make docs` (`scripts/gen_docs.py`); a test fails
when this page and the code disagree. Exit codes for every command: 0 ok, 1 findings (a stale
index under `--check`, lint findings), 2 usage or input error, 3 internal error (rerun with
`--debug` for the traceback), 130 interrupted.
"""


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    ctx = command.make_context(name, [], parent=parent, resilient_parsing=True)
    ctx.terminal_width = 100
    ctx.max_content_width = 100
    return ctx


def _walk(command: click.Command, name: str, parent: click.Context | None) -> list[str]:
    ctx = _context(command, name, parent)
    out = [f"\n{'#' * min(ctx.command_path.count(' ') + 2, 4)} `{ctx.command_path}`\n"]
    out += ["```text", command.get_help(ctx), "```"]
    if isinstance(command, click.Group):
        for child in command.list_commands(ctx):
            found = command.get_command(ctx, child)
            if found is not None and not found.hidden:
                out.extend(_walk(found, child, ctx))
    return out


def render_reference() -> str:
    """Markdown for every command and subcommand, with its full help text."""
    return "\n".join([HEADER.rstrip("\n"), *_walk(cli, "opsdocs", None)]) + "\n"


def iter_commands() -> list[tuple[str, click.Command]]:
    """Every (full name, command) pair below the root."""
    result: list[tuple[str, click.Command]] = []

    def visit(command: click.Command, name: str, parent: click.Context | None) -> None:
        ctx = _context(command, name, parent)
        if isinstance(command, click.Group):
            for child in command.list_commands(ctx):
                found = command.get_command(ctx, child)
                if found is not None:
                    result.append((f"{ctx.command_path} {child}", found))
                    visit(found, child, ctx)

    visit(cli, "opsdocs", None)
    return result

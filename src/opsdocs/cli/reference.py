"""The command-line reference (docs/commands.md), generated from the Click app itself."""

from __future__ import annotations

from collections.abc import Iterator

import click

from opsdocs.cli import cli

HEADER = """# Command reference

Generated from the command line itself by `make docs` (`scripts/gen_docs.py`); a test fails
when this page and the code disagree. Exit codes for every command: 0 ok, 1 findings (a stale
index under `--check`, lint findings), 2 usage or input error, 3 internal error (rerun with
`--debug` for the traceback), 130 interrupted.
"""


def _contexts(
    command: click.Command, name: str, parent: click.Context | None
) -> Iterator[click.Context]:
    """The context of ``command`` and of every command below it that is not hidden, in order."""
    ctx = command.make_context(name, [], parent=parent, resilient_parsing=True)
    ctx.terminal_width = 100
    ctx.max_content_width = 100
    yield ctx
    if isinstance(command, click.Group):
        for child in command.list_commands(ctx):
            found = command.get_command(ctx, child)
            if found is not None and not found.hidden:
                yield from _contexts(found, child, ctx)


def render_reference() -> str:
    """Markdown for every command and subcommand, with its full help text."""
    out = [HEADER.rstrip("\n")]
    for ctx in _contexts(cli, "opsdocs", None):
        out.append(f"\n{'#' * min(ctx.command_path.count(' ') + 2, 4)} `{ctx.command_path}`\n")
        out += ["```text", ctx.command.get_help(ctx), "```"]
    return "\n".join(out) + "\n"


def iter_commands() -> list[tuple[str, click.Command]]:
    """Every (full name, command) pair below the root."""
    return [(ctx.command_path, ctx.command) for ctx in _contexts(cli, "opsdocs", None)][1:]

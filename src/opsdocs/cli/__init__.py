"""The ``opsdocs`` command line.

This package is the only place that imports Click or prints. Each command group lives in its own
module and is loaded when it is called (or when ``--help`` lists it), and every command module
imports the library inside its functions, so ``opsdocs --help`` stays instant. :func:`main` is the
single error boundary: library errors become one ``error:`` line and exit 2, findings exit 1,
Ctrl-C exits 130, and anything unexpected is a bug reported in one line with exit 3.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from opsdocs import __version__, collector
from opsdocs.features import command_table, resolve

__all__ = ["cli", "main"]

#: Command name -> "module:attribute", from the features' descriptors (:mod:`opsdocs.features`).
COMMANDS: dict[str, str] = command_table()

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        command: click.Command | None = resolve(target) if target is not None else None
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="opsdocs")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Workspace root (default: walk up from the current folder).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.pass_context
def cli(ctx: click.Context, root: str | None, debug: bool) -> None:
    """Keep operations documentation true: runbooks, SLOs, incidents and DR plans."""
    from opsdocs.cli.context import AppContext

    ctx.obj = AppContext(root=root, debug=debug)


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _one_line(message: str) -> str:
    return " ".join(message.split()).rstrip(".")


def _from_output(exc: OSError) -> bool:
    """Whether ``exc`` came from writing the command's output (``opsdocs list > /dev/full``)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    last = Path(frames[-1].filename)
    return (last.parent.name == "click" and frames[-1].name == "echo") or (
        last.parent.name == "rich" and last.name == "console.py"
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the command line and exit with its code."""
    # One command, then the process ends: the collector stays paused throughout. What a command
    # drops is freed by reference counting, and the collection that would otherwise follow
    # a run's own pause walked everything the run allocated (0.02 s after a check of thousands
    # of files); the process ends without the collector's last pass too. A command that keeps
    # running collects itself (site serve, after each rebuild).
    with collector.paused():
        code = run(argv)
        gc.freeze()
    sys.exit(code)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (used by tests and ``main``)."""
    from opsdocs.cli.context import display_error
    from opsdocs.errors import OpsdocsError, from_os_error

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("OPSDOCS_DEBUG") == "1"
    try:
        result: Any = cli.main(args=args, prog_name="opsdocs", standalone_mode=False)
        try:
            sys.stdout.flush()  # a full disk behind stdout is this command's error, not exit's
        except OSError as exc:
            exc.filename = "standard output"
            raise
    except (click.exceptions.Abort, KeyboardInterrupt):
        _error("interrupted")
        return EXIT_INTERRUPTED
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:  # a bare group: its help, as Click does
        exc.show()
        return EXIT_USAGE
    except click.UsageError as exc:  # bad option, bad choice, missing argument: one line
        command = exc.ctx.command_path if exc.ctx is not None else "opsdocs"
        _error(f"{_one_line(exc.format_message())} (see '{command} --help')")
        return EXIT_USAGE
    except click.ClickException as exc:
        _error(_one_line(exc.format_message()))
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except OpsdocsError as exc:
        _error(display_error(exc))
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a folder that cannot be written, a full disk, a symlink loop...
        if exc.filename is None and _from_output(exc):
            exc.filename = "standard output"
        _error(display_error(from_os_error(exc)))
        return EXIT_USAGE
    except Exception as exc:  # the single place where a bug becomes exit 3
        if debug:
            import traceback

            traceback.print_exc()
        first = str(exc).splitlines()[0] if str(exc) else ""
        _error(
            f"internal error: {type(exc).__name__}: {first} "
            "(this is a bug in opsdocs; rerun with --debug for the traceback)"
        )
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK

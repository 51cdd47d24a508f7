"""Options and output helpers shared by the command modules.

One helper per option or way of writing output that several commands share, so that it reads
and behaves the same in each. Like the command modules, this one imports the library only inside
its functions: every command module imports it, and ``opsdocs --help`` must stay instant.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from opsdocs.check.findings import CheckResult
    from opsdocs.outputs import ReportFiles
    from opsdocs.workspace import Workspace

__all__ = [
    "Instant",
    "echo_check",
    "echo_json",
    "echo_notes",
    "echo_rendered",
    "echo_table",
    "echo_written",
    "format_option",
    "output_option",
    "split_values",
    "time_option",
    "today_option",
    "write_output",
]

F = TypeVar("F", bound=Callable[..., Any])


def format_option(*choices: str, help: str = "Output format.") -> Callable[[F], F]:
    """``--format`` (passed as ``fmt``), one of ``choices``; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def report_outputs(*, chart: str, write: str) -> Callable[[F], F]:
    """``--format`` (table, json or markdown), then ``--chart DIR`` (passed as ``chart_dir``),
    ``--png`` and ``--write``: how a report prints, and what it keeps besides its text (charts,
    and a status block in each document)."""

    def decorate(command: F) -> F:
        command = click.option("--write", is_flag=True, help=write)(command)
        command = click.option(
            "--png",
            is_flag=True,
            help="With --chart, also write PNG (needs resvg-py: opsdocs[charts]).",
        )(command)
        command = click.option(
            "--chart",
            "chart_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help=chart,
        )(command)
        return format_option("table", "json", "markdown")(command)

    return decorate


def split_values(values: tuple[str, ...]) -> list[str]:
    """The items of a repeatable option whose values may each be a comma-separated list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _as_date(
    ctx: click.Context, param: click.Parameter, value: dt.datetime | None
) -> dt.date | None:
    return value.date() if value else None


def today_option(help: str) -> Callable[[F], F]:
    """``--today YYYY-MM-DD``, passed as a :class:`datetime.date` (``None`` when not given)."""
    return click.option(
        "--today", type=click.DateTime(formats=["%Y-%m-%d"]), callback=_as_date, help=help
    )


class Instant(click.ParamType):  # type: ignore[type-arg]
    """A point in time typed by a person, read by :func:`opsdocs.instants.parse_instant` (no
    zone means UTC), passed as a UTC :class:`datetime.datetime`."""

    name = "time"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        from opsdocs.instants import parse_instant

        what = param.opts[0] if param is not None and param.opts else "time"
        return parse_instant(str(value), what=what)


def time_option(*decls: str, help: str) -> Callable[[F], F]:
    """A time option (``--at`` unless ``decls`` says otherwise) with the one reading of times
    every command shares; ``help`` says what the time is, the accepted forms are added."""
    from_help = "ISO 8601 (no zone: UTC), HH:MM (UTC), now, now-2h or Unix seconds"
    return click.option(
        *(decls or ("--at",)), type=Instant(), metavar="TIME", help=f"{help} {from_help}."
    )


def output_option(*decls: str, help: str) -> Callable[[F], F]:
    """A file to write instead of standard output (``decls`` as for :func:`click.option`)."""
    return click.option(*decls, type=click.Path(dir_okay=False, path_type=Path), help=help)


def write_output(text: str, path: Path | None) -> None:
    """Write ``text`` to ``path`` atomically or, without a path, to standard output as it is."""
    if path is None:
        click.echo(text, nl=False)
        return
    from opsdocs.fileio import atomic_write

    atomic_write(path, text)


def echo_check(result: CheckResult, fmt: str, output: Path | None) -> int:
    """Write the findings of a check as ``fmt`` (to ``output``, else standard output), with the
    summary on standard error unless the text report went to standard output; return the exit
    code the findings call for."""
    from opsdocs.check.formats import render

    write_output(render(result, fmt), output)
    if fmt != "text" or output is not None:
        click.echo(result.summary(), err=True)
    return result.exit_code


def echo_json(
    data: Any, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None
) -> None:
    """Print ``data`` as JSON indented by two spaces."""
    click.echo(json.dumps(data, indent=2, sort_keys=sort_keys, default=default))


def echo_notes(label: str, notes: Iterable[object]) -> None:
    """Say each of ``notes`` on standard error, after ``label`` (``warning``, ``note``)."""
    for note in notes:
        click.echo(f"{label}: {note}", err=True)


def echo_written(workspace: Workspace, files: ReportFiles, changed: set[Path]) -> None:
    """Say on standard error which of a report's charts were written and documents updated
    (those in ``changed``: a file whose text stayed the same is not named)."""
    for path in files.charts:
        if path in changed:
            click.echo(f"wrote {workspace.relative(path)}", err=True)
    for path in files.documents:
        if path in changed:
            click.echo(f"updated {workspace.relative(path)}", err=True)


def echo_table(rows: Sequence[Sequence[str]], *, err: bool = False) -> None:
    """Print ``rows`` in aligned columns (cells come from documents and configuration files:
    escaped)."""
    from opsdocs.tables import aligned

    for line in aligned(rows):
        click.echo(line, err=err)


def echo_rendered(fmt: str, value: Any, **renderers: Callable[[Any], str]) -> None:
    """Print ``value`` as ``renderers[fmt]`` renders it (JSON gets a final line break; text and
    Markdown end with their own)."""
    click.echo(renderers[fmt](value), nl=fmt == "json")

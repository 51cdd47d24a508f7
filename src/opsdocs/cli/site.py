"""``opsdocs site``: the operations folder as a static web portal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from opsdocs.cli.context import app, display_path
from opsdocs.cli.options import F, echo_notes, format_option, time_option, today_option


def _out_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("site"),
        show_default=True,
        help=help,
    )


# build and serve judge reviews on the same day and may skip the checks alike
_today_option = today_option("Date reviews and action items are judged at (default: today).")
_no_check_option = click.option(
    "--no-check", "no_check", is_flag=True, help="Do not run the checks."
)


@click.group()
def site() -> None:
    """The ops portal: a static site of the operations folder."""


@site.command("build")
@_out_option("Folder to write the site to (replaced when it holds a site opsdocs built).")
@_today_option
@time_option(help="Moment the embedded on-call data is centred on (default: now).")
@_no_check_option
@format_option(
    "html", "mkdocs", help="html: the portal; mkdocs: mkdocs.yml and a docs tree (TechDocs)."
)
@click.pass_context
def build_command(
    ctx: click.Context,
    out: Path,
    today: dt.date | None,
    at: dt.datetime | None,
    no_check: bool,
    fmt: str,
) -> None:
    """Build the portal: every document, services, incidents, on-call, search, findings."""
    from opsdocs.site.build import BuildOptions, Site

    options = BuildOptions(today=today, now=at, check=not no_check, format=fmt)
    result = Site(app(ctx).workspace(), out, options).build()
    echo_notes("warning", result.notes)
    click.echo(
        f"Built {result.pages} pages from {result.documents} documents "
        f"({result.findings} findings) in {display_path(result.out)}/"
    )
    if fmt == "mkdocs":
        click.echo(f"Publish it with 'mkdocs build -f {display_path(result.out / 'mkdocs.yml')}'")
    else:
        click.echo(f"Open {display_path(result.out / 'index.html')}")


@site.command("serve")
@_out_option("Folder to build the site in and serve.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@_today_option
@_no_check_option
@click.pass_context
def serve_command(
    ctx: click.Context, out: Path, port: int, today: dt.date | None, no_check: bool
) -> None:
    """Serve the portal on 127.0.0.1 and rebuild it when a document changes (Ctrl-C stops)."""
    from opsdocs.site.build import BuildOptions, Site
    from opsdocs.site.serve import start_server, watch

    site_ = Site(app(ctx).workspace(), out, BuildOptions(today=today, check=not no_check))
    result = site_.build()
    echo_notes("warning", result.notes)
    click.echo(f"Built {result.pages} pages from {result.documents} documents")
    try:
        server = start_server(out, port)
    except OSError as exc:
        from opsdocs.errors import UsageError

        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pick another --port, or 0 for any free one",
        ) from None
    click.echo(f"Serving {display_path(out)}/ at {server.url} (Ctrl-C to stop)")
    try:
        watch(site_, lambda line: click.echo(line, err=line.startswith("error:")))
    finally:
        server.stop()

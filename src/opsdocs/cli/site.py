"""``opsdocs site``: the operations folder as a static web portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli.context import app, display_path
from opsdocs.cli.options import time_option, today_option


@click.group()
def site() -> None:
    """The ops portal: a static site of the operations folder."""


@site.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site to (replaced when it holds a site opsdocs built).",
)
@today_option("Date reviews and action items are judged at (default: today).")
@time_option(help="Moment the embedded on-call data is centred on (default: now).")
@click.option("--no-check", "no_check", is_flag=True, help="Do not run the checks.")
@click.pass_context
def build_command(
    ctx: click.Context, out: Path, today: dt.date | None, at: dt.datetime | None, no_check: bool
) -> None:
    """Build the portal: every document, services, incidents, on-call, search, findings."""
    from opsdocs.site.build import BuildOptions, build_site

    options = BuildOptions(today=today, now=at, check=not no_check)
    result = build_site(app(ctx).workspace(), out, options)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    click.echo(
        f"Built {result.pages} pages from {result.documents} documents "
        f"({result.findings} findings) in {display_path(result.out)}/"
    )
    click.echo(f"Open {display_path(result.out / 'index.html')}")

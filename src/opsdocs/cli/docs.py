"""Commands that create and list documents: init, new, index, list, schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli import EXIT_FINDINGS
from opsdocs.cli.context import app
from opsdocs.cli.options import echo_json, format_option, today_option


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init_command(ctx: click.Context, directory: Path | None) -> int:
    """Lay out the operations folder: the "How We Run" README and the templates.

    Creates docs/internal/operations/README.md (with the index) and templates/docs/*-template.md
    under DIRECTORY (default: the workspace root). Existing files are never overwritten.
    """
    from opsdocs.documents.scaffold import init_workspace

    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    workspace = app(ctx).workspace(directory)
    result = init_workspace(workspace)
    for path in result.created:
        click.echo(f"created {workspace.relative(path)}")
    for path in result.existing:
        click.echo(f"exists  {workspace.relative(path)} (left as it was)")
    if not result.created:
        click.echo("Nothing to do: the operations folder is already set up.")
    return 0


@click.command("new")
@click.argument("kind")
@click.argument("name", required=False)
@click.option("--owner", help="Owning team, e.g. team-api (default: first of config 'owners').")
@click.option("--title", help="Document title (default: derived from the kind and NAME).")
@click.option(
    "--service",
    help="Service the document is about (SLOs: default the longest runbook service NAME starts"
    " with).",
)
@today_option("Date to record as last_reviewed (default: today).")
@click.option("--no-index", is_flag=True, help="Do not update the README index.")
@click.pass_context
def new_command(
    ctx: click.Context,
    kind: str,
    name: str | None,
    owner: str | None,
    title: str | None,
    service: str | None,
    today: dt.date | None,
    no_index: bool,
) -> int:
    """Create a document of KIND from its template and add it to the index.

    NAME is lowercase letters, digits and hyphens (a runbook's NAME is its service).
    Kinds that are one per folder (incident-response, disaster-recovery) take no NAME.
    """
    from opsdocs.documents.scaffold import new_document

    workspace = app(ctx).workspace()
    result = new_document(
        workspace,
        kind,
        name,
        owner=owner,
        title=title,
        service=service,
        today=today,
        update_index=not no_index,
    )
    click.echo(workspace.relative(result.path))
    if result.index is not None:
        click.echo(f"updated index in {workspace.relative(result.index)}", err=True)
    return 0


@click.command("index")
@click.option(
    "--check", is_flag=True, help="Write nothing; show the difference and exit 1 if stale."
)
@click.pass_context
def index_command(ctx: click.Context, check: bool) -> int:
    """Regenerate the index of operations documents and the SLO budget tables.

    Only the text between <!-- opsdocs:index:start --> and <!-- opsdocs:index:end --> in the
    README, and between <!-- opsdocs:budget:start --> and <!-- opsdocs:budget:end --> in SLO
    documents, changes.
    """
    from opsdocs.documents.index import plan_index
    from opsdocs.fileio import locked

    workspace = app(ctx).workspace()
    plan = plan_index(workspace)
    label = workspace.relative(plan.index.path)
    if check:
        if plan.index.stale:
            click.echo(plan.index.diff(label), nl=False)
            click.echo(f"{label}: index is stale (run 'opsdocs index')", err=True)
        for block in plan.blocks:
            name = workspace.relative(block.path)
            click.echo(f"{name}: {block.what} is stale (run 'opsdocs index')", err=True)
        if plan.stale:
            return EXIT_FINDINGS
        click.echo(f"{label}: index is up to date", err=True)
        return 0
    with locked(workspace.root, workspace.readme):  # read again under the lock, then write
        plan = plan_index(workspace, plan.blocks)
        plan.changes(workspace).commit()
    if plan.index.stale:
        click.echo(f"updated index in {label}")
    else:
        click.echo(f"{label}: index is up to date")
    for block in plan.blocks:
        click.echo(f"updated {block.what} in {workspace.relative(block.path)}")
    return 0


@click.command("list")
@click.option("--kind", "kind_name", help="Only documents of this kind (or profile).")
@format_option("table", "json")
@click.pass_context
def list_command(ctx: click.Context, kind_name: str | None, fmt: str) -> int:
    """List the operations documents with kind, title, owner and review dates."""
    from opsdocs.check.discovery import list_all

    workspace = app(ctx).workspace()
    rows = list_all(workspace, kind_name)
    if fmt == "json":
        echo_json([row.as_dict() for row in rows])
        return 0
    if not rows:
        click.echo("No operations documents yet (create one with 'opsdocs new').")
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from opsdocs.sanitize import escape_line

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("KIND", "PATH", "TITLE", "OWNER", "REVIEWED", "DUE"):
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not str: a title is not Rich markup; and one line each, control characters escaped
        cells = (row.kind, row.path, row.title, row.owner, row.last_reviewed, row.review_due)
        table.add_row(*(Text(escape_line(cell or "-")) for cell in cells))
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 200))
    console.print(table)
    return 0


@click.command("schema")
@click.argument("kind")
def schema_command(kind: str) -> int:
    """Print the JSON Schema of KIND's front matter (for editors and CI validators)."""
    from opsdocs.documents.kinds import get_kind
    from opsdocs.documents.schemas import model_json_schema

    model = get_kind(kind).schema
    echo_json(model_json_schema(model), sort_keys=True)
    return 0

"""``opsdocs slo``: compile SLO documents to Prometheus rules; import and export specs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from opsdocs.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from opsdocs.cli.context import app
from opsdocs.cli.options import echo_notes, format_option, output_option, write_output

if TYPE_CHECKING:
    from opsdocs.slo.rules import SloDocument
    from opsdocs.slo.settings import SloSettings
    from opsdocs.workspace import Workspace


@click.group("slo")
def slo() -> None:
    """SLOs that compile: rules, tests, import and export of SLO specs."""


def _settings(ctx: click.Context) -> tuple[Workspace, SloSettings]:
    from opsdocs.slo.settings import load_settings

    workspace = app(ctx).workspace()
    return workspace, load_settings(
        workspace.config.section("slo"), source=workspace.config.source_label
    )


def _load(
    ctx: click.Context, paths: tuple[Path, ...]
) -> tuple[Workspace, SloSettings, list[SloDocument]]:
    from opsdocs.documents.folder import read_documents
    from opsdocs.documents.parse import read_document
    from opsdocs.slo.rules import load_slo_document

    workspace, settings = _settings(ctx)
    docs = [read_document(p) for p in paths] if paths else read_documents(workspace, "slo")
    loaded = [load_slo_document(d, settings, label=workspace.relative(d.path)) for d in docs]
    return workspace, settings, loaded


@slo.command("rules")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the rule files (default: config slo.output_dir, 'rules/slo').",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["prometheus", "prometheus-operator"]),
    help="Plain Prometheus rule files, or PrometheusRule objects (default: config slo.format).",
)
@click.option(
    "--compat",
    type=click.Choice(["native", "sloth"]),
    default="native",
    show_default=True,
    help="'sloth' reproduces Sloth's groups, names and labels for dashboards built on Sloth.",
)
@click.option("--tests", is_flag=True, help="Also write a promtool unit test file per SLO.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files are stale.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .opsdocs/cache.")
@click.pass_context
def rules_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out_dir: Path | None,
    fmt: str | None,
    compat: str,
    tests: bool,
    check: bool,
    no_cache: bool,
) -> int:
    """Compile the SLOs of slo documents (all, or PATHS) into Prometheus rule files.

    Per SLO: SLI recording rules for every alert window and the period, metadata rules, and a
    page and a ticket alert (multi-window, multi-burn-rate). One file per document:
    OUT/<document>.yaml. With --tests, promtool unit tests go to their own folder (config
    slo.tests_dir, default OUT-tests): <document>.<slo>.test.yaml and, for window pairs
    evaluated less often, <document>.<slo>.eval-<interval>.test.yaml; when promtool is
    installed, it checks the rule files before anything is written.
    """
    from opsdocs.slo.rules import plan_workspace_rules, rule_changes, stale_outputs

    workspace, settings = _settings(ctx)
    plan = plan_workspace_rules(
        workspace,
        settings,
        paths=paths,
        out_dir=out_dir,
        fmt=fmt,  # type: ignore[arg-type]
        compat=compat,  # type: ignore[arg-type]
        tests=tests,
        use_cache=not no_cache,
    )
    for finding in plan.findings:
        click.echo(f"{finding.severity}: {finding.format()}", err=True)
    if plan.errors:
        return EXIT_USAGE
    echo_notes("note", plan.notes)
    if tests:
        from opsdocs.slo.promtool import promtool_problems

        rejected = promtool_problems(plan.outputs, label=workspace.relative)
        for problem in rejected or ():
            click.echo(f"error: {problem}", err=True)
        if rejected:
            return EXIT_USAGE
    if check:
        stale = stale_outputs(plan)
        for path in stale:
            click.echo(f"stale {plan.relative(path)}")
        for path in plan.orphans:
            click.echo(f"orphan {plan.relative(path)} (no document generates it)")
        if stale or plan.orphans:
            click.echo(
                f"{len(stale) + len(plan.orphans)} rule file(s) out of date; run 'opsdocs slo"
                " rules' to update.",
                err=True,
            )
            return EXIT_FINDINGS
        click.echo(f"{len(plan.outputs)} rule file(s) up to date.")
        return EXIT_OK
    changed = set(rule_changes(workspace, plan, out_given=out_dir is not None).commit())
    for output in plan.outputs:
        state = "wrote" if output.path in changed else "same "
        click.echo(f"{state} {plan.relative(output.path)}")
    for path in plan.orphans:
        click.echo(
            f"warning: {plan.relative(path)}: generated by opsdocs but no document"
            " generates it any more (delete it)",
            err=True,
        )
    if not plan.outputs:
        click.echo("No SLOs found: add 'slos:' to the front matter of an slo document.")
    return EXIT_OK


@slo.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--owner", help="Owner of documents created for new services (default: config).")
@click.option(
    "--dry-run", is_flag=True, help="Say what would change, field by field; write nothing."
)
@click.pass_context
def import_command(
    ctx: click.Context, files: tuple[Path, ...], owner: str | None, dry_run: bool
) -> int:
    """Import Sloth or OpenSLO SLO specs into slo documents.

    FILES are Sloth prometheus/v1 specs, sloth.slok.dev/v1 PrometheusServiceLevel manifests,
    OpenSLO v1 files (SLO, SLI, AlertPolicy, AlertCondition, AlertNotificationTarget, Service,
    DataSource; references resolve across FILES) or OpenSLO v1alpha SLOs. Each service's SLOs
    go into its slo document: an SLO of the same name is updated with the keys the spec
    defines (the others stay), new ones are added, and everything else in the document is
    kept. Every spec is validated first; then all documents are written, or none.
    """
    from opsdocs.slo.importer import import_lock, plan_import, read_sources

    workspace = app(ctx).workspace()
    sources = read_sources(workspace, files)
    with import_lock(workspace):
        plan = plan_import(workspace, sources, owner=owner)
        if plan.changes and not dry_run:
            plan.changes.commit()
    echo_notes("note", plan.notes)
    for doc in plan.documents:
        names = ", ".join(doc.slos)
        label = workspace.relative(doc.path)
        if not doc.changed:
            click.echo(f"same    {label}: {names}")
            continue
        verb = "created" if doc.created else "updated"
        click.echo(f"{'would ' + verb[:-1] if dry_run else verb} {label}: {names}")
        if dry_run:
            for line in doc.diff:
                click.echo(f"  {line}")
    if not plan.documents:
        click.echo("No SLOs found in the files given.", err=True)
        return EXIT_FINDINGS
    return EXIT_OK


@slo.command("export")
@format_option("openslo")
@output_option("--out", "out", help="File to write (default: standard output).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, out: Path | None) -> int:
    """Export the SLOs of every slo document as standard OpenSLO v1 (Service,
    AlertNotificationTarget, SLI, AlertCondition, AlertPolicy and SLO objects, one YAML stream).

    Counter queries are written as the raw counters; what OpenSLO cannot say travels in
    opsdocs.dev/ annotations, so 'opsdocs slo import' reads the export back unchanged.
    """
    from opsdocs.slo.interchange.openslo import export_openslo, render_openslo

    workspace, settings, loaded = _load(ctx, ())
    errors = [f for d in loaded for f in d.errors]
    for finding in errors:
        click.echo(f"error: {finding.format()}", err=True)
    if errors:
        return EXIT_USAGE
    objects = []
    for sd in sorted(loaded, key=lambda d: str(d.document.path)):
        if sd.section is not None and sd.section.slos:
            objects.extend(
                export_openslo(sd.section.service, sd.section.slos, windows=settings.window_pairs())
            )
    write_output(render_openslo(objects), out)
    if out is not None:
        click.echo(f"wrote {workspace.relative(out)}", err=True)
    return EXIT_OK


@slo.command("budget")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a table is stale.")
@click.pass_context
def budget_command(ctx: click.Context, check: bool) -> int:
    """Update the error-budget table of every slo document that has SLOs.

    The table sits between <!-- opsdocs:budget:start --> and <!-- opsdocs:budget:end -->; a
    document without the markers gets them at the end of its "SLO Target" section.
    """
    from opsdocs.slo.budget import stale_budget_tables

    workspace, settings, loaded = _load(ctx, ())
    valid = [sd.document.path for sd in loaded if sd.section is not None]
    stale = stale_budget_tables(valid, settings.window_pairs())
    for update in stale:
        click.echo(f"{'stale' if check else 'updated'} {workspace.relative(update.path)}")
    if check:
        if stale:
            click.echo(
                f"{len(stale)} budget table(s) out of date; run 'opsdocs slo budget' to update.",
                err=True,
            )
            return EXIT_FINDINGS
        return EXIT_OK
    changes = workspace.changes()
    for update in stale:
        changes.write(update.path, update.new)
    changes.commit()
    return EXIT_OK


def _attach_report() -> None:
    # 'slo report' lives in its own module (opsdocs.cli.report), owned by the reports feature.
    from opsdocs.cli.report import report_command

    slo.add_command(report_command)


_attach_report()

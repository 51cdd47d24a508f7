"""``opsdocs slo``: compile SLO documents to Prometheus rules; import and export specs."""

from __future__ import annotations

from pathlib import Path

import click

from opsdocs.cli.context import app

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


@click.group("slo")
def slo() -> None:
    """SLOs that compile: rules, tests, import and export of SLO specs."""


def _settings(ctx: click.Context):  # type: ignore[no-untyped-def]
    from opsdocs.slo.settings import load_settings

    workspace = app(ctx).workspace()
    return workspace, load_settings(
        workspace.config.section("slo"), source=workspace.config.source_label
    )


def _load(ctx: click.Context, paths: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from opsdocs.documents.parse import read_document
    from opsdocs.slo.rules import load_slo_document

    workspace, settings = _settings(ctx)
    docs = [read_document(p) for p in paths] if paths else workspace.documents("slo")
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
@click.pass_context
def rules_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out_dir: Path | None,
    fmt: str | None,
    compat: str,
    tests: bool,
    check: bool,
) -> int:
    """Compile the SLOs of slo documents (all, or PATHS) into Prometheus rule files.

    Per SLO: SLI recording rules for every alert window and the period, metadata rules, and a
    page and a ticket alert (multi-window, multi-burn-rate). One file per document:
    OUT/<document>.yaml, plus OUT/<document>.<slo>.test.yaml with --tests.
    """
    from opsdocs.errors import UsageError
    from opsdocs.slo.rules import plan_rules, runbook_resolver, stale_outputs
    from opsdocs.workspace import ChangeSet

    workspace, settings, loaded = _load(ctx, paths)
    chosen_fmt = fmt or settings.format
    if tests and chosen_fmt != "prometheus":
        raise UsageError(
            "--tests needs plain Prometheus rule files",
            hint="drop --tests or use --format prometheus",
        )
    target = out_dir if out_dir is not None else workspace.root / settings.output_dir
    resolver = runbook_resolver(
        workspace.documents("runbook"), workspace.docs_dir, settings.docs_base_url
    )
    plan = plan_rules(
        loaded,
        target,
        fmt=chosen_fmt,  # type: ignore[arg-type]
        compat=compat,  # type: ignore[arg-type]
        settings=settings,
        runbook_url=resolver,
        tests=tests,
        label=workspace.relative,
    )
    for finding in plan.findings:
        click.echo(f"{finding.severity}: {finding.text()}", err=True)
    if plan.errors:
        return EXIT_USAGE
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    if check:
        stale = stale_outputs(plan)
        for path in stale:
            click.echo(f"stale {workspace.relative(path)}")
        if stale:
            click.echo(
                f"{len(stale)} rule file(s) out of date; run 'opsdocs slo rules' to update.",
                err=True,
            )
            return EXIT_FINDINGS
        click.echo(f"{len(plan.outputs)} rule file(s) up to date.")
        return EXIT_OK
    changes = ChangeSet()
    for output in plan.outputs:
        changes.write(output.path, output.text)
    changed = set(changes.commit()) if changes else set()
    for output in plan.outputs:
        state = "wrote" if output.path in changed else "same "
        click.echo(f"{state} {workspace.relative(output.path)}")
    if not plan.outputs:
        click.echo("No SLOs found: add 'slos:' to the front matter of an slo document.")
    return EXIT_OK


def _attach_report() -> None:
    # 'slo report' lives in its own module (opsdocs.cli.report), owned by the reports feature.
    from opsdocs.cli.report import report_command

    slo.add_command(report_command)


_attach_report()

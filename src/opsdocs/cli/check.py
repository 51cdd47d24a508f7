"""Commands of the linter: ``check`` and ``rule``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from opsdocs.cli.context import app
from opsdocs.cli.options import (
    echo_check,
    echo_json,
    format_option,
    output_option,
    split_values,
    today_option,
)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option(
    "text",
    "json",
    "sarif",
    "github",
    help="Output format (sarif: SARIF 2.1.0; github: Actions annotations).",
)
@click.option(
    "--select",
    multiple=True,
    help="Only these rules: codes, prefixes or names (repeat or comma-separate).",
)
@click.option("--ignore", multiple=True, help="Skip these rules: codes, prefixes or names.")
@click.option("--strict", is_flag=True, default=None, help="Warnings fail the check too (exit 1).")
@click.option(
    "--fix", is_flag=True, help="Apply safe fixes (stale index, missing section headings)."
)
@today_option("Date for the freshness check (default: today).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option(
    "--jobs", type=click.IntRange(1, 64), help="Worker processes for parsing (default: CPUs)."
)
@output_option("--output", "-o", help="Write the report to FILE instead of standard output.")
@click.pass_context
def check_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool | None,
    fix: bool,
    today: dt.date | None,
    no_cache: bool,
    jobs: int | None,
    output: Path | None,
) -> int:
    """Check operations documents: front matter, names, structure, content, links, freshness.

    With no PATH, checks the operations folder of the workspace. PATH may be any file or folder
    of Markdown: files are typed by their front-matter 'kind' or their file name. Exit status:
    0 clean (warnings allowed unless --strict), 1 findings, 2 usage or configuration error.
    """
    from opsdocs.check.engine import CheckOptions, run_check

    workspace = app(ctx).workspace()
    options = CheckOptions(
        select=split_values(select),
        ignore=split_values(ignore),
        strict=bool(strict),
        today=today,
        cache=not no_cache,
        jobs=jobs,
    )
    result = run_check(workspace, list(paths) or None, options)
    for warning in result.run_warnings:
        click.echo(f"warning: {warning.format()}", err=True)
    if fix and result.fixable:
        from opsdocs.check.fix import apply_fixes

        fixed = apply_fixes(workspace, result)
        for path, change in fixed.changes:
            click.echo(f"fixed {workspace.relative(path)}: {change}", err=True)
        if fixed.changes:
            result = run_check(workspace, list(paths) or None, options)
    return echo_check(result, fmt, output)


@click.command("rule")
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Every rule.")
@format_option("text", "json")
def rule_command(rule: str | None, show_all: bool, fmt: str) -> int:
    """Explain a check rule, by CODE or NAME (or list them all with --all)."""
    from opsdocs.check.docs import rule_text
    from opsdocs.check.registry import all_rules, get_rule
    from opsdocs.errors import UsageError

    if show_all == (rule is not None):
        raise UsageError("give one rule (CODE or NAME) or --all", hint="e.g. 'opsdocs rule ST001'")
    rules = list(all_rules()) if show_all else [get_rule(rule or "")]
    if fmt == "json":
        data = [r.as_dict() for r in rules]
        echo_json(data if show_all else data[0])
    elif show_all:
        width = max(len(r.name) for r in rules)
        for r in rules:
            click.echo(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.text.summary}")
    else:
        click.echo(rule_text(rules[0]), nl=False)
    return 0


@click.command("adopt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", "kind_name", help="The kind of every file (default: told from each file).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing (the default).")
@click.option("--write", is_flag=True, help="Apply the plan: all of it, or nothing.")
@today_option("Date written as last_reviewed in new front matter (default: today).")
@click.pass_context
def adopt_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    kind_name: str | None,
    dry_run: bool,
    write: bool,
    today: dt.date | None,
) -> int:
    """Bring hand-written documents under opsdocs: rename, add front matter, map headings.

    Prints the plan: the new file name by the kind's naming rule, the front matter to add (the
    owner from CODEOWNERS when it names one), the headings that are the kind's sections under
    another name ('Symptoms' is 'Common Failures & Diagnostics'; extend the table with
    [adopt.synonyms]), the sections to add, and the relative links to update. --write applies it
    in one step.
    """
    from opsdocs.check.adopt import apply_adoption, plan_adoption
    from opsdocs.errors import UsageError
    from opsdocs.sanitize import escape_line

    if dry_run and write:
        raise UsageError("--dry-run and --write contradict each other", hint="give one of them")
    workspace = app(ctx).workspace()
    plan = plan_adoption(workspace, list(paths), kind=kind_name, today=today)
    for line in plan.describe(workspace.relative):
        click.echo(escape_line(line))
    if plan.empty:
        click.echo("Nothing to adopt: the files already follow their kind.", err=True)
        return 0
    if not write:
        click.echo("Dry run: nothing changed (apply the plan with --write).", err=True)
        return 0
    written = apply_adoption(workspace, plan)
    click.echo(f"adopted {len(plan.files)} file(s); wrote {len(written)} file(s)", err=True)
    return 0

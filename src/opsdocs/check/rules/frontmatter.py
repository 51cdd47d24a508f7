"""FM: the YAML front matter (present, parseable, valid for its kind)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pydantic import ValidationError

from opsdocs.check.context import KINDS_BY_NAME, DocContext, WorkspaceContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS


def _problems(code: str) -> Callable[[DocContext], Iterator[Diagnostic]]:
    """A check that reports the parser's problems with ``code``."""

    def check(ctx: DocContext) -> Iterator[Diagnostic]:
        for problem in ctx.doc.problems:
            if problem.code == code:
                yield Diagnostic(
                    line=problem.line, col=problem.col, message=problem.message, hint=problem.hint
                )

    return check


def _missing(ctx: DocContext) -> Iterator[Diagnostic]:
    doc = ctx.doc
    if ctx.doctype.front_matter != "required" or doc.front_matter is not None or doc.problems:
        return
    label = ctx.doctype.name
    yield Diagnostic(
        line=1,
        col=1,
        message=f"no front matter: this {label} document does not start with its YAML keys",
        hint="start the file with '---', the keys (kind, title, owner, last_reviewed), then '---'",
    )


def _schema(ctx: DocContext) -> Iterator[Diagnostic]:
    schema = ctx.doctype.schema
    fm = ctx.doc.front_matter
    if schema is None or fm is None or not ctx.front_matter_ok:
        return
    if isinstance(fm.get("kind"), str) and not _known_kind(ctx, fm["kind"]):
        return  # FM008 says it
    try:
        schema.model_validate(fm)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line, col = ctx.doc.position(loc)
            key = ".".join(str(p) for p in loc) or "front matter"
            text = str(error["msg"]).removeprefix("Value error, ")
            message = f"{key}: {text}"
            if error["type"] != "missing" and loc and "(got " not in text:
                message += f" (got {error['input']!r})"
            hint = (
                f"add '{key}:' to the front matter"
                if error["type"] == "missing"
                else f"see 'opsdocs schema {ctx.doctype.kind.name}'"
                if ctx.doctype.kind
                else None
            )
            if error["type"] == "missing" and loc and len(loc) == 1:
                line, col = ctx.doc.position(())
            yield Diagnostic(line=line, col=col, message=message, hint=hint)


def _known_kind(ctx: DocContext, name: str) -> bool:
    profiles = ctx.settings.profiles
    return (
        name in KINDS_BY_NAME or name in profiles or any(p.kind == name for p in profiles.values())
    )


def _unknown_kind(ctx: DocContext) -> Iterator[Diagnostic]:
    fm = ctx.doc.front_matter
    if fm is None or not ctx.front_matter_ok or not isinstance(fm.get("kind"), str):
        return
    if not _known_kind(ctx, fm["kind"]):
        known = ", ".join(k.name for k in KINDS)
        yield ctx.diagnostic(
            ("kind",), message=f"unknown kind {fm['kind']!r}", hint=f"use one of: {known}"
        )


def _unknown_keys(ctx: DocContext) -> Iterator[Diagnostic]:
    schema = ctx.doctype.schema
    fm = ctx.doc.front_matter
    if schema is None or fm is None or not ctx.front_matter_ok:
        return
    known = schema.known_keys()
    for key in fm:
        if key not in known:
            yield ctx.diagnostic(
                (key,),
                message=f"unknown key {key!r} for a {ctx.doctype.name} document",
                hint="check its spelling; known keys: " + ", ".join(sorted(known)),
            )


def _unknown_owner(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    owners = ctx.settings.owners
    if not owners:
        return  # no list of teams configured: any owner will do
    for _, facts in ctx.reported_facts():
        if not facts.type_name or facts.owner is None:
            continue
        if facts.owner not in owners:
            yield facts.diagnostic(
                "owner",
                message=f"owner {facts.owner!r} is not one of the configured owners",
                hint="use one of: " + ", ".join(owners) + " (or add the team to 'owners' in the "
                "configuration)",
            )


RULES = [
    Rule("FM001", "missing-front-matter", "error", check=_missing),
    Rule("FM002", "invalid-front-matter-yaml", "error", check=_problems("front-matter-yaml")),
    Rule(
        "FM003", "unterminated-front-matter", "error", check=_problems("front-matter-unterminated")
    ),
    Rule("FM004", "front-matter-not-mapping", "error", check=_problems("front-matter-not-mapping")),
    Rule("FM005", "front-matter-schema-violation", "error", check=_schema),
    Rule("FM006", "unknown-front-matter-key", "warning", check=_unknown_keys),
    Rule(
        "FM007",
        "duplicate-front-matter-key",
        "error",
        check=_problems("front-matter-duplicate-key"),
    ),
    Rule("FM008", "unknown-kind", "error", check=_unknown_kind),
    Rule("FM009", "unknown-owner", "warning", scope="workspace", check=_unknown_owner),
]

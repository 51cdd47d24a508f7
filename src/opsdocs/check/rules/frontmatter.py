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
    for path, facts in ctx.reported_facts():
        if not facts.type_name or facts.owner is None:
            continue
        if facts.owner not in owners:
            line, col = facts.position("owner")
            yield Diagnostic(
                line=line,
                col=col,
                message=f"owner {facts.owner!r} is not one of the configured owners",
                hint="use one of: " + ", ".join(owners) + " (or add the team to 'owners' in the "
                "configuration)",
                path=path,
            )


MISSING = Rule(
    code="FM001",
    name="missing-front-matter",
    summary="An operations document has no YAML front matter.",
    severity="error",
    check=_missing,
    what=(
        "Reports a document that is typed by its file name (or a profile that requires front "
        "matter) but does not start with a `---` block of YAML keys."
    ),
    why=(
        "The front matter says what the document is, who owns it and when it was last "
        "reviewed. Without it, the index, the freshness check and the cross-document checks "
        "know nothing about the document."
    ),
    example="```markdown\n# API server runbook\n\n## Service Overview\n```",
    instead=(
        "```markdown\n---\nkind: runbook\ntitle: API server runbook\nowner: team-api\n"
        "service: api-server\nlast_reviewed: 2026-01-15\n---\n\n# API server runbook\n```"
    ),
)

INVALID_YAML = Rule(
    code="FM002",
    name="invalid-front-matter-yaml",
    summary="The front matter is not valid YAML.",
    severity="error",
    check=_problems("front-matter-yaml"),
    what=(
        "Reports a YAML syntax error in the front matter at its exact line and column, and "
        "YAML that is refused for safety: Python tags (`!!python/object`) and aliases that "
        "expand to an enormous document."
    ),
    why=(
        "Other tools (static site generators) often drop bad front matter silently, so the "
        "document loses its owner and review date without anyone noticing."
    ),
    example="```yaml\n---\ntitle: API: the runbook\n---\n```",
    instead='```yaml\n---\ntitle: "API: the runbook"\n---\n```',
)

UNTERMINATED = Rule(
    code="FM003",
    name="unterminated-front-matter",
    summary="The front matter starts with '---' but is never closed.",
    severity="error",
    check=_problems("front-matter-unterminated"),
    what="Reports a file that opens front matter with `---` and has no closing `---` line.",
    why="The whole file would be read as YAML, or the front matter ignored: both are wrong.",
    example="```markdown\n---\nkind: runbook\ntitle: API\n\n# API\n```",
    instead="```markdown\n---\nkind: runbook\ntitle: API\n---\n\n# API\n```",
)

NOT_MAPPING = Rule(
    code="FM004",
    name="front-matter-not-mapping",
    summary="The front matter is a list or a scalar, not a mapping of keys.",
    severity="error",
    check=_problems("front-matter-not-mapping"),
    what=(
        "Reports front matter whose YAML is a list or a single value instead of `key: value` lines."
    ),
    why="Every opsdocs key (kind, title, owner, last_reviewed) lives in a mapping.",
    example="```yaml\n---\n- kind: runbook\n- owner: team-api\n---\n```",
    instead="```yaml\n---\nkind: runbook\nowner: team-api\n---\n```",
)

SCHEMA = Rule(
    code="FM005",
    name="front-matter-schema-violation",
    summary="A front-matter key is missing or has a wrong value for the document's kind.",
    severity="error",
    check=_schema,
    what=(
        "Validates the front matter against the schema of the document's kind (see "
        "`opsdocs schema KIND`) and reports each violation as `key.path: message` at the line "
        "of the offending key."
    ),
    why=(
        "A misspelt owner, a date that is not a date or a missing service breaks the index, "
        "the freshness check and every feature that reads the document."
    ),
    example=(
        "```yaml\n---\nkind: runbook\ntitle: API\nowner: Team API\nlast_reviewed: soon\n---\n```"
    ),
    instead=(
        "```yaml\n---\nkind: runbook\ntitle: API\nowner: team-api\nservice: api\n"
        "last_reviewed: 2026-01-15\n---\n```"
    ),
)

UNKNOWN_KEY = Rule(
    code="FM006",
    name="unknown-front-matter-key",
    summary="The front matter has a key the document's kind does not define.",
    severity="warning",
    check=_unknown_keys,
    what="Reports front-matter keys that the schema of the document's kind does not know.",
    why=(
        "Unknown keys are usually typos (`ownr`, `last_review`) whose value is silently "
        "ignored; the real key then looks missing or stale."
    ),
    example="```yaml\nlast_review: 2026-01-15\n```",
    instead="```yaml\nlast_reviewed: 2026-01-15\n```",
)

DUPLICATE_KEY = Rule(
    code="FM007",
    name="duplicate-front-matter-key",
    summary="A front-matter key appears twice.",
    severity="error",
    check=_problems("front-matter-duplicate-key"),
    what="Reports a key that appears more than once in the same front-matter mapping.",
    why="YAML keeps only the last value, so the first one is silently lost.",
    example="```yaml\nowner: team-api\nowner: team-platform\n```",
    instead="```yaml\nowner: team-platform\n```",
)

UNKNOWN_KIND = Rule(
    code="FM008",
    name="unknown-kind",
    summary="The front-matter kind is neither a built-in kind nor a configured profile.",
    severity="error",
    check=_unknown_kind,
    what=(
        "Reports a `kind` value that names no document kind (`opsdocs new --help` lists them) "
        "and no profile in the configuration."
    ),
    why=(
        "A document of an unknown kind gets none of its kind's checks and is left out of the index."
    ),
    example="```yaml\nkind: run-book\n```",
    instead="```yaml\nkind: runbook\n```",
)

UNKNOWN_OWNER = Rule(
    code="FM009",
    name="unknown-owner",
    summary="A document's owner is not one of the teams listed in the configuration's owners.",
    severity="warning",
    scope="workspace",
    check=_unknown_owner,
    what=(
        "When the configuration lists the teams (`owners = [...]` in `opsdocs.toml` or "
        "`[tool.opsdocs]`), reports a document whose `owner` is not one of them. Without the "
        "list, the rule is silent."
    ),
    why=(
        "The owner is who gets asked when the runbook is wrong and who reviews it. A misspelt "
        "or renamed team (`team-paymnets`, a team merged last quarter) looks valid to the "
        "schema, and the document quietly has nobody."
    ),
    example='```yaml\nowner: team-paymnets\n```\n(with `owners = ["team-payments", "team-sre"]`)',
    instead="```yaml\nowner: team-payments\n```",
)

RULES = [
    MISSING,
    INVALID_YAML,
    UNTERMINATED,
    NOT_MAPPING,
    SCHEMA,
    UNKNOWN_KEY,
    DUPLICATE_KEY,
    UNKNOWN_KIND,
    UNKNOWN_OWNER,
]

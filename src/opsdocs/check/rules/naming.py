"""NM: file names (each kind's naming rule, and files that look like documents but break it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opsdocs.check.context import DocContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS, Kind, kind_for_filename
from opsdocs.validators import NAME

_NAME_RE = re.compile(NAME)
_LOOKS_LIKE = re.compile(
    r"^(?P<word>runbook|slo|incident[-_ ]?response|disaster[-_ ]?recovery|monitoring"
    r"|on[-_ ]?call|capacity|cost)(?P<rest>(?:[-_ .].*)?)$",
    re.IGNORECASE,
)


def _prefixed_kind(name: str) -> Kind | None:
    """The multi-document kind whose exact prefix and suffix ``name`` has (NAME may be bad)."""
    for kind in KINDS:
        if kind.singleton:
            continue
        head, _, tail = kind.filename.partition("{name}")
        if name.startswith(head) and name.endswith(tail) and len(name) >= len(head) + len(tail):
            return kind
    return None


def conventional_name(filename: str) -> str | None:
    """The conventional file name for a file that looks like an operations document."""
    match = _LOOKS_LIKE.match(filename)
    if match is None:
        return None
    # the kind's name without its hyphens: "On_Call" and "oncall" are the on-call kind
    word = re.sub(r"[-_ ]+", "", match.group("word").lower())
    kind = next(k for k in KINDS if k.name.replace("-", "") == word)
    rest = match.group("rest")
    for ext in (".markdown", ".md", ".txt", ".mdown"):
        if rest.lower().endswith(ext):
            rest = rest[: -len(ext)]
            break
    slug = re.sub(r"[^a-z0-9]+", "-", rest.lower()).strip("-")
    if kind.singleton:
        return kind.filename
    return kind.filename.replace("{name}", slug or "NAME")


def _convention_breach(ctx: DocContext) -> str | None:
    """Why the file looks like an operations document but breaks the convention, if it does."""
    name = ctx.path.name
    if kind_for_filename(name, "") is not None or _prefixed_kind(name) is not None:
        return None
    wanted = conventional_name(name)
    if wanted is None or wanted == name:
        return None
    return wanted


def _unconventional(ctx: DocContext) -> Iterator[Diagnostic]:
    if ctx.doctype.typed_by == "profile":
        return
    wanted = _convention_breach(ctx)
    if wanted is not None:
        yield Diagnostic(
            line=1,
            col=1,
            message=(
                f"'{ctx.path.name}' looks like an operations document "
                "but breaks the naming convention"
            ),
            hint=f"rename it to '{wanted}'",
        )


def _invalid_name(ctx: DocContext) -> Iterator[Diagnostic]:
    if ctx.doctype.typed_by == "profile":
        return
    name = ctx.path.name
    kind = _prefixed_kind(name)
    if kind is None or kind.match(name) is not None:
        return
    head, _, tail = kind.filename.partition("{name}")
    middle = name[len(head) : len(name) - len(tail)]
    fixed = re.sub(r"[^a-z0-9]+", "-", middle.lower()).strip("-") or "NAME"
    yield Diagnostic(
        line=1,
        col=1,
        message=f"{kind.name} file name '{name}' has an invalid {kind.name_help} {middle!r}",
        hint=f"use lowercase letters, digits and single hyphens: '{head}{fixed}{tail}'",
    )


def _kind_mismatch(ctx: DocContext) -> Iterator[Diagnostic]:
    dt = ctx.doctype
    if dt.typed_by != "front-matter" or dt.kind is None or dt.profile_name is not None:
        return
    name = ctx.path.name
    if dt.kind.match(name) is not None:
        return
    if _prefixed_kind(name) is dt.kind or _convention_breach(ctx) is not None:
        return  # NM001 / NM003 report the file name
    by_name = kind_for_filename(name, "")
    if by_name is not None:
        message = f"kind is '{dt.kind.name}' but '{name}' is named like a {by_name.name}"
    else:
        message = f"kind is '{dt.kind.name}' but '{name}' does not follow '{dt.kind.filename}'"
    hint = f"rename the file to '{dt.kind.filename}' or fix the kind"
    yield ctx.diagnostic(("kind",), message=message, hint=hint)


def _service_mismatch(ctx: DocContext) -> Iterator[Diagnostic]:
    kind = ctx.doctype.kind
    if kind is None or not kind.service_from_name or ctx.doctype.profile_name is not None:
        return
    service = ctx.doc.get("service")
    name = kind.match(ctx.path.name)
    if not name or not isinstance(service, str) or not service.strip():
        return
    if service.strip() != name:
        yield ctx.diagnostic(
            ("service",),
            message=f"service is '{service.strip()}' but the file name says '{name}'",
            hint=f"a {kind.name} is named after its service: rename the file to "
            f"'{kind.filename.replace('{name}', service.strip())}' or fix 'service'",
        )


RULES = [
    Rule("NM001", "invalid-document-name", "error", check=_invalid_name),
    Rule("NM002", "kind-file-name-mismatch", "error", check=_kind_mismatch),
    Rule("NM003", "unconventional-document-name", "error", check=_unconventional),
    Rule("NM004", "service-file-name-mismatch", "error", check=_service_mismatch),
]

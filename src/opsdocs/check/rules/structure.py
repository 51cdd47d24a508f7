"""ST: the document's shape on the parsed CommonMark tree (sections, title, fences)."""

from __future__ import annotations

from collections.abc import Iterator

from opsdocs.check.context import DocContext, find_section, section_key
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic


def _last_line(ctx: DocContext) -> int:
    lines = ctx.doc.lines
    n = len(lines)
    while n > 1 and not lines[n - 1].strip():
        n -= 1
    return max(n, 1)


def missing_sections(ctx: DocContext) -> list[tuple[int, str, int | None]]:
    """(spec index, title, line of the next present required section or None) per missing one."""
    specs = ctx.doctype.sections
    found = [find_section(ctx.doc, spec.title) for spec in specs]
    result: list[tuple[int, str, int | None]] = []
    for i, spec in enumerate(specs):
        if found[i] is None:
            after = next((s.line for s in found[i + 1 :] if s is not None), None)
            result.append((i, spec.title, after))
    return result


def _missing(ctx: DocContext) -> Iterator[Diagnostic]:
    if not ctx.doctype.sections:
        return
    if ctx.doc.front_matter is None and ctx.doctype.front_matter == "required":
        # not adopted yet: --fix leaves it alone, and its headings may be the sections under
        # other names
        hint = "add it, or run 'opsdocs adopt FILE' to map the headings it has and add the rest"
    else:
        hint = "add it, or run 'opsdocs check --fix' to add it with the template's guidance"
    for _, title, after in missing_sections(ctx):
        yield Diagnostic(
            line=after if after is not None else _last_line(ctx),
            col=1,
            message=f"missing required section '## {title}'",
            hint=hint,
            fixable=ctx.safe_to_edit,
        )


def _order(ctx: DocContext) -> Iterator[Diagnostic]:
    if not ctx.doctype.sections or not ctx.doctype.order:
        return
    previous: tuple[int, str] | None = None
    for spec in ctx.doctype.sections:
        section = find_section(ctx.doc, spec.title)
        if section is None:
            continue
        if previous is not None and section.line < previous[0]:
            yield Diagnostic(
                line=section.line,
                col=1,
                message=f"section '{section.title}' comes before '{previous[1]}'",
                hint="order: " + ", ".join(s.title for s in ctx.doctype.sections),
            )
        else:
            previous = (section.line, section.title)


def _empty(ctx: DocContext) -> Iterator[Diagnostic]:
    if not ctx.doctype.typed:
        return
    for section in ctx.doc.sections:
        if not section.has_content:
            yield Diagnostic(
                line=section.line,
                col=1,
                message=f"section '{section.title}' is empty",
                hint="write what belongs there, or say explicitly that it does not apply",
            )


def _missing_title(ctx: DocContext) -> Iterator[Diagnostic]:
    if not ctx.doctype.typed or ctx.doc.title_heading is not None:
        return
    if any(p.code == "front-matter-unterminated" for p in ctx.doc.problems):
        return
    first = next((t.map[0] for t in ctx.doc.tokens if t.map is not None), None)
    yield Diagnostic(
        line=ctx.doc.body_line + first if first is not None else ctx.doc.body_line,
        col=1,
        message="no title: the document has no level-1 heading",
        hint="start the body with '# ' and the title",
    )


def _title_mismatch(ctx: DocContext) -> Iterator[Diagnostic]:
    heading = ctx.doc.title_heading
    if not ctx.doctype.typed or heading is None:
        return
    mode = ctx.doctype.title
    if mode == "file-stem":
        expected = ctx.path.name.rsplit(".", 1)[0] if "." in ctx.path.name else ctx.path.name
        source = "the file name"
    elif mode == "front-matter":
        value = ctx.doc.get("title")
        if not isinstance(value, str) or not value.strip() or not ctx.front_matter_ok:
            return
        expected, source = value.strip(), "the front-matter title"
    else:
        return
    if section_key(heading.text) != section_key(expected):
        yield Diagnostic(
            line=heading.line,
            col=1,
            message=f"title '{heading.text}' differs from {source} '{expected}'",
            hint=f"make the H1 '# {expected}'",
        )


def _unclosed_fence(ctx: DocContext) -> Iterator[Diagnostic]:
    for line in ctx.doc.unclosed_fences:
        yield Diagnostic(
            line=line,
            col=1,
            message="code fence is never closed: it runs to the end of its block as code",
            hint="close it with a line of the same fence characters",
        )


RULES = [
    Rule("ST001", "missing-required-section", "error", check=_missing, fixable=True),
    Rule("ST002", "section-out-of-order", "warning", check=_order),
    Rule("ST003", "empty-section", "warning", check=_empty),
    Rule("ST004", "missing-title", "error", check=_missing_title),
    Rule("ST005", "title-mismatch", "error", check=_title_mismatch),
    Rule("ST006", "unclosed-code-fence", "error", check=_unclosed_fence),
]

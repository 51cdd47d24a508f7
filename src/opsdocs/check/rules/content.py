"""CT: text left over from a template (placeholders, template syntax, guidance lines)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opsdocs.check.context import DocContext
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.kinds import KINDS

_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MARKERS = re.compile(r"\b(TODO|TBD|FIXME)\b")
_ANGLE = re.compile(r"<([A-Za-z][^<>:@=/\n]*)>")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_SLO_WINDOW = re.compile(r"\{\{\s*window\s*\}\}")

#: HTML elements people write in Markdown on purpose.
_HTML = frozenset(
    [
        "a",
        "abbr",
        "b",
        "br",
        "blockquote",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "video",
    ]
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _prose_lines(ctx: DocContext) -> Iterator[tuple[int, str]]:
    """(line number, text with comments and code spans blanked) for every non-code line."""
    if not ctx.doctype.typed:
        return
    skipped = ctx.skipped_lines
    for number, line in enumerate(ctx.doc.lines, start=1):
        if number in skipped or not line.strip():
            continue
        text = _COMMENT.sub(_blank, line) if "<!--" in line else line
        if "`" in text:
            text = _CODE_SPAN.sub(_blank, text)
        yield number, text


def _placeholders(ctx: DocContext) -> Iterator[Diagnostic]:
    for number, text in _prose_lines(ctx):
        for match in _MARKERS.finditer(text):
            yield Diagnostic(
                line=number,
                col=match.start() + 1,
                message=f"placeholder '{match.group(1)}' left in",
                hint="replace it with the real content",
            )
        if "<" in text:
            for match in _ANGLE.finditer(text):
                inner = match.group(1).strip()
                if inner.split()[0].lower() in _HTML:
                    continue
                yield Diagnostic(
                    line=number,
                    col=match.start() + 1,
                    message=f"placeholder '{match.group(0)}' left in",
                    hint="replace it with the real value",
                )


def _template_syntax(ctx: DocContext) -> Iterator[Diagnostic]:
    for number, text in _prose_lines(ctx):
        if "{" not in text:
            continue
        for match in _JINJA.finditer(text):
            if _SLO_WINDOW.fullmatch(match.group(0)):
                continue  # the SLO spec's own range placeholder (docs/slo-spec.md)
            yield Diagnostic(
                line=number,
                col=match.start() + 1,
                message=f"template syntax '{match.group(0)}' left in",
                hint="the file was copied from a template without rendering it; "
                "use 'opsdocs new' or fill in the value",
            )


def _guidance_texts(ctx: DocContext) -> set[str]:
    texts = {spec.guidance for kind in KINDS for spec in kind.sections}
    texts.update(spec.guidance for spec in ctx.doctype.sections)
    for profile in ctx.settings.profiles.values():
        texts.update(profile.guidance.values())
    return {t.strip() for t in texts if t.strip()}


def _guidance(ctx: DocContext) -> Iterator[Diagnostic]:
    if not ctx.doctype.typed:
        return
    texts: set[str] | None = None
    for number, raw in enumerate(ctx.doc.lines, start=1):
        line = _COMMENT.sub(_blank, raw) if "<!--" in raw else raw
        stripped = line.strip()
        if len(stripped) < 3 or stripped[0] not in "_*" or stripped[-1] != stripped[0]:
            continue
        if number in ctx.skipped_lines:
            continue
        if texts is None:
            texts = _guidance_texts(ctx)
        if stripped.strip("_*").strip() in texts:
            yield Diagnostic(
                line=number,
                col=line.index(stripped[0]) + 1,
                message="template guidance line left in",
                hint="replace the guidance with the section's content",
            )


RULES = [
    Rule("CT001", "placeholder-text", "error", check=_placeholders),
    Rule("CT002", "template-syntax", "error", check=_template_syntax),
    Rule("CT003", "template-guidance", "warning", check=_guidance),
]

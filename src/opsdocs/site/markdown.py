"""A document's Markdown as HTML for the portal: safe, offline, with GitHub's heading anchors.

- CommonMark with tables. Raw HTML is parsed as CommonMark parses it (so the blocks and the
  headings are the ones GitHub and ``opsdocs check`` see) but always written out escaped: a
  ``<script>`` in a document is shown as text.
- Heading ids are :func:`~opsdocs.documents.parse.heading_anchors` (GitHub's rules, the same
  ones the runbook-URL resolution and the link rules use), so ``page.md#anchor`` links written
  for GitHub keep working on the portal. The body is parsed once, here.
- Links are rewritten by the caller's ``link`` function (``runbook-db.md#x`` ->
  ``runbook-db.html#x``); a relative link that leads nowhere on the site becomes plain text, so
  every link on the portal resolves. Images are local files or left out: the portal makes no
  request to another host.
- Code is highlighted with Pygments (CSS classes, no inline styles, nothing fetched).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsdocs.documents.parse import heading_anchors

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["Rendered", "highlight_css", "render_markdown"]

#: ``link(href, image)`` -> the href to write, or None when it leads nowhere on the site.
LinkFn = Callable[[str, bool], "str | None"]


@dataclass(slots=True)
class Rendered:
    """HTML of a document body, its headings (level, text, anchor) and its plain text.

    ``outline`` is the headings outside block quotes and list items: only those are the
    document's title and sections (the others render inside their quote or list)."""

    html: str
    headings: list[tuple[int, str, str]]
    text: str
    outline: list[tuple[int, str, str]]


@functools.cache
def _md() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
    md.enable("table")
    md.add_render_rule("html_block", _escaped_block)
    md.add_render_rule("html_inline", _escaped_inline)
    return md


def _escaped_block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    code = html.escape(tokens[idx].content)
    return f'<pre class="raw-html" tabindex="0"><code>{code}</code></pre>\n'


def _escaped_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return html.escape(tokens[idx].content)


@functools.lru_cache(maxsize=256)
def _lexer(lang: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@functools.cache
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lang = lang.strip().lower()
    lexer = _lexer(lang) if lang and len(lang) < 40 else None
    if lexer is None:
        return ""  # markdown-it escapes the code itself
    from pygments import highlight

    body = highlight(code, lexer, _formatter())
    return f'<pre class="hl"><code class="language-{html.escape(lang)}">{body}</code></pre>'


def highlight_css() -> str:
    """Pygments' token colours for the light and the dark scheme (class ``hl``)."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".hl")
    dark = HtmlFormatter(style="monokai").get_style_defs(".hl")
    # the styles' own backgrounds are dropped: the page's code box sets it for both schemes
    light = "\n".join(line for line in light.splitlines() if not line.startswith(".hl {"))
    dark = "\n".join(line for line in dark.splitlines() if not line.startswith(".hl {"))
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _open_link(token: Token, link: LinkFn) -> None:
    href = str(token.attrs.get("href", ""))
    target = link(href, False)
    if target is None:  # leads nowhere on the site: the text stays, the link goes
        token.tag = "span"
        token.attrs = {"class": "dead-link", "title": f"not on this site: {href}"}
        return
    token.attrs["href"] = target
    if target.startswith(("http://", "https://", "//")):
        token.attrs["rel"] = "noopener noreferrer"


def _rewrite_inline(children: list[Token], link: LinkFn) -> list[Token]:
    from markdown_it.token import Token

    out: list[Token] = []
    stack: list[Token] = []
    for child in children:
        if child.type == "link_open":
            _open_link(child, link)
            stack.append(child)
            out.append(child)
        elif child.type == "link_close":
            opener = stack.pop() if stack else None
            if opener is not None and opener.tag == "span":
                child.tag = "span"
            out.append(child)
        elif child.type == "image":
            src = str(child.attrs.get("src", ""))
            alt = "".join(c.content for c in child.children or []) or src
            target = link(src, True)
            if target is not None and not target.startswith(("http:", "https:", "//")):
                child.attrs["src"] = target
                out.append(child)
            else:
                # a picture from another host would be a request: show its text, linked
                outer = link(src, False)
                if outer is not None:
                    opener = Token("link_open", "a", 1, attrs={"href": outer})
                    opener.attrs["rel"] = "noopener noreferrer"
                    out.append(opener)
                out.append(Token("text", "", 0, content=f"[image: {alt}]"))
                if outer is not None:
                    out.append(Token("link_close", "a", -1))
        else:
            out.append(child)
    return out


def _plain(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(" ".join(c.content for c in token.children or [] if c.content))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return " ".join(" ".join(parts).split())


def render_markdown(body: str, body_line: int, link: LinkFn, *, ids: bool = True) -> Rendered:
    """A document's Markdown ``body`` (starting at file line ``body_line``) as safe HTML;
    headings carry GitHub's anchors as ids (unless ``ids`` is false: a piece of a document
    shown on another page must not repeat that page's ids)."""
    tokens = _md().parse(body)
    found = heading_anchors(tokens, body_line)
    headings = [(h.level, h.text, h.anchor) for h in found]
    outline = [(h.level, h.text, h.anchor) for h in found if h.top_level]
    anchors = iter(found)
    for token in tokens:
        if token.type == "heading_open" and token.map is not None:
            anchor = next(anchors).anchor
            if ids:
                token.attrs["id"] = anchor
        elif token.type == "inline" and token.children:
            token.children = _rewrite_inline(token.children, link)
        elif token.type == "table_open":
            # a wide table scrolls inside its own box, never the page
            token.attrs["class"] = "table"
    body = _md().renderer.render(tokens, _md().options, {})
    body = body.replace('<table class="table">', '<div class="scroll"><table>').replace(
        "</table>", "</table></div>"
    )
    # a code box scrolls sideways: it takes keyboard focus so it can be scrolled without a mouse
    # (raw HTML is escaped, so every "<pre" here is a code box markdown-it wrote)
    body = body.replace("<pre>", '<pre tabindex="0">').replace(
        '<pre class="hl">', '<pre class="hl" tabindex="0">'
    )
    return Rendered(body, headings, _plain(tokens), outline)

"""The one parser every feature reads documents through.

A document is optional YAML front matter between ``---`` lines, then a CommonMark body. Parsing
never raises for what is wrong *inside* a document: problems (bad YAML, unterminated front
matter, an unclosed code fence) are collected on :attr:`Document.problems` with their position,
so that ``check`` can report them and other commands can refuse the document with a clear error
(:meth:`Document.require_front_matter`). Positions are 1-based lines and columns in the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.diagnostics import Diagnostic
from opsdocs.errors import DocumentError, InputError
from opsdocs.fileio import (
    FileTooLargeError,
    NotRegularFileError,
    limit_hint,
    read_regular,
    size_text,
)
from opsdocs.yamlio import KeyPath, YamlData, load_yaml

if TYPE_CHECKING:
    from collections.abc import Callable

    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

__all__ = [
    "Document",
    "Heading",
    "Link",
    "Section",
    "document_from_bytes",
    "heading_anchors",
    "normalize_heading",
    "parse_document",
    "read_document",
    "slugify",
]

#: Files larger than this are not parsed (a runbook is never 10 MB; a log file named .md is).
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    anchor: str
    #: not inside a block quote or a list item: only such a heading is the title or starts a
    #: section (GitHub renders the others inside their quote or list; they keep their anchor)
    top_level: bool = True


@dataclass(frozen=True)
class Section:
    """A level-2 heading and the body lines up to the next level-1 or level-2 heading."""

    title: str
    line: int
    anchor: str
    start_line: int  # first line after the heading
    end_line: int  # last line of the section (inclusive)
    has_content: bool  # any block other than comments and blank lines

    @property
    def key(self) -> str:
        return normalize_heading(self.title)


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int
    col: int


def normalize_heading(text: str) -> str:
    """Heading text for tolerant matching: case, spacing, punctuation and ``&``/``and``."""
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def slugify(text: str) -> str:
    """GitHub-style anchor for a heading (without the de-duplication suffix)."""
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_MD: MarkdownIt | None = None
_BLOCKS: MarkdownIt | None = None
_FENCE: Callable[[StateBlock, int, int, bool], bool]
#: The core rules that work on inline content: left out of a structure parse, run on demand.
_INLINE_RULES = ["inline", "text_join"]


def _markdown(structure: bool = False) -> MarkdownIt:
    """The parser; with ``structure``, the same parser whose core stops after the block rules
    (inline content is parsed later, by :func:`_parse_inline`, where it is needed)."""
    global _MD, _BLOCKS, _FENCE
    if _MD is None or _BLOCKS is None:
        from markdown_it import MarkdownIt
        from markdown_it.rules_block import fence

        _FENCE = fence  # called for every block: bound once, not imported per call
        _MD = MarkdownIt("commonmark")
        # the fence rule, wrapped to record whether a closing fence ended the block
        _MD.block.ruler.at(
            "fence",
            _fence_recording_closure,
            {"alt": ["paragraph", "reference", "blockquote", "list"]},
        )
        # one parser: the block-only core runs the full parser's own block rules
        _BLOCKS = MarkdownIt("commonmark")
        _BLOCKS.block = _MD.block
        _BLOCKS.core.ruler.disable(_INLINE_RULES)
    return _BLOCKS if structure else _MD


#: The characters where an inline rule of CommonMark can start (a line break, an escape, a code
#: span, emphasis, a link or image, an autolink or HTML, an entity): content without any of
#: them is one text token, as the inline parser would make it.
_INLINE_SYNTAX = re.compile(r"[\n\\`*_\[!<&]")


def _parse_inline(tokens: list[Token], env: dict[str, Any]) -> None:
    """Parse the inline content of ``tokens`` (``inline`` tokens of a structure parse), as the
    full parser's core does: the inline rules, then joining escaped text into the text.
    Content with no inline syntax (most headings) is its own text token without a parse."""
    from markdown_it.rules_core import text_join
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.token import Token

    md = _markdown()
    for token in tokens:
        if _INLINE_SYNTAX.search(token.content) is None:
            token.children = [Token("text", "", 0, content=token.content)] if token.content else []
            continue
        token.children = []
        md.inline.parse(token.content, md, env, token.children)
    state = StateCore("", md, env)
    state.tokens = tokens
    text_join(state)


def _fence_recording_closure(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's fence rule, then ``token.meta["closed"]``: whether the block's last line is
    its closing fence, read the way the parser reads it (past the container's prefix: a list
    item's indentation, a block quote's ``>``). A fence not closed runs to the end of its
    container or of the file."""
    count = len(state.tokens)
    if not _FENCE(state, start, end, silent):
        return False
    if not silent and len(state.tokens) > count:
        token = state.tokens[-1]
        token.meta["closed"] = _ends_with_closing_fence(state, token)
    return True


def _ends_with_closing_fence(state: StateBlock, token: Token) -> bool:
    if token.map is None:
        return False
    start, stop = token.map
    last = stop - 1
    if last <= start or state.sCount[last] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]].rstrip(" \t")
    marker = token.markup[:1]
    return bool(line) and line == marker * len(line) and len(line) >= len(token.markup)


@dataclass
class Document:
    """A parsed operations document."""

    path: Path
    text: str
    front_matter: dict[str, Any] | None = None
    yaml: YamlData | None = None
    body_line: int = 1  # file line where the Markdown body starts
    front_matter_end: int = 0  # file line of the closing '---' (0: no front matter)
    problems: list[Diagnostic] = field(default_factory=list)
    #: parse the Markdown for its structure first (see :func:`parse_document`)
    structure_only: bool = False

    # -- front matter -------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        value = (self.front_matter or {}).get("kind")
        return value if isinstance(value, str) else None

    def get(self, key: str, default: Any = None) -> Any:
        return (self.front_matter or {}).get(key, default)

    def position(self, key_path: KeyPath) -> tuple[int, int]:
        """File position of a front-matter key (or its nearest parent; else line 1)."""
        if self.yaml is not None:
            pos = self.yaml.position(tuple(key_path))
            if pos is not None:
                return pos
        return (1, 1)

    def require_front_matter(self) -> dict[str, Any]:
        """The front matter, or a :class:`DocumentError` for the first parse problem."""
        for problem in self.problems:
            if problem.code.startswith("front-matter"):
                raise DocumentError(
                    problem.message,
                    path=self.path,
                    line=problem.line,
                    col=problem.col,
                    hint=problem.hint,
                )
        if self.front_matter is None:
            raise DocumentError(
                "no front matter",
                path=self.path,
                line=1,
                col=1,
                hint="start the file with '---', the YAML keys, then '---'",
            )
        return self.front_matter

    # -- body ------------------------------------------------------------------------------
    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def body(self) -> str:
        return "\n".join(self.lines[self.body_line - 1 :])

    @cached_property
    def blocks(self) -> list[Token]:
        """The token stream as far as headings, sections and code blocks need it: every block
        token, and the inline children of headings. Complete (:attr:`tokens`) unless the
        document was parsed for its structure only."""
        if not self.structure_only:
            return self.tokens
        tokens = _markdown(structure=True).parse(self.body, self._env)
        _parse_inline(
            [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t.type == "heading_open"],
            self._env,
        )
        return tokens

    @cached_property
    def tokens(self) -> list[Token]:
        """The whole token stream, inline children included."""
        if not self.structure_only:
            return _markdown().parse(self.body, self._env)
        tokens = self.blocks
        _parse_inline(
            [
                token
                for i, token in enumerate(tokens)
                if token.type == "inline" and (i == 0 or tokens[i - 1].type != "heading_open")
            ],
            self._env,
        )
        return tokens

    @cached_property
    def _env(self) -> dict[str, Any]:
        # what the block rules found (link reference definitions) for the inline rules
        return {}

    def _file_line(self, token_line: int) -> int:
        return token_line + self.body_line

    @cached_property
    def headings(self) -> list[Heading]:
        return heading_anchors(self.blocks, self.body_line)

    @property
    def title(self) -> str | None:
        """Text of the first top-level level-1 heading."""
        heading = self.title_heading
        return heading.text if heading is not None else None

    @cached_property
    def title_heading(self) -> Heading | None:
        """The first level-1 heading outside block quotes and list items."""
        return next((h for h in self.headings if h.level == 1 and h.top_level), None)

    @cached_property
    def anchors(self) -> set[str]:
        return {h.anchor for h in self.headings}

    @cached_property
    def sections(self) -> list[Section]:
        """The level-2 sections. Only a top-level heading starts or ends one: a heading in a
        block quote or a list item (``> ## Impact``) is content of the section it sits in."""
        bounds = [h for h in self.headings if h.top_level and h.level <= 2]
        # file lines where a top-level block that carries content starts (comments do not)
        content = [
            self._file_line(token.map[0])
            for token in self.blocks
            if token.level == 0
            and token.nesting >= 0
            and token.map is not None
            and not (token.type == "heading_open" and token.tag in ("h1", "h2"))
            and not (token.type == "html_block" and token.content.lstrip().startswith("<!--"))
        ]
        ends = [h.line - 1 for h in bounds[1:]] + [len(self.lines)]
        return [
            Section(
                title=h.text,
                line=h.line,
                anchor=h.anchor,
                start_line=h.line + 1,
                end_line=max(end, h.line),
                has_content=any(h.line < line <= end for line in content),
            )
            for h, end in zip(bounds, ends, strict=False)  # no bounds: the one end is unused
            if h.level == 2
        ]

    def section(self, title: str) -> Section | None:
        """The first section whose heading matches ``title`` tolerantly."""
        key = normalize_heading(title)
        return next((s for s in self.sections if s.key == key), None)

    def section_text(self, section: Section) -> str:
        return "\n".join(self.lines[section.start_line - 1 : section.end_line])

    @cached_property
    def links(self) -> list[Link]:
        result: list[Link] = []
        for token in self.tokens:
            if token.type != "inline" or token.map is None or not token.children:
                continue
            line = self._file_line(token.map[0])
            children = token.children
            for j, child in enumerate(children):
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                    label = children[j + 1].content if j + 1 < len(children) else ""
                    source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
                    at = source.find("](" + href)
                    col = source.rfind("[", 0, at) + 1 if at >= 0 else 1
                    result.append(Link(href, label, line, max(col, 1)))
        return result

    @cached_property
    def unclosed_fences(self) -> list[int]:
        """File lines of the code fences never closed: each runs to the end of its container
        (list item, block quote) or of the file. The parsed tree decides, so a fence in a list
        item closed at the item's indentation is closed."""
        return [
            self._file_line(token.map[0])
            for token in self.blocks
            if token.type == "fence" and token.map is not None and not token.meta.get("closed")
        ]

    @property
    def unclosed_fence(self) -> int | None:
        """File line of the first code fence never closed, if any."""
        return self.unclosed_fences[0] if self.unclosed_fences else None


def heading_anchors(tokens: list[Token], body_line: int = 1) -> list[Heading]:
    """The headings of a markdown-it token stream with GitHub's anchors (de-duplicated with
    ``-1``, ``-2``...), in order; ``body_line`` is the file line of the stream's first line.
    Every anchor opsdocs writes or checks comes from here (the portal's heading ids too)."""
    result: list[Heading] = []
    counts: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        text = _heading_text(tokens[i + 1]) if i + 1 < len(tokens) else ""
        base = slugify(text)
        n = counts.get(base, 0)
        counts[base] = n + 1
        anchor = base if n == 0 else f"{base}-{n}"
        line = token.map[0] + body_line
        result.append(Heading(int(token.tag[1]), text, line, anchor, top_level=token.level == 0))
    return result


def _heading_text(inline: Token) -> str:
    """A heading's visible text: link markup, inline HTML and comments dropped (as GitHub does)."""
    if not inline.children:
        return inline.content.strip()
    parts = [
        child.content
        for child in inline.children
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    return " ".join("".join(parts).split())


def _split_front_matter(doc: Document) -> None:
    lines = doc.lines
    if not lines or lines[0].rstrip() != "---":
        return
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        doc.problems.append(
            Diagnostic(
                code="front-matter-unterminated",
                message="front matter is never closed",
                line=1,
                col=1,
                hint="end the front matter with a line holding only '---'",
            )
        )
        doc.body_line = 1
        return
    doc.front_matter_end = index + 1
    doc.body_line = index + 2
    yaml_text = "\n".join(lines[1:index])
    try:
        data = load_yaml(yaml_text, path=doc.path, line_offset=1)
    except InputError as exc:
        doc.problems.append(
            Diagnostic(
                code="front-matter-yaml",
                message=exc.message,
                line=exc.line or 1,
                col=exc.col or 1,
                hint=exc.hint,
            )
        )
        return
    doc.yaml = data
    for key_path, line, col in data.duplicates:
        doc.problems.append(
            Diagnostic(
                code="front-matter-duplicate-key",
                message=f"duplicate key '{'.'.join(map(str, key_path))}'",
                line=line,
                col=col,
                hint="keep one of the two; YAML uses only the last",
            )
        )
    if data.value is None:
        doc.front_matter = {}
    elif isinstance(data.value, dict):
        doc.front_matter = data.value
    else:
        doc.problems.append(
            Diagnostic(
                code="front-matter-not-mapping",
                message=f"front matter is a {type(data.value).__name__}, not a mapping of keys",
                line=2,
                col=1,
                hint="write 'key: value' lines between the '---' lines",
            )
        )


def parse_document(path: Path, text: str, *, structure_only: bool = False) -> Document:
    """Parse ``text`` as the document at ``path``; never raises for bad content.

    With ``structure_only`` the Markdown is parsed for its blocks and headings alone (about
    a third less work), which is all that front matter, headings, anchors, sections and code
    blocks need; the rest of the inline content is parsed when something asks for it
    (:attr:`Document.links`, :attr:`Document.tokens`). The results are the same either way.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(path=path, text=text, structure_only=structure_only)
    _split_front_matter(doc)
    return doc


def read_document(path: Path, *, structure_only: bool = False) -> Document:
    """Read and parse the document at ``path`` (``structure_only``: see
    :func:`parse_document`).

    Raises :class:`InputError` when the file cannot be read as UTF-8 text.
    """
    try:
        raw = read_regular(path, MAX_DOCUMENT_BYTES)
    except IsADirectoryError:
        raise InputError(
            "is a folder, not a document", path=path, hint="rename or skip it"
        ) from None
    except NotRegularFileError as exc:
        # a FIFO would block the read forever, a device (a link to /dev/zero) never end it
        raise InputError(
            f"not a regular file: {exc.strerror}",
            path=path,
            hint="opsdocs reads only regular files: remove it or move it out of the folder",
        ) from None
    except FileTooLargeError as exc:
        raise InputError(
            f"file is too large to be a document ({size_text(exc.size)})",
            path=path,
            hint=limit_hint(exc.limit, "operations documents"),
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror or exc}", path=path, hint="check permissions"
        ) from None
    return document_from_bytes(path, raw, structure_only=structure_only)


def document_from_bytes(path: Path, raw: bytes, *, structure_only: bool = False) -> Document:
    """Parse the bytes ``raw`` read from ``path`` (as :func:`read_document` does once it has
    read them: for a caller that needs the bytes too, to hash them).

    Raises :class:`InputError` when they are not UTF-8 text.
    """
    if b"\x00" in raw[:8192]:
        raise InputError("binary file, not Markdown", path=path, hint="remove it or rename it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            "invalid UTF-8", path=path, line=line, col=col, hint="save the file as UTF-8"
        ) from None
    return parse_document(path, text, structure_only=structure_only)
